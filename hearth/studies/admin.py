"""Site admins fix a study's team (say, when its lead leaves); they do not read its data here:
sources, codings and participants stay with the team, under the study's protocol."""

from __future__ import annotations

from django.contrib import admin

from .models import Study, StudyMember


class MemberInline(admin.TabularInline):
    model = StudyMember
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role", "added_at"]


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "approved_protocol", "created_at"]
    list_filter = ["program", "approved_protocol"]
    search_fields = ["title"]
    fields = ["program", "title", "approved_protocol", "protocol_reference", "keep_originals"]
    inlines = [MemberInline]
