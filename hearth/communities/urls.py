from __future__ import annotations

from django.urls import path

from . import roster_views, views

urlpatterns = [
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    path("programs/<slug:slug>/rollover/", views.rollover, name="rollover"),
    path("programs/<slug:slug>/firewall/", views.firewall, name="firewall"),
    path("programs/<slug:slug>/firewall.csv", views.firewall_csv, name="firewall_csv"),
    path("programs/<slug:slug>/change-requests/", views.change_requests, name="change_requests"),
    path(
        "change-requests/<int:pk>/decide/",
        views.change_request_decide,
        name="change_request_decide",
    ),
    path(
        "groups/<int:pk>/ask-for-another-mentor/",
        views.change_request_new,
        name="change_request_new",
    ),
    path("groups/<int:pk>/share-history/", views.share_history, name="share_history"),
    path("programs/<slug:slug>/import/", roster_views.roster_import, name="roster_import"),
    path(
        "programs/<slug:slug>/import/<int:pk>/",
        roster_views.roster_import_preview,
        name="roster_import_preview",
    ),
    path(
        "programs/<slug:slug>/import/template.<str:fmt>",
        roster_views.roster_template,
        name="roster_template",
    ),
    path("communities/<int:pk>/", views.community_detail, name="community"),
    path("relationships/<int:pk>/", views.relationship_detail, name="relationship"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
]
