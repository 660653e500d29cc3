"""Studies in the browser: import a VTT, select words, apply a code, find it under the code,
group it into a theme and read the theme with its quote in the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import assert_accessible, sign_in
from hearth.studies.models import CodedSegment, Source
from hearth.studies.tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

VTT = Path(__file__).resolve().parent.parent / "hearth/studies/tests/files/interview.vtt"
SELECT_WORDS = """
(words) => {
  // Select `words` inside the transcript as a person dragging the mouse would.
  const walker = document.createTreeWalker(
    document.getElementById("transcript"), NodeFilter.SHOW_TEXT
  );
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at === -1) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    node.parentElement.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
    return true;
  }
  return false;
}
"""


def test_import_a_vtt_code_a_span_and_see_it_in_the_code_and_the_report(
    page: Page, live_server, school
):
    world = build_world(school)
    base = live_server.url
    sign_in(page, base, world.lead.email)
    page.get_by_role("link", name="Studies", exact=True).click()
    page.get_by_role("link", name="Meaning in the mentor role").click()
    assert_accessible(page)

    page.get_by_role("link", name="Import a transcript").click()
    page.get_by_label("Transcript file").set_input_files(str(VTT))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Weekly meetings with my mentor.")).to_be_visible()
    expect(page.get_by_role("cell", name="1:04")).to_be_visible()  # timestamps kept
    page.get_by_label("Title").fill("Interview 3 (captions)")
    page.get_by_label("“Dr. Okafor” is").select_option(label="P01")
    assert_accessible(page)
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name="De-identify “Interview 3 (captions)”")).to_be_visible()
    expect(page.get_by_text("Okafor").first).to_be_visible()  # not on the roster: for a person
    page.get_by_role("button", name="Apply and mark as reviewed").click()

    expect(page.get_by_role("heading", name="Interview 3 (captions)")).to_be_visible()
    source = Source.objects.get(title="Interview 3 (captions)")
    assert source.turns.count() == 4
    assert source.turns.filter(participant=world.p1).count() == 2
    assert page.evaluate(SELECT_WORDS, "meetings with my mentor")
    expect(page.locator("#selection")).to_contain_text("“meetings with my mentor”")
    page.get_by_label("Feeling connected").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#apply-status")).to_contain_text("Applied Feeling connected")
    expect(page.locator(".coded", has_text="meetings with my mentor")).to_be_visible()
    segment = CodedSegment.objects.get(source=source)
    assert source.text[segment.start : segment.end] == "meetings with my mentor"
    assert segment.coder == world.lead
    assert_accessible(page)
    page.screenshot(path="/tmp/studies-coding.png", full_page=True)

    # A speaker's name takes their whole turn; a code applied by mistake comes off again.
    page.locator("#b-t1").get_by_role("button", name="P01").click()
    expect(page.locator("#selection")).to_contain_text("It was hard at first")
    page.get_by_label("Harm").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#segment-list li")).to_have_count(2)
    harm = CodedSegment.objects.get(source=source, code__name="Harm")
    assert source.text[harm.start : harm.end] == (
        "It was hard at first & very busy. The nights were long. but the team was kind."
    )
    page.locator("#segment-list").get_by_role("button", name="Remove Harm").click()
    expect(page.locator("#segment-list li")).to_have_count(1)
    assert not CodedSegment.objects.filter(code__name="Harm").exists()

    page.locator("#segment-list").get_by_role("link", name="Feeling connected").click()
    expect(page.get_by_role("heading", name="Feeling connected")).to_be_visible()
    row = page.get_by_role("row", name="meetings with my mentor")
    expect(row).to_contain_text("Interview 3 (captions)")
    expect(row).to_contain_text("P01")
    assert_accessible(page)

    page.get_by_role("link", name="Themes", exact=True).click()
    page.get_by_label("Name").fill("Support that sustains")
    page.get_by_label("Definition").fill("Regular contact with a mentor keeps people going.")
    page.get_by_role("group", name="Codes").get_by_label("Feeling connected").check()
    page.get_by_label("Unification").check()
    page.get_by_role("button", name="Add the theme").click()
    expect(page.get_by_role("link", name="Support that sustains")).to_be_visible()

    page.get_by_role("link", name="Report", exact=True).click()
    theme = page.get_by_role("region", name="Support that sustains")
    expect(theme).to_contain_text("Present for 1 of 2 participants")
    expect(theme.locator("blockquote")).to_contain_text("“meetings with my mentor”")
    expect(theme.locator("blockquote")).to_contain_text("P01")
    assert_accessible(page)
    page.screenshot(path="/tmp/studies-report.png", full_page=True)


def test_a_broken_vtt_shows_a_plain_message_and_imports_nothing(page: Page, live_server, school):
    world = build_world(school)
    sign_in(page, live_server.url, world.lead.email)
    page.goto(f"{live_server.url}/studies/{world.study.pk}/import/")
    page.get_by_label("Transcript file").set_input_files(
        files=[
            {
                "name": "broken.vtt",
                "mimeType": "text/vtt",
                "buffer": b"WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHello\n",
            }
        ]
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Nothing was imported: line 3: timestamp")).to_be_visible()
    assert Source.objects.filter(study=world.study).count() == 2
    expect(page.get_by_role("button", name="Preview")).to_be_enabled()
