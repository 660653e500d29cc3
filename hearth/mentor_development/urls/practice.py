from __future__ import annotations

from django.urls import URLPattern, path

from ..views import practice as views

urlpatterns: list[URLPattern] = [
    path("development/series/<int:pk>/circles/", views.series_circles, name="practice_circles"),
    path("development/circles/<int:pk>/", views.circle_detail, name="practice_circle"),
    path(
        "development/circles/<int:pk>/meetings/new/",
        views.circle_meeting_new,
        name="practice_circle_meeting_new",
    ),
    path(
        "development/circles/<int:pk>/questions/",
        views.circle_questions,
        name="practice_circle_questions",
    ),
]
