from __future__ import annotations

from django.contrib import admin

from .models import (
    CommunityPreference,
    MatchConflict,
    MatchRun,
    MentoringRound,
    PairRule,
    RoundParticipant,
)


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    # Runs change through the services (publish, override); the admin only reads them.
    list_display = ["__str__", "program", "status", "created_at", "published_at"]
    list_filter = ["program", "kind", "status"]
    readonly_fields = [f.name for f in MatchRun._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False


@admin.register(MatchConflict)
class MatchConflictAdmin(admin.ModelAdmin):
    list_display = ["learner", "mentor", "kind", "program"]
    list_filter = ["program", "kind"]
    raw_id_fields = ["learner", "mentor"]


@admin.register(PairRule)
class PairRuleAdmin(admin.ModelAdmin):
    list_display = ["a", "b", "kind", "cohort"]
    raw_id_fields = ["a", "b"]


@admin.register(CommunityPreference)
class CommunityPreferenceAdmin(admin.ModelAdmin):
    list_display = ["learner", "community", "rank", "cohort"]
    list_filter = ["cohort"]
    raw_id_fields = ["learner"]


class ParticipantInline(admin.TabularInline):
    model = RoundParticipant
    extra = 0
    raw_id_fields = ["person"]


@admin.register(MentoringRound)
class MentoringRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "status", "policy", "starts_on"]
    inlines = [ParticipantInline]
