from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("circles/", views.serendipity_home, name="serendipity"),
    path("circles/new/", views.circle_new, name="circle_new"),
    path("circles/<int:pk>/", views.circle_detail, name="circle"),
    path("circles/<int:pk>/join/", views.circle_join, name="circle_join"),
    path("circles/<int:pk>/leave/", views.circle_leave, name="circle_leave"),
    path("circles/<int:pk>/pause/", views.member_pause, name="circle_pause"),
    path("circles/<int:pk>/skip/", views.member_skip, name="circle_skip"),
    path("circles/<int:pk>/availability/", views.availability_save, name="circle_availability"),
    path("circles/<int:pk>/run/", views.round_run_now, name="round_run_now"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing"),
    path("pairings/<int:pk>/answer/", views.pairing_respond, name="pairing_respond"),
    path("drop-in/", views.drop_in_list, name="drop_ins"),
    path("drop-in/<int:pk>/close/", views.drop_in_close, name="drop_in_close"),
]
