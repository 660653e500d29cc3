from __future__ import annotations

from django.urls import URLPattern, path

from ..views import series as views

urlpatterns: list[URLPattern] = [
    path("development/", views.development, name="development"),
    path(
        "development/programs/<slug:slug>/series/new/",
        views.series_new,
        name="training_series_new",
    ),
    path("development/programs/<slug:slug>/cases/", views.cases, name="training_cases"),
    path("development/programs/<slug:slug>/cases/new/", views.case_new, name="training_case_new"),
    path("development/cases/<int:pk>/edit/", views.case_edit, name="training_case_edit"),
    path("development/series/<int:pk>/", views.series_detail, name="training_series"),
    path("development/series/<int:pk>/edit/", views.series_edit, name="training_series_edit"),
    path(
        "development/series/<int:pk>/sessions/new/",
        views.session_new,
        name="training_session_new",
    ),
    path("development/series/<int:pk>/invite/", views.series_invite, name="training_invite"),
    path("development/series/<int:pk>/import/", views.series_import, name="training_import"),
    path("development/series/<int:pk>/join/", views.series_join, name="training_join"),
    path(
        "development/series/<int:pk>/certificate/",
        views.certificate,
        name="training_certificate",
    ),
    path(
        "development/enrolments/<int:pk>/respond/",
        views.enrolment_respond,
        name="training_enrolment_respond",
    ),
    path(
        "development/enrolments/<int:pk>/decide/",
        views.enrolment_decide,
        name="training_enrolment_decide",
    ),
    path("development/sessions/<int:pk>/", views.session_detail, name="training_session"),
    path("development/sessions/<int:pk>/edit/", views.session_edit, name="training_session_edit"),
    path(
        "development/sessions/<int:pk>/cancel/",
        views.session_cancel,
        name="training_session_cancel",
    ),
    path(
        "development/sessions/<int:pk>/check-in/",
        views.session_check_in,
        name="training_check_in",
    ),
    path(
        "development/sessions/<int:pk>/attendance/",
        views.attendance_mark,
        name="training_attendance",
    ),
    path(
        "development/sessions/<int:pk>/reflection/",
        views.reflection_save,
        name="training_reflection",
    ),
    path(
        "development/sessions/<int:pk>/follow-up/",
        views.follow_up_save,
        name="training_follow_up",
    ),
    path(
        "development/sessions/<int:pk>/cases/", views.session_cases, name="training_session_cases"
    ),
    path(
        "development/sessions/<int:pk>/cases/<int:case_pk>/response/",
        views.case_response,
        name="training_case_response",
    ),
]
