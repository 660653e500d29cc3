"""Pulse: short check-ins in which mentors say how the role is going, theme by theme."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PulseWave(models.Model):
    """One round of check-ins in a program (for example "Autumn term 2026")."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="pulse_waves"
    )
    label = models.CharField(max_length=80)
    opens_on = models.DateField()
    closes_on = models.DateField()
    item_bank_version = models.PositiveSmallIntegerField(default=1)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When those who had not answered were reminded."
    )

    class Meta:
        ordering = ["program", "opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="pulse_wave_closes_after_it_opens",
            ),
            models.UniqueConstraint(fields=["program", "label"], name="pulse_wave_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.program})"

    def is_open_on(self, day) -> bool:  # noqa: ANN001 - a date
        return self.opens_on <= day <= self.closes_on


class PulseResponse(models.Model):
    """A mentor's answers in one wave: private to them; directors see only aggregates."""

    wave = models.ForeignKey(PulseWave, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulse_responses"
    )
    # The community the mentor served in when answering, for breakdowns over time.
    community = models.ForeignKey(
        "communities.Community", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(default=dict, help_text="Item key → 1..5, as answered.")
    free_text = models.TextField(blank=True)
    free_text_to_studies = models.BooleanField(
        default=False, help_text="The respondent agreed that evaluators may study the free text."
    )
    skipped = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["wave", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "person"], name="pulse_one_response_per_wave")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.wave}"


class HarmRuleSettings(models.Model):
    """A program's own thresholds for the harm early warning (see pulse/warnings.py)."""

    program = models.OneToOneField(
        "communities.Program", on_delete=models.CASCADE, related_name="harm_rules"
    )
    load_ratio = models.FloatField(
        default=1.4, help_text="Flag a mentor with this many times the median learners."
    )
    harm_rise = models.FloatField(
        default=0.5, help_text="Flag a rise of the 'harmed' score by this much since last time."
    )
    harm_level = models.FloatField(default=3.5, help_text="Flag a 'harmed' score at or above.")
    overdue_share = models.FloatField(
        default=0.5, help_text="Flag when this share of a mentor's mentees is overdue."
    )
    flag_without_co_mentor = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Harm warning rules of {self.program}"


class MenteeFeedback(models.Model):
    """A learner rates one mentoring relationship in one term (a pulse wave).

    The mentor only ever sees averages over three or more learners from terms that have
    closed, so no single answer can be picked out.
    """

    wave = models.ForeignKey(PulseWave, on_delete=models.CASCADE, related_name="mentee_feedback")
    relationship = models.ForeignKey(
        "communities.Relationship", on_delete=models.CASCADE, related_name="mentee_feedback"
    )
    answers = models.JSONField(default=dict, help_text="Competency item key → 1..5.")
    item_bank_version = models.PositiveSmallIntegerField(default=1)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["wave", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "relationship"], name="mentee_feedback_once_per_term"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.relationship} in {self.wave}"


class FeedbackSharing(models.Model):
    """The mentor's own choice to show their mentee-feedback averages in their portfolio."""

    mentor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_sharing"
    )
    in_portfolio = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.mentor}: feedback in portfolio {'on' if self.in_portfolio else 'off'}"
