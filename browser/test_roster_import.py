from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in
from hearth.communities.models import GroupMembership
from hearth.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "email,display_name,role,community,group,start_date,class_year\n"
GOOD_ROWS = (
    "nia.newcomer@school.example.edu,Nia Newcomer,learner,Apgar House,Apgar 2,2025-08-01,2029\n"
    "omar.okafor@school.example.edu,Omar Okafor,learner,Blackwell House,Blackwell 1,"
    "2025-08-01,2029\n"
)
BAD_ROW = "pat.wrong@school.example.edu,Pat Wrong,learner,Osler House,Osler 1,2025-08-01,2029\n"


def test_director_fixes_a_bad_row_and_imports(page: Page, live_server, school, tmp_path):
    sign_in(page, live_server.url, school.director.email)
    page.goto(f"{live_server.url}/programs/{school.program.slug}/import/")
    expect(page.get_by_role("heading", name="Import a roster")).to_be_visible()
    expect(page.get_by_role("link", name="Download the XLSX template")).to_be_visible()
    assert_accessible(page)

    bad = tmp_path / "roster.csv"
    bad.write_text(HEADER + GOOD_ROWS + BAD_ROW, encoding="utf-8")
    page.get_by_label("Roster file (CSV or XLSX)").set_input_files(bad)
    page.get_by_role("button", name="Upload and preview").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing will be written until the file is fixed")
    error_row = alert.get_by_role("row").filter(has_text="unknown community “Osler House”")
    expect(error_row.get_by_role("cell").nth(0)).to_have_text("4")
    expect(error_row.get_by_role("cell").nth(1)).to_have_text("community")
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Upload a corrected file").click()
    good = tmp_path / "roster-fixed.csv"
    good.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    page.get_by_label("Roster file (CSV or XLSX)").set_input_files(good)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="To create (2)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_role("heading", name="Imported: roster-fixed.csv")).to_be_visible()
    expect(page.get_by_role("list", name="Result")).to_contain_text("2 created")
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    assert_accessible(page)
    assert set(
        Person.objects.filter(email__endswith="@school.example.edu", class_year=2029).values_list(
            "display_name", flat=True
        )
    ) == {"Nia Newcomer", "Omar Okafor"}
    assert GroupMembership.objects.filter(
        person__email="omar.okafor@school.example.edu", group=school.group_b1, end_date=None
    ).exists()
    assert not Person.objects.filter(email="pat.wrong@school.example.edu").exists()


def test_import_pages_fit_a_phone(page: Page, live_server, school):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server.url, school.director.email)
    page.goto(f"{live_server.url}/programs/{school.program.slug}/import/")
    # Wide tables scroll inside their wrapper; the page itself does not scroll sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert_accessible(page)
