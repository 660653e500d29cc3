from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import (
    can_manage_circle,
    directs_program,
    get_circle_for_user,
    get_managed_circle,
    get_pairing_for_user,
    get_round_for_manager,
    scope_of,
    visible_circles,
    visible_drop_ins,
    visible_programs,
)

from . import selectors, services
from .forms import CircleForm, DropInForm, PauseForm, WindowFormSet
from .models import CircleMember, MemberStatus, Response


@login_required
def serendipity_home(request: AuthenticatedRequest) -> HttpResponse:
    circles = selectors.circles_with_counts(
        visible_circles(request.user).filter(archived_at__isnull=True)
    )
    mine = set(
        CircleMember.objects.filter(person=request.user, status=MemberStatus.ACTIVE).values_list(
            "circle_id", flat=True
        )
    )
    in_now, _ = selectors.drop_ins_now_and_next(visible_programs(request.user), timezone.now())
    return render(
        request,
        "serendipity/home.html",
        {
            "my_circles": [c for c in circles if c.pk in mine],
            "other_circles": [c for c in circles if c.pk not in mine],
            "pairings": selectors.current_pairings(request.user),
            "drop_ins_now": in_now,
        },
    )


def _may_choose_audience(request: AuthenticatedRequest) -> bool:
    scope = scope_of(request.user)
    return scope.superuser or bool(scope.directed_programs)


