"""Admin for the mentor development pillar. Trainees' own words (reflections, case
responses) stay out of it: they are personal, and read in Hearth's pages by those meant to."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Compact,
    CompactTemplate,
    Enrolment,
    Guide,
    MentoringCase,
    PracticeCircle,
    PracticeCircleMember,
    TrainingSeries,
    TrainingSession,
)


class TrainingSessionInline(admin.TabularInline):
    model = TrainingSession
    fields = ["title", "starts_at", "duration_minutes", "format", "facilitator", "cancelled_at"]
    readonly_fields = ["cancelled_at"]
    extra = 0
    show_change_link = True


@admin.register(TrainingSeries)
class TrainingSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "self_enrolment", "sessions_to_complete", "created_at"]
    list_filter = ["program"]
    search_fields = ["title"]
    inlines = [TrainingSessionInline]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    """Times and places only; change sessions in Hearth so trainees' calendars follow."""

    list_display = ["title", "series", "starts_at", "format", "facilitator", "cancelled_at"]
    list_filter = ["series__program", "format"]
    search_fields = ["title", "series__title"]
    readonly_fields = ["uid", "sequence"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["person", "series", "status", "source", "created_at", "decided_at"]
    list_filter = ["status", "source", "series__program"]
    search_fields = ["person__display_name", "person__email", "series__title"]
    raw_id_fields = ["person", "decided_by"]


@admin.register(MentoringCase)
class MentoringCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "slug"]
    list_filter = ["program"]
    search_fields = ["title", "scenario"]


class PracticeCircleMemberInline(admin.TabularInline):
    model = PracticeCircleMember
    extra = 0


@admin.register(PracticeCircle)
class PracticeCircleAdmin(admin.ModelAdmin):
    list_display = ["name", "series"]
    list_filter = ["series__program"]
    inlines = [PracticeCircleMemberInline]


@admin.register(CompactTemplate)
class CompactTemplateAdmin(admin.ModelAdmin):
    list_display = ["program", "review_every_days", "updated_at"]


@admin.register(Compact)
class CompactAdmin(admin.ModelAdmin):
    """Read-only: a compact is the two people's agreement, changed only by them in Hearth."""

    list_display = ["relationship", "mentor_accepted_at", "mentee_accepted_at", "replaced_at"]
    readonly_fields = [f.name for f in Compact._meta.fields]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "reviewed_on"]
    list_filter = ["program"]
    search_fields = ["title"]
