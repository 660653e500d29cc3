"""Roster import pages: upload, preview with every error, confirm."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from hearth.lib.http import AuthenticatedRequest
from hearth.lib.uploads import accepts_upload
from hearth.people.permissions import get_directed_program

from . import roster
from .models import RosterImport


class RosterUploadForm(forms.Form):
    file = roster.SpreadsheetField(
        label="Roster file (CSV or XLSX)",
        # Empty files get the import's own message rather than the form's.
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx", "aria-describedby": "file-help"}),
    )


@login_required
@accepts_upload(roster.import_limit)
def roster_import(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            roster_import = roster.roster_upload(
                program=program,
                uploaded_by=request.user,
                filename=upload.name,
                content=upload.read(),
            )
        except roster.RosterFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("roster_import_preview", slug=program.slug, pk=roster_import.pk)
    return render(
        request,
        "communities/roster_import.html",
        {
            "program": program,
            "form": form,
            "columns": roster.COLUMNS,
            "communities": roster.communities_with_groups(program),
            "max_bytes": settings.HEARTH_MAX_IMPORT_BYTES,
        },
        status=400 if form.errors else 200,
    )


@login_required
def roster_import_preview(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    roster_import = roster.get_roster_import(program=program, pk=pk)
    if roster_import.applied_at is None and request.method == "POST":
        # The result page says what was imported, so no flash message repeats it.
        try:
            roster.roster_apply(roster_import=roster_import)
        except roster.RosterInvalid as invalid:
            return _preview(request, roster_import, invalid.plan)
        except roster.RosterAlreadyApplied:
            pass
        return redirect("roster_import_preview", slug=program.slug, pk=roster_import.pk)
    if roster_import.applied_at is not None:
        return _preview(request, roster_import, None)
    return _preview(request, roster_import, roster.roster_import_plan(roster_import))


def _preview(
    request: AuthenticatedRequest, roster_import: RosterImport, plan: roster.RosterPlan | None
) -> HttpResponse:
    return render(
        request,
        "communities/roster_import_preview.html",
        {
            "program": roster_import.program,
            "upload": roster_import,
            "plan": plan,
            "result": roster_import.summary.get("result"),
        },
    )


@login_required
@require_GET
def roster_template(request: AuthenticatedRequest, slug: str, fmt: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    if fmt == "csv":
        response = HttpResponse(roster.template_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            roster.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("Not found.")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-roster.{fmt}"'
    return response
