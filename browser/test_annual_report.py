"""The annual report in the browser: the director reads the tables, picks a year and downloads
the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.reports.tests.year import build_year

pytestmark = pytest.mark.django_db(transaction=True)


def test_director_reads_the_report_and_downloads_the_pdf(page: Page, live_server, school):
    base = live_server.url
    build_year(school)
    slug = school.program.slug

    sign_in(page, base, school.director.email)
    page.goto(f"{base}/programs/{slug}/")
    page.locator(f"a[href^='/programs/{slug}/report/']").click()
    expect(page.get_by_role("heading", name="Annual report", exact=False).first).to_be_visible()
    page.get_by_label("Academic year", exact=True).select_option(label="2024–25")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("heading", name="Annual report 2024–25", exact=True)).to_be_visible()

    participation = page.get_by_role("table", name="Participation", exact=True)
    expect(participation.get_by_role("row", name="Curie House")).to_contain_text("7")
    expect(participation.get_by_role("row", name="Blackwell House")).to_contain_text(
        "too few to show"
    )
    expect(participation.get_by_role("row", name="Apgar House")).to_contain_text(
        "hidden so a smaller cell cannot be worked out"
    )
    expect(page.get_by_text("mentor-development pillar is not in use", exact=False)).to_be_visible()
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "annual-report.png"), full_page=True)

    with page.expect_download() as download_info:
        page.locator(f"a[href='/programs/{slug}/report/2024.pdf']").click()
    download = download_info.value
    assert download.suggested_filename == "annual-report-md-lc-2024-25.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    with page.expect_download() as download_info:
        page.locator(f"a[href='/programs/{slug}/report/2024.csv']").click()
    first_line = Path(download_info.value.path()).read_text().splitlines()[0]
    assert first_line == "section,measure,breakdown,value,respondents"
