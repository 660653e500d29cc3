from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hearth.lib.http import AuthenticatedRequest
from hearth.people.permissions import (
    get_compact_for_user,
    get_directed_program,
    get_relationship_for_compact,
)

from ..forms_compacts import CompactForm, ReviewEveryForm, SectionFormSet
from ..selectors import compacts as selectors
from ..services import compacts as services


def _error(request: AuthenticatedRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def compact_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.compact_rows_for(request.user)
    return render(
        request,
        "mentor_development/compact_list.html",
        {
            "due": [row for row in rows if row.review_due],
            "rows": rows,
            "directed": selectors.programs_directed_by(request.user),
        },
    )


@login_required
def relationship_compact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = get_relationship_for_compact(request.user, pk)
    compact = selectors.current_compact(relationship)
    if compact is not None:
        return redirect("compact", compact.pk)
    if request.method == "POST":
        try:
            compact = services.compact_draft(relationship=relationship, person=request.user)
        except ValidationError as error:
            _error(request, error)
            return redirect("relationship_compact", relationship.pk)
        messages.success(
            request, "Your compact is started. Fill in what you can; the other side is told."
        )
        return redirect("compact", compact.pk)
    return render(
        request,
        "mentor_development/compact_start.html",
        {
            "relationship": relationship,
            "is_party": selectors.is_party(relationship, request.user),
            "template": selectors.compact_template_for(relationship.program),
            "history": selectors.compact_history(relationship),
        },
    )


@login_required
def compact_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    compact = get_compact_for_user(request.user, pk)
    relationship = compact.relationship
    party = selectors.is_party(relationship, request.user)
    editable = party and compact.replaced_at is None and not compact.accepted
    form = CompactForm(compact.sections, request.POST or None, initial=compact.answers)
    if request.method == "POST" and not editable:
        messages.error(request, "This compact cannot be changed here.")
        return redirect("compact", compact.pk)
    if request.method == "POST" and form.is_valid():
        accepting = request.POST.get("action") == "accept"
        try:
            compact = services.compact_edit(
                compact=compact, person=request.user, answers=form.cleaned_data
            )
            if accepting:
                compact = services.compact_accept(compact=compact, person=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not accepting:
                messages.success(request, "Saved.")
            elif compact.accepted:
                messages.success(request, "Accepted. You have both agreed this compact.")
            else:
                messages.success(
                    request,
                    f"Accepted. {selectors.other_side(relationship, request.user).display_name} "
                    "is asked to read and accept it too.",
                )
            return redirect("compact", compact.pk)
    history = selectors.compact_history(relationship)
    return render(
        request,
        "mentor_development/compact_detail.html",
        {
            "compact": compact,
            "relationship": relationship,
            "is_party": party,
            "editable": editable,
            "form": form,
            "sections": selectors.answered_sections(compact),
            "my_acceptance": selectors.accepted_by(compact, request.user),
            "review_due": selectors.review_due(compact, selectors.today_for(request.user)),
            "current": next((c for c in history if c.replaced_at is None), None),
            "history": [c for c in history if c.pk != compact.pk],
        },
    )


@require_POST
@login_required
def compact_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    compact = get_compact_for_user(request.user, pk)
    try:
        review = services.compact_review_start(compact=compact, person=request.user)
    except ValidationError as error:
        _error(request, error)
        return redirect("compact", compact.pk)
    messages.success(
        request, "A new draft starts from what you agreed. Change what no longer fits."
    )
    return redirect("compact", review.pk)


@login_required
def compact_template(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    template = selectors.compact_template_for(program)
    initial = [
        {"key": s["key"], "label": s["label"], "help": s.get("help", ""), "ORDER": i}
        for i, s in enumerate(template.sections, start=1)
    ]
    formset = SectionFormSet(request.POST or None, initial=initial, prefix="section")
    every = ReviewEveryForm(
        request.POST or None, initial={"review_every_days": template.review_every_days}
    )
    error = ""
    if request.method == "POST":
        if formset.is_valid() and every.is_valid():
            sections = [form.cleaned_data for form in formset.ordered_forms]
            try:
                services.compact_template_save(
                    program=program,
                    director=request.user,
                    sections=sections,
                    review_every_days=every.cleaned_data["review_every_days"],
                )
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                messages.success(
                    request,
                    "Saved. New compacts start from these sections; drafted ones keep theirs.",
                )
                return redirect("compact_template", program.slug)
        else:
            error = "Some sections need a fix: see the messages next to them."
    return render(
        request,
        "mentor_development/compact_template.html",
        {"program": program, "formset": formset, "every": every, "error": error},
    )
