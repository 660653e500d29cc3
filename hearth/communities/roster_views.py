"""Roster import pages (upload, preview with every error, confirm) — being built."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def roster_import(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def roster_import_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    raise Http404


def roster_template(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    raise Http404
