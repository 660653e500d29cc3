from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from hearth.communities.models import Cohort, MentorGroup
from hearth.communities.roster import RosterFileError, RowError, import_limit
from hearth.lib.http import AuthenticatedRequest
from hearth.lib.uploads import accepts_upload
from hearth.people.models import Person
from hearth.people.permissions import (
    get_directed_program,
    get_mentoring_round_for_director,
    get_preference_window_for_learner,
    get_round_participation,
    get_run_for_director,
)

from . import selectors, services
from .forms import (
    NO_MENTOR,
    ConflictForm,
    OverrideForm,
    PairOverrideForm,
    PairRuleForm,
    ParticipantForm,
    PreferencesUploadForm,
    PreferenceWindowForm,
    RankingForm,
    RematchForm,
    RoundForm,
    StartMentoringForm,
    StartPlacementForm,
)
from .models import MatchConflict, MatchRun, MentoringRound, PairRule, RunKind, RunStatus
from .preferences import (
    CHOICE_COLUMNS,
    ROUND_CHOICE_COLUMNS,
    PreferencesInvalid,
    preferences_import,
    round_preferences_import,
)


@login_required
def matching_home(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    services.runs_stop_silent(program=program)
    form = StartPlacementForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_start(
                program=program,
                by=request.user,
                cohort=form.cleaned_data["cohort"],
                settings=form.settings(),
                starts_on=form.cleaned_data["starts_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("match_run", run.pk)
    return render(
        request,
        "matching/home.html",
        {
            "program": program,
            "form": form,
            "runs": selectors.runs_of(program),
            "cohorts": selectors.cohorts_to_place(program),
            "rounds": selectors.rounds_of(program),
        },
    )


def _rematch_groups(run: MatchRun) -> list[tuple[int, str]]:
    """Groups in which the class's learners sit now (a published placement run)."""
    if run.cohort is None:
        return []
    groups = (
        MentorGroup.objects.filter(
            memberships__person__class_year=run.cohort.class_year,
            memberships__role="learner",
            memberships__end_date__isnull=True,
            community__program=run.program,
        )
        .select_related("community")
        .distinct()
        .order_by("community__name", "name")
    )
    return [(g.pk, f"{g.community.name} · {g.name}") for g in groups]


def _run_page(
    request: AuthenticatedRequest,
    run: MatchRun,
    *,
    override_form: OverrideForm | PairOverrideForm | None = None,
    violations: tuple[str, ...] = (),
    status: int = 200,
) -> HttpResponse:
    community = request.GET.get("community", "")
    finished = run.status in (RunStatus.READY, RunStatus.PUBLISHED)
    review = selectors.run_review(run, community=community) if finished else None
    if review and override_form is None and run.status == RunStatus.READY:
        if run.kind == RunKind.MENTORING:
            override_form = PairOverrideForm(mentees=review.mentees, mentors=review.mentors)
        else:
            override_form = _override_form(run, review)
    rematch_form = None
    if run.status == RunStatus.PUBLISHED and run.kind == RunKind.PLACEMENT and run.cohort:
        rematch_form = RematchForm(groups=_rematch_groups(run))
    return render(
        request,
        "matching/run_detail.html",
        {
            "run": run,
            "review": review,
            "override_form": override_form,
            "violations": violations,
            "rematch_form": rematch_form,
        },
        status=status,
    )


def _override_form(run: MatchRun, review: selectors.Review, data=None) -> OverrideForm:  # noqa: ANN001
    learners = run.placements.order_by("learner__display_name").values_list(
        "pk", "learner__display_name"
    )
    return OverrideForm(
        data,
        learners=list(learners),
        groups=[(int(g), label) for g, label in review.groups],
    )


@login_required
@vary_on_headers("HX-Request")
def run_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = services.run_stop_if_silent(run=get_run_for_director(request.user, pk))
    if request.htmx:
        if not run.is_active:
            # The proposal (or the reasons it failed) replaces the progress bar.
            return HttpResponseClientRefresh()
        return render(request, "matching/run_detail.html#status", {"run": run})
    return _run_page(request, run)


@require_POST
@login_required
def run_override(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = get_run_for_director(request.user, pk)
    if run.status != RunStatus.READY:
        messages.error(request, "This proposal can no longer change.")
        return redirect("match_run", run.pk)
    review = selectors.run_review(run, with_charts=False)
    form = _override_form(run, review, request.POST)
    if not form.is_valid():
        return _run_page(request, run, override_form=form, status=400)
    placement = run.placements.select_related("learner").get(pk=form.cleaned_data["placement"])
    group = MentorGroup.objects.get(pk=form.cleaned_data["group"])
    try:
        moved = services.placement_override(placement=placement, group=group, by=request.user)
    except services.OverrideRefused as refused:
        return _run_page(
            request, run, override_form=form, violations=refused.violations, status=400
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _run_page(request, run, override_form=form, status=400)
    cost = moved.last_cost  # type: ignore[attr-defined]
    if moved.overridden:
        verdict = _points_verdict(cost)
        changed = "; ".join(
            f"{c['label']}: {c['before']:.1f} → {c['after']:.1f}" for c in moved.override_changes
        )
        messages.success(
            request,
            f"{placement.learner} moves to {group.name}. This override {verdict}"
            + (f" ({changed})." if changed else "."),
        )
    else:
        messages.success(request, f"{placement.learner} is back where the matcher placed them.")
    return redirect("match_run", run.pk)


def _points_verdict(cost: float, unit: str = "points") -> str:
    if cost > 0.05:
        return f"costs {cost:.1f} {unit}"
    if cost < -0.05:
        return f"gains {-cost:.1f} {unit}"
    return "costs nothing"


@require_POST
@login_required
def run_pair_override(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = get_run_for_director(request.user, pk)
    if run.status != RunStatus.READY or run.kind != RunKind.MENTORING:
        messages.error(request, "This proposal can no longer change.")
        return redirect("match_run", run.pk)
    review = selectors.run_review(run, with_charts=False)
    form = PairOverrideForm(request.POST, mentees=review.mentees, mentors=review.mentors)
    if not form.is_valid():
        return _run_page(request, run, override_form=form, status=400)
    # The form offers only the run's own mentees and mentors.
    mentee = get_object_or_404(Person, pk=int(form.cleaned_data["mentee"]))
    chosen = form.cleaned_data["mentor"]
    mentor = None if chosen == NO_MENTOR else get_object_or_404(Person, pk=int(chosen))
    try:
        move = services.pairing_override(run=run, mentee=mentee, mentor=mentor, by=request.user)
    except services.OverrideRefused as refused:
        return _run_page(
            request, run, override_form=form, violations=refused.violations, status=400
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _run_page(request, run, override_form=form, status=400)
    where = f"is paired with {move.mentor}" if move.mentor else "is left without a mentor"
    if move.back:
        messages.success(request, f"{move.mentee} is back where the matcher placed them.")
        return redirect("match_run", run.pk)
    blocking = (
        f"blocking pairs {move.blocking_before} → {move.blocking_after}"
        if move.blocking_after != move.blocking_before
        else f"blocking pairs unchanged ({move.blocking_after})"
    )
    messages.success(
        request,
        f"{move.mentee} {where}. This override {_points_verdict(move.cost, 'fit points')} "
        f"(fit of the pair {move.fit_before:.0f} → {move.fit_after:.0f}; {blocking}).",
    )
    return redirect("match_run", run.pk)


@require_POST
@login_required
def run_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = get_run_for_director(request.user, pk)
    try:
        fresh = services.run_retry(run=run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("match_run", run.pk)
    return redirect("match_run", fresh.pk)


@require_POST
@login_required
def run_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = get_run_for_director(request.user, pk)
    try:
        run = services.run_publish(run=run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        count = selectors.placed_count(run)
        messages.success(
            request,
            f"Published: {count} placement{'s' if count != 1 else ''} made; everyone placed and "
            "their mentors are being emailed.",
        )
    return redirect("match_run", run.pk)


@require_POST
@login_required
def run_rematch(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = get_run_for_director(request.user, pk)
    form = RematchForm(request.POST, groups=_rematch_groups(run))
    if not form.is_valid():
        messages.error(request, "Choose the group whose mentor is leaving.")
        return redirect("match_run", run.pk)
    group = MentorGroup.objects.get(pk=form.cleaned_data["group"])
    try:
        rematch = services.rematch_start(run=run, leaving_groups=[group], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("match_run", run.pk)
    return redirect("match_run", rematch.pk)


def _directed_cohort(request: AuthenticatedRequest, slug: str, cohort_pk: int) -> Cohort:
    program = get_directed_program(request.user, slug)
    cohort = (
        Cohort.objects.filter(program=program, pk=cohort_pk)
        .select_related("program", "preference_window")
        .first()
    )
    if cohort is None:
        raise Http404("Not found.")
    return cohort


def _preferences_page(
    request: AuthenticatedRequest,
    cohort: Cohort,
    *,
    form: PreferencesUploadForm | None = None,
    window_form: PreferenceWindowForm | None = None,
    errors: list[RowError] | None = None,
    status: int = 200,
) -> HttpResponse:
    program = cohort.program
    window = getattr(cohort, "preference_window", None)
    if window_form is None:
        initial = {"closes_on": window.closes_on} if window else {}
        window_form = PreferenceWindowForm(initial=initial)
    return render(
        request,
        "matching/preferences.html",
        {
            "program": program,
            "cohort": cohort,
            "window": window,
            "window_form": window_form,
            "form": form or PreferencesUploadForm(),
            "errors": errors or [],
            "columns": ("email", *CHOICE_COLUMNS),
            "communities": program.communities.order_by("name"),
            "count": cohort.community_preferences.values("learner").distinct().count(),
            "learners": selectors.cohort_size(cohort),
        },
        status=status,
    )


@require_POST
@login_required
def preference_window(request: AuthenticatedRequest, slug: str, cohort_pk: int) -> HttpResponse:
    cohort = _directed_cohort(request, slug, cohort_pk)
    if "close" in request.POST:
        try:
            services.preference_window_close(cohort=cohort)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Community choices of the {cohort.name} are closed.")
        return redirect("match_preferences", slug, cohort.pk)
    form = PreferenceWindowForm(request.POST)
    if form.is_valid():
        try:
            window = services.preference_window_open(
                cohort=cohort,
                by=request.user,
                opens_on=form.cleaned_data["opens_on"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Learners of the {cohort.name} can rank their communities from "
                f"{window.opens_on:%-d %B} until {window.closes_on:%-d %B %Y}.",
            )
            return redirect("match_preferences", slug, cohort.pk)
    return _preferences_page(request, cohort, window_form=form, status=400)


@login_required
@accepts_upload(import_limit)
def preferences_upload(request: AuthenticatedRequest, slug: str, cohort_pk: int) -> HttpResponse:
    cohort = _directed_cohort(request, slug, cohort_pk)
    program = cohort.program
    form = PreferencesUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            done = preferences_import(cohort=cohort, filename=upload.name, content=upload.read())
        except RosterFileError as error:
            form.add_error("file", str(error))
        except PreferencesInvalid as invalid:
            errors = invalid.errors
        else:
            messages.success(
                request,
                f"Imported {done.choices} choices of {done.learners} learners of the "
                f"{cohort.name}.",
            )
            return redirect("matching", program.slug)
    return _preferences_page(
        request, cohort, form=form, errors=errors, status=400 if errors or form.errors else 200
    )


@login_required
def match_rules(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    conflict_form = ConflictForm(prefix="conflict")
    pair_form = PairRuleForm(prefix="pair", program=program)
    if request.method == "POST":
        if "conflict-learner" in request.POST:
            conflict_form = ConflictForm(request.POST, prefix="conflict")
            if conflict_form.is_valid():
                try:
                    services.conflict_add(program=program, **conflict_form.cleaned_data)
                except ValidationError as error:
                    conflict_form.add_error(None, error)
                else:
                    messages.success(request, "The conflict is recorded.")
                    return redirect("match_rules", program.slug)
        else:
            pair_form = PairRuleForm(request.POST, prefix="pair", program=program)
            if pair_form.is_valid():
                try:
                    services.pair_rule_add(**pair_form.cleaned_data)
                except ValidationError as error:
                    pair_form.add_error(None, error)
                else:
                    messages.success(request, "The rule is recorded.")
                    return redirect("match_rules", program.slug)
    return render(
        request,
        "matching/rules.html",
        {
            "program": program,
            "conflict_form": conflict_form,
            "pair_form": pair_form,
            "conflicts": MatchConflict.objects.filter(program=program).select_related(
                "learner", "mentor"
            ),
            "pair_rules": PairRule.objects.filter(cohort__program=program).select_related(
                "cohort", "a", "b"
            ),
        },
    )


@login_required
def round_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    program = get_directed_program(request.user, slug)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("mentoring_round", round_.pk)
    return render(request, "matching/round_new.html", {"program": program, "form": form})


@login_required
def round_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_mentoring_round_for_director(request.user, pk)
    participant_form = ParticipantForm(prefix="p")
    start_form = StartMentoringForm(prefix="m", initial={"policy": round_.policy})
    if request.method == "POST":
        if "p-person" in request.POST:
            participant_form = ParticipantForm(request.POST, prefix="p")
            if participant_form.is_valid():
                try:
                    services.participant_add(round_=round_, **participant_form.cleaned_data)
                except ValidationError as error:
                    participant_form.add_error(None, error)
                else:
                    messages.success(request, "Added.")
                    return redirect("mentoring_round", round_.pk)
        else:
            start_form = StartMentoringForm(request.POST, prefix="m")
            if start_form.is_valid():
                try:
                    run = services.run_start(
                        program=round_.program,
                        by=request.user,
                        round_=round_,
                        settings=start_form.cleaned_data,
                    )
                except ValidationError as error:
                    start_form.add_error(None, error)
                else:
                    return redirect("match_run", run.pk)
    return _round_page(request, round_, participant_form=participant_form, start_form=start_form)


def _round_page(
    request: AuthenticatedRequest,
    round_: MentoringRound,
    *,
    participant_form: ParticipantForm | None = None,
    start_form: StartMentoringForm | None = None,
    upload_form: PreferencesUploadForm | None = None,
    errors: list[RowError] | None = None,
    status: int = 200,
) -> HttpResponse:
    sides = selectors.round_sides(round_)
    return render(
        request,
        "matching/round_detail.html",
        {
            "round": round_,
            "program": round_.program,
            "sides": sides,
            "mentees": sides.mentees,
            "mentors": sides.mentors,
            "participant_form": participant_form or ParticipantForm(prefix="p"),
            "start_form": start_form
            or StartMentoringForm(prefix="m", initial={"policy": round_.policy}),
            "upload_form": upload_form or PreferencesUploadForm(),
            "errors": errors or [],
            "columns": ("email", *ROUND_CHOICE_COLUMNS),
            "runs": round_.runs.select_related("created_by", "published_by").order_by(
                "-created_at"
            ),
        },
        status=status,
    )


@require_POST
@login_required
@accepts_upload(import_limit)
def round_preferences_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_mentoring_round_for_director(request.user, pk)
    form = PreferencesUploadForm(request.POST, request.FILES)
    errors: list[RowError] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            done = round_preferences_import(
                round_=round_, filename=upload.name, content=upload.read()
            )
        except RosterFileError as error:
            form.add_error("file", str(error))
        except PreferencesInvalid as invalid:
            errors = invalid.errors
        except ValidationError as error:
            form.add_error("file", " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Imported {done.choices} choice{'s' if done.choices != 1 else ''} of "
                f"{done.learners} participant{'s' if done.learners != 1 else ''}.",
            )
            return redirect("mentoring_round", round_.pk)
    return _round_page(request, round_, upload_form=form, errors=errors, status=400)


# --- The people matched: their own choices --------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
def community_choices(request: AuthenticatedRequest, cohort_pk: int) -> HttpResponse:
    window = get_preference_window_for_learner(request.user, cohort_pk)
    page = selectors.community_choices(window, request.user)
    form = _community_form(page, request.POST if request.method == "POST" else None)
    saved = False
    if request.method == "POST" and form.is_valid():
        chosen = {c.pk: c for c in page.communities}
        try:
            services.community_preferences_set(
                cohort=window.cohort,
                learner=request.user,
                communities=[chosen[pk] for pk in form.ranking],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, "Your choices are saved.")
                return redirect("community_choices", cohort_pk)
            page = selectors.community_choices(window, request.user)
            form, saved = _community_form(page), True
    context = {"page": page, "window": window, "form": form, "saved": saved}
    # htmx swaps only successful responses: a form with errors comes back as a 200 partial.
    status = 400 if form.errors and not request.htmx else 200
    if request.htmx:
        return render(request, "matching/community_choices.html#choices", context, status=status)
    return render(request, "matching/community_choices.html", context, status=status)


def _community_form(page: selectors.CommunityChoices, data=None) -> RankingForm:  # noqa: ANN001
    return RankingForm(
        data,
        options=[(c.pk, c.name) for c in page.communities],
        count=min(services.COMMUNITY_CHOICES, len(page.communities)),
        first_required=True,
        initial_ranking=[c.pk for c in page.ranked],
    )


@login_required
@vary_on_headers("HX-Request")
def round_choices(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    participant = get_round_participation(request.user, pk)
    page = selectors.round_choices(participant)
    form = _round_form(page, request.POST if request.method == "POST" else None)
    saved = False
    if request.method == "POST" and form.is_valid():
        people = {p.person_id: p.person for p in page.others}
        try:
            services.round_preferences_set(
                round_=participant.round,
                chooser=request.user,
                chosen=[people[pk] for pk in form.ranking],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, "Your choices are saved.")
                return redirect("round_choices", pk)
            page = selectors.round_choices(participant)
            form, saved = _round_form(page), True
    context = {"page": page, "round": participant.round, "form": form, "saved": saved}
    status = 400 if form.errors and not request.htmx else 200
    if request.htmx:
        return render(request, "matching/round_choices.html#choices", context, status=status)
    return render(request, "matching/round_choices.html", context, status=status)


def _round_form(page: selectors.RoundChoices, data=None) -> RankingForm:  # noqa: ANN001
    return RankingForm(
        data,
        options=[(p.person_id, p.person.display_name) for p in page.others],
        count=min(services.ROUND_CHOICES, len(page.others)),
        first_required=False,
        initial_ranking=[p.person_id for p in page.ranked],
    )
