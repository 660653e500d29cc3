from __future__ import annotations

import datetime as dt
from itertools import groupby
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hearth.communities.models import Relationship
from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import get_own_relationship

from . import booking
from .booking_forms import AvailabilityForm
from .models import Availability


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: AuthenticatedRequest) -> HttpResponse:
    person = request.user
    programs = booking.programs_mentored_by(person)
    form = AvailabilityForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        local_start = dt.datetime.combine(
            data["date"], data["start_time"], tzinfo=ZoneInfo(person.time_zone)
        )
        weeks = data["weeks"]
        try:
            booking.availability_add(
                mentor=person,
                program=data["program"],
                starts_at=local_start,
                window_minutes=data["window_minutes"],
                time_zone=person.time_zone,
                rrule=f"FREQ=WEEKLY;COUNT={weeks}" if weeks > 1 else "",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your time is open for booking.")
            return redirect("availability")
    windows = Availability.objects.filter(mentor=person).select_related("program")
    return render(
        request,
        "meetings/availability.html",
        {
            "form": form,
            "has_programs": programs.exists(),
            "windows": windows,
            "time_zone": person.time_zone,
        },
    )


@login_required
@require_http_methods(["POST"])
def availability_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    window = Availability.objects.filter(mentor=request.user, pk=pk).first()
    if window is None:
        raise Http404("Not found.")
    booking.availability_remove(mentor=request.user, availability=window)
    messages.success(request, "That time is no longer offered. Meetings already booked stay.")
    return redirect("availability")


def _relationship_of_mentee(request: AuthenticatedRequest, pk: int) -> Relationship:
    relationship = get_own_relationship(request.user, pk)
    if relationship.mentee_id != request.user.pk:
        raise Http404("Not found.")
    return relationship


@login_required
@require_http_methods(["GET", "POST"])
def book(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = _relationship_of_mentee(request, pk)
    if request.method == "POST":
        try:
            slot_start = dt.datetime.fromisoformat(request.POST.get("slot", ""))
            meeting = booking.booking_create(
                learner=request.user, relationship=relationship, slot_start=slot_start
            )
        except ValueError:
            messages.error(request, "Choose one of the times shown.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Booked. You will find the meeting in your calendar.")
            return redirect(reverse("meeting", args=[meeting.pk]))
        return redirect("book", pk=relationship.pk)
    zone = ZoneInfo(request.user.time_zone)
    slots = [
        (s.isoformat(), s.astimezone(zone))
        for s in booking.slots_for(
            mentor=relationship.mentor, program=relationship.program, now=timezone.now()
        )
    ]
    days = [(day, list(times)) for day, times in groupby(slots, key=lambda s: s[1].date())]
    return render(
        request,
        "meetings/book.html",
        {"relationship": relationship, "days": days, "time_zone": request.user.time_zone},
    )
