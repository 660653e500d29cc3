"""Serendipity: informal rounds that pair people across a program, and open-door drop-in hours."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Audience(models.TextChoices):
    FACULTY = "faculty", "Faculty mentors of every community"
    FACULTY_AND_SENIOR_LEARNERS = "faculty_senior", "Faculty mentors and senior learners"
    EVERYONE = "everyone", "Everyone in the program"


class CircleCadence(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month"


class Circle(models.Model):
    """People who agree to be introduced to someone new, round after round."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="circles"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    senior_from_year = models.PositiveSmallIntegerField(
        default=3, help_text="Learners of this year of study and above count as senior."
    )
    cadence = models.CharField(
        max_length=12, choices=CircleCadence.choices, default=CircleCadence.FORTNIGHTLY
    )
    group_size = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(2), MaxValueValidator(4)]
    )
    mix_communities = models.BooleanField(default=True)
    mix_departments = models.BooleanField(default=False)
    mix_ranks = models.BooleanField(default=False)
    never_same_community = models.BooleanField(default=False)
    mentor_learner_cross_community_only = models.BooleanField(
        default=True,
        help_text="A faculty member meets learners only from other communities.",
    )
    next_round_at = models.DateTimeField()
    reminded_for = models.DateTimeField(
        null=True, blank=True, help_text="The round whose day-before reminder has gone out."
    )
    # The whole-schedule design (see schedule.py); made at the first round.
    plan = models.JSONField(null=True, blank=True, editable=False)
    seed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group_size__gte=2, group_size__lte=4),
                name="circle_group_size_2_to_4",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def period(self) -> dt.timedelta:
        """How long a round lasts: the pair finds a time within it."""
        days = {CircleCadence.WEEKLY: 7, CircleCadence.FORTNIGHTLY: 14}.get(
            CircleCadence(self.cadence), 28
        )
        return dt.timedelta(days=days)

    def round_after(self, moment: dt.datetime) -> dt.datetime:
        if self.cadence == CircleCadence.MONTHLY:
            from dateutil.relativedelta import relativedelta

            return moment + relativedelta(months=1)
        return moment + self.period


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "Taking part"
    LEFT = "left", "Left"


class CircleMember(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships"
    )
    status = models.CharField(
        max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateField(
        null=True, blank=True, help_text="Not paired in rounds before this date."
    )
    skip_next = models.BooleanField(default=False)

    class Meta:
        ordering = ["circle", "person__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "person"], name="circle_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.circle}"

    def is_paused_on(self, day: dt.date) -> bool:
        return self.paused_until is not None and day < self.paused_until


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class AvailabilityWindow(models.Model):
    """A weekly window when a member is free for an informal call, in their own time zone."""

    member = models.ForeignKey(CircleMember, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="window_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Round(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="rounds")
    index = models.PositiveIntegerField(help_text="0 for the circle's first round.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    ran_at = models.DateTimeField(default=timezone.now)
    design = models.CharField(max_length=40, blank=True)
    people_placed = models.PositiveIntegerField(default=0)
    repeated_pairs = models.PositiveIntegerField(default=0)
    cross_share = models.FloatField(null=True, blank=True)
    random_cross_share = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["circle", "-index"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "index"], name="round_index_unique")
        ]

    def __str__(self) -> str:
        return f"Round {self.index + 1} of {self.circle}"

    @property
    def number(self) -> int:
        return self.index + 1


class NotPlacedReason(models.TextChoices):
    PAUSED = "paused", "Paused"
    SKIPPED = "skipped", "Asked to skip this round"
    NO_OVERLAP = "no-overlap", "No overlap in availability with anyone present"
    NO_PARTNER = "no-partner", "Nobody left to pair with without breaking a rule"
    NOT_ELIGIBLE = "not-eligible", "No longer in the circle's audience"


class RoundAbsence(models.Model):
    """Someone in the circle who was not placed in a round, and why."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="absences")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=NotPlacedReason.choices)

    class Meta:
        ordering = ["reason", "person__display_name"]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_reason_display()}"


class Pairing(models.Model):
    """Two (or three, or four) people introduced to each other in one round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pairings")
    prompt = models.CharField(max_length=300)
    video_url = models.URLField()
    # UTC start times of hours all of them said they are free, within the round.
    suggested_times = models.JSONField(default=list)
    repeated = models.BooleanField(
        default=False, help_text="Two of them had met in a round before."
    )

    class Meta:
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return f"Pairing {self.pk} of {self.round}"

    def answers(self) -> list[str]:
        """ "Name: we met" for each person who answered (members prefetched)."""
        return [
            f"{m.person.display_name}: {m.get_response_display().lower()}"
            for m in self.members.all()
            if m.response
        ]


class Response(models.TextChoices):
    MET = "met", "We met"
    MISSED = "missed", "We could not make it"
    SKIP_NEXT = "skip", "Skip me next time"


class PairingMember(models.Model):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairings"
    )
    response = models.CharField(max_length=8, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pairing", "person__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "person"], name="pairing_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.pairing}"


class Contact(models.Model):
    """An informal conversation that happened: part of each person's longitudinal record."""

    pairing = models.OneToOneField(Pairing, on_delete=models.CASCADE, related_name="contact")
    happened_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on"]

    def __str__(self) -> str:
        return f"Informal contact on {self.happened_on}"


class DropIn(models.Model):
    """An open door: a mentor sits in a video room and anyone in the program may join."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="drop_ins"
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drop_ins"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    video_url = models.URLField()
    topic = models.CharField(max_length=160, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="drop_in_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Open door of {self.host} at {self.starts_at:%Y-%m-%d %H:%M}"

    def is_open_at(self, moment: dt.datetime) -> bool:
        return self.closed_at is None and self.starts_at <= moment < self.ends_at
