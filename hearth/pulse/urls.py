from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("pulse/", views.my_pulse, name="pulse"),
    path("pulse/<int:pk>/", views.check_in, name="pulse_check_in"),
    path("feedback/", views.mentee_feedback, name="mentee_feedback"),
    path(
        "feedback/<int:wave_pk>/<int:relationship_pk>/",
        views.mentee_feedback_submit,
        name="mentee_feedback_submit",
    ),
    path("feedback/sharing/", views.mentee_feedback_sharing, name="mentee_feedback_sharing"),
    path("programs/<slug:slug>/pulse/", views.program_pulse, name="program_pulse"),
    path("programs/<slug:slug>/pulse/rules/", views.harm_rules, name="harm_rules"),
    path("programs/<slug:slug>/pulse.csv", views.program_pulse_csv, name="program_pulse_csv"),
]
