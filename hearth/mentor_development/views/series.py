from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from hearth.communities.roster import import_limit
from hearth.lib.http import AuthenticatedRequest
from hearth.lib.uploads import accepts_upload
from hearth.people.models import Person
from hearth.people.permissions import (
    get_own_enrolment,
    get_run_case,
    get_run_enrolment,
    get_run_series,
    get_run_session,
    get_series_for_user,
    get_session_for_user,
    get_training_program,
)
from hearth.pulse.scoring import load_competency_bank

from ..forms_series import (
    AttachCaseForm,
    CaseForm,
    CaseResponseForm,
    FollowUpForm,
    ImportForm,
    InviteForm,
    ReflectionForm,
    SeriesForm,
    SessionForm,
)
from ..models import MentoringCase, Reflection, TrainingSession
from ..selectors import series as selectors
from ..services import series as services


def _error(request: AuthenticatedRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- The development page and series -----------------------------------------------------


@login_required
def development(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "mentor_development/series_list.html",
        {"overview": selectors.development_overview(request.user)},
    )


@login_required
def series_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_training_program(request.user, slug)
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Series created. Add its sessions next.")
            return redirect("training_series", series.pk)
    return render(
        request, "mentor_development/series_form.html", {"form": form, "program": program}
    )


@login_required
def series_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_run_series(request.user, pk)
    initial = {
        "title": series.title,
        "description": series.description,
        "self_enrolment": series.self_enrolment,
        "sessions_to_complete": series.sessions_to_complete,
    }
    form = SeriesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.series_update(series=series, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect("training_series", series.pk)
    return render(
        request,
        "mentor_development/series_form.html",
        {"form": form, "program": series.program, "series": series},
    )


@login_required
def series_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk)
    page = selectors.series_page(series, request.user, timezone.now())
    return render(
        request,
        "mentor_development/series_detail.html",
        {"page": page, "series": series, "invite_form": InviteForm() if page.can_run else None},
    )


@require_POST
@login_required
def series_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_run_series(request.user, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["email"]
        try:
            enrolment = services.enrolment_invite(series=series, person=person, by=request.user)
        except ValidationError as error:
            _error(request, error)
        else:
            if enrolment.status == "enrolled":
                messages.success(request, f"{person.display_name} had asked to join: enrolled.")
            else:
                messages.success(request, f"Invitation sent to {person.display_name}.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors["email"]))
    return redirect("training_series", series.pk)


@login_required
@accepts_upload(import_limit)
def series_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_run_series(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            enrolled = services.enrolments_import(
                series=series, by=request.user, filename=upload.name, content=upload.read()
            )
        except services.EnrolmentImportInvalid as invalid:
            errors = [str(error) for error in invalid.errors]
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                f"Enrolled {len(enrolled)} trainee{'s' if len(enrolled) != 1 else ''}; "
                "each is emailed the sessions.",
            )
            return redirect("training_series", series.pk)
    return render(
        request,
        "mentor_development/series_import.html",
        {"series": series, "form": form, "errors": errors},
        status=400 if errors or form.errors else 200,
    )


@require_POST
@login_required
def series_join(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk)
    try:
        enrolment = services.enrolment_request(series=series, person=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        if enrolment.status == "enrolled":
            messages.success(request, "You are enrolled: the sessions are in your email.")
        else:
            messages.success(request, "Asked. A facilitator will approve your place.")
    return redirect("training_series", series.pk)


@require_POST
@login_required
def enrolment_respond(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = get_own_enrolment(request.user, pk)
    action = request.POST.get("action")
    actions = {
        "accept": (services.enrolment_accept, "You are enrolled: the sessions are in your email."),
        "decline": (services.enrolment_decline, "Declined. Thank you for letting us know."),
        "withdraw": (services.enrolment_withdraw, "You have left the series."),
    }
    if action not in actions:
        raise Http404("Unknown action.")
    service, done = actions[action]
    try:
        service(enrolment=enrolment)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, done)
    return redirect("training_series", enrolment.series_id)


@require_POST
@login_required
def enrolment_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = get_run_enrolment(request.user, pk)
    approve = request.POST.get("action") == "approve"
    try:
        services.enrolment_decide(enrolment=enrolment, by=request.user, approve=approve)
    except ValidationError as error:
        _error(request, error)
    else:
        name = enrolment.person.display_name
        messages.success(request, f"{name} is enrolled." if approve else f"{name} is told no.")
    return redirect("training_series", enrolment.series_id)


@require_POST
@login_required
def certificate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk)
    try:
        document, pdf = services.certificate_issue(series=series, person=request.user)
    except ValidationError as error:
        _error(request, error)
        return redirect("training_series", series.pk)
    name = slugify(f"{series.title} {request.user.display_name}") or "certificate"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{name}-{document.issued_at:%Y-%m-%d}.pdf"'
    )
    return response


# --- Sessions ----------------------------------------------------------------------------


@login_required
def session_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    series = get_run_series(request.user, pk)
    form = SessionForm(
        request.POST or None,
        time_zone=request.user.time_zone,
        facilitators=selectors.facilitator_choices(series.program),
        initial={"facilitator": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(series=series, fields=form.session_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Session added; enrolled trainees get it in their calendar.")
            return redirect("training_session", session.pk)
    return render(request, "mentor_development/session_form.html", {"form": form, "series": series})


@login_required
def session_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_run_session(request.user, pk)
    form = SessionForm(
        request.POST or None,
        time_zone=request.user.time_zone,
        facilitators=selectors.facilitator_choices(session.series.program),
        initial=SessionForm.initial_for(session, request.user.time_zone),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, fields=form.session_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved; trainees' calendars follow any change of time.")
            return redirect("training_session", session.pk)
    return render(
        request,
        "mentor_development/session_form.html",
        {"form": form, "series": session.series, "session": session},
    )


@require_POST
@login_required
def session_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_run_session(request.user, pk)
    try:
        services.session_cancel(session=session)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, "Cancelled; trainees are told and it is no longer required.")
    return redirect("training_session", session.pk)


def _session_context(request: AuthenticatedRequest, session: TrainingSession) -> dict[str, object]:
    page = selectors.session_page(session, request.user, timezone.now())
    return {
        "page": page,
        "session": session,
        "series": session.series,
        "reflection_form": ReflectionForm(
            initial={"will_try": page.reflection.will_try} if page.reflection else None
        ),
        "follow_up_form": FollowUpForm(),
    }


@login_required
@vary_on_headers("HX-Request")
def session_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    return render(
        request, "mentor_development/session_detail.html", _session_context(request, session)
    )


def _after(request: AuthenticatedRequest, session: TrainingSession, partial: str) -> HttpResponse:
    if request.htmx:
        return render(
            request,
            f"mentor_development/session_detail.html#{partial}",
            _session_context(request, session),
        )
    return redirect("training_session", session.pk)


@require_POST
@login_required
def session_check_in(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    try:
        services.attendance_check_in(session=session, person=request.user)
    except ValidationError as error:
        _error(request, error)
    return _after(request, session, "check-in")


@require_POST
@login_required
def attendance_mark(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_run_session(request.user, pk)
    person = get_object_or_404(Person, pk=request.POST.get("person", "0") or 0)
    try:
        services.attendance_mark(
            session=session,
            person=person,
            by=request.user,
            present=request.POST.get("present") == "yes",
        )
    except ValidationError as error:
        _error(request, error)
    return _after(request, session, "roster")


@require_POST
@login_required
def reflection_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_save(
                session=session, person=request.user, will_try=form.cleaned_data["will_try"]
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, "Saved. You will see it again before the next session.")
    else:
        messages.error(request, "Write one thing you will try.")
    return redirect("training_session", session.pk)


@require_POST
@login_required
def follow_up_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    previous = selectors.neighbour_session(session, after=False)
    reflection = get_object_or_404(Reflection, session=previous, person=request.user)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_follow_up(
                reflection=reflection,
                tried=form.cleaned_data["tried"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, "Thank you for following up.")
    else:
        messages.error(request, "Say whether you tried it.")
    return redirect("training_session", session.pk)


@require_POST
@login_required
def session_cases(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_run_session(request.user, pk)
    if "detach" in request.POST:
        case = get_object_or_404(session.cases, pk=request.POST.get("detach") or 0)
        try:
            services.session_case_detach(session=session, case=case)
        except ValidationError as error:
            _error(request, error)
        return redirect("training_session", session.pk)
    form = AttachCaseForm(request.POST, cases=selectors.cases_available(session))
    if form.is_valid():
        services.session_case_attach(session=session, case=form.cleaned_data["case"])
        messages.success(request, "Case attached: trainees can respond until the session starts.")
    else:
        messages.error(request, "Choose a case.")
    return redirect("training_session", session.pk)


@require_POST
@login_required
def case_response(request: AuthenticatedRequest, pk: int, case_pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    case = get_object_or_404(session.cases, pk=case_pk)
    form = CaseResponseForm(request.POST)
    if form.is_valid():
        try:
            services.case_response_save(
                session=session, case=case, person=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(
                request, "Saved. The cohort sees the responses once the session starts."
            )
    else:
        messages.error(request, "Write your response first.")
    return redirect(reverse("training_session", args=[session.pk]) + f"#case-{case.pk}")


# --- The case library --------------------------------------------------------------------


@login_required
def cases(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_training_program(request.user, slug)
    labels = {theme.key: theme.label for theme in load_competency_bank().themes}
    shelves: dict[str, list[tuple[MentoringCase, list[str]]]] = {"own": [], "library": []}
    for case in selectors.program_cases(program):
        shelf = "own" if case.program_id else "library"
        shelves[shelf].append((case, [labels.get(key, key) for key in case.domains]))
    return render(request, "mentor_development/series_cases.html", {"program": program, **shelves})


@login_required
def case_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_training_program(request.user, slug)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_create(program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Case added to your program's library.")
            return redirect("training_cases", program.slug)
    return render(
        request, "mentor_development/series_case_form.html", {"form": form, "program": program}
    )


@login_required
def case_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case: MentoringCase = get_run_case(request.user, pk)
    initial = {
        "title": case.title,
        "scenario": case.scenario,
        "questions": "\n".join(case.questions),
        "domains": case.domains,
    }
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect("training_cases", case.program.slug)  # type: ignore[union-attr]
    return render(
        request,
        "mentor_development/series_case_form.html",
        {"form": form, "program": case.program, "case": case},
    )
