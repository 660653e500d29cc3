from __future__ import annotations

from django.urls import path

from . import feeds

urlpatterns = [
    path("calendar/<str:secret>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("account/calendar/", feeds.calendar_settings, name="calendar_settings"),
]
