"""Reminder emails, sent by an hourly run; each run covers one window of time, so none repeat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from hearth.lib.email import absolute_url, email_on_commit
from hearth.lib.ics import invitation_ics
from hearth.lib.time import zone_named
from hearth.people.models import Person

from .cadence import RelationshipDue, overdue_relationships
from .invitations import email_settings_url, meeting_when
from .models import ActionItem, EmailPreference, Meeting, ProgramMeetingSettings
from .selectors import meeting_participants

MEETING_REMINDER_BEFORE = dt.timedelta(hours=24)
# Action items are recalled the day before they are due, at this hour in the owner's zone.
ACTION_ITEM_HOUR = 9


@dataclass
class ReminderReport:
    meeting_reminders: int = 0
    agenda_prompts: int = 0
    action_item_reminders: int = 0
    overdue_nudges: int = 0


class _Preferences:
    """Each person's email choices; a person without a saved choice gets every kind."""

    def __init__(self, people: Iterable[Person]) -> None:
        ids = {person.pk for person in people}
        self._by_person = {
            p.person_id: p for p in EmailPreference.objects.filter(person_id__in=ids)
        }

    def wants(self, person: Person, kind: str) -> bool:
        if not person.is_active or not person.email:
            return False
        preference = self._by_person.get(person.pk)
        return preference is None or bool(getattr(preference, kind))


def _in_window(moment: dt.datetime, start: dt.datetime, interval: dt.timedelta) -> bool:
    return start <= moment < start + interval


def _with_footer(person: Person, lines: list[str]) -> str:
    footer = ["", "--", f"Choose which emails Hearth sends you: {email_settings_url(person)}"]
    return "\n".join([f"Hello {person.display_name},", "", *lines, *footer])


def _meeting_url(meeting: Meeting) -> str:
    return absolute_url(reverse("meeting", args=[meeting.pk]))


def _upcoming(start: dt.datetime, interval: dt.timedelta) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        cancelled_at__isnull=True, starts_at__gte=start, starts_at__lt=start + interval
    ).select_related("relationship__mentor", "relationship__mentee", "group")


def _meeting_reminders(now: dt.datetime, interval: dt.timedelta) -> int:
    meetings = list(_upcoming(now + MEETING_REMINDER_BEFORE, interval).prefetch_related("agenda"))
    participants = {meeting.pk: meeting_participants(meeting) for meeting in meetings}
    preferences = _Preferences(p for people in participants.values() for p in people)
    sent = 0
    for meeting in meetings:
        agenda = [item.text for item in meeting.agenda.all()]
        ics = invitation_ics(meeting, "REQUEST")
        attachment = ("invite.ics", ics, "text/calendar; method=REQUEST")
        for person in participants[meeting.pk]:
            if not preferences.wants(person, "meeting_reminders"):
                continue
            lines = [
                "You meet tomorrow:",
                "",
                meeting.title,
                meeting_when(meeting, person),
            ]
            if meeting.location:
                lines.append(f"Where: {meeting.location}")
            if meeting.video_url:
                lines.append(f"Video: {meeting.video_url}")
            if meeting.open_conversation:
                lines += ["", "No agenda this time: just talk."]
            elif agenda:
                lines += ["", "Agenda:", *(f"- {text}" for text in agenda)]
            lines += ["", f"Details: {_meeting_url(meeting)}"]
            email_on_commit(
                subject=f"Tomorrow: {meeting.title}",
                body=_with_footer(person, lines),
                recipients=[person.email],
                attachments=[attachment],
            )
            sent += 1
    return sent


def _agenda_prompts(now: dt.datetime, interval: dt.timedelta) -> int:
    default_days = ProgramMeetingSettings._meta.get_field("prompt_days_before").get_default()
    days_by_program = dict(
        ProgramMeetingSettings.objects.values_list("program_id", "prompt_days_before")
    )
    meetings = []
    for days in set(days_by_program.values()) | {default_days}:
        window = _upcoming(now + dt.timedelta(days=days), interval).filter(
            relationship__isnull=False
        )
        meetings += [
            m
            for m in window
            if days_by_program.get(m.relationship.program_id, default_days) == days  # type: ignore[union-attr]
        ]
    learners = [meeting.relationship.mentee for meeting in meetings]  # type: ignore[union-attr]
    preferences = _Preferences(learners)
    sent = 0
    for meeting, learner in zip(meetings, learners, strict=True):
        if not preferences.wants(learner, "agenda_prompts"):
            continue
        lines = [
            f"You meet {meeting.relationship.mentor.display_name} soon:",  # type: ignore[union-attr]
            "",
            meeting.title,
            meeting_when(meeting, learner),
            "",
            "Anything you want to talk about? Add it to the agenda:",
            _meeting_url(meeting),
        ]
        email_on_commit(
            subject=f"Anything you want to talk about? {meeting.title}",
            body=_with_footer(learner, lines),
            recipients=[learner.email],
        )
        sent += 1
    return sent


