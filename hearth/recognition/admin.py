from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Acknowledgment, IssuedDocument, TeachingCreditRule


@admin.register(TeachingCreditRule)
class TeachingCreditRuleAdmin(admin.ModelAdmin):
    list_display = [
        "program",
        "label",
        "credits_per_relationship",
        "min_hours_per_year",
        "max_credits_per_year",
    ]


@admin.register(Acknowledgment)
class AcknowledgmentAdmin(admin.ModelAdmin):
    list_display = ["mentor", "sender", "program", "created_at"]
    list_filter = ["program"]
    raw_id_fields = ["sender", "mentor"]


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """Read-only: an issued document is a record of what Hearth signed, never edited."""

    list_display = ["code", "kind", "person", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["code", "person__display_name", "person__email"]
    readonly_fields = ["kind", "person", "issued_at", "content", "code", "pdf_sha256"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: IssuedDocument | None = None
    ) -> bool:
        return False
