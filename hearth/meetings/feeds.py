"""Private calendar subscriptions: an unguessable URL per person, revoked by rotating it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hearth.lib.email import absolute_url
from hearth.lib.ics import feed_ics
from hearth.people.models import Person

from .models import CalendarFeed
from .selectors import meetings_of

FEED_DAYS_BACK = 60


def calendar_feed_rotate(*, person: Person) -> CalendarFeed:
    """Give the person a new feed secret; the old URL stops working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            person=person, defaults={"secret": secrets.token_urlsafe(32)}
        )
        if not created:
            feed.secret = secrets.token_urlsafe(32)
            feed.created_at = timezone.now()
            feed.save(update_fields=["secret", "created_at"])
    return feed


def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("person"), secret=secret, person__is_active=True
    )
    since = timezone.now() - dt.timedelta(days=FEED_DAYS_BACK)
    meetings = (
        meetings_of(feed.person)
        .filter(starts_at__gte=since)
        .select_related("organiser", "relationship__mentor", "relationship__mentee")
        .prefetch_related("agenda")
        .order_by("starts_at")
    )
    response = HttpResponse(
        feed_ics(feed.person, meetings), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="hearth.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("create", "rotate"):
            calendar_feed_rotate(person=person)
            if action == "rotate":
                messages.success(request, "New address made. The old one no longer works.")
            else:
                messages.success(request, "Your calendar address is ready.")
        return redirect("calendar_settings")
    feed = CalendarFeed.objects.filter(person=person).first()
    https_url = webcal_url = ""
    if feed is not None:
        https_url = absolute_url(reverse("calendar_feed", args=[feed.secret]))
        webcal_url = "webcal://" + https_url.split("://", 1)[1]
    return render(
        request,
        "meetings/calendar_settings.html",
        {"feed": feed, "https_url": https_url, "webcal_url": webcal_url},
    )
