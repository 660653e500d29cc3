"""Emails sent when a proposal is published: each learner and each mentor hears where they
stand. Queued on commit, so nothing goes out for a publication that rolled back."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.urls import reverse

from hearth.communities.models import GroupMembership, MemberRole
from hearth.lib.email import absolute_url, email_on_commit
from hearth.people.models import Person

if TYPE_CHECKING:
    from .models import MatchRun, Placement

# Sentences about other people (a pair kept apart, a declared conflict) stay with directors.
PRIVATE_MARKERS = ("kept apart", "kept together", "conflict")


def learner_reasons(reasons: list[str]) -> list[str]:
    """The reasons a learner is shown about their own placement."""
    return [r for r in reasons if not any(marker in r for marker in PRIVATE_MARKERS)]


def _mentors_of(group_ids: list[int]) -> dict[int, list[Person]]:
    found: dict[int, list[Person]] = defaultdict(list)
    for membership in GroupMembership.objects.filter(
        group_id__in=group_ids, role=MemberRole.MENTOR, end_date__isnull=True
    ).select_related("person"):
        found[membership.group_id].append(membership.person)
    return found


def _date(run: MatchRun) -> str:
    return f"{run.starts_on:%-d %B %Y}" if run.starts_on else "today"


def placement_emails(run: MatchRun, placements: list[Placement]) -> None:
    """Each learner: their community, group, mentors and why; each mentor: who joins."""
    home = absolute_url(reverse("home"))
    mentors = _mentors_of([p.group_id for p in placements if p.group_id])
    joining: dict[int, list[Placement]] = defaultdict(list)
    for placement in placements:
        assert placement.group is not None
        group = placement.group
        joining[group.pk].append(placement)
        names = ", ".join(m.display_name for m in mentors[group.pk]) or "to be announced"
        lines = [
            f"Hello {placement.learner.display_name},",
            "",
            f"{run.match_label.capitalize()} of {run.program.name} has placed you in "
            f"{group.community.name}, mentor group {group.name}, from {_date(run)}.",
            f"Your mentor{'s' if len(mentors[group.pk]) > 1 else ''}: {names}.",
        ]
        reasons = learner_reasons(placement.explanation)
        if reasons:
            lines += ["", "Why here:"] + [f"  - {r[:1].upper()}{r[1:]}" for r in reasons]
        lines += ["", f"Meet your group: {home}"]
        email_on_commit(
            subject=f"Your learning community: {group.community.name}",
            body="\n".join(lines),
            recipients=[placement.learner.email],
        )
    for group_id, arriving in joining.items():
        joined = arriving[0].group
        assert joined is not None
        for mentor in mentors[group_id]:
            email_on_commit(
                subject=f"{len(arriving)} new learner{'s' if len(arriving) != 1 else ''} "
                f"join {joined.name}",
                body="\n".join(
                    [
                        f"Hello {mentor.display_name},",
                        "",
                        f"{run.match_label.capitalize()} of {run.program.name} has placed "
                        f"these learners of the {run.subject} in your group {joined.name} "
                        f"from {_date(run)}:",
                        "",
                        *[f"  - {p.learner.display_name}" for p in arriving],
                        "",
                        f"Your groups: {home}",
                    ]
                ),
                recipients=[mentor.email],
            )


def rematch_emails(run: MatchRun, placements: list[Placement]) -> None:
    """Each moved learner: their new group; each receiving mentor: who joins."""
    home = absolute_url(reverse("home"))
    mentors = _mentors_of([p.group_id for p in placements if p.group_id])
    leaving = run.setting("leaving_names", "your group")
    for placement in placements:
        assert placement.group is not None
        group = placement.group
        names = ", ".join(m.display_name for m in mentors[group.pk]) or "to be announced"
        email_on_commit(
            subject=f"Your new mentor group: {group.name}",
            body="\n".join(
                [
                    f"Hello {placement.learner.display_name},",
                    "",
                    f"The mentor of {leaving} is leaving, so from {_date(run)} you are in "
                    f"{group.community.name}, mentor group {group.name}.",
                    f"Your new mentor{'s' if len(mentors[group.pk]) > 1 else ''}: {names}.",
                    "",
                    f"Meet your group: {home}",
                ]
            ),
            recipients=[placement.learner.email],
        )
        for mentor in mentors[group.pk]:
            email_on_commit(
                subject=f"{placement.learner.display_name} joins {group.name}",
                body="\n".join(
                    [
                        f"Hello {mentor.display_name},",
                        "",
                        f"{placement.learner.display_name} joins your group {group.name} from "
                        f"{_date(run)}: their mentor in {leaving} is leaving.",
                        "",
                        f"Your groups: {home}",
                    ]
                ),
                recipients=[mentor.email],
            )


def mentoring_emails(run: MatchRun, placements: list[Placement]) -> None:
    """Each mentee: their mentor and what they share; each mentor: their mentees."""
    home = absolute_url(reverse("home"))
    by_mentor: dict[int, list[Placement]] = defaultdict(list)
    for placement in placements:
        assert placement.mentor is not None
        by_mentor[placement.mentor_id or 0].append(placement)
        reasons = [f"  - {r[:1].upper()}{r[1:]}" for r in placement.explanation]
        email_on_commit(
            subject=f"{run.subject}: your mentor is {placement.mentor.display_name}",
            body="\n".join(
                [
                    f"Hello {placement.learner.display_name},",
                    "",
                    f"In {run.subject} ({run.program.name}) you are matched with "
                    f"{placement.mentor.display_name}, from {_date(run)}.",
                    *(["", "Why this pair:", *reasons] if reasons else []),
                    "",
                    f"Hearth: {home}",
                ]
            ),
            recipients=[placement.learner.email],
        )
    for pairs in by_mentor.values():
        mentor = pairs[0].mentor
        assert mentor is not None
        email_on_commit(
            subject=f"{run.subject}: your mentee{'s' if len(pairs) != 1 else ''}",
            body="\n".join(
                [
                    f"Hello {mentor.display_name},",
                    "",
                    f"In {run.subject} ({run.program.name}) you will mentor, from {_date(run)}:",
                    "",
                    *[f"  - {p.learner.display_name}" for p in pairs],
                    "",
                    f"Hearth: {home}",
                ]
            ),
            recipients=[mentor.email],
        )
