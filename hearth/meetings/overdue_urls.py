from __future__ import annotations

from django.urls import path

from . import overdue_views

urlpatterns = [
    path("programs/<slug:slug>/meetings/overdue/", overdue_views.overdue, name="overdue"),
]
