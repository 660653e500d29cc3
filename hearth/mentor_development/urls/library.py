from __future__ import annotations

from django.urls import URLPattern, path

from ..views import library as views

urlpatterns: list[URLPattern] = [
    path("guides/", views.guide_list, name="guides"),
    path("guides/<int:pk>/", views.guide_detail, name="guide"),
    path("guides/<int:pk>/edit/", views.guide_edit, name="guide_edit"),
    path("programs/<slug:slug>/guides/new/", views.guide_new, name="guide_new"),
]
