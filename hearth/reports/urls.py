from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("programs/<slug:slug>/report/", views.annual_report, name="annual_report"),
    path(
        "programs/<slug:slug>/report/<int:year>.csv",
        views.annual_report_csv,
        name="annual_report_csv",
    ),
    path(
        "programs/<slug:slug>/report/<int:year>.pdf",
        views.annual_report_pdf_download,
        name="annual_report_pdf",
    ),
]
