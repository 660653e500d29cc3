"""A file far larger than a page takes: the browser shows why, and nothing is saved."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.people.forms import MAX_PHOTO_BYTES
from hearth.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_huge_photo_is_refused_with_the_pages_limit_and_a_way_back(
    page: Page, live_server, school, tmp_path
):
    huge = tmp_path / "huge.png"
    huge.write_bytes(b"\0" * (MAX_PHOTO_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    sign_in(page, live_server.url, school.mentor_b1.email)
    page.get_by_role("link", name="My profile").click()
    page.get_by_role("link", name="Add your photo").click()
    page.get_by_label("Photo").set_input_files(str(huge))
    page.get_by_role("button", name="Save the photo").click()
    expect(page.get_by_role("heading", name="File too large")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("at most 2 MB")
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-too-large.png"), full_page=True)
    page.get_by_role("link", name="Go back").click()
    expect(page.get_by_role("button", name="Save the photo")).to_be_visible()
    assert not Person.objects.exclude(photo="").exists()