def _action_item_reminders(now: dt.datetime, interval: dt.timedelta) -> int:
    # Zones differ by at most a day either way, so these dates cover every owner's "tomorrow".
    first, last = (
        (now - dt.timedelta(days=1)).date(),
        (now + interval + dt.timedelta(days=2)).date(),
    )
    items = list(
        ActionItem.objects.filter(
            done_at__isnull=True, due_date__gte=first, due_date__lte=last
        ).select_related("owner", "meeting")
    )
    due = []
    for item in items:
        if item.due_date is None:
            continue
        day_before = item.due_date - dt.timedelta(days=1)
        moment = dt.datetime.combine(
            day_before, dt.time(ACTION_ITEM_HOUR), zone_named(item.owner.time_zone)
        )
        if _in_window(moment, now, interval):
            due.append((item, item.due_date))
    preferences = _Preferences(item.owner for item, _ in due)
    sent = 0
    for item, due_date in due:
        if not preferences.wants(item.owner, "action_item_reminders"):
            continue
        lines = [
            "An action item of yours is due tomorrow:",
            "",
            item.text,
            f"Due {due_date:%A} {due_date.day} {due_date:%B %Y}",
            "",
            f"From the meeting: {_meeting_url(item.meeting)}",
        ]
        email_on_commit(
            subject=f"Due tomorrow: {item.text}",
            body=_with_footer(item.owner, lines),
            recipients=[item.owner.email],
        )
        sent += 1
    return sent


def _starts_a_week(now: dt.datetime, interval: dt.timedelta) -> bool:
    """True for the one run whose window holds Monday 00:00 UTC."""
    utc_now = now.astimezone(dt.UTC)
    midnight = dt.datetime.combine(utc_now.date(), dt.time(), dt.UTC)
    monday = midnight + dt.timedelta(days=(7 - midnight.weekday()) % 7)
    if monday < utc_now:
        monday += dt.timedelta(days=7)
    return _in_window(monday, utc_now, interval)


def _overdue_lines(row: RelationshipDue, person: Person, other: Person) -> list[str]:
    if row.last_met is None:
        last = "You have not met yet."
    else:
        met = row.last_met.astimezone(zone_named(person.time_zone))
        last = f"You last met on {met:%A} {met.day} {met:%B %Y}."
    lines = [f"It is time you and {other.display_name} met again.", "", last]
    if row.due_on is not None:
        lines.append(
            f"Your program suggested meeting again by {row.due_on.day} {row.due_on:%B %Y}."
        )
    return [*lines, "", f"Plan a meeting: {absolute_url(reverse('meetings'))}"]


def _overdue_nudges(now: dt.datetime, interval: dt.timedelta) -> int:
    if not _starts_a_week(now, interval):
        return 0
    rows = overdue_relationships(now=now)
    preferences = _Preferences(
        p for row in rows for p in (row.relationship.mentor, row.relationship.mentee)
    )
    sent = 0
    for row in rows:
        mentor, mentee = row.relationship.mentor, row.relationship.mentee
        for person, other in [(mentor, mentee), (mentee, mentor)]:
            if not preferences.wants(person, "overdue_nudges"):
                continue
            email_on_commit(
                subject=f"Time to meet {other.display_name}",
                body=_with_footer(person, _overdue_lines(row, person, other)),
                recipients=[person.email],
            )
            sent += 1
    return sent


@transaction.atomic
def reminders_send(
    *, now: dt.datetime, interval: dt.timedelta = dt.timedelta(hours=1)
) -> ReminderReport:
    """Queue every reminder whose moment falls in [now, now + interval)."""
    return ReminderReport(
        meeting_reminders=_meeting_reminders(now, interval),
        agenda_prompts=_agenda_prompts(now, interval),
        action_item_reminders=_action_item_reminders(now, interval),
        overdue_nudges=_overdue_nudges(now, interval),
    )
