"""The "Mentoring and advising" section of an educator's portfolio, for one mentor.

The content is plain JSON data (strings, integers, lists and dicts; numbers with decimals are
written as strings) because it is what gets signed, stored with the issued document, shown on
the page and printed in the PDF. Learners appear only as counts, and quoted thank-you notes
are signed "A learner": authors agreed to be quoted, not to be named to a committee.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import Count, Q
from django.utils import timezone

from hearth.communities.models import GroupMembership, MemberRole, Relationship
from hearth.lib.time import zone_named
from hearth.meetings.models import Goal, GoalStatus, Meeting
from hearth.mentor_development.selectors.series import completed_series
from hearth.people.models import Person
from hearth.pulse.selectors import mentee_feedback_for_portfolio
from hearth.serendipity.models import CircleMember, Contact, DropIn, PairingMember

from . import credit, selectors
from .models import TeachingCreditRule

QUOTE_SIGNATURE = "A learner"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def number(value: Decimal) -> str:
    """2, 1.5 or 0.25: no trailing zeros, no exponent."""
    return f"{value.normalize():f}" if value else "0"


def hours(minutes: int) -> str:
    return str((Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _and_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def rule_text(rule: TeachingCreditRule) -> str:
    text = (
        f"{number(rule.credits_per_relationship)} {rule.label} for each mentoring relationship "
        f"with at least {number(rule.min_hours_per_year)} "
        f"hour{'' if rule.min_hours_per_year == 1 else 's'} of meetings in an academic "
        "year (July to June)"
    )
    if rule.max_credits_per_year is not None:
        text += f", at most {number(rule.max_credits_per_year)} a year"
    return text + "."


def _held_in_tenure(day: dt.date, tenures: list[GroupMembership]) -> bool:
    return any(t.start_date <= day and (t.end_date is None or day <= t.end_date) for t in tenures)


def portfolio_content(
    mentor: Person, *, now: dt.datetime | None = None, note_ids: Collection[int] | None = None
) -> dict[str, Any]:
    """Everything the portfolio shows; `note_ids` narrows the quotable notes to those chosen."""
    now = now or timezone.now()
    zone = zone_named(mentor.time_zone)
    today = now.astimezone(zone).date()
    relationships = list(
        Relationship.objects.filter(mentor=mentor)
        .select_related("program", "group__community")
        .order_by("program__name", "start_date", "pk")
    )
    tenures = list(
        GroupMembership.objects.filter(person=mentor, role=MemberRole.MENTOR)
        .select_related("program", "group__community")
        .order_by("start_date", "pk")
    )
    programs = {r.program_id: r.program for r in relationships}
    programs.update({t.program_id: t.program for t in tenures})
    order = sorted(programs, key=lambda pk: programs[pk].name)
    # As `selectors.mentoring_starts` reads them, from the rows above.
    first_mentored: dict[int, dt.date] = {}
    for program_id, start in [(t.program_id, t.start_date) for t in tenures] + [
        (r.program_id, r.start_date) for r in relationships
    ]:
        first_mentored[program_id] = min(start, first_mentored.get(program_id, start))
    graduates = selectors.graduates_under(mentor)

    # Programs, communities and years served.
    served = []
    for program_id in order:
        periods = [(t.start_date, t.end_date) for t in tenures if t.program_id == program_id]
        periods += [(r.start_date, r.end_date) for r in relationships if r.program_id == program_id]
        first = min(start for start, _ in periods)
        ongoing = any(end is None for _, end in periods)
        last = max(end for _, end in periods if end is not None) if not ongoing else None
        communities = sorted(
            {t.group.community.name for t in tenures if t.program_id == program_id}
            | {
                r.group.community.name
                for r in relationships
                if r.program_id == program_id and r.group is not None
            }
        )
        kinds = sorted({r.get_kind_display() for r in relationships if r.program_id == program_id})
        served.append(
            {
                "program": programs[program_id].name,
                "communities": ", ".join(communities),
                "roles": ", ".join(kinds) or "Mentor",
                "years": f"{first.year}–{'present' if last is None else last.year}",
                "since": long_date(first),
            }
        )

    # Learners mentored: counts only.
    by_kind: dict[tuple[int, str], dict[int, bool]] = defaultdict(dict)
    for r in relationships:
        mentees = by_kind[(r.program_id, r.get_kind_display())]
        mentees[r.mentee_id] = mentees.get(r.mentee_id, False) or r.is_open
    learner_rows = [
        {
            "program": programs[program_id].name,
            "kind": kind,
            "current": sum(1 for is_open in mentees.values() if is_open),
            "past": sum(1 for is_open in mentees.values() if not is_open),
        }
        for (program_id, kind), mentees in sorted(
            by_kind.items(), key=lambda item: (programs[item[0][0]].name, item[0][1])
        )
    ]
    current_mentees = {r.mentee_id for r in relationships if r.is_open}
    learners = {
        "rows": learner_rows,
        "total": len({r.mentee_id for r in relationships}),
        "current": len(current_mentees),
        "graduated": len(graduates),
    }

    # Meetings held: not cancelled and already begun.
    held = Meeting.objects.filter(cancelled_at__isnull=True, starts_at__lt=now)
    # By the relationships already read rather than a join, so the database starts from them.
    one_on_ones = list(
        held.filter(relationship_id__in=[r.pk for r in relationships]).values_list(
            "relationship_id", "starts_at", "duration_minutes"
        )
    )
    group_ids = {t.group_id for t in tenures} | {r.group_id for r in relationships if r.group_id}
    group_sessions = list(
        held.filter(group_id__in=group_ids).values_list("group_id", "starts_at", "duration_minutes")
    )
    relationship_program = {r.pk: r.program_id for r in relationships}
    group_program = {t.group_id: t.program_id for t in tenures}
    group_program.update(
        {r.group_id: r.program_id for r in relationships if r.group_id is not None}
    )
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"one_on_one": 0, "group_sessions": 0, "minutes": 0}
    )
    for relationship_id, _, minutes in one_on_ones:
        row = counts[relationship_program[relationship_id]]
        row["one_on_one"] += 1
        row["minutes"] += minutes
    tenures_in: dict[int, list[GroupMembership]] = defaultdict(list)
    for t in tenures:
        tenures_in[t.group_id].append(t)
    for group_id, starts_at, minutes in group_sessions:
        if _held_in_tenure(starts_at.astimezone(zone).date(), tenures_in[group_id]):
            row = counts[group_program[group_id]]
            row["group_sessions"] += 1
            row["minutes"] += minutes
    meeting_rows = [
        {
            "program": programs[program_id].name,
            "one_on_one": counts[program_id]["one_on_one"],
            "group_sessions": counts[program_id]["group_sessions"],
            "hours": hours(counts[program_id]["minutes"]),
        }
        for program_id in order
        if program_id in counts
    ]
    meetings = {
        "rows": meeting_rows,
        "one_on_one": sum(c["one_on_one"] for c in counts.values()),
        "group_sessions": sum(c["group_sessions"] for c in counts.values()),
        "total": sum(c["one_on_one"] + c["group_sessions"] for c in counts.values()),
        "hours": hours(sum(c["minutes"] for c in counts.values())),
    }

    # Teaching credit, by each program's own rule. A relationship's time is its one-on-ones
    # and the sessions of its mentor group while the relationship was open.
    sessions: dict[int, list[credit.Session]] = defaultdict(list)
    for relationship_id, starts_at, minutes in one_on_ones:
        sessions[relationship_program[relationship_id]].append(
            credit.Session(relationship_id, starts_at.astimezone(zone).date(), minutes)
        )
    for r in relationships:
        if r.group_id is None:
            continue
        for group_id, starts_at, minutes in group_sessions:
            day = starts_at.astimezone(zone).date()
            if group_id == r.group_id and r.start_date <= day and (r.end_date or day) >= day:
                sessions[r.program_id].append(credit.Session(r.pk, day, minutes))
    teaching_credits: list[dict[str, Any]] = []
    rules = TeachingCreditRule.objects.filter(program_id__in=order).select_related("program")
    for rule in sorted(rules, key=lambda rule: rule.program.name):
        years = credit.credits_by_year(
            credit.CreditRule(
                credits_per_relationship=rule.credits_per_relationship,
                min_hours_per_year=rule.min_hours_per_year,
                max_credits_per_year=rule.max_credits_per_year,
            ),
            sessions[rule.program_id],
        )
        teaching_credits.append(
            {
                "program": rule.program.name,
                "label": rule.label,
                "rule": rule_text(rule),
                "years": [
                    {
                        "year": y.label,
                        "relationships": y.relationships,
                        "qualifying": y.qualifying,
                        "hours": hours(y.minutes),
                        "credits": number(y.credits),
                        "capped": y.capped,
                    }
                    for y in years
                ],
                "total": number(credit.total_credits(years)),
            }
        )

    serendipity = {
        "circles": CircleMember.objects.filter(person=mentor).count(),
        "pairings": PairingMember.objects.filter(
            person=mentor, pairing__round__starts_at__lt=now
        ).count(),
        "met": Contact.objects.filter(pairing__members__person=mentor).count(),
        "open_doors": DropIn.objects.filter(host=mentor, starts_at__lt=now).count(),
    }

    achieved = Q(status=GoalStatus.ACHIEVED)
    goals = Goal.objects.filter(relationship__mentor=mentor).aggregate(
        set=Count("pk"),
        reached=Count("pk", filter=achieved),
        learners=Count("relationship__mentee", distinct=True, filter=achieved),
    )

    quotable = selectors.quotable_notes(mentor)
    if note_ids is not None:
        quotable = quotable.filter(pk__in=list(note_ids))
    notes = [
        {
            "body": note.body,
            "signature": QUOTE_SIGNATURE,
            "program": note.program.name,
            "date": f"{note.created_at.astimezone(zone):%B %Y}",
        }
        for note in quotable.order_by("created_at", "pk")
    ]

    milestones = [
        {"label": m.label, "date": long_date(m.reached_on)}
        for m in selectors.milestones_from(
            first_mentored,
            graduates,
            names={pk: program.name for pk, program in programs.items()},
            today=today,
        )
    ]
    acknowledgments = [
        {
            "sender": a.sender.display_name,
            "program": a.program.name,
            "date": long_date(a.created_at.astimezone(zone).date()),
            "body": a.body,
        }
        for a in selectors.acknowledgments_received(mentor).order_by("created_at", "pk")
    ]

    feedback = mentee_feedback_for_portfolio(mentor)
    mentee_feedback = (
        None
        if feedback is None
        else [
            {
                "domain": str(row["domain"]),
                "respondents": int(cast(int, row["respondents"])),
                "mean": f"{float(cast(float, row['mean'])):.1f}",
            }
            for row in feedback
        ]
    )

    # Mentor development: training series the mentor completed, once each is over.
    development = [
        {
            "series": done.series.title,
            "program": done.series.program.name,
            "completed_on": long_date(done.ended_on.astimezone(zone).date()),
            "sessions": f"{done.attended} of {done.held}",
        }
        for done in completed_series(mentor, now)
    ]

    program_names = [programs[pk].name for pk in order]
    summary = [
        ["Programs", str(len(order))],
        ["Learners mentored", str(learners["total"])],
        ["Learners graduated while mentored", str(learners["graduated"])],
        ["Meetings held", str(meetings["total"])],
        ["Meeting hours", meetings["hours"]],
        *[[f"{c['label'].capitalize()} ({c['program']})", c["total"]] for c in teaching_credits],
        ["Goals reached by learners", str(goals["reached"])],
        ["Serendipity conversations", str(serendipity["met"])],
        ["Thank-you notes quoted", str(len(notes))],
    ]
    if development:
        summary.append(["Training series completed", str(len(development))])
    position = ", ".join(
        part for part in [mentor.get_academic_rank_display(), mentor.department] if part
    )
    return {
        "title": f"Mentoring and advising — {mentor.display_name}",
        "issued_to": mentor.display_name,
        "position": position,
        "as_of": long_date(today),
        "source": (
            f"Hearth records for {_and_list(program_names)}"
            if program_names
            else "Hearth records (no mentoring recorded yet)"
        ),
        "summary": summary,
        "programs": served,
        "learners": learners,
        "meetings": meetings,
        "teaching_credits": teaching_credits,
        "serendipity": serendipity,
        "goals": goals,
        "notes": notes,
        "milestones": milestones,
        "acknowledgments": acknowledgments,
        "mentee_feedback": mentee_feedback,
        "mentor_development": development,
    }
