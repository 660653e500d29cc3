from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("account/my-data/", views.my_data, name="my_data"),
]
