from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("thanks/", views.thanks, name="thanks"),
    path("thanks/<int:pk>/report/", views.note_report, name="note_report"),
    path("thanks/<int:pk>/hide/", views.note_hide, name="note_hide"),
    path("programs/<slug:slug>/thanks/", views.reported_notes, name="reported_notes"),
]
