"""Request bodies refused by their announced size, before any of them is read.

Each page that takes a file declares the largest it accepts (`accepts_upload`); a page that
takes none accepts none. `UploadLimitMiddleware` refuses a body longer than that plus
Django's own allowance for a form's other fields (DATA_UPLOAD_MAX_MEMORY_SIZE) without
reading it. A file just over a page's limit still reaches the page, whose form says so in its
own words; a body far over it no longer fills the disk first. Django reads no more of a body
than its Content-Length, so the announced length bounds what arrives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

View = TypeVar("View", bound=Callable[..., Any])
Limit = int | Callable[[], int]


def accepts_upload(limit: Limit) -> Callable[[View], View]:
    """Mark a view as taking files of up to `limit` bytes (or a callable giving them, for a
    limit set in settings)."""

    def mark(view: View) -> View:
        view.upload_limit = limit  # type: ignore[attr-defined]
        return view

    return mark


def upload_limit(view: Callable[..., Any]) -> int:
    """The bytes of files `view` takes; decorators that wrap it copy the mark."""
    limit: Limit = getattr(view, "upload_limit", 0)
    return limit() if callable(limit) else limit


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = (
        f"This page takes files of at most {_megabytes(limit)}, and what was sent is larger. "
        "Nothing was saved."
        if limit
        else "This page takes no files, and what was sent is larger than a form. Nothing was saved."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    body = render_to_string("413.html", {"message": message, "back": back}, request=request)
    # The body is left unread; the server closes the connection (a hop-by-hop header is
    # the server's to set, not the application's).
    return HttpResponse(body, status=413)


class UploadLimitMiddleware:
    """Placed before CSRF checking, which is the first to read a form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if fields is None:  # the operator turned Django's own limit off
            return None
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        limit = upload_limit(view)
        if announced > limit + fields:
            return _too_large(request, limit)
        return None
