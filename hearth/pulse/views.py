from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hearth.lib.charts import theme_trend_svg
from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import get_directed_program

from . import selectors, services
from .forms import CheckInForm, WaveForm
from .models import PulseWave
from .scoring import load_item_bank


def _open_wave(request: AuthenticatedRequest, pk: int) -> PulseWave:
    for check_in in selectors.open_check_ins(request.user):
        if check_in.wave.pk == pk:
            return check_in.wave
    raise Http404("No open check-in.")


@login_required
def my_pulse(request: AuthenticatedRequest) -> HttpResponse:
    bank = load_item_bank()
    trend = selectors.my_trend(request.user, bank)
    check_ins = selectors.open_check_ins(request.user)
    pending = next((c for c in check_ins if c.response is None), None)
    form = None
    if pending is not None:
        form = CheckInForm(bank=bank)
    return render(
        request,
        "pulse/my_pulse.html",
        {
            "bank": bank,
            "trend": trend,
            "chart": theme_trend_svg(trend.chart_rows, [w.label for w in trend.waves])
            if trend.chart_rows
            else "",
            "check_ins": check_ins,
            "pending": pending,
            "form": form,
            "suggestions": selectors.my_suggestions(request.user),
        },
    )


@require_POST
@login_required
def check_in(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    wave = _open_wave(request, pk)
    bank = load_item_bank()
    if "skip" in request.POST:
        services.response_skip(wave=wave, person=request.user)
        messages.success(request, f"Skipped the {wave.label} check-in. Thank you for saying so.")
        return redirect("pulse")
    form = CheckInForm(request.POST, bank=bank)
    if form.is_valid():
        try:
            services.response_submit(
                wave=wave,
                person=request.user,
                answers=form.answers(),
                free_text=form.cleaned_data["free_text"],
                free_text_to_studies=form.cleaned_data["free_text_to_studies"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: your check-in is saved.")
            return redirect("pulse")
    trend = selectors.my_trend(request.user, bank)
    return render(
        request,
        "pulse/my_pulse.html",
        {
            "bank": bank,
            "trend": trend,
            "chart": "",
            "check_ins": selectors.open_check_ins(request.user),
            "pending": selectors.OpenCheckIn(wave=wave, response=None),
            "form": form,
        },
        status=400,
    )


@login_required
def program_pulse(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    form = WaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.wave_open(program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The {opened.label} check-in is open; mentors are invited.")
            return redirect("program_pulse", program.slug)
    wave = None
    wave_id = request.GET.get("wave", "")
    if wave_id:
        if not wave_id.isdigit():
            raise Http404("No such check-in.")
        wave = get_object_or_404(PulseWave, program=program, pk=int(wave_id))
    return render(
        request,
        "pulse/program_pulse.html",
        {
            "program": program,
            "pulse": selectors.program_pulse(program, wave),
            "flagged": selectors.flagged_by_community(program),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
def program_pulse_csv(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    rows = selectors.pulse_table(program)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pulse-{program.slug}.csv"'
    writer = csv.DictWriter(response, fieldnames=selectors.PULSE_TABLE_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return response
