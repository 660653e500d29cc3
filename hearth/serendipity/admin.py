from __future__ import annotations

from django.contrib import admin

from .models import Circle, CircleMember, DropIn, Pairing, PairingMember, Round, RoundAbsence


class CircleMemberInline(admin.TabularInline):
    model = CircleMember
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "audience", "cadence", "group_size", "next_round_at"]
    list_filter = ["program", "cadence", "group_size"]
    raw_id_fields = ["created_by"]
    inlines = [CircleMemberInline]


class PairingMemberInline(admin.TabularInline):
    model = PairingMember
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_at", "people_placed", "repeated_pairs", "cross_share"]
    list_filter = ["circle"]


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "prompt", "repeated"]
    inlines = [PairingMemberInline]


@admin.register(RoundAbsence)
class RoundAbsenceAdmin(admin.ModelAdmin):
    list_display = ["round", "person", "reason"]
    raw_id_fields = ["person"]


@admin.register(DropIn)
class DropInAdmin(admin.ModelAdmin):
    list_display = ["host", "program", "starts_at", "ends_at", "closed_at"]
    raw_id_fields = ["host"]
