from __future__ import annotations

from django.urls import path

from . import booking_views

urlpatterns = [
    path("account/availability/", booking_views.availability, name="availability"),
    path(
        "account/availability/<int:pk>/remove/",
        booking_views.availability_remove,
        name="availability_remove",
    ),
    path("relationships/<int:pk>/book/", booking_views.book, name="book"),
]
