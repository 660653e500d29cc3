from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Interest, Person, RoleGrant, Supervision


@admin.register(Person)
class PersonAdmin(UserAdmin, SimpleHistoryAdmin):
    ordering = ["display_name"]
    list_display = ["display_name", "email", "department", "academic_rank", "class_year"]
    search_fields = ["display_name", "email", "external_id"]
    list_filter = ["academic_rank", "class_year", "is_staff", "is_superuser"]
    filter_horizontal = ["interests", "groups", "user_permissions"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "display_name",
                    "pronouns",
                    "external_id",
                    "time_zone",
                    "department",
                    "academic_rank",
                    "class_year",
                    "learner_year",
                    "interests",
                )
            },
        ),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )


@admin.register(RoleGrant)
class RoleGrantAdmin(SimpleHistoryAdmin):
    list_display = ["person", "role", "program", "community"]
    list_filter = ["role", "program"]
    autocomplete_fields = ["person"]


@admin.register(Supervision)
class SupervisionAdmin(SimpleHistoryAdmin):
    list_display = ["supervisor", "supervisee", "start_date", "end_date"]
    autocomplete_fields = ["supervisor", "supervisee"]


admin.site.register(Interest)
