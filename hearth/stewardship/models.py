from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ErasureRecord(models.Model):
    """That an erasure happened: who did it, when, and the anonymised label left behind.

    Never the erased person's name or email: the record must not undo the erasure."""

    erased_person_id = models.PositiveIntegerField(help_text="The anonymised account's id.")
    label = models.CharField(max_length=60, help_text='For example "Erased person 17".')
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict, help_text="What was deleted or blanked, by kind.")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.label} erased {self.at:%Y-%m-%d}"
