from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/agenda/", views.agenda_item_add, name="agenda_item_add"),
    path("meetings/<int:pk>/notes/", views.note_save, name="note_save"),
    path("meetings/<int:pk>/actions/", views.action_item_add, name="action_item_add"),
    path(
        "meetings/<int:pk>/actions/<int:item_pk>/done/",
        views.action_item_done,
        name="action_item_done",
    ),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/move/", views.meeting_reschedule, name="meeting_reschedule"),
    path("relationships/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("relationships/<int:pk>/goals/", views.goals, name="goals"),
    path("groups/<int:pk>/meetings/new/", views.group_meeting_new, name="group_meeting_new"),
    path("account/email/", views.email_settings, name="email_settings"),
]
