"""Mentoring compacts: a program's template, and each relationship's agreement drafted,
edited and accepted by both sides, reviewed once a year or when the relationship changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from hearth.communities.models import Program, Relationship
from hearth.lib.email import absolute_url, email_on_commit
from hearth.people.models import Person
from hearth.people.permissions import directs_program

from ..models import Compact, CompactTemplate
from ..selectors.compacts import (
    accepted_by,
    compact_template_for,
    current_compact,
    is_party,
    other_side,
    today_for,
)

MAX_SECTIONS = 15
MAX_LABEL = 120
MAX_HELP = 400
MAX_ANSWER = 3000
MIN_REVIEW_DAYS = 30
MAX_REVIEW_DAYS = 1095


def _section_key(label: str, taken: set[str]) -> str:
    base = slugify(label).replace("-", "_")[:40] or "section"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def clean_template_sections(sections: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """Check an edited list of sections and give new ones a key; a ValidationError says what
    to fix. Existing keys are kept so a relabelled section keeps its answers."""
    if not sections:
        raise ValidationError("A compact needs at least one section.")
    if len(sections) > MAX_SECTIONS:
        raise ValidationError(f"Keep the compact to {MAX_SECTIONS} sections or fewer.")
    cleaned: list[dict[str, str]] = []
    labels: set[str] = set()
    keys: set[str] = set()
    for position, section in enumerate(sections, start=1):
        label = " ".join(str(section.get("label", "")).split())
        help_text = str(section.get("help", "")).strip()
        if not label:
            raise ValidationError(f"Section {position} has no label: write one or remove it.")
        if len(label) > MAX_LABEL:
            raise ValidationError(f"The label of section {position} is too long.")
        if len(help_text) > MAX_HELP:
            raise ValidationError(
                f"The help of “{label}” is too long: keep it under {MAX_HELP} characters."
            )
        if label.casefold() in labels:
            raise ValidationError(f"Two sections are called “{label}”: give each its own label.")
        labels.add(label.casefold())
        key = str(section.get("key", "")).strip()
        if key:
            if key in keys:
                raise ValidationError(f"Section “{label}” appears twice.")
            keys.add(key)
        cleaned.append({"key": key, "label": label, "help": help_text})
    for section in cleaned:
        if not section["key"]:
            section["key"] = _section_key(section["label"], keys)
            keys.add(section["key"])
    return cleaned


@transaction.atomic
def compact_template_save(
    *,
    program: Program,
    director: Person,
    sections: Sequence[Mapping[str, str]],
    review_every_days: int,
) -> CompactTemplate:
    """Directors change the sections later compacts start from; drafted compacts keep theirs."""
    if not directs_program(director, program):
        raise ValidationError("Only the program's directors change its compact.")
    if not MIN_REVIEW_DAYS <= review_every_days <= MAX_REVIEW_DAYS:
        raise ValidationError(
            f"Review every {MIN_REVIEW_DAYS} to {MAX_REVIEW_DAYS} days (three years)."
        )
    template = compact_template_for(program)
    template.sections = clean_template_sections(sections)
    template.review_every_days = review_every_days
    template.save()
    return template


def _long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _notify(compact: Compact, *, by: Person, subject: str, lines: list[str]) -> None:
    other = other_side(compact.relationship, by)
    url = absolute_url(reverse("compact", args=[compact.pk]))
    email_on_commit(
        subject=subject,
        body="\n".join([f"Hello {other.display_name},", "", *lines, "", f"The compact: {url}"]),
        recipients=[other.email],
    )


def _lock(relationship: Relationship) -> None:
    # One writer at a time per relationship, so two people cannot both draft a compact.
    Relationship.objects.select_for_update().filter(pk=relationship.pk).first()


@transaction.atomic
def compact_draft(*, relationship: Relationship, person: Person) -> Compact:
    """Either side starts the compact from the program's template."""
    if not is_party(relationship, person):
        raise ValidationError("Only the mentor and the mentee draft their compact.")
    if relationship.end_date is not None:
        raise ValidationError("This relationship has ended; its compacts are kept as they are.")
    _lock(relationship)
    if current_compact(relationship) is not None:
        raise ValidationError("This relationship already has a compact: open it to change it.")
    template = compact_template_for(relationship.program)
    compact = Compact.objects.create(
        relationship=relationship, sections=list(template.sections), answers={}, drafted_by=person
    )
    _notify(
        compact,
        by=person,
        subject=f"{person.display_name} started your mentoring compact",
        lines=[
            f"{person.display_name} started the compact for your mentoring in Hearth: how often "
            "you meet, how you reach each other, what you each expect and the first goals.",
            "Add to it, change what you like, and accept it when it says what you agreed.",
        ],
    )
    return compact


def _require_editable(compact: Compact, person: Person) -> None:
    if not is_party(compact.relationship, person):
        raise ValidationError("Only the mentor and the mentee change their compact.")
    if compact.replaced_at is not None:
        raise ValidationError("This compact was reviewed; the newer one is the one to change.")


