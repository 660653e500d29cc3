"""Programs, their communities and mentor groups, and the longitudinal record of who was where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Program(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    years_of_study = models.PositiveSmallIntegerField(
        default=4, help_text="Learners in this year graduate at the year-end rollover."
    )
    last_rollover_on = models.DateField(
        null=True, blank=True, help_text="When a director last closed the academic year."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A learning community: a house or college."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="communities")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="community_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class MentorGroup(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=150)
    capacity = models.PositiveSmallIntegerField(default=24, help_text="Most learners at once.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="group_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    """An entering class, named by its graduation year."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=80)
    class_year = models.PositiveIntegerField()

    class Meta:
        ordering = ["-class_year"]
        constraints = [
            models.UniqueConstraint(fields=["program", "class_year"], name="cohort_year_unique")
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    LEARNER = "learner", "Learner"


class EndReason(models.TextChoices):
    GRADUATED = "graduated", "Graduated"
    TRANSFERRED = "transferred", "Transferred"
    LEAVE = "leave", "Leave"
    OTHER = "other", "Other"


class GroupMembership(models.Model):
    """One stretch of time a person spent in a mentor group; history is never overwritten."""

    group = models.ForeignKey(MentorGroup, on_delete=models.PROTECT, related_name="memberships")
    # Denormalised from group.community.program so the database can enforce one open
    # learner membership per program.
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=MemberRole.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    shares_history_with_successor = models.BooleanField(
        default=False,
        help_text="The learner lets a new mentor of the group see their history with the group.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "program"],
                condition=models.Q(end_date__isnull=True, role="learner"),
                name="one_open_learner_membership_per_program",
            ),
            models.UniqueConstraint(
                fields=["person", "group"],
                condition=models.Q(end_date__isnull=True),
                name="one_open_membership_per_group",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True, end_reason="")
                | models.Q(end_date__isnull=False) & ~models.Q(end_reason=""),
                name="membership_end_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "role", "end_date"]),
            # The API lists memberships newest first, a page at a time.
            models.Index(fields=["-start_date", "id"], name="membership_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.group} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    def was_open_on(self, day) -> bool:  # noqa: ANN001 - a date
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class RelationshipKind(models.TextChoices):
    LC_MENTOR = "lc_mentor", "Learning-community mentor"
    RESEARCH = "research", "Research mentor"
    CAREER = "career", "Career advisor"
    PEER = "peer", "Peer mentor"


class RelationshipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"


class Relationship(models.Model):
    """Who mentors whom: the hub that meetings, goals and the portfolio hang off."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="relationships")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentored_by"
    )
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    status = models.CharField(
        max_length=20, choices=RelationshipStatus.choices, default=RelationshipStatus.ACTIVE
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    mentor_reflection = models.TextField(blank=True, help_text="The mentor's closing words.")
    mentee_reflection = models.TextField(blank=True, help_text="The mentee's closing words.")
    ended_early_reason = models.TextField(blank=True)
    group = models.ForeignKey(
        MentorGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relationships",
        help_text="Set for learning-community mentor relationships, which follow group membership.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mentor=models.F("mentee")), name="relationship_not_self"
            ),
            models.UniqueConstraint(
                fields=["mentor", "mentee", "kind", "program"],
                condition=models.Q(end_date__isnull=True),
                name="one_open_relationship_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.mentee} ({self.get_kind_display()})"

    @property
    def is_open(self) -> bool:
        return self.end_date is None


class AssessmentExclusion(models.Model):
    """The firewall: this person must not assess this learner (usually because they mentor them)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="exclusions")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="excluded_from_assessing"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_exclusions"
    )
    reason = models.CharField(max_length=200, default="Mentors this learner")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "learner__display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "assessor", "learner"], name="exclusion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessor} does not assess {self.learner}"


class AttributeDefinition(models.Model):
    """A self-reported attribute a program collects for balancing and aggregate reports only."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="attributes")
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=120)
    choices = models.JSONField(
        default=list, blank=True, help_text="Allowed answers; empty means free text."
    )

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="attribute_key_unique")
        ]

    def __str__(self) -> str:
        return self.label


class PersonAttribute(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attributes"
    )
    definition = models.ForeignKey(
        AttributeDefinition, on_delete=models.CASCADE, related_name="answers"
    )
    value = models.CharField(max_length=120)
    consented = models.BooleanField(
        default=False, help_text="The person agreed to its use for balancing and reports."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "definition"], name="person_attribute_unique")
        ]

    def __str__(self) -> str:
        return f"{self.definition}: {self.value}"


class MentorChangeRequest(models.Model):
    """A learner's confidential request for another mentor; the mentor is not told."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MOVED = "moved", "Moved to another group"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    membership = models.ForeignKey(
        GroupMembership, on_delete=models.CASCADE, related_name="change_requests"
    )
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(status="open"),
                name="one_open_change_request_per_membership",
            )
        ]

    def __str__(self) -> str:
        return f"Change request for {self.membership} ({self.status})"


class RosterImport(models.Model):
    """An uploaded roster kept between preview and confirmation, so the write uses the same file."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} for {self.program}"
