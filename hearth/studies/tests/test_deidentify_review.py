"""De-identification through the review page: planted roster names, emails and phones are all
proposed (recall reported), a stranger's name is listed as not handled, and codings move
with the text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hearth.studies import services
from hearth.studies.importers import parse_source
from hearth.studies.models import CodedSegment
from hearth.studies.tests.world import World, code
from hearth.testing import PASSWORD


def _planted(world: World) -> tuple[str, list[str]]:
    """A transcript with roster people's names, emails and phones, and one stranger."""
    school = world.school
    planted = [
        school.learner_a1.display_name,  # a learner on the roster: "Lena Learnerone"
        "Lena",  # her given name alone
        "Learnermate",  # another learner's family name alone
        school.mentor_a1.display_name,  # participant P01 herself
        school.director.display_name,
        "mira.m@hospital.example.org",
        "(555) 123-4567",
        "+44 20 7946 0958",
    ]
    text = (
        f"Interviewer: Who helped you this year?\n"
        f"P01: Honestly {planted[0]} did. {planted[1]} kept our group going, and "
        f"{planted[2]} too. People still call me {planted[3]} from her old team.\n"
        f"Interviewer: And the program?\n"
        f"P01: {planted[4]} was supportive. Write to me at {planted[5]} or call "
        f"{planted[6]}; from abroad {planted[7]}. Dr. Zebediah Quince in surgery disagreed.\n"
    )
    return text, planted


@pytest.fixture
def review(world: World):  # noqa: ANN201
    text, planted = _planted(world)
    source = services.source_import(
        study=world.study,
        by=world.lead,
        title="Planted",
        parsed=parse_source("planted.txt", text.encode()),
        participant=world.p1,
    )
    client = Client()
    client.login(email=world.lead.email, password=PASSWORD)
    return source, planted, client


def _form(response) -> dict[str, str]:  # noqa: ANN001
    """The review form as the browser would post it with every box left as proposed."""
    data: dict[str, str] = {}
    replacements = response.context["replacements"]
    suspects = response.context["suspects"]
    data["r-count"] = str(len(replacements))
    data["s-count"] = str(len(suspects))
    for i, (r, *_context) in enumerate(replacements):
        data |= {
            f"r-{i}-accept": "1",
            f"r-{i}-start": str(r.start),
            f"r-{i}-end": str(r.end),
            f"r-{i}-original": r.original,
            f"r-{i}-kind": r.kind,
            f"r-{i}-replacement": r.replacement,
        }
    for i, (s, *_context) in enumerate(suspects):
        data |= {
            f"s-{i}-start": str(s.start),
            f"s-{i}-end": str(s.end),
            f"s-{i}-original": s.text,
            f"s-{i}-kind": "name",
            f"s-{i}-replacement": "",
        }
    return data


def test_the_review_proposes_every_planted_item_and_flags_the_stranger(review, world) -> None:
    source, planted, client = review
    response = client.get(reverse("source_deidentify", args=[source.pk]))
    proposed = {r.original for r, *_ in response.context["replacements"]}
    found = [item for item in planted if item in proposed]
    recall = len(found) / len(planted)
    print(f"de-identification recall on planted items: {recall:.0%} ({len(found)}/{len(planted)})")
    assert recall == 1.0, set(planted) - proposed
    by_original = {r.original: r.replacement for r, *_ in response.context["replacements"]}
    assert by_original[world.school.mentor_a1.display_name] == "P01"
    assert by_original[world.school.learner_a1.display_name] == "[learner]"
    assert by_original["(555) 123-4567"] == "[phone]"
    suspects = [s.text for s, *_ in response.context["suspects"]]
    assert any("Quince" in s for s in suspects), "a name on no list is reported as not handled"
    assert "Zebediah" not in proposed and "Quince" not in proposed
    body = response.content.decode()
    assert "Not handled: check these yourself" in body and "Quince" in body


def test_applying_the_review_replaces_them_and_moves_codings(review, world) -> None:
    source, planted, client = review
    code(world, world.lead, source, "was supportive", "Feeling honored")
    code(world, world.coder, source, "kept our group going", "Feeling connected")
    page = client.get(reverse("source_deidentify", args=[source.pk]))
    data = _form(page)
    quince = next(i for i, (s, *_rest) in enumerate(page.context["suspects"]) if "Quince" in s.text)
    data[f"s-{quince}-replacement"] = "[a surgeon]"
    response = client.post(reverse("source_deidentify", args=[source.pk]), data)
    assert response.status_code == 302
    source.refresh_from_db()
    for item in planted:
        assert item not in source.text, item
    assert "[a surgeon]" in source.text and "Quince" not in source.text
    assert source.deidentified_at is not None and source.original_text == ""
    texts = {
        s.code.name: source.text[s.start : s.end]
        for s in CodedSegment.objects.filter(source=source)
    }
    assert texts == {
        "Feeling honored": "was supportive",
        "Feeling connected": "kept our group going",
    }
    for turn in source.turns.all():
        assert source.text[turn.start : turn.end].strip()
    assert world.study.events.filter(kind="deidentified").exists()


def test_unticked_proposals_stay_and_originals_are_kept_only_if_allowed(review, world) -> None:
    source, planted, client = review
    world.study.keep_originals = True
    world.study.save()
    page = client.get(reverse("source_deidentify", args=[source.pk]))
    data = _form(page)
    keep = next(
        i for i, (r, *_rest) in enumerate(page.context["replacements"]) if r.kind == "phone"
    )
    del data[f"r-{keep}-accept"]
    client.post(reverse("source_deidentify", args=[source.pk]), data)
    source.refresh_from_db()
    assert page.context["replacements"][keep][0].original in source.text
    assert planted[0] in source.original_text and planted[0] not in source.text


def test_a_stale_review_changes_nothing(review, world) -> None:
    source, _planted_items, client = review
    page = client.get(reverse("source_deidentify", args=[source.pk]))
    data = _form(page)
    source.text = "Someone edited this meanwhile. " + source.text
    source.save()
    response = client.post(reverse("source_deidentify", args=[source.pk]), data, follow=True)
    assert "open the review again" in response.content.decode()
    source.refresh_from_db()
    assert source.deidentified_at is None
