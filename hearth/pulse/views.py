from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hearth.communities.models import Relationship
from hearth.lib.charts import theme_trend_svg
from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import get_directed_program

from . import selectors, services
from .forms import CheckInForm, HarmRulesForm, ItemsForm, WaveForm
from .models import FeedbackSharing, HarmRuleSettings, PulseWave
from .scoring import load_competency_bank, load_item_bank


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


def _feedback_prefix(wave_pk: int, relationship_pk: int) -> str:
    return f"w{wave_pk}r{relationship_pk}"


def _feedback_page(
    request: AuthenticatedRequest, invalid: ItemsForm | None = None, status: int = 200
) -> HttpResponse:
    bank = load_competency_bank()
    to_rate, rated = [], []
    for item in selectors.open_feedback(request.user):
        prefix = _feedback_prefix(item.wave.pk, item.relationship.pk)
        if invalid is not None and invalid.prefix == prefix:
            to_rate.append((item, invalid))
        elif item.feedback is None:
            to_rate.append((item, ItemsForm(bank=bank, prefix=prefix)))
        else:
            rated.append(item)
    mentors = Relationship.objects.filter(mentor=request.user).exists()
    summary = selectors.my_mentee_feedback(request.user, bank) if mentors else None
    averages = {d.theme.key: d.mean for d in summary.overall} if summary else {}
    return render(
        request,
        "pulse/feedback.html",
        {
            "bank": bank,
            "to_rate": to_rate,
            "rated": rated,
            "mentors": mentors,
            "summary": summary,
            "rows": [(row, averages.get(row.theme.key)) for row in summary.rows] if summary else [],
            "sharing": FeedbackSharing.objects.filter(
                mentor=request.user, in_portfolio=True
            ).exists(),
        },
        status=status,
    )


@login_required
def mentee_feedback(request: AuthenticatedRequest) -> HttpResponse:
    return _feedback_page(request)


@require_POST
@login_required
def mentee_feedback_submit(
    request: AuthenticatedRequest, wave_pk: int, relationship_pk: int
) -> HttpResponse:
    open_feedback = next(
        (
            f
            for f in selectors.open_feedback(request.user)
            if f.wave.pk == wave_pk and f.relationship.pk == relationship_pk
        ),
        None,
    )
    if open_feedback is None:
        raise Http404("No open feedback for this relationship.")
    form = ItemsForm(
        request.POST,
        bank=load_competency_bank(),
        prefix=_feedback_prefix(wave_pk, relationship_pk),
    )
    if form.is_valid():
        try:
            services.feedback_submit(
                wave=open_feedback.wave,
                relationship=open_feedback.relationship,
                learner=request.user,
                answers=form.answers(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: your feedback is saved.")
            return redirect("mentee_feedback")
    return _feedback_page(request, invalid=form, status=400)


@require_POST
@login_required
def mentee_feedback_sharing(request: AuthenticatedRequest) -> HttpResponse:
    shown = request.POST.get("in_portfolio") == "1"
    services.feedback_sharing_set(mentor=request.user, in_portfolio=shown)
    messages.success(
        request,
        "Your feedback averages will appear in your portfolio."
        if shown
        else "Your feedback averages are left out of your portfolio.",
    )
    return redirect("mentee_feedback")


@login_required
def harm_rules(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    current = HarmRuleSettings.objects.filter(program=program).first() or HarmRuleSettings()
    form = HarmRulesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.harm_rules_set(program=program, **form.cleaned_data)
        messages.success(request, "The warning rules are saved; mentors' suggestions follow them.")
        return redirect("program_pulse", program.slug)
    return render(
        request,
        "pulse/harm_rules.html",
        {"program": program, "form": form, "flagged": selectors.flagged_by_community(program)},
        status=400 if form.errors else 200,
    )
