from __future__ import annotations

from django.urls import URLPattern, path

from ..views import compacts as views

urlpatterns: list[URLPattern] = [
    path("compacts/", views.compact_list, name="compacts"),
    path("compacts/<int:pk>/", views.compact_detail, name="compact"),
    path("compacts/<int:pk>/review/", views.compact_review, name="compact_review"),
    path(
        "relationships/<int:pk>/compact/", views.relationship_compact, name="relationship_compact"
    ),
    path("programs/<slug:slug>/compact/", views.compact_template, name="compact_template"),
]
