from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from hearth.communities.models import Relationship
from hearth.lib.http import AuthenticatedRequest
from hearth.lib.uploads import accepts_upload
from hearth.people.models import Person
from hearth.people.permissions import (
    get_directed_program,
    get_note_for_mentor,
    get_reported_note_for_director,
)

from . import selectors, services, verification
from .forms import AcknowledgmentForm, CodeForm, CreditRuleForm, NoteForm, UploadForm
from .models import DocumentKind, IssuedDocument, TeachingCreditRule, ThankYouNote
from .portfolio import portfolio_content


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
        {
            "form": form if mentors.exists() else None,
            "received": received,
            "sent": sent,
            "milestones": selectors.milestones_for(request.user),
            "acknowledgments": selectors.acknowledgments_received(request.user),
            "is_mentor": selectors.has_mentored(request.user),
        },
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


@login_required
def acknowledgments(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    form = AcknowledgmentForm(request.POST or None)
    form.fields["mentor"].queryset = selectors.program_mentors(program)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.acknowledgment_send(
                director=request.user, program=program, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Sent. {sent.mentor.display_name} is emailed and keeps it.")
            return redirect("acknowledgments", program.slug)
    return render(
        request,
        "recognition/acknowledgments.html",
        {"program": program, "form": form, "sent": selectors.acknowledgments_sent_in(program)},
    )


@login_required
def portfolio_settings(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    rule = TeachingCreditRule.objects.filter(program=program).first()
    initial = (
        {
            "label": rule.label,
            "credits_per_relationship": rule.credits_per_relationship,
            "min_hours_per_year": rule.min_hours_per_year,
            "max_credits_per_year": rule.max_credits_per_year,
        }
        if rule
        else None
    )
    form = CreditRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.credit_rule_save(program=program, director=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved. Mentors' portfolios now count teaching credit.")
            return redirect("portfolio_settings", program.slug)
    return render(
        request,
        "recognition/portfolio_settings.html",
        {"program": program, "form": form, "rule": rule},
    )


@login_required
def portfolio(request: AuthenticatedRequest) -> HttpResponse:
    issued = IssuedDocument.objects.filter(person=request.user, kind=DocumentKind.PORTFOLIO).only(
        "issued_at", "code"
    )
    return render(
        request,
        "recognition/portfolio.html",
        {
            "content": portfolio_content(request.user),
            "quotable": selectors.quotable_notes(request.user).order_by("created_at", "pk"),
            "issued": issued[:10],
        },
    )


@require_POST
@login_required
def portfolio_pdf(request: AuthenticatedRequest) -> HttpResponse:
    chosen = [int(pk) for pk in request.POST.getlist("notes") if pk.isdigit()]
    try:
        document, pdf = services.portfolio_issue(mentor=request.user, note_ids=chosen)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("portfolio")
    name = slugify(request.user.display_name) or "mentor"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="mentoring-portfolio-{name}-{document.issued_at:%Y-%m-%d}.pdf"'
    )
    return response


@accepts_upload(verification.MAX_UPLOAD_BYTES)
def verify(request: HttpRequest) -> HttpResponse:
    code_form = CodeForm(request.GET if "code" in request.GET else None)
    upload_form = UploadForm(request.POST or None, request.FILES or None)
    verdict = None
    if code_form.is_bound and code_form.is_valid():
        code = verification.normalize_code(code_form.cleaned_data["code"])
        if code is not None:
            return redirect("verify_code", code)
        verdict = verification.Verdict(verification.NOT_A_CODE)
    if request.method == "POST" and upload_form.is_valid():
        upload = upload_form.cleaned_data["pdf"]
        if upload.size > verification.MAX_UPLOAD_BYTES:
            verdict = verification.Verdict(verification.TOO_LARGE)
        else:
            verdict = verification.verify_pdf(upload.read())
    return render(
        request,
        "recognition/verify.html",
        {
            "code_form": code_form,
            "upload_form": upload_form,
            "verdict": verdict,
            "from_file": request.method == "POST",
        },
    )


def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    return render(
        request,
        "recognition/verify.html",
        {
            "code_form": CodeForm(initial={"code": code}),
            "upload_form": UploadForm(),
            "verdict": verification.verify_code(code),
            "from_file": False,
        },
    )
