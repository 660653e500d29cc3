from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AgendaTemplate, Cadence, Goal, Meeting, ProgramMeetingSettings


@admin.register(ProgramMeetingSettings)
class ProgramMeetingSettingsAdmin(admin.ModelAdmin):
    list_display = ["program", "slot_minutes", "jitsi_base_url", "stalled_after_days"]


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = ["program", "learner_year", "every_days"]
    list_filter = ["program"]


@admin.register(AgendaTemplate)
class AgendaTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "learner_year", "milestone"]
    list_filter = ["program", "learner_year"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    """Times and places only: notes are personal and stay out of the admin."""

    list_display = ["title", "kind", "starts_at", "duration_minutes", "cancelled_at"]
    list_filter = ["kind"]
    date_hierarchy = "starts_at"
    exclude = ["uid"]
    raw_id_fields = ["relationship", "group", "organiser"]


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ["title", "relationship", "status"]
    raw_id_fields = ["relationship"]
