from __future__ import annotations

from django.urls import path

from . import views, views_audio, views_exchange, views_suggest

urlpatterns = [
    path("studies/", views.study_list, name="studies"),
    path("studies/new/", views.study_new, name="study_new"),
    path("studies/<int:pk>/", views.study_detail, name="study"),
    path("studies/<int:pk>/settings/", views.study_settings, name="study_settings"),
    path(
        "studies/<int:pk>/members/<int:member_pk>/remove/",
        views.member_remove,
        name="study_member_remove",
    ),
    path("studies/<int:pk>/reconciliation/", views.reconciliation, name="study_reconciliation"),
    path("studies/<int:pk>/audit/", views.study_audit, name="study_audit"),
    path("studies/<int:pk>/participants/", views.participants, name="study_participants"),
    path("studies/participants/<int:pk>/", views.participant_detail, name="participant"),
    path("studies/consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("studies/<int:pk>/import/", views.source_import, name="source_import"),
    path("studies/<int:pk>/pulse/", views.pulse_import, name="study_pulse_import"),
    path("studies/<int:pk>/recordings/new/", views_audio.recording_upload, name="recording_upload"),
    path("studies/recordings/<int:pk>/", views_audio.recording, name="recording"),
    path("studies/recordings/<int:pk>/audio", views_audio.recording_audio, name="recording_audio"),
    path(
        "studies/recordings/<int:pk>/transcribe/",
        views_audio.recording_transcribe,
        name="recording_transcribe",
    ),
    path(
        "studies/recordings/<int:pk>/turns/<int:turn_pk>/",
        views_audio.turn_edit,
        name="recording_turn",
    ),
    path("studies/sources/<int:pk>/", views.source_code, name="source_code"),
    path("studies/sources/<int:pk>/segments/", views.segment_add, name="segment_add"),
    path("studies/sources/<int:pk>/deidentify/", views.source_deidentify, name="source_deidentify"),
    path("studies/segments/<int:pk>/remove/", views.segment_remove, name="segment_remove"),
    path("studies/<int:pk>/memos/", views.memo_add, name="memo_add"),
    path("studies/<int:pk>/codebook/", views.codebook, name="codebook"),
    path("studies/codes/<int:pk>/", views.code_detail, name="code"),
    path("studies/<int:pk>/search/", views.study_search, name="study_search"),
    path("studies/<int:pk>/co-occurrence/", views.cooccurrence, name="study_cooccurrence"),
    path("studies/<int:pk>/agreement/", views.agreement_page, name="study_agreement"),
    path("studies/<int:pk>/themes/", views.themes, name="study_themes"),
    path("studies/themes/<int:pk>/", views.theme_detail, name="theme"),
    path("studies/<int:pk>/report/", views.report_page, name="study_report"),
    path("studies/<int:pk>/report.docx", views.report_docx, name="study_report_docx"),
    path("studies/<int:pk>/report.pdf", views.report_pdf, name="study_report_pdf"),
    path("studies/<int:pk>/coded-segments.csv", views.segments_csv, name="study_segments_csv"),
    path("studies/<int:pk>/dataset.csv", views.dataset_csv, name="study_dataset_csv"),
    path("studies/<int:pk>/suggestions/", views_suggest.suggestions_page, name="study_suggestions"),
    path(
        "studies/<int:pk>/suggestions/train/",
        views_suggest.suggestions_train,
        name="study_suggestions_train",
    ),
    path(
        "studies/suggestions/<int:pk>/accept/",
        views_suggest.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        "studies/suggestions/<int:pk>/dismiss/",
        views_suggest.suggestion_dismiss,
        name="suggestion_dismiss",
    ),
    path(
        "studies/sources/<int:pk>/suggestions/",
        views_suggest.source_suggestions_note,
        name="source_suggestions_note",
    ),
    path("studies/import/", views_exchange.study_import, name="study_import"),
    path("studies/<int:pk>/study.qdpx", views_exchange.study_qdpx, name="study_qdpx"),
    path("studies/<int:pk>/codebook.qdc", views_exchange.codebook_qdc, name="codebook_qdc"),
    path(
        "studies/<int:pk>/codebook/import/",
        views_exchange.codebook_exchange,
        name="codebook_exchange",
    ),
]
