from __future__ import annotations

from django.urls import URLPattern, path

from ..views import growth as views

urlpatterns: list[URLPattern] = [
    path("development/series/<int:pk>/growth/", views.growth, name="series_growth"),
    path(
        "development/series/<int:pk>/growth/cohort/",
        views.growth_cohort,
        name="series_growth_cohort",
    ),
    path(
        "development/series/<int:pk>/growth/<str:moment>/",
        views.growth_rate,
        name="series_growth_rate",
    ),
]
