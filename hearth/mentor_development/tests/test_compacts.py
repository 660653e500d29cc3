from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.communities import services as communities
from hearth.communities.models import Relationship, RelationshipKind, RelationshipStatus
from hearth.lib.time import zone_named
from hearth.mentor_development.models import Compact
from hearth.mentor_development.selectors import compacts as selectors
from hearth.mentor_development.services import compacts as services
from hearth.testing import School

pytestmark = pytest.mark.django_db(transaction=False)


def _lc(school: School) -> Relationship:
    return Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)


def _answers(compact: Compact, text: str = "Agreed") -> dict[str, str]:
    return {s["key"]: f"{text}: {s['label']}" for s in compact.sections}


def _agreed(school: School, relationship: Relationship | None = None) -> Compact:
    relationship = relationship or _lc(school)
    compact = services.compact_draft(relationship=relationship, person=relationship.mentor)
    compact = services.compact_edit(
        compact=compact, person=relationship.mentor, answers=_answers(compact)
    )
    compact = services.compact_accept(compact=compact, person=relationship.mentee)
    return services.compact_accept(compact=compact, person=relationship.mentor)


# Drafting, editing, accepting


def test_draft_snapshots_the_programs_sections_and_tells_the_other_side(
    school: School, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        compact = services.compact_draft(relationship=_lc(school), person=school.learner_a1)
    assert [s["key"] for s in compact.sections] == [s["key"] for s in selectors.DEFAULT_SECTIONS]
    assert compact.drafted_by == school.learner_a1
    assert [m.to for m in mail.outbox] == [[school.mentor_a1.email]]
    assert reverse("compact", args=[compact.pk]) in mail.outbox[0].body


def test_only_the_two_people_draft_and_only_once(school: School) -> None:
    with pytest.raises(ValidationError):
        services.compact_draft(relationship=_lc(school), person=school.director)
    services.compact_draft(relationship=_lc(school), person=school.mentor_a1)
    with pytest.raises(ValidationError, match="already has a compact"):
        services.compact_draft(relationship=_lc(school), person=school.learner_a1)


def test_accepting_needs_every_section_filled(school: School) -> None:
    compact = services.compact_draft(relationship=_lc(school), person=school.mentor_a1)
    answers = _answers(compact)
    answers["first_goals"] = "  "
    compact = services.compact_edit(compact=compact, person=school.mentor_a1, answers=answers)
    with pytest.raises(ValidationError, match="The mentee's first goals"):
        services.compact_accept(compact=compact, person=school.mentor_a1)


def test_both_acceptances_make_it_agreed_with_a_review_date(school: School) -> None:
    compact = _agreed(school)
    assert compact.accepted
    assert compact.mentor_accepted_at and compact.mentee_accepted_at
    # The mentor accepted last: the year is counted from their day.
    today = selectors.today_for(school.mentor_a1)
    assert compact.review_due_on == today + dt.timedelta(days=365)


@pytest.mark.parametrize(
    ("zone", "day"),
    [("America/Los_Angeles", dt.date(2027, 2, 28)), ("Pacific/Auckland", dt.date(2027, 3, 1))],
)
def test_the_review_date_counts_from_the_accepting_persons_own_day(
    school: School, zone: str, day: dt.date
) -> None:
    """03:30 UTC on 1 March is still 28 February in California, already 1 March in Auckland."""
    school.mentor_a1.time_zone = zone
    school.mentor_a1.save(update_fields=["time_zone"])
    relationship = _lc(school)
    compact = services.compact_draft(relationship=relationship, person=relationship.mentor)
    compact = services.compact_edit(
        compact=compact, person=relationship.mentor, answers=_answers(compact)
    )
    compact = services.compact_accept(compact=compact, person=relationship.mentee)
    now = dt.datetime(2027, 3, 1, 3, 30, tzinfo=dt.UTC)
    compact = services.compact_accept(compact=compact, person=relationship.mentor, now=now)
    assert compact.review_due_on == day + dt.timedelta(days=365)


def test_an_edit_after_one_side_accepted_clears_both_acceptances_and_tells_the_other(
    school: School, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    compact = services.compact_draft(relationship=_lc(school), person=school.mentor_a1)
    compact = services.compact_edit(
        compact=compact, person=school.mentor_a1, answers=_answers(compact)
    )
    compact = services.compact_accept(compact=compact, person=school.mentor_a1)
    assert compact.mentor_accepted_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        compact = services.compact_edit(
            compact=compact, person=school.learner_a1, answers=_answers(compact, "Changed")
        )

    compact.refresh_from_db()
    assert compact.mentor_accepted_at is None and compact.mentee_accepted_at is None
    assert compact.answers["frequency"].startswith("Changed")
    assert [m.to for m in mail.outbox] == [[school.mentor_a1.email]]
    assert "cleared" in mail.outbox[0].body


def test_saving_the_same_words_keeps_an_acceptance(school: School) -> None:
    compact = services.compact_draft(relationship=_lc(school), person=school.mentor_a1)
    compact = services.compact_edit(
        compact=compact, person=school.mentor_a1, answers=_answers(compact)
    )
    compact = services.compact_accept(compact=compact, person=school.mentor_a1)
    compact = services.compact_edit(
        compact=compact, person=school.learner_a1, answers=_answers(compact)
    )
    assert compact.mentor_accepted_at is not None


def test_an_agreed_compact_changes_only_through_a_review(school: School) -> None:
    compact = _agreed(school)
    with pytest.raises(ValidationError, match="Start a review"):
        services.compact_edit(compact=compact, person=school.mentor_a1, answers={})


def test_accept_emails_the_other_side(school: School, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    compact = services.compact_draft(relationship=_lc(school), person=school.mentor_a1)
    compact = services.compact_edit(
        compact=compact, person=school.mentor_a1, answers=_answers(compact)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.compact_accept(compact=compact, person=school.learner_a1)
    assert [m.to for m in mail.outbox] == [[school.mentor_a1.email]]
    assert "accepted" in mail.outbox[0].subject


# Review


def test_pausing_flags_the_agreed_compact_for_review(school: School) -> None:
    compact = _agreed(school)
    communities.relationship_pause(relationship=_lc(school), person=school.learner_a1)
    compact.refresh_from_db()
    assert compact.review_reason == "The relationship was paused."
    assert compact.review_due_on == selectors.today_for(school.mentor_a1)
    assert selectors.review_due(compact, selectors.today_for(school.mentor_a1))


def test_completing_flags_it_and_a_review_keeps_the_old_compact(school: School) -> None:
    relationship = communities.relationship_start(
        program=school.program,
        mentor=school.mentor_b1,
        mentee=school.learner_a2,
        kind=RelationshipKind.RESEARCH,
        start_date=dt.date(2025, 1, 6),
    )
    old = _agreed(school, relationship)
    communities.relationship_end(
        relationship=relationship,
        end_date=timezone.localdate(),
        status=RelationshipStatus.COMPLETED,
        reflection="A good year.",
        by=school.mentor_b1,
    )
    old.refresh_from_db()
    assert old.review_reason == "The relationship was completed."

    new = services.compact_review_start(compact=old, person=school.learner_a2)

    old.refresh_from_db()
    assert old.replaced_at is not None and old.accepted  # kept, as it was agreed
    assert new.pk != old.pk and not new.accepted
    assert new.answers == old.answers  # the review starts from what was agreed
    assert selectors.current_compact(relationship) == new
    assert [c.pk for c in selectors.compact_history(relationship)] == [new.pk, old.pk]
    with pytest.raises(ValidationError):
        services.compact_edit(compact=old, person=school.mentor_b1, answers={})


def test_a_paused_relationship_without_an_agreed_compact_flags_nothing(school: School) -> None:
    draft = services.compact_draft(relationship=_lc(school), person=school.mentor_a1)
    communities.relationship_pause(relationship=_lc(school), person=school.learner_a1)
    draft.refresh_from_db()
    assert draft.review_reason == ""


def test_the_yearly_review_falls_due_on_its_date(school: School) -> None:
    compact = _agreed(school)
    assert not selectors.review_due(compact, compact.review_due_on - dt.timedelta(days=1))
    assert selectors.review_due(compact, compact.review_due_on)


def test_a_review_takes_up_new_template_sections_and_keeps_old_answers(school: School) -> None:
    compact = _agreed(school)
    sections = [
        {"key": "frequency", "label": "Rhythm", "help": ""},
        {"key": "", "label": "Wellbeing", "help": "How we check in on it."},
    ]
    services.compact_template_save(
        program=school.program, director=school.director, sections=sections, review_every_days=180
    )
    review = services.compact_review_start(compact=compact, person=school.mentor_a1)
    labels = [s["label"] for s in review.sections]
    assert labels[:2] == ["Rhythm", "Wellbeing"]
    assert "Confidentiality" in labels  # an old section is not lost in a review
    assert review.answers["frequency"] == compact.answers["frequency"]
    assert review.answers["confidentiality"] == compact.answers["confidentiality"]


# The template


def test_directors_relabel_reorder_add_and_remove_sections(school: School) -> None:
    defaults = list(selectors.DEFAULT_SECTIONS)
    edited = [
        {**defaults[1], "label": "Reaching each other"},
        defaults[0],
        {"key": "", "label": "Wellbeing", "help": ""},
    ]
    template = services.compact_template_save(
        program=school.program, director=school.director, sections=edited, review_every_days=200
    )
    assert [s["key"] for s in template.sections] == ["contact", "frequency", "wellbeing"]
    assert template.sections[0]["label"] == "Reaching each other"
    assert template.review_every_days == 200
    compact = services.compact_draft(relationship=_lc(school), person=school.mentor_a1)
    assert [s["label"] for s in compact.sections] == [
        "Reaching each other",
        "How often and how we meet",
        "Wellbeing",
    ]


@pytest.mark.parametrize(
    ("sections", "every", "message"),
    [
        ([], 365, "at least one section"),
        ([{"label": " ", "help": ""}], 365, "Section 1 has no label"),
        ([{"label": "Goals"}, {"label": "goals"}], 365, "Two sections are called"),
        ([{"label": "Goals"}], 5, "Review every 30 to 1095 days"),
        ([{"label": "x" * 200}], 365, "too long"),
    ],
)
def test_a_bad_template_edit_says_what_to_fix(
    school: School, sections: list[dict[str, str]], every: int, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.compact_template_save(
            program=school.program,
            director=school.director,
            sections=sections,
            review_every_days=every,
        )


def test_only_directors_change_the_template(school: School) -> None:
    with pytest.raises(ValidationError):
        services.compact_template_save(
            program=school.program,
            director=school.mentor_a1,
            sections=[{"label": "Goals"}],
            review_every_days=365,
        )


# Pages


def _post_sections(client: Client, url: str, rows: list[dict[str, str]], every: int = 365):  # noqa: ANN202
    data = {
        "section-TOTAL_FORMS": str(len(rows)),
        "section-INITIAL_FORMS": "6",
        "section-MIN_NUM_FORMS": "0",
        "section-MAX_NUM_FORMS": "1000",
        "review_every_days": str(every),
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"section-{i}-{name}"] = value
    return client.post(url, data)


def _default_rows() -> list[dict[str, str]]:
    return [
        {"key": s["key"], "label": s["label"], "help": s["help"], "ORDER": str(i)}
        for i, s in enumerate(selectors.DEFAULT_SECTIONS, start=1)
    ]


def test_template_page_saves_a_reordered_relabelled_template(
    school: School, client: Client
) -> None:
    client.force_login(school.director)
    url = reverse("compact_template", args=[school.program.slug])
    assert client.get(url).status_code == 200
    rows = _default_rows()
    rows[0]["ORDER"] = "9"  # frequency last
    rows[2]["DELETE"] = "on"  # no confidentiality section
    rows[1]["label"] = "Staying in touch"
    rows.append({"key": "", "label": "Wellbeing", "help": "", "ORDER": "3"})
    response = _post_sections(client, url, rows, every=400)
    assert response.status_code == 302
    template = school.program.compact_template
    assert [s["key"] for s in template.sections] == [
        "contact",
        "wellbeing",
        "mentee_expects",
        "mentor_expects",
        "first_goals",
        "frequency",
    ]
    assert template.sections[0]["label"] == "Staying in touch"
    assert template.review_every_days == 400


def test_template_page_explains_a_bad_edit(school: School, client: Client) -> None:
    client.force_login(school.director)
    url = reverse("compact_template", args=[school.program.slug])
    rows = _default_rows()
    rows[3]["label"] = rows[4]["label"]
    response = _post_sections(client, url, rows)
    assert response.status_code == 200
    assert "Two sections are called" in response.content.decode()
    rows = _default_rows()
    for row in rows:
        row["DELETE"] = "on"
    response = _post_sections(client, url, rows)
    assert "at least one section" in response.content.decode()


def test_mentor_and_learner_agree_through_the_pages(school: School, client: Client) -> None:
    relationship = _lc(school)
    client.force_login(school.mentor_a1)
    response = client.post(reverse("relationship_compact", args=[relationship.pk]))
    compact = Compact.objects.get(relationship=relationship)
    assert response.url == reverse("compact", args=[compact.pk])
    data = {f"answer-{s['key']}": "Every month" for s in compact.sections}
    client.post(reverse("compact", args=[compact.pk]), {**data, "action": "save"})
    client.force_login(school.learner_a1)
    client.post(reverse("compact", args=[compact.pk]), {**data, "action": "accept"})
    client.force_login(school.mentor_a1)
    client.post(reverse("compact", args=[compact.pk]), {**data, "action": "accept"})
    compact.refresh_from_db()
    assert compact.accepted

    page = client.get(reverse("relationship", args=[relationship.pk])).content.decode()
    assert "Agreed." in page
    assert reverse("compact", args=[compact.pk]) in page
    # Both acceptance dates, as days in the mentor's own time zone (not the server's: near
    # midnight UTC the two differ).
    today = timezone.now().astimezone(zone_named(school.mentor_a1.time_zone))
    assert f"{today.day} {today:%B %Y}" in page


def test_the_relationship_page_offers_a_draft_when_there_is_none(
    school: School, client: Client
) -> None:
    client.force_login(school.learner_a1)
    page = client.get(reverse("relationship", args=[_lc(school).pk])).content.decode()
    assert "No compact yet" in page
    assert reverse("relationship_compact", args=[_lc(school).pk]) in page


def test_the_compact_is_not_on_the_relationship_page_for_a_community_director(
    school: School, client: Client
) -> None:
    _agreed(school)
    client.force_login(school.house_director)
    response = client.get(reverse("relationship", args=[_lc(school).pk]))
    assert response.status_code == 200
    assert "Mentoring compact" not in response.content.decode()


def test_directors_read_but_do_not_change(school: School, client: Client) -> None:
    compact = services.compact_draft(relationship=_lc(school), person=school.mentor_a1)
    client.force_login(school.director)
    page = client.get(reverse("compact", args=[compact.pk]))
    assert page.status_code == 200
    assert "Save and accept" not in page.content.decode()
    client.post(
        reverse("compact", args=[compact.pk]), {"answer-frequency": "Never", "action": "save"}
    )
    compact.refresh_from_db()
    assert compact.answers == {}


def test_compact_list_shows_due_reviews(school: School, client: Client) -> None:
    _agreed(school)
    communities.relationship_pause(relationship=_lc(school), person=school.mentor_a1)
    client.force_login(school.learner_a1)
    page = client.get(reverse("compacts")).content.decode()
    assert "Reviews due" in page
    assert "The relationship was paused." in page


def test_review_page_starts_a_new_draft(school: School, client: Client) -> None:
    compact = _agreed(school)
    client.force_login(school.learner_a1)
    response = client.post(reverse("compact_review", args=[compact.pk]))
    new = selectors.current_compact(_lc(school))
    assert new is not None and new.pk != compact.pk
    assert response.url == reverse("compact", args=[new.pk])


@pytest.mark.parametrize("persona", ["outsider", "mentor_a2", "learner_a2", "house_director"])
def test_others_get_404_on_every_compact_page(school: School, client: Client, persona: str) -> None:
    compact = _agreed(school)
    client.force_login(school.persona(persona))
    assert client.get(reverse("compact", args=[compact.pk])).status_code == 404
    assert client.post(reverse("compact_review", args=[compact.pk])).status_code == 404
    relationship_url = reverse("relationship_compact", args=[_lc(school).pk])
    assert client.get(relationship_url).status_code == 404
    assert client.post(relationship_url).status_code == 404
    template_url = reverse("compact_template", args=[school.program.slug])
    assert client.get(template_url).status_code == 404


def test_outsider_sees_an_empty_list(school: School, client: Client) -> None:
    _agreed(school)
    client.force_login(school.outsider)
    page = client.get(reverse("compacts"))
    assert page.status_code == 200
    assert "Lena" not in page.content.decode()


def test_compact_list_query_count(
    school: School, client: Client, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    _agreed(school)
    services.compact_draft(
        relationship=Relationship.objects.get(mentor=school.mentor_a1, mentee=school.mate_a1),
        person=school.mate_a1,
    )
    client.force_login(school.mentor_a1)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("compacts")).status_code == 200
