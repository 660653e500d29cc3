from __future__ import annotations

from django.apps import AppConfig


class StewardshipConfig(AppConfig):
    """What Hearth keeps about people: backups, per-person export and erasure, retention."""

    name = "hearth.stewardship"
    label = "stewardship"
    verbose_name = "Data stewardship"