@transaction.atomic
def compact_edit(*, compact: Compact, person: Person, answers: Mapping[str, str]) -> Compact:
    """Save the answers. A change after either side accepted clears both acceptances, so
    each reads the new wording before accepting again."""
    _require_editable(compact, person)
    compact = (
        Compact.objects.select_for_update()
        .select_related("relationship__mentor", "relationship__mentee")
        .get(pk=compact.pk)
    )
    _require_editable(compact, person)
    if compact.accepted:
        raise ValidationError("You both accepted this compact. Start a review to change it.")
    cleaned = {}
    for section in compact.sections:
        text = str(answers.get(section["key"], "")).strip().replace("\r\n", "\n")
        if len(text) > MAX_ANSWER:
            raise ValidationError(
                f"“{section['label']}” is too long: keep it under {MAX_ANSWER:,} characters."
            )
        cleaned[section["key"]] = text
    before = {key: compact.answers.get(key, "") for key in cleaned}
    if cleaned == before:
        return compact
    had_acceptance = compact.mentor_accepted_at or compact.mentee_accepted_at
    compact.answers = cleaned
    compact.mentor_accepted_at = compact.mentee_accepted_at = None
    compact.save(
        update_fields=["answers", "mentor_accepted_at", "mentee_accepted_at", "updated_at"]
    )
    if had_acceptance:
        _notify(
            compact,
            by=person,
            subject=f"{person.display_name} changed your mentoring compact",
            lines=[
                f"{person.display_name} changed the compact after it was accepted, so both "
                "acceptances were cleared.",
                "Read the new wording and accept it again if it says what you agreed.",
            ],
        )
    return compact


@transaction.atomic
def compact_accept(*, compact: Compact, person: Person, now: dt.datetime | None = None) -> Compact:
    """One side accepts; once both have, the compact is agreed and its review date is set."""
    _require_editable(compact, person)
    compact = (
        Compact.objects.select_for_update()
        .select_related("relationship__mentor", "relationship__mentee", "relationship__program")
        .get(pk=compact.pk)
    )
    _require_editable(compact, person)
    if accepted_by(compact, person) is not None:
        raise ValidationError("You have already accepted this compact.")
    missing = [s["label"] for s in compact.sections if not compact.answers.get(s["key"], "")]
    if missing:
        raise ValidationError(
            "Fill in every section before accepting (write “none” where a section does not "
            f"apply). Still empty: {', '.join(missing)}."
        )
    now = now or timezone.now()
    if person.pk == compact.relationship.mentor_id:
        compact.mentor_accepted_at = now
    else:
        compact.mentee_accepted_at = now
    if compact.accepted:
        every = compact_template_for(compact.relationship.program).review_every_days
        # Counted from the day on the calendar of whoever agreed it last, as they see it.
        compact.review_due_on = today_for(person, now) + dt.timedelta(days=every)
        compact.review_reason = ""
    compact.save(
        update_fields=[
            "mentor_accepted_at",
            "mentee_accepted_at",
            "review_due_on",
            "review_reason",
            "updated_at",
        ]
    )
    if compact.accepted:
        subject = "Your mentoring compact is agreed"
        lines = [
            f"{person.display_name} accepted the compact too: you have both agreed it.",
            f"It comes up for review on {_long_date(compact.review_due_on)}.",
        ]
    else:
        subject = f"{person.display_name} accepted your mentoring compact"
        lines = [
            f"{person.display_name} accepted the compact. Read it, change it if you need to, "
            "and accept it when it says what you agreed."
        ]
    _notify(compact, by=person, subject=subject, lines=lines)
    return compact


@transaction.atomic
def compact_review_start(*, compact: Compact, person: Person) -> Compact:
    """Review an agreed compact: a new draft starts from it, the old one is kept as history."""
    _require_editable(compact, person)
    _lock(compact.relationship)
    compact = Compact.objects.select_related(
        "relationship__mentor", "relationship__mentee", "relationship__program"
    ).get(pk=compact.pk)
    _require_editable(compact, person)
    if not compact.accepted:
        raise ValidationError("This compact is still a draft: change it directly.")
    template_sections = compact_template_for(compact.relationship.program).sections
    keys = {s["key"] for s in template_sections}
    # The program's current sections, and any of the old ones it no longer has, so no
    # answer is lost in a review.
    sections = [dict(s) for s in template_sections] + [
        dict(s) for s in compact.sections if s["key"] not in keys
    ]
    answers = {s["key"]: compact.answers.get(s["key"], "") for s in sections}
    compact.replaced_at = timezone.now()
    compact.save(update_fields=["replaced_at", "updated_at"])
    review = Compact.objects.create(
        relationship=compact.relationship, sections=sections, answers=answers, drafted_by=person
    )
    _notify(
        review,
        by=person,
        subject=f"{person.display_name} started a review of your mentoring compact",
        lines=[
            f"{person.display_name} started a review of your compact. The new draft starts "
            "from what you agreed before; change what no longer fits and accept it again.",
        ],
    )
    return review


@transaction.atomic
def compact_flag_for_review(*, relationship: Relationship, reason: str) -> Compact | None:
    """When a relationship is paused or ends, its agreed compact comes up for review."""
    compact = current_compact(relationship)
    if compact is None or not compact.accepted:
        return None
    today = today_for(relationship.mentor)
    compact.review_reason = reason[:120]
    if compact.review_due_on is None or compact.review_due_on > today:
        compact.review_due_on = today
    compact.save(update_fields=["review_reason", "review_due_on", "updated_at"])
    return compact
