from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    path("communities/<int:pk>/", views.community_detail, name="community"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
]
