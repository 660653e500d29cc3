from __future__ import annotations

from django.apps import AppConfig


class MentorDevelopmentConfig(AppConfig):
    name = "hearth.mentor_development"
    label = "mentor_development"
    verbose_name = "Mentor development"
