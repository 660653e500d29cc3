from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hearth.communities.models import Relationship
from hearth.lib.http import AuthenticatedRequest
from hearth.people.models import Person
from hearth.people.permissions import (
    get_directed_program,
    get_note_for_mentor,
    get_reported_note_for_director,
)

from . import services
from .forms import NoteForm
from .models import ThankYouNote


@login_required
def thanks(request: AuthenticatedRequest) -> HttpResponse:
    mentors = Person.objects.filter(
        pk__in=Relationship.objects.filter(mentee=request.user).values("mentor_id")
    )
    form = NoteForm(request.POST or None)
    form.fields["mentor"].queryset = mentors  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.note_send(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your note is on its way. Thank you for sending it.")
            return redirect("thanks")
    received = ThankYouNote.objects.filter(
        mentor=request.user, hidden_at__isnull=True
    ).select_related("author")
    sent = ThankYouNote.objects.filter(author=request.user).select_related("mentor")
    return render(
        request,
        "recognition/thanks.html",
        {"form": form if mentors.exists() else None, "received": received, "sent": sent},
    )


@require_POST
@login_required
def note_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    services.note_report(note=get_note_for_mentor(request.user, pk))
    messages.success(request, "Reported. A program director will look at it.")
    return redirect("thanks")


@login_required
def reported_notes(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    notes = ThankYouNote.objects.filter(program=program, reported_at__isnull=False).select_related(
        "author", "mentor", "hidden_by"
    )
    return render(request, "recognition/reported.html", {"program": program, "notes": notes})


@require_POST
@login_required
def note_hide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    note = get_reported_note_for_director(request.user, pk)
    try:
        services.note_hide(note=note, director=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "The note is hidden from the mentor; the record keeps it.")
    return redirect("reported_notes", note.program.slug)
