"""Every HTML page of the access matrix passes axe-core, opened by the least privileged role
that may see it."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Browser, Page

from browser.conftest import ARTIFACTS, assert_accessible, sign_in
from hearth.people.tests.access_world import (
    DOWNLOADS,
    FRAGMENTS,
    PAGES,
    build_access_world,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Least privileged first: a page is checked as the first of these allowed to open it.
BY_PRIVILEGE = [
    "anonymous",
    "outsider",
    "learner_a1",
    "mentor_a1",
    "evaluator",
    "facilitator",
    "house_director",
    "director",
    "admin",
]
# Set to save a screenshot of every page, to look them over.
SCREENSHOTS = os.environ.get("HEARTH_SCREENSHOT_EVERY_PAGE")


def _pages_by_role() -> dict[str, list[tuple]]:
    chosen: dict[str, list[tuple]] = {role: [] for role in BY_PRIVILEGE}
    for name, url_for, allowed in PAGES:
        if name in DOWNLOADS or name in FRAGMENTS:
            continue
        role = next(r for r in BY_PRIVILEGE if r in allowed)
        chosen[role].append((name, url_for))
    return chosen


def test_every_page_has_no_serious_accessibility_violation(
    page: Page, browser: Browser, live_server, school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    world = build_access_world(school)
    failures = []
    for role, pages in _pages_by_role().items():
        if not pages:
            continue
        # One signed-in session per role, reused for all of its pages.
        context = browser.new_context()
        tab = context.new_page()
        try:
            if role != "anonymous":
                sign_in(tab, live_server.url, world.persona(role).email)
            for name, url_for in pages:
                response = tab.goto(live_server.url + url_for(world))
                assert response is not None and response.status == 200, f"{role} on {name}"
                if SCREENSHOTS:
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    slug = re.sub(r"\W+", "-", name)
                    tab.screenshot(path=str(ARTIFACTS / f"every-page-{slug}.png"), full_page=True)
                try:
                    assert_accessible(tab)
                except AssertionError as violation:
                    failures.append(f"{name} (as {role}): {violation}")
        finally:
            context.close()
    assert not failures, "\n\n".join(failures)
