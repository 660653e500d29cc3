"""Recognition: the "I am honored" side of mentoring — thank-you notes a mentor keeps."""

from __future__ import annotations

from django.conf import settings
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
