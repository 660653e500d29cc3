"""Recognition: the "I am honored" side of mentoring — thank-you notes, acknowledgments,
teaching credit and the documents Hearth issues to show it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone


class ThankYouNote(models.Model):
    """A learner thanks a mentor. It may be anonymous to the mentor, never to Hearth."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="thank_you_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thanks_sent"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thanks_received"
    )
    body = models.TextField(max_length=2000)
    anonymous = models.BooleanField(
        default=False, help_text="The mentor does not see who wrote it."
    )
    may_quote = models.BooleanField(
        default=False, help_text="The author agrees the mentor may quote it in a portfolio."
    )
    created_at = models.DateTimeField(default=timezone.now)
    reported_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(author=models.F("mentor")), name="thanks_not_to_oneself"
            )
        ]

    def __str__(self) -> str:
        return f"Thanks to {self.mentor} ({self.created_at:%Y-%m-%d})"

    @property
    def signature(self) -> str:
        return "A learner" if self.anonymous else self.author.display_name


class Acknowledgment(models.Model):
    """A program director thanks a mentor on the program's behalf."""

    program = models.ForeignKey(
        "communities.Program", on_delete=models.CASCADE, related_name="acknowledgments"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgments_sent"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgments"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.sender} acknowledges {self.mentor} ({self.created_at:%Y-%m-%d})"


class TeachingCreditRule(models.Model):
    """How a program turns longitudinal mentoring into teaching credit (see credit.py)."""

    program = models.OneToOneField(
        "communities.Program", on_delete=models.CASCADE, related_name="teaching_credit_rule"
    )
    label = models.CharField(
        max_length=60, default="teaching credits", help_text="What your school calls the unit."
    )
    credits_per_relationship = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Earned by each relationship that reaches the hours below in an academic year.",
    )
    min_hours_per_year = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Meeting hours a relationship needs in one academic year (July to June).",
    )
    max_credits_per_year = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The most one mentor earns in an academic year; empty for no limit.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Teaching credit rule of {self.program}"


class DocumentKind(models.TextChoices):
    PORTFOLIO = "portfolio", "Mentoring portfolio"
    CERTIFICATE = "certificate", "Completion certificate"


class IssuedDocument(models.Model):
    """A document Hearth issued with a verification code: the code signs `content`.

    Any kind of document (a portfolio, a completion certificate) is issued and checked the
    same way; see verification.py.
    """

    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="issued_documents"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    content = models.JSONField(help_text="The signed content, exactly as issued.")
    code = models.CharField(max_length=23, unique=True)
    pdf_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.person} ({self.code})"
