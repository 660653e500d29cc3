from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "hearth.reports"
    label = "reports"
    verbose_name = "Annual program report"
