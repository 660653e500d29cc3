from __future__ import annotations

from django.apps import AppConfig


class PulseConfig(AppConfig):
    name = "hearth.pulse"
    label = "pulse"
    verbose_name = "Pulse"