@login_required
def circle_new(request: AuthenticatedRequest) -> HttpResponse:
    programs = visible_programs(request.user)
    form = CircleForm(
        request.POST or None, programs=programs, may_choose_audience=_may_choose_audience(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        program = data["program"]
        # Only a program's directors choose who may join; anyone else starts an open circle.
        director = directs_program(request.user, program)
        try:
            circle = services.circle_create(
                program=program,
                created_by=request.user,
                name=data["name"],
                description=data["description"],
                audience=data.get("audience", "everyone") if director else "everyone",
                senior_from_year=data.get("senior_from_year") or 3,
                cadence=data["cadence"],
                group_size=data["group_size"],
                first_round_at=form.first_round_at(request.user.time_zone),
                mix_communities=data["mix_communities"],
                mix_departments=data["mix_departments"],
                mix_ranks=data["mix_ranks"],
                never_same_community=data["never_same_community"],
                mentor_learner_cross_community_only=data["mentor_learner_cross_community_only"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{circle.name}” is ready. People can now opt in.")
            return redirect("circle", circle.pk)
    return render(request, "serendipity/circle_new.html", {"form": form})


def _circle_context(request: AuthenticatedRequest, circle, pause_form=None, windows=None):  # noqa: ANN001, ANN202
    member = selectors.membership_of(circle, request.user)
    active = member is not None and member.status == MemberStatus.ACTIVE
    if windows is None and member is not None and active:
        initial = [
            {"weekday": w.weekday, "start": w.start, "end": w.end} for w in member.windows.all()
        ]
        windows = WindowFormSet(initial=initial, prefix="w")
    manager = can_manage_circle(request.user, circle)
    return {
        "circle": circle,
        "member": member if active else None,
        "eligible": selectors.is_eligible(circle, request.user),
        "summary": selectors.circle_summary(circle),
        "rounds": list(circle.rounds.all()[:12]) if manager else [],
        "manager": manager,
        "pause_form": pause_form or PauseForm(),
        "windows": windows,
        "latest": selectors.latest_pairing_of(request.user, circle) if active else None,
        "today": timezone.localdate(),
    }


@login_required
def circle_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_circle_for_user(request.user, pk)
    return render(request, "serendipity/circle_detail.html", _circle_context(request, circle))


def _participation(
    request: AuthenticatedRequest,
    circle,  # noqa: ANN001
    saved: bool = False,
    **extra,  # noqa: ANN003
) -> HttpResponse:
    context = {**_circle_context(request, circle, **extra), "saved": saved}
    if request.htmx:
        return render(request, "serendipity/circle_detail.html#participation", context)
    if saved:
        messages.success(request, "Your free times are saved.")
    return redirect("circle", circle.pk)


def _own_member(request: AuthenticatedRequest, circle) -> CircleMember:  # noqa: ANN001
    member = selectors.membership_of(circle, request.user)
    if member is None or member.status != MemberStatus.ACTIVE:
        raise Http404("You are not in this circle.")
    return member


@require_POST
@login_required
def circle_join(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_circle_for_user(request.user, pk)
    try:
        services.circle_join(circle=circle, person=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("circle", circle.pk)
    messages.success(request, "You are in. Add when you are usually free so pairs can find a time.")
    return redirect("circle", circle.pk)


@require_POST
@login_required
def circle_leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_circle_for_user(request.user, pk)
    services.circle_leave(member=_own_member(request, circle))
    messages.success(request, f"You have left “{circle.name}”. You can join again at any time.")
    return redirect("circle", circle.pk)


@require_POST
@login_required
def member_pause(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_circle_for_user(request.user, pk)
    member = _own_member(request, circle)
    if "resume" in request.POST:
        services.member_pause(member=member, until=None)
        return _participation(request, circle)
    form = PauseForm(request.POST)
    if form.is_valid():
        try:
            services.member_pause(member=member, until=form.cleaned_data["until"])
        except ValidationError as error:
            form.add_error("until", error)
    return _participation(request, circle, pause_form=form)


@require_POST
@login_required
def member_skip(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_circle_for_user(request.user, pk)
    member = _own_member(request, circle)
    services.member_skip_next(member=member, skip="undo" not in request.POST)
    return _participation(request, circle)


@require_POST
@login_required
def availability_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_circle_for_user(request.user, pk)
    member = _own_member(request, circle)
    formset = WindowFormSet(request.POST, prefix="w")
    if formset.is_valid():
        windows = [w for w in (form.window() for form in formset) if w is not None]
        services.availability_replace(member=member, windows=windows)
        return _participation(request, circle, saved=True)
    return _participation(request, circle, windows=formset)


@require_POST
@login_required
def round_run_now(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    circle = get_managed_circle(request.user, pk)
    round_ = services.round_run(circle=circle)
    messages.success(request, f"Round {round_.number} has run; everyone placed has been emailed.")
    return redirect("round", round_.pk)


@login_required
def round_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_round_for_manager(request.user, pk)
    pairings, absences = selectors.round_detail(round_)
    return render(
        request,
        "serendipity/round_detail.html",
        {"round": round_, "pairings": pairings, "absences": absences},
    )


@login_required
def pairing_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pairing = get_pairing_for_user(request.user, pk)
    mine = pairing.members.filter(person=request.user).first()
    return render(
        request,
        "serendipity/pairing_detail.html",
        {
            "pairing": pairing,
            "round": pairing.round,
            "mine": mine,
            "profiles": selectors.pairing_profiles(pairing, request.user),
            "responses": Response.choices,
            "times": [dt.datetime.fromisoformat(t) for t in pairing.suggested_times],
        },
    )


@require_POST
@login_required
def pairing_respond(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pairing = get_pairing_for_user(request.user, pk)
    mine = pairing.members.filter(person=request.user).first()
    if mine is None:
        raise Http404("Only the people introduced answer.")
    try:
        services.pairing_respond(member=mine, response=request.POST.get("response", ""))
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=400)
    context = {"pairing": pairing, "mine": mine, "responses": Response.choices}
    if request.htmx:
        return render(request, "serendipity/pairing_detail.html#response", context)
    return redirect("pairing", pairing.pk)


@login_required
def drop_in_list(request: AuthenticatedRequest) -> HttpResponse:
    programs = visible_programs(request.user)
    hostable = programs.filter(
        memberships__person=request.user,
        memberships__role="mentor",
        memberships__end_date__isnull=True,
    ).distinct()
    form = DropInForm(request.POST or None, programs=hostable, time_zone=request.user.time_zone)
    if request.method == "POST" and hostable.exists() and form.is_valid():
        starts, ends = form.window()
        try:
            services.drop_in_open(
                host=request.user,
                program=form.cleaned_data["program"],
                starts_at=starts,
                ends_at=ends,
                topic=form.cleaned_data["topic"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Your door is open. People in your program can see you are in."
            )
            return redirect("drop_ins")
    in_now, later = selectors.drop_ins_now_and_next(programs, timezone.now())
    return render(
        request,
        "serendipity/drop_ins.html",
        {"in_now": in_now, "later": later, "form": form if hostable.exists() else None},
    )


@require_POST
@login_required
def drop_in_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    drop_in = visible_drop_ins(request.user).filter(pk=pk, host=request.user).first()
    if drop_in is None:
        raise Http404("Not found.")
    services.drop_in_close(drop_in=drop_in)
    messages.success(request, "Your door is closed.")
    return redirect("drop_ins")
