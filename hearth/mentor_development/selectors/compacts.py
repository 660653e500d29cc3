"""Reads for mentoring compacts: the program's template, each relationship's compact, the
person's list and the summary on the relationship page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from hearth.communities.models import Program, Relationship
from hearth.lib.time import zone_named
from hearth.people.models import Person
from hearth.people.permissions import directs_program, scope_of

from ..models import Compact, CompactTemplate

# Written for Hearth: what a mentor and a mentee settle at the start, in plain words.
DEFAULT_SECTIONS: tuple[dict[str, str], ...] = (
    {
        "key": "frequency",
        "label": "How often and how we meet",
        "help": "For example: every four weeks for 45 minutes by video, and once a term in "
        "person. Say who sends the invitation and what happens when one of you must cancel.",
    },
    {
        "key": "contact",
        "label": "How we reach each other",
        "help": "Which channel for what (email, a message, a call), how soon each of you "
        "usually replies, and the times that are off limits, such as nights or clinical days.",
    },
    {
        "key": "confidentiality",
        "label": "Confidentiality",
        "help": "What stays between you, and the exceptions you both know about: a concern for "
        "someone's safety or wellbeing, or a matter the school requires to be reported. "
        "A mentor does not assess their mentee.",
    },
    {
        "key": "mentee_expects",
        "label": "What the mentee expects from the mentor",
        "help": "For example: honest feedback on drafts within two weeks, introductions to "
        "people in the field, help preparing for a decision.",
    },
    {
        "key": "mentor_expects",
        "label": "What the mentor expects from the mentee",
        "help": "For example: set the agenda for each meeting, send drafts in time, say so "
        "early when something is not working.",
    },
    {
        "key": "first_goals",
        "label": "The mentee's first goals",
        "help": "Two or three goals for the next months, in the mentee's words. The "
        "development plan in Hearth keeps the details and the progress.",
    },
)


def compact_template_for(program: Program) -> CompactTemplate:
    """The program's template, or Hearth's default (not saved) when it has none yet."""
    template = CompactTemplate.objects.filter(program=program).first()
    if template is None:
        template = CompactTemplate(
            program=program, sections=[dict(section) for section in DEFAULT_SECTIONS]
        )
    return template


def is_party(relationship: Relationship, person: Person) -> bool:
    return person.pk in (relationship.mentor_id, relationship.mentee_id)


def other_side(relationship: Relationship, person: Person) -> Person:
    return relationship.mentee if person.pk == relationship.mentor_id else relationship.mentor


def current_compact(relationship: Relationship) -> Compact | None:
    """The relationship's compact now in force or in draft; reviewed ones are history."""
    return (
        Compact.objects.filter(relationship=relationship, replaced_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def accepted_by(compact: Compact, person: Person) -> dt.datetime | None:
    relationship = compact.relationship
    if person.pk == relationship.mentor_id:
        return compact.mentor_accepted_at
    if person.pk == relationship.mentee_id:
        return compact.mentee_accepted_at
    return None


def review_due(compact: Compact, today: dt.date) -> bool:
    """An agreed compact is due for review on its date, or at once when the relationship
    was paused or ended."""
    if not compact.accepted or compact.replaced_at is not None:
        return False
    return bool(compact.review_reason) or (
        compact.review_due_on is not None and compact.review_due_on <= today
    )


@dataclass
class CompactRow:
    relationship: Relationship
    compact: Compact | None
    viewer: Person
    today: dt.date

    @property
    def other(self) -> Person:
        return other_side(self.relationship, self.viewer)

    @property
    def review_due(self) -> bool:
        return self.compact is not None and review_due(self.compact, self.today)

    @property
    def waiting_for_me(self) -> bool:
        return (
            self.compact is not None
            and not self.compact.accepted
            and accepted_by(self.compact, self.viewer) is None
        )

    @property
    def state(self) -> str:
        if self.compact is None:
            return "No compact yet"
        if self.compact.accepted:
            return "Review due" if self.review_due else "Agreed"
        if accepted_by(self.compact, self.viewer) is not None:
            return f"Waiting for {self.other.display_name} to accept"
        return "Waiting for you to accept"


def compact_rows_for(person: Person, *, today: dt.date | None = None) -> list[CompactRow]:
    """The person's relationships (open ones, and ended ones with a compact) with their
    current compact; those needing the person's attention first."""
    today = today or today_for(person)
    relationships = list(
        Relationship.objects.filter(Q(mentor=person) | Q(mentee=person))
        .select_related("mentor", "mentee", "program")
        .order_by("end_date", "-start_date", "pk")
    )
    compacts: dict[int, Compact] = {}
    for current in Compact.objects.filter(
        relationship__in=relationships, replaced_at__isnull=True
    ).order_by("created_at", "pk"):
        compacts[current.relationship_id] = current
    rows = []
    for relationship in relationships:
        compact = compacts.get(relationship.pk)
        if compact is not None:
            compact.relationship = relationship
        elif relationship.end_date is not None:
            continue
        rows.append(CompactRow(relationship, compact, person, today))
    rows.sort(key=lambda row: not (row.review_due or row.waiting_for_me))
    return rows


def compact_history(relationship: Relationship) -> list[Compact]:
    """Every compact of the relationship, newest first."""
    return list(Compact.objects.filter(relationship=relationship).order_by("-created_at", "-pk"))


@dataclass
class CompactPanel:
    """What the relationship page shows of the compact."""

    relationship: Relationship
    compact: Compact | None
    last_agreed: Compact | None
    is_party: bool
    review_due: bool
    summary: list[tuple[str, str]]


SUMMARY_SECTIONS = 2


def compact_panel(
    relationship: Relationship, viewer: Person, *, today: dt.date | None = None
) -> CompactPanel | None:
    """The compact on the relationship page; None for anyone but the two and the directors."""
    party = is_party(relationship, viewer)
    if not party and not directs_program(viewer, relationship.program):
        return None
    today = today or today_for(viewer)
    history = compact_history(relationship)
    for compact in history:
        compact.relationship = relationship
    current = next((c for c in history if c.replaced_at is None), None)
    last_agreed = next((c for c in history if c.accepted), None)
    shown = current if current is not None and current.accepted else last_agreed
    summary = []
    if shown is not None:
        summary = [
            (s["label"], shown.answers.get(s["key"], "")) for s in shown.sections[:SUMMARY_SECTIONS]
        ]
    return CompactPanel(
        relationship=relationship,
        compact=current,
        last_agreed=last_agreed,
        is_party=party,
        review_due=current is not None and review_due(current, today),
        summary=summary,
    )


def today_for(person: Person, now: dt.datetime | None = None) -> dt.date:
    """Today (or `now`'s day) in the person's own zone: review dates are days on their
    calendar."""
    return timezone.localdate(now, timezone=zone_named(person.time_zone))


def answered_sections(compact: Compact) -> list[dict[str, str]]:
    """Each section of the compact with its answer, in the compact's own order."""
    return [
        {
            "key": s["key"],
            "label": s["label"],
            "help": s.get("help", ""),
            "answer": compact.answers.get(s["key"], ""),
        }
        for s in compact.sections
    ]


def programs_directed_by(person: Person) -> QuerySet[Program]:
    """The programs whose compact template the person may edit."""
    if scope_of(person).superuser:
        return Program.objects.all()
    return Program.objects.filter(pk__in=scope_of(person).directed_programs)
