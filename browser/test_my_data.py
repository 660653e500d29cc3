from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_learner_downloads_their_data_from_their_profile(page: Page, live_server, school):
    sign_in(page, live_server.url, school.learner_a1.email)
    page.goto(f"{live_server.url}/people/{school.learner_a1.pk}/")
    link = page.get_by_role("link", name="Download my data")
    expect(link).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        link.focus()
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.startswith("hearth-my-data-")
    data = json.loads(Path(download.path()).read_text())
    assert data["account"]["email"] == school.learner_a1.email
    memberships = data["communities"]["group memberships (history included)"]
    assert memberships[0]["group"]["label"] == "Apgar 1"
    assert "Mira Mentorone" in json.dumps(data["communities"]["relationships as mentee"])
