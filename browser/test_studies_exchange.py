"""Exchange with other QDA tools in the browser: download the study as QDPX (it validates),
import it back through the studies page, and add QualCoder codes to a codebook."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in
from hearth.studies.models import CodedSegment, Study
from hearth.studies.tests.test_exchange import assert_valid_qdpx, file_counts, rich_world
from hearth.studies.tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

FILES = Path(__file__).resolve().parent.parent / "hearth/studies/tests/files"
SHOTS = Path("/tmp")


def test_export_a_study_and_import_it_as_a_new_one(page: Page, live_server, school, tmp_path):
    world = build_world(school)
    rich_world(world)
    base = live_server.url
    sign_in(page, base, world.lead.email)
    page.goto(f"{base}/studies/{world.study.pk}/")
    export = page.get_by_role("link", name="Export for NVivo, ATLAS.ti, MAXQDA or QualCoder (QDPX)")
    expect(export).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "exchange-study.png"), full_page=True)
    with page.expect_download() as info:
        export.click()
    download = info.value
    assert download.suggested_filename == f"study-{world.study.pk}.qdpx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert_valid_qdpx(path.read_bytes())
    assert file_counts(path.read_bytes()) == (2, 7, 5)

    page.get_by_role("link", name="Studies", exact=True).click()
    page.get_by_role("link", name="Import a study (QDPX or Dedoose XLSX)").click()
    expect(page.get_by_role("heading", name="Import a study")).to_be_visible()
    page.get_by_label("Project file").set_input_files(str(FILES / "qualcoder" / "transcript.txt"))
    page.get_by_role("button", name="Import the study").click()
    expect(page.get_by_text("transcript.txt is not a .qdpx project")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "exchange-import-error.png"), full_page=True)

    page.get_by_label("Project file").set_input_files(str(path))
    page.get_by_role("button", name="Import the study").click()
    expect(page.get_by_text("2 sources, 7 codes, 5 coded segments by 2 coders")).to_be_visible()
    copy = Study.objects.order_by("-pk").first()
    assert copy.pk != world.study.pk and page.url.endswith(f"/studies/{copy.pk}/")
    assert CodedSegment.objects.filter(source__study=copy).count() == 5
    expect(page.get_by_role("link", name="Interview 1")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "exchange-imported.png"), full_page=True)


def test_codebook_download_and_qualcoder_codes(page: Page, live_server, school, tmp_path):
    world = build_world(school)
    base = live_server.url
    sign_in(page, base, world.lead.email)
    page.goto(f"{base}/studies/{world.study.pk}/codebook/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Codebook (QDC)").click()
    assert info.value.suggested_filename == f"study-{world.study.pk}-codebook.qdc"
    page.get_by_role(
        "link", name="Import codes from NVivo, ATLAS.ti, MAXQDA (QDC) or QualCoder"
    ).click()
    expect(page.get_by_role("heading", name="Import codes from another tool")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "exchange-codebook.png"), full_page=True)
    codes = FILES / "qualcoder" / "plain_codes_categories_for_import.txt"
    page.get_by_label("Codebook file").set_input_files(str(codes))
    page.get_by_role("button", name="Add the codes").click()
    expect(page.get_by_text("9 codes added")).to_be_visible()
    expect(page.get_by_role("link", name="code4")).to_be_visible()
    assert world.study.codebook.codes.get(name="code4").parent.name == "cat2"
