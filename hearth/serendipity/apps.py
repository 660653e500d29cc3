from __future__ import annotations

from django.apps import AppConfig


class SerendipityConfig(AppConfig):
    name = "hearth.serendipity"
    label = "serendipity"
    verbose_name = "Serendipity"
