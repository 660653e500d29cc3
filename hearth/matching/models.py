"""Matching: the inputs a director keeps (conflicts, pair rules, preferences, mentoring
rounds) and the runs that turn them into proposals, kept after they are published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# MatchRun has a field called "settings", which hides django.conf.settings in its body.
USER = settings.AUTH_USER_MODEL


class ConflictKind(models.TextChoices):
    RELATIVE = "relative", "Relative"
    SUPERVISOR = "supervisor", "Supervisor"
    PRIOR = "prior", "Prior relationship"
    OTHER = "other", "Other"


class MatchConflict(models.Model):
    """A learner must never be placed with this mentor (declared by a director)."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="match_conflicts"
    )
    learner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ConflictKind.choices, default=ConflictKind.OTHER)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "learner__display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "learner", "mentor"], name="match_conflict_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(learner=models.F("mentor")), name="match_conflict_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} never with {self.mentor} ({self.get_kind_display()})"


class PairKind(models.TextChoices):
    APART = "apart", "Keep apart (different communities)"
    TOGETHER = "together", "Keep together (same community)"


class PairRule(models.Model):
    """Two learners of a cohort kept in different communities, or in the same one."""

    cohort = models.ForeignKey(
        "communities.Cohort", on_delete=models.CASCADE, related_name="pair_rules"
    )
    a = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=PairKind.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["cohort", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "a", "b"], name="pair_rule_unique"),
            models.CheckConstraint(condition=~models.Q(a=models.F("b")), name="pair_rule_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.a} and {self.b}: {self.get_kind_display()}"


class CommunityPreference(models.Model):
    """A learner's ranked choice of community (1 = first choice), collected for a cohort."""

    cohort = models.ForeignKey(
        "communities.Cohort", on_delete=models.CASCADE, related_name="community_preferences"
    )
    learner = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="community_preferences"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["cohort", "learner", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "learner", "rank"], name="community_preference_rank_unique"
            ),
            models.UniqueConstraint(
                fields=["cohort", "learner", "community"], name="community_preference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner}: {self.community} ({self.rank})"


class PreferenceWindow(models.Model):
    """While open, learners of an entering class rank their learning communities in Hearth."""

    cohort = models.OneToOneField(
        "communities.Cohort", on_delete=models.CASCADE, related_name="preference_window"
    )
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="Learners can change their choices until this day.")
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a director closes the choices early."
    )
    opened_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="preference_window_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"Community choices of the {self.cohort}"

    def is_open(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.closed_at is None and self.opens_on <= day <= self.closes_on

    @property
    def status(self) -> str:
        """ "open", "scheduled" (not yet open) or "closed", as of today."""
        today = timezone.localdate()
        if self.is_open(today):
            return "open"
        if self.closed_at is None and today < self.opens_on:
            return "scheduled"
        return "closed"


class RoundStatus(models.TextChoices):
    OPEN = "open", "Collecting participants"
    CLOSED = "closed", "Closed"


class Policy(models.TextChoices):
    FIT = "fit", "Maximum total fit"
    STABLE = "stable", "Stable (no pair would rather swap)"


class MentoringRound(models.Model):
    """One intake of a mentoring program (such as Mentoring the Mentors): mentees, mentors,
    their ranked choices, and the rules their pairs must follow."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="mentoring_rounds"
    )
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    policy = models.CharField(max_length=8, choices=Policy.choices, default=Policy.FIT)
    relationship_kind = models.CharField(
        max_length=20,
        default="career",
        help_text="The kind of relationship that publishing opens for each pair.",
    )
    starts_on = models.DateField(help_text="Relationships begin on this day.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "-starts_on", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def takes_choices(self) -> bool:
        """Participants rank the other side while the round is open."""
        return self.status == RoundStatus.OPEN


class Side(models.TextChoices):
    MENTEE = "mentee", "Mentee"
    MENTOR = "mentor", "Mentor"


class RoundParticipant(models.Model):
    round = models.ForeignKey(MentoringRound, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=8, choices=Side.choices)
    capacity = models.PositiveSmallIntegerField(
        default=1, help_text="Mentors: the most mentees they take on in this round."
    )
    division = models.CharField(max_length=150, blank=True)
    statement = models.TextField(blank=True, help_text="What they hope for, in their own words.")

    class Meta:
        ordering = ["round", "side", "person__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="round_participant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.side}) in {self.round}"


class RoundPreference(models.Model):
    """A participant's ranked choice of someone on the other side (1 = first choice)."""

    round = models.ForeignKey(MentoringRound, on_delete=models.CASCADE, related_name="preferences")
    chooser = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    chosen = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["round", "chooser", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "chooser", "chosen"], name="round_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.chooser} → {self.chosen} ({self.rank})"


class RunKind(models.TextChoices):
    PLACEMENT = "placement", "Cohort placement"
    MENTORING = "mentoring", "Mentee–mentor matching"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    READY = "ready", "Proposal ready for review"
    INFEASIBLE = "infeasible", "No placement meets every rule"
    FAILED = "failed", "Failed"
    STOPPED = "stopped", "Stopped"
    PUBLISHED = "published", "Published"


class MatchRun(models.Model):
    """One run of the matcher: its settings, the problem it saw, and its proposal."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="match_runs"
    )
    kind = models.CharField(max_length=10, choices=RunKind.choices, default=RunKind.PLACEMENT)
    cohort = models.ForeignKey(
        "communities.Cohort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="match_runs",
    )
    round = models.ForeignKey(
        MentoringRound, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    rematch_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rematches",
        help_text="The published run whose placements this re-match changes.",
    )
    settings = models.JSONField(default=dict, blank=True)
    # The engine's input as it stood when the run started, so overrides are checked against
    # the same rules and an old run reopens exactly as it was.
    problem = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    progress_message = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The matcher's last sign of life while running: a run silent for long stopped.",
    )
    objective = models.FloatField(null=True, blank=True)
    solved_objective = models.FloatField(
        null=True, blank=True, help_text="The engine's objective, before any override."
    )
    bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    solver_status = models.CharField(max_length=20, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    terms = models.JSONField(default=list, blank=True)
    shares = models.JSONField(default=list, blank=True)
    infeasible_reasons = models.JSONField(default=list, blank=True)
    blocking_pairs = models.PositiveIntegerField(
        null=True, blank=True, help_text="Mentoring runs: pairs who would both rather swap."
    )
    unmatched = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_on = models.DateField(
        null=True, blank=True, help_text="Memberships and relationships begin on this day."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.title} (run {self.pk})"

    @property
    def title(self) -> str:
        if self.rematch_of_id is not None:
            return f"Re-match of {self.subject}"
        return f"{self.subject}: {self.get_kind_display().lower()}"

    @property
    def subject(self) -> str:
        if self.round is not None:
            return self.round.name
        return self.cohort.name if self.cohort is not None else self.program.name

    @property
    def match_label(self) -> str:
        """How people are told who placed them: "the 2026 match"."""
        return f"the {self.created_at:%Y} match"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def can_run_again(self) -> bool:
        return self.status in (RunStatus.STOPPED, RunStatus.FAILED)

    @property
    def proven_optimal(self) -> bool:
        return self.gap is not None and self.gap <= 1e-9

    @property
    def gap_percent(self) -> str:
        return f"{(self.gap or 0) * 100:.1f}"

    @property
    def override_cost(self) -> float:
        if self.objective is None or self.solved_objective is None:
            return 0.0
        return self.solved_objective - self.objective

    def setting(self, key: str, default: Any = None) -> Any:
        return (self.settings or {}).get(key, default)


class Placement(models.Model):
    """One learner's place in a proposal, and why the matcher put them there."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="placements")
    learner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="match_placements")
    group = models.ForeignKey(
        "communities.MentorGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mentor = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="match_mentees",
        help_text="Mentoring runs: the mentor the mentee is matched with.",
    )
    from_group = models.ForeignKey(
        "communities.MentorGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Re-matches: the group the learner moves from.",
    )
    proposed_group = models.ForeignKey(
        "communities.MentorGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the matcher had placed the learner before a director moved them.",
    )
    proposed_mentor = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Mentoring runs: the matcher's mentor before a director moved the mentee.",
    )
    preference_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    fit = models.FloatField(null=True, blank=True, help_text="Mentoring runs: fit from 0 to 100.")
    reasons = models.JSONField(default=list, blank=True)
    overridden = models.BooleanField(default=False)
    override_cost = models.FloatField(null=True, blank=True)
    override_changes = models.JSONField(default=list, blank=True)
    override_reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["run", "learner__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "learner"], name="placement_learner_unique")
        ]

    def __str__(self) -> str:
        where = self.group or self.mentor
        return f"{self.learner} → {where}"

    @property
    def explanation(self) -> list[str]:
        """The sentences shown for this placement: who moved it first, after an override."""
        if self.overridden:
            return [*self.override_reasons, *self.reasons]
        return list(self.reasons)
