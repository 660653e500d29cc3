"""Mentor development: training series for mentors, with cases, practice circles, compacts,
a guide library and self-ratings that show whether mentors grew."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# Trainees may check in from a little before a session starts until a little after it ends.
CHECK_IN_EARLY = dt.timedelta(minutes=15)
CHECK_IN_LATE = dt.timedelta(minutes=30)


class TrainingSeries(models.Model):
    """A "Mentoring the Mentors" series: sessions over months for one cohort of trainees."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="training_series"
    )
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    self_enrolment = models.BooleanField(
        default=True, help_text="Mentors may ask to join; a facilitator or director approves."
    )
    sessions_to_complete = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Sessions a trainee must attend to complete the series; empty means all.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "-created_at"]
        verbose_name_plural = "training series"

    def __str__(self) -> str:
        return self.title


class SessionFormat(models.TextChoices):
    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person"
    HYBRID = "hybrid", "Hybrid"


class TrainingSession(models.Model):
    series = models.ForeignKey(TrainingSeries, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=150)
    starts_at = models.DateTimeField(help_text="Stored in UTC.")
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    format = models.CharField(
        max_length=12, choices=SessionFormat.choices, default=SessionFormat.VIRTUAL
    )
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_sessions",
    )
    materials = models.TextField(blank=True, help_text="Markdown.")
    prework = models.TextField(blank=True, help_text="Markdown: what to do before the session.")
    cases: models.ManyToManyField[MentoringCase, Any] = models.ManyToManyField(
        "MentoringCase", blank=True, related_name="sessions"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE.")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["series", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="training_session_has_duration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    def check_in_open_at(self, moment: dt.datetime) -> bool:
        return self.starts_at - CHECK_IN_EARLY <= moment <= self.ends_at + CHECK_IN_LATE

    def has_started_at(self, moment: dt.datetime) -> bool:
        return moment >= self.starts_at


class EnrolmentStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    REQUESTED = "requested", "Asked to join"
    ENROLLED = "enrolled", "Enrolled"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EnrolmentSource(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    IMPORT = "import", "Import"
    SELF = "self", "Self-enrolment"


class Enrolment(models.Model):
    series = models.ForeignKey(TrainingSeries, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(max_length=12, choices=EnrolmentStatus.choices)
    source = models.CharField(max_length=12, choices=EnrolmentSource.choices)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["series", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["series", "person"], name="one_enrolment_per_series")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.series} ({self.status})"


class Attendance(models.Model):
    """A trainee was there: they checked in themselves, or a facilitator marked them."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the trainee checked in themselves.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attend_a_session_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.session}"


class Reflection(models.Model):
    """After a session: one thing the trainee will try; at the next, whether they tried it."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="reflections"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    will_try = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    tried = models.BooleanField(null=True, blank=True)
    follow_up = models.TextField(blank=True, max_length=1000)
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_reflection_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.person} after {self.session}"


class MentoringCase(models.Model):
    """A short mentoring scenario to discuss; program None means Hearth's own library."""

    program = models.ForeignKey(
        "communities.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentoring_cases",
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=150)
    scenario = models.TextField(help_text="Markdown.")
    questions = models.JSONField(default=list, help_text="Questions for discussion.")
    domains = models.JSONField(default=list, help_text="Competency domain keys.")

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["program", "slug"], name="case_slug_unique")]

    def __str__(self) -> str:
        return self.title


class CaseResponse(models.Model):
    """A trainee's answer to a case before the session; the cohort sees it once it starts."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="case_responses"
    )
    case = models.ForeignKey(MentoringCase, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_responses"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "case", "person"], name="one_case_response_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.case}"


class PracticeCircle(models.Model):
    """A small fixed group of trainees who meet between sessions."""

    series = models.ForeignKey(
        TrainingSeries, on_delete=models.CASCADE, related_name="practice_circles"
    )
    name = models.CharField(max_length=120)
    members: models.ManyToManyField[Any, PracticeCircleMember] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PracticeCircleMember", related_name="practice_circles"
    )
    questions = models.JSONField(default=list, help_text="Suggested questions for meetings.")

    class Meta:
        ordering = ["series", "name"]

    def __str__(self) -> str:
        return self.name


class PracticeCircleMember(models.Model):
    circle = models.ForeignKey(PracticeCircle, on_delete=models.CASCADE)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(help_text="Order of the facilitator rota.")

    class Meta:
        ordering = ["circle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "person"], name="practice_circle_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.circle}"


class CompactTemplate(models.Model):
    """A program's mentoring agreement: the sections both sides fill in and accept."""

    program = models.OneToOneField(
        "communities.Program", on_delete=models.CASCADE, related_name="compact_template"
    )
    sections = models.JSONField(
        default=list, help_text='List of {"key", "label", "help"}, in order.'
    )
    review_every_days = models.PositiveSmallIntegerField(default=365)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Compact of {self.program}"


class Compact(models.Model):
    """One relationship's agreement. A review makes a new compact; the old one is kept."""

    relationship = models.ForeignKey(
        "communities.Relationship", on_delete=models.CASCADE, related_name="compacts"
    )
    sections = models.JSONField(default=list, help_text="The template's sections when drafted.")
    answers = models.JSONField(default=dict, help_text="Section key → text.")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    mentee_accepted_at = models.DateTimeField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
    review_reason = models.CharField(max_length=120, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["relationship", "-created_at"]

    def __str__(self) -> str:
        return f"Compact for {self.relationship}"

    @property
    def accepted(self) -> bool:
        return self.mentor_accepted_at is not None and self.mentee_accepted_at is not None


class Guide(models.Model):
    """A short practical guide in Markdown; program None means one of Hearth's own."""

    program = models.ForeignKey(
        "communities.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="guides",
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown.")
    domains = models.JSONField(default=list, help_text="Competency domain keys.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True, help_text="When not a Hearth user.")
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="guide_slug_unique")
        ]

    def __str__(self) -> str:
        return self.title


class RatingMoment(models.TextChoices):
    BEFORE = "before", "Before the series"
    END = "end", "At its end"
    LATER = "later", "Six months later"


class SelfRating(models.Model):
    """A trainee rates themself on the competency items (the mentor wording of the bank)."""

    series = models.ForeignKey(
        TrainingSeries, on_delete=models.CASCADE, related_name="self_ratings"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_ratings"
    )
    moment = models.CharField(max_length=8, choices=RatingMoment.choices)
    answers = models.JSONField(default=dict, help_text="Competency item key → 1..5.")
    item_bank_version = models.PositiveSmallIntegerField(default=1)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["series", "person", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "person", "moment"], name="one_self_rating_per_moment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}, {self.get_moment_display()}, {self.series}"
