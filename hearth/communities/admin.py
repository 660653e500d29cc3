from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AssessmentExclusion,
    AttributeDefinition,
    Cohort,
    Community,
    GroupMembership,
    MentorGroup,
    Program,
    Relationship,
)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "years_of_study"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "program"]
    list_filter = ["program"]


@admin.register(MentorGroup)
class MentorGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "capacity"]
    list_filter = ["community__program", "community"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "class_year"]


@admin.register(GroupMembership)
class GroupMembershipAdmin(SimpleHistoryAdmin):
    """Corrections of mistakes only; real-world changes go through the services."""

    list_display = ["person", "group", "role", "start_date", "end_date", "end_reason"]
    list_filter = ["role", "end_reason", "program"]
    search_fields = ["person__display_name", "person__email"]
    autocomplete_fields = ["person"]


@admin.register(Relationship)
class RelationshipAdmin(SimpleHistoryAdmin):
    list_display = ["mentor", "mentee", "kind", "status", "start_date", "end_date"]
    list_filter = ["kind", "status", "program"]
    autocomplete_fields = ["mentor", "mentee"]


@admin.register(AssessmentExclusion)
class AssessmentExclusionAdmin(SimpleHistoryAdmin):
    list_display = ["assessor", "learner", "program", "reason"]
    autocomplete_fields = ["assessor", "learner"]


admin.site.register(AttributeDefinition)
