"""Deliberate mentoring: meetings with light agendas, notes, action items, goals, bookable time."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


def _room_name() -> str:
    return "hearth-" + secrets.token_urlsafe(18).replace("_", "").replace("-", "")[:20]


class ProgramMeetingSettings(models.Model):
    """How a program runs its meetings: standard length, video rooms, when a pair is stalled."""

    program = models.OneToOneField(
        "communities.Program", on_delete=models.CASCADE, related_name="meeting_settings"
    )
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    jitsi_base_url = models.URLField(
        blank=True, help_text="For example https://meet.jit.si — Hearth adds an unguessable room."
    )
    stalled_after_days = models.PositiveSmallIntegerField(default=90)
    prompt_days_before = models.PositiveSmallIntegerField(
        default=3, help_text="When the learner is asked what they want to talk about."
    )

    def __str__(self) -> str:
        return f"Meeting settings of {self.program}"


class Cadence(models.Model):
    """How often a relationship is expected to meet in a given learner year."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="cadences"
    )
    learner_year = models.PositiveSmallIntegerField()
    every_days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "learner_year"], name="cadence_per_year")
        ]

    def __str__(self) -> str:
        return f"Year {self.learner_year}: every {self.every_days} days"


class AgendaTemplate(models.Model):
    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="agenda_templates"
    )
    name = models.CharField(max_length=120)
    learner_year = models.PositiveSmallIntegerField(null=True, blank=True)
    milestone = models.CharField(max_length=120, blank=True)
    open_slot = models.CharField(max_length=200, default="How are you, really?")
    items = models.JSONField(default=list, help_text="Suggested topics, one string each.")

    class Meta:
        ordering = ["learner_year", "name"]

    def __str__(self) -> str:
        return self.name


class MeetingKind(models.TextChoices):
    ONE_ON_ONE = "one_on_one", "One-on-one"
    GROUP = "group", "Group session"
    MILESTONE = "milestone", "Milestone check-in"


class Meeting(models.Model):
    relationship = models.ForeignKey(
        "communities.Relationship",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
    )
    group = models.ForeignKey(
        "communities.MentorGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
    )
    practice_circle = models.ForeignKey(
        "mentor_development.PracticeCircle",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
    )
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField(help_text="Stored in UTC.")
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    open_conversation = models.BooleanField(default=False, help_text="No agenda at all: just talk.")
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    relationship__isnull=False, group__isnull=True, practice_circle__isnull=True
                )
                | models.Q(
                    relationship__isnull=True, group__isnull=False, practice_circle__isnull=True
                )
                | models.Q(
                    relationship__isnull=True, group__isnull=True, practice_circle__isnull=False
                ),
                name="meeting_has_one_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="meeting_has_duration"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            # A pair's meetings by date: when each pair last met, a pair's meeting list.
            models.Index(fields=["relationship", "starts_at"], name="meeting_pair_by_date"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):  # noqa: ANN201 - a datetime
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    text = models.CharField(max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_open_slot = models.BooleanField(
        default=False, help_text="The personal opening; never ticked off."
    )
    done = models.BooleanField(default=False)
    action_item = models.ForeignKey(
        "ActionItem", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class NoteVisibility(models.TextChoices):
    SHARED = "shared", "Shared with the meeting's participants"
    PRIVATE = "private", "Private to me"


class Note(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_notes"
    )
    visibility = models.CharField(max_length=10, choices=NoteVisibility.choices)
    body = models.TextField()
    version = models.PositiveIntegerField(default=1)
    conflict_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
        help_text="Set when two people edited the same note at once: both versions are kept.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} note by {self.author}"


class ActionItem(models.Model):
    relationship = models.ForeignKey(
        "communities.Relationship",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="action_items",
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_items"
    )
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.text


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    SET_ASIDE = "set_aside", "Set aside"


class Goal(models.Model):
    """One goal of a learner's individual development plan; every change is kept."""

    relationship = models.ForeignKey(
        "communities.Relationship", on_delete=models.CASCADE, related_name="goals"
    )
    title = models.CharField(max_length=200)
    why = models.TextField(blank=True)
    milestones = models.TextField(blank=True, help_text="One per line.")
    status = models.CharField(
        max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "title"]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A person's private calendar subscription URL; revoking gives a new secret."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"


class Availability(models.Model):
    """Time a mentor offers: recurring office hours (an RFC 5545 RRULE) or a one-off window."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="availability"
    )
    starts_at = models.DateTimeField(help_text="First window's start, UTC.")
    window_minutes = models.PositiveSmallIntegerField(default=60)
    time_zone = models.CharField(
        max_length=64, help_text="The mentor's zone; recurrences repeat in local time."
    )
    rrule = models.CharField(max_length=300, blank=True, help_text="Empty for a one-off.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.mentor} from {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def repeats(self) -> str:
        """The recurrence as a mentor would say it; Hearth writes only weekly rules."""
        if not self.rrule:
            return "Once"
        parts = dict(p.split("=", 1) for p in self.rrule.split(";") if "=" in p)
        every = {"WEEKLY": "Every week", "DAILY": "Every day", "MONTHLY": "Every month"}.get(
            parts.get("FREQ", ""), self.rrule
        )
        return f"{every}, {parts['COUNT']} times" if "COUNT" in parts else every


class Booking(models.Model):
    """A taken slot. The unique constraint makes a double booking impossible."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    slot_start = models.DateTimeField()
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="booking")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentor", "slot_start"], name="one_booking_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.mentor} at {self.slot_start}"


class EmailPreference(models.Model):
    """Which reminder emails a person wants; every email links here."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    meeting_reminders = models.BooleanField(default=True)
    agenda_prompts = models.BooleanField(default=True)
    overdue_nudges = models.BooleanField(default=True)
    action_item_reminders = models.BooleanField(default=True)
    circle_reminders = models.BooleanField(
        default=True, help_text="The day-before reminder of a serendipity round."
    )

    def __str__(self) -> str:
        return f"Email choices of {self.person}"
