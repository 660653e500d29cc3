from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("programs/<slug:slug>/matching/", views.matching_home, name="matching"),
    path("programs/<slug:slug>/matching/rules/", views.match_rules, name="match_rules"),
    path(
        "programs/<slug:slug>/matching/classes/<int:cohort_pk>/preferences/",
        views.preferences_upload,
        name="match_preferences",
    ),
    path(
        "programs/<slug:slug>/matching/classes/<int:cohort_pk>/preferences/window/",
        views.preference_window,
        name="match_preference_window",
    ),
    path(
        "matching/classes/<int:cohort_pk>/choices/",
        views.community_choices,
        name="community_choices",
    ),
    path("programs/<slug:slug>/matching/rounds/new/", views.round_new, name="mentoring_round_new"),
    path("matching/rounds/<int:pk>/", views.round_detail, name="mentoring_round"),
    path(
        "matching/rounds/<int:pk>/preferences/",
        views.round_preferences_upload,
        name="round_preferences",
    ),
    path("matching/rounds/<int:pk>/choices/", views.round_choices, name="round_choices"),
    path("matching/runs/<int:pk>/", views.run_detail, name="match_run"),
    path("matching/runs/<int:pk>/override/", views.run_override, name="match_override"),
    path("matching/runs/<int:pk>/pair/", views.run_pair_override, name="match_pair_override"),
    path("matching/runs/<int:pk>/again/", views.run_again, name="match_run_again"),
    path("matching/runs/<int:pk>/publish/", views.run_publish, name="match_publish"),
    path("matching/runs/<int:pk>/rematch/", views.run_rematch, name="match_rematch"),
]
