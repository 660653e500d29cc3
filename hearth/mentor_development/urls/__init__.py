"""The pillar's pages, one module per area so each reads alone."""

from __future__ import annotations

from django.urls import URLPattern

from . import compacts, growth, library, practice, series

urlpatterns: list[URLPattern] = [
    *series.urlpatterns,
    *practice.urlpatterns,
    *compacts.urlpatterns,
    *library.urlpatterns,
    *growth.urlpatterns,
]
