from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import (
    can_run_series,
    get_practice_circle_for_user,
    get_series_for_user,
    visible_practice_circles,
)

from ..forms_practice import CircleForm, CircleMeetingForm, QuestionsForm
from ..models import PracticeCircle
from ..selectors import practice as selectors
from ..services import practice as services


@login_required
def series_circles(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk)
    runs = can_run_series(request.user, series)
    form = None
    if runs:
        form = CircleForm(request.POST or None, trainees=selectors.trainees_without_circle(series))
        if request.method == "POST" and form.is_valid():
            try:
                circle = services.practice_circle_create(
                    series=series,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    members=form.ordered_members(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{circle.name} is formed. Its members can now meet.")
                return redirect("practice_circles", series.pk)
    return render(
        request,
        "mentor_development/practice_circles.html",
        {
            "series": series,
            "runs": runs,
            "form": form,
            "circles": selectors.series_circles(series, visible_practice_circles(request.user)),
        },
    )


def _circle_page(
    request: AuthenticatedRequest,
    circle: PracticeCircle,
    *,
    meeting_form: CircleMeetingForm | None = None,
    questions_form: QuestionsForm | None = None,
) -> HttpResponse:
    overview = selectors.circle_overview(circle)
    is_member = request.user.pk in overview.member_ids()
    may_act = is_member or can_run_series(request.user, circle.series)
    return render(
        request,
        "mentor_development/practice_circle.html",
        {
            "circle": circle,
            "overview": overview,
            "is_member": is_member,
            "may_act": may_act,
            "meeting_form": meeting_form or CircleMeetingForm(time_zone=request.user.time_zone),
            "questions_form": questions_form
            or QuestionsForm(initial={"questions": "\n".join(circle.questions)}),
        },
    )


@login_required
def circle_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _circle_page(request, get_practice_circle_for_user(request.user, pk))


@require_POST
@login_required
def circle_meeting_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_practice_circle_for_user(request.user, pk)
    form = CircleMeetingForm(request.POST, time_zone=request.user.time_zone)
    if form.is_valid():
        try:
            services.practice_circle_meeting_plan(
                circle=circle,
                by=request.user,
                starts_at=form.starts_at(),
                duration_minutes=form.cleaned_data["duration_minutes"],
                video_url=form.cleaned_data["video_url"],
                location=form.cleaned_data["location"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Meeting planned; the invitations are on their way.")
            return redirect("practice_circle", circle.pk)
    return _circle_page(request, circle, meeting_form=form)


@require_POST
@login_required
def circle_questions(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_practice_circle_for_user(request.user, pk)
    form = QuestionsForm(request.POST)
    if form.is_valid():
        try:
            services.practice_circle_questions_save(
                circle=circle, by=request.user, questions=form.lines()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved. New meetings put these questions on the agenda.")
            return redirect("practice_circle", circle.pk)
    return _circle_page(request, circle, questions_form=form)
