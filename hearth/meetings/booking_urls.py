from __future__ import annotations

from django.urls import path

from . import booking_views

urlpatterns = [
    path("account/availability/", booking_views.availability, name="availability"),
    path("relationships/<int:pk>/book/", booking_views.book, name="book"),
]
