from __future__ import annotations

from django.contrib import admin

from .models import HarmRuleSettings, PulseWave


@admin.register(PulseWave)
class PulseWaveAdmin(admin.ModelAdmin):
    list_display = ["label", "program", "opens_on", "closes_on", "reminded_at"]
    list_filter = ["program"]


@admin.register(HarmRuleSettings)
class HarmRuleSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "load_ratio", "harm_rise", "harm_level", "overdue_share"]
