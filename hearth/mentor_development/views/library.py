from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import (
    can_edit_guide,
    get_directed_program,
    get_editable_guide,
    get_guide_for_user,
)

from ..forms_library import GuideEditForm, GuideForm, GuideSearchForm
from ..selectors import library as selectors
from ..services import library as services


@login_required
def guide_list(request: AuthenticatedRequest) -> HttpResponse:
    form = GuideSearchForm(request.GET)
    query = domain = ""
    if form.is_valid():
        query, domain = form.cleaned_data["q"], form.cleaned_data["domain"]
    return render(
        request,
        "mentor_development/guide_list.html",
        {
            "form": form,
            "guides": selectors.guides_for(request.user, query=query, domain=domain),
            "searching": bool(query or domain),
            "domains": selectors.competency_domains(),
            "programs": selectors.programs_writing_guides(request.user),
        },
    )


@login_required
def guide_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    guide = get_guide_for_user(request.user, pk)
    return render(
        request,
        "mentor_development/guide_detail.html",
        {
            "guide": guide,
            "domains": selectors.competency_domains(),
            "can_edit": can_edit_guide(request.user, guide),
        },
    )


@login_required
def guide_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    form = GuideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guide = services.guide_create(program=program, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your guide is in the library.")
            return redirect("guide", guide.pk)
    return render(request, "mentor_development/guide_form.html", {"form": form, "program": program})


@login_required
def guide_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    guide = get_editable_guide(request.user, pk)
    form = GuideEditForm(
        request.POST or None,
        initial={
            "title": guide.title,
            "summary": guide.summary,
            "body": guide.body,
            "domains": guide.domains,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.guide_update(guide=guide, editor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect("guide", guide.pk)
    return render(
        request,
        "mentor_development/guide_form.html",
        {"form": form, "guide": guide, "program": guide.program},
    )
