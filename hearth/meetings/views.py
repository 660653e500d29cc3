from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import (
    get_meeting_for_user,
    get_mentored_group,
    get_own_relationship,
)

from . import booking, selectors, services
from .forms import (
    ActionItemForm,
    AgendaItemForm,
    GoalForm,
    MeetingForm,
    NoteForm,
    RescheduleForm,
)
from .models import AgendaTemplate, EmailPreference, Goal, Meeting


@login_required
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "meetings/meeting_list.html",
        {"overview": selectors.my_meetings(person=request.user)},
    )


@login_required
def meeting_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = get_own_relationship(request.user, pk)
    templates = AgendaTemplate.objects.filter(program=relationship.program)
    form = MeetingForm(
        request.POST or None,
        templates=templates,
        time_zone=request.user.time_zone,
        initial={"template": selectors.proposed_template(relationship=relationship)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                organiser=request.user,
                relationship=relationship,
                title=data["title"],
                kind=data["kind"],
                starts_at=form.starts_at(),
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                video_url=data["video_url"],
                open_conversation=data["open_conversation"],
                template=data["template"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Meeting planned; the invitation is on its way.")
            return redirect("meeting", pk=meeting.pk)
    return render(
        request, "meetings/meeting_new.html", {"relationship": relationship, "form": form}
    )


@login_required
def group_meeting_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    group = get_mentored_group(request.user, pk)
    templates = AgendaTemplate.objects.filter(program=group.community.program)
    form = MeetingForm(
        request.POST or None,
        templates=templates,
        time_zone=request.user.time_zone,
        initial={"kind": "group", "title": f"{group.name} group session"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                organiser=request.user,
                group=group,
                title=data["title"],
                kind=data["kind"],
                starts_at=form.starts_at(),
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                video_url=data["video_url"],
                open_conversation=data["open_conversation"],
                template=data["template"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Group session planned; the invitations are on their way.")
            return redirect("meeting", pk=meeting.pk)
    return render(request, "meetings/meeting_new.html", {"group": group, "form": form})


def _detail_context(request: AuthenticatedRequest, meeting: Meeting) -> dict[str, object]:
    participants = selectors.meeting_participants(meeting)
    return {
        "meeting": meeting,
        "participants": participants,
        "agenda": meeting.agenda.all(),
        "notes": selectors.notes_visible_to(meeting=meeting, person=request.user),
        "action_items": meeting.action_items.select_related("owner"),
        "agenda_form": AgendaItemForm(),
        "note_form": NoteForm(),
        "action_form": ActionItemForm(participants=participants),
    }


@login_required
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    return render(request, "meetings/meeting_detail.html", _detail_context(request, meeting))


def _after_write(request: AuthenticatedRequest, meeting: Meeting, partial: str) -> HttpResponse:
    if request.htmx:
        return render(
            request, f"meetings/meeting_detail.html#{partial}", _detail_context(request, meeting)
        )
    return redirect("meeting", pk=meeting.pk)


@login_required
@require_POST
def agenda_item_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(
                meeting=meeting, person=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return _after_write(request, meeting, "agenda")


@login_required
@require_POST
def note_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        note = None
        if data["note_id"]:
            note = meeting.notes.filter(pk=data["note_id"], author=request.user).first()
            if note is None:
                raise Http404("Not found.")
        try:
            saved = services.note_save(
                meeting=meeting,
                author=request.user,
                visibility=data["visibility"],
                body=data["body"],
                note=note,
                base_version=data["base_version"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if saved.conflict_of_id:
                messages.warning(
                    request,
                    "Someone saved this note while you were editing: both versions are kept.",
                )
    return _after_write(request, meeting, "notes")


@login_required
@require_POST
def action_item_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    participants = selectors.meeting_participants(meeting)
    form = ActionItemForm(request.POST, participants=participants)
    if form.is_valid():
        owner = next(p for p in participants if str(p.pk) == form.cleaned_data["owner"])
        services.action_item_add(
            meeting=meeting,
            person=request.user,
            owner=owner,
            text=form.cleaned_data["text"],
            due_date=form.cleaned_data["due_date"],
        )
    return _after_write(request, meeting, "actions")


@login_required
@require_POST
def action_item_done(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    item = meeting.action_items.filter(pk=item_pk).first()
    if item is None:
        raise Http404("Not found.")
    services.action_item_done(item=item, person=request.user)
    return _after_write(request, meeting, "actions")


@login_required
@require_POST
def meeting_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    try:
        booking.booking_cancel(meeting=meeting, person=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Meeting cancelled; everyone has been told.")
    return redirect("meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_reschedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a date, a start time and a length to move the meeting.")
        return redirect("meeting", pk=meeting.pk)
    try:
        services.meeting_reschedule(
            meeting=meeting,
            person=request.user,
            starts_at=form.starts_at(request.user.time_zone),
            duration_minutes=form.cleaned_data["duration_minutes"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Meeting moved; everyone has been sent the new time.")
    return redirect("meeting", pk=meeting.pk)


@login_required
def goals(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = get_own_relationship(request.user, pk)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        goal = None
        if request.POST.get("goal_id"):
            goal = Goal.objects.filter(
                relationship=relationship, pk=request.POST["goal_id"]
            ).first()
        services.goal_save(
            relationship=relationship, person=request.user, goal=goal, **form.cleaned_data
        )
        messages.success(request, "Goal saved.")
        return redirect("goals", pk=relationship.pk)
    return render(
        request,
        "meetings/goals.html",
        {
            "relationship": relationship,
            "goals": selectors.goals_with_history(relationship),
            "form": form,
        },
    )


@login_required
def email_settings(request: AuthenticatedRequest) -> HttpResponse:
    preference, _ = EmailPreference.objects.get_or_create(person=request.user)
    fields = [
        "meeting_reminders",
        "agenda_prompts",
        "overdue_nudges",
        "action_item_reminders",
        "circle_reminders",
    ]
    if request.method == "POST":
        for name in fields:
            setattr(preference, name, request.POST.get(name) == "on")
        preference.save()
        messages.success(request, "Your email choices are saved.")
        return redirect("email_settings")
    return render(request, "meetings/email_settings.html", {"preference": preference})
