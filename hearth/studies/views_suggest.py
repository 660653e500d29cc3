from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import get_source_for_member, get_study_coder, get_study_member

from . import suggestions
from .models import JobStatus


@login_required
@vary_on_headers("HX-Request")
def suggestions_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_member(request.user, pk)
    study = member.study
    page = suggestions.suggestions_page(study, member)
    if request.htmx and request.GET.get("poll"):
        if page.run is None or page.run.status not in suggestions.ACTIVE:
            # The figures and the suggestions replace the progress bar.
            return HttpResponseClientRefresh()
        return render(
            request,
            "studies/suggestions.html#status",
            {"study": study, "member": member, "page": page},
        )
    return render(
        request,
        "studies/suggestions.html",
        {"study": study, "member": member, "page": page, "statuses": JobStatus},
    )


@require_POST
@login_required
def suggestions_train(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_study_coder(request.user, pk)
    try:
        suggestions.suggester_run_request(study=member.study, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("study_suggestions", pk)


def _decide(request: AuthenticatedRequest, pk: int, accept: bool) -> HttpResponse:
    suggestion, member = suggestions.get_suggestion_for_member(request.user, pk)
    if not member.codes:
        raise Http404("Not found.")
    error = ""
    try:
        if accept:
            suggestions.suggestion_accept(suggestion=suggestion, by=request.user)
        else:
            suggestions.suggestion_dismiss(suggestion=suggestion, by=request.user)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    suggestion.refresh_from_db()
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("study_suggestions", args=[member.study_id]) + f"#s-{pk}")
    return render(
        request,
        "studies/suggestions.html#suggestion",
        {"s": suggestion, "member": member, "error": error},
    )


@require_POST
@login_required
def suggestion_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=True)


@require_POST
@login_required
def suggestion_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, accept=False)


@login_required
def source_suggestions_note(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    source = get_source_for_member(request.user, pk)
    member = get_study_member(request.user, source.study_id)
    return render(
        request,
        "studies/suggestions_note.html",
        {"source": source, "waiting": suggestions.waiting_count(source, member)},
    )
