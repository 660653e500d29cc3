from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hearth.communities.models import Program
from hearth.people.permissions import get_directed_program

from . import selectors
from .documents import annual_report_pdf


def _report(program: Program, year: int) -> selectors.AnnualReport:
    try:
        return selectors.annual_report(program, dt.date(year, 7, 1))
    except ValueError as error:
        raise Http404("No such academic year.") from error


def _filename(report: selectors.AnnualReport, extension: str) -> str:
    years = f"{report.year}-{(report.year + 1) % 100:02d}"
    return f"annual-report-{report.program.slug}-{years}.{extension}"


@login_required
def annual_report(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    years = [(y.year, selectors.year_label(y)) for y in selectors.report_years(program)]
    chosen = request.GET.get("year", "")
    if chosen and not chosen.isdigit():
        raise Http404("No such academic year.")
    year = int(chosen) if chosen else selectors.academic_year_of(timezone.localdate()).year
    return render(
        request,
        "reports/annual_report.html",
        {"program": program, "report": _report(program, year), "years": years},
    )


@login_required
def annual_report_csv(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    report = _report(program, year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    writer = csv.DictWriter(response, fieldnames=selectors.REPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(selectors.report_rows(report))
    return response


@login_required
def annual_report_pdf_download(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    report = _report(program, year)
    response = HttpResponse(annual_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "pdf")}"'
    return response
