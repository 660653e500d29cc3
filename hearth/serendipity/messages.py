"""Emails of a circle: the introduction when a round pairs people, the day-before reminder."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from hearth.lib.email import absolute_url, email_on_commit
from hearth.lib.time import zone_named
from hearth.people.models import Person

from .models import Circle, CircleMember, Round
from .selectors import pairing_profiles


def local_moment(moment: dt.datetime, person: Person) -> str:
    local = moment.astimezone(zone_named(person.time_zone))
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({local.tzname()})"


def introductions_send(round_: Round) -> None:
    """One email per person placed: who they meet, what they share, a prompt, a link."""
    circle = round_.circle
    for pairing in round_.pairings.prefetch_related("members__person"):
        for member in pairing.members.all():
            person = member.person
            others = pairing_profiles(pairing, person)
            names = " and ".join(p.person.display_name for p in others)
            lines = [
                f"Hello {person.display_name},",
                "",
                f"This round of “{circle.name}” you meet {names}.",
            ]
            for profile in others:
                facts = ", ".join(
                    x for x in (profile.rank, profile.community, profile.person.department) if x
                )
                lines += ["", f"{profile.person.display_name}" + (f" — {facts}" if facts else "")]
                if profile.in_common:
                    lines.append("In common: " + "; ".join(profile.in_common))
            lines += [
                "",
                "Something to start with (a conversation, not an agenda):",
                pairing.prompt,
                "",
                f"Video room: {pairing.video_url}",
            ]
            if pairing.suggested_times:
                lines += ["", "Times you are all free:"]
                lines += [
                    "  " + local_moment(dt.datetime.fromisoformat(t), person)
                    for t in pairing.suggested_times
                ]
            lines += [
                "",
                f"Afterwards, one click tells us how it went: "
                f"{absolute_url(reverse('pairing', args=[pairing.pk]))}",
            ]
            email_on_commit(
                subject=f"{circle.name}: meet {names}",
                body="\n".join(lines),
                recipients=[person.email],
            )


def round_reminders_send(circle: Circle) -> int:
    """The day before a round, so people can skip or pause in time."""
    members = (
        circle.members.filter(status="active", skip_next=False)
        .exclude(person__email_preference__circle_reminders=False)
        .select_related("person")
    )
    day = circle.next_round_at.date()
    sent = 0
    link = absolute_url(reverse("circle", args=[circle.pk]))
    for member in members:
        if member.is_paused_on(day) or not member.person.is_active:
            continue
        person = member.person
        email_on_commit(
            subject=f"{circle.name}: a new round starts "
            f"{local_moment(circle.next_round_at, person)}",
            body="\n".join(
                [
                    f"Hello {person.display_name},",
                    "",
                    f"Soon “{circle.name}” introduces you to someone new.",
                    "If this round does not suit you, skip it or pause until a later date:",
                    link,
                    "",
                    "--",
                    "Choose which emails Hearth sends you: "
                    + absolute_url(reverse("email_settings")),
                ]
            ),
            recipients=[person.email],
        )
        sent += 1
    return sent


__all__ = ["CircleMember", "introductions_send", "local_moment", "round_reminders_send"]
