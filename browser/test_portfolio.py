"""A mentor downloads their portfolio; a signed-out committee member checks the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in
from hearth.recognition import services, verification

pytestmark = pytest.mark.django_db(transaction=True)


def test_mentor_downloads_the_portfolio_and_a_visitor_verifies_it(
    page: Page, live_server, school, settings, tmp_path: Path
):
    settings.HEARTH_BASE_URL = live_server.url
    base = live_server.url
    services.note_send(
        author=school.learner_a1,
        mentor=school.mentor_a1,
        body="You showed me how to ask for help.",
        may_quote=True,
    )
    services.acknowledgment_send(
        director=school.director,
        mentor=school.mentor_a1,
        program=school.program,
        body="Apgar 1 thrives because of you.",
    )

    sign_in(page, base, school.mentor_a1.email)
    page.locator('nav a[href="/portfolio/"]').click()
    expect(page.get_by_role("heading", name="Your mentoring portfolio", exact=True)).to_be_visible()
    expect(page.get_by_text("Apgar 1 thrives because of you.", exact=True)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.startswith("mentoring-portfolio-mira-mentorone-")
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    code = verification.find_code(pdf_path.read_bytes())
    assert code is not None
    page.get_by_role("button", name="Sign out", exact=True).click()

    page.goto(f"{base}/verify/")
    assert_accessible(page)
    page.get_by_label("The portfolio PDF:", exact=True).set_input_files(pdf_path)
    page.get_by_role("button", name="Check the file", exact=True).click()
    result = page.get_by_role("status")
    expect(result).to_contain_text("This file is exactly the mentoring portfolio Hearth issued on")
    expect(result).to_contain_text("Mira Mentorone")
    assert_accessible(page)

    changed = bytearray(pdf_path.read_bytes())
    changed[len(changed) // 2] ^= 0x01
    changed_path = tmp_path / "changed.pdf"
    changed_path.write_bytes(bytes(changed))
    page.get_by_label("The portfolio PDF:", exact=True).set_input_files(changed_path)
    page.get_by_role("button", name="Check the file", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "This file does not match what Hearth issued: it was changed after issue."
    )

    # The link printed in the footer opens the check for that code.
    page.goto(f"{base}/verify/{code}/")
    expect(page.get_by_role("heading", name="Valid", exact=True)).to_be_visible()
    page.get_by_label("Verification code:", exact=True).fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Check the code", exact=True).click()
    page.wait_for_url(f"{base}/verify/{code}/")
    expect(page.get_by_role("heading", name="Valid", exact=True)).to_be_visible()
