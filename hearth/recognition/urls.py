from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("thanks/", views.thanks, name="thanks"),
    path("thanks/<int:pk>/report/", views.note_report, name="note_report"),
    path("thanks/<int:pk>/hide/", views.note_hide, name="note_hide"),
    path("programs/<slug:slug>/thanks/", views.reported_notes, name="reported_notes"),
    path("programs/<slug:slug>/acknowledgments/", views.acknowledgments, name="acknowledgments"),
    path(
        "programs/<slug:slug>/portfolio-settings/",
        views.portfolio_settings,
        name="portfolio_settings",
    ),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/pdf/", views.portfolio_pdf, name="portfolio_pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
]
