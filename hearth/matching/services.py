"""Writes for matching: start a run, solve it in the background, override a placement,
publish a proposal (once), re-match when a mentor leaves, and keep the director's inputs."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.communities import services as community_services
from hearth.communities.models import (
    Cohort,
    GroupMembership,
    MemberRole,
    MentorGroup,
    Program,
    RelationshipKind,
)
from hearth.people.models import Person

from . import engine, pairing
from .messages import mentoring_emails, placement_emails, rematch_emails
from .models import (
    ConflictKind,
    MatchConflict,
    MatchRun,
    MentoringRound,
    PairKind,
    PairRule,
    Placement,
    RoundParticipant,
    RoundPreference,
    RoundStatus,
    RunKind,
    RunStatus,
    Side,
)
from .options import MentoringOptions, PlacementOptions
from .problem import (
    attribute_choices,
    cohort_start,
    mentoring_input,
    mentoring_rules,
    placement_input,
    problem_from_json,
    problem_to_json,
)

logger = logging.getLogger(__name__)

# Progress is written at most this often, so a fast solver does not flood the database.
PROGRESS_EVERY = 0.5  # seconds


class PublishRefused(ValidationError):
    """The proposal cannot be published (already published, stale, or no longer fits)."""


class OverrideRefused(ValidationError):
    """The override would break a hard rule; `violations` says which, in plain words."""

    def __init__(self, violations: tuple[str, ...]) -> None:
        super().__init__(list(violations))
        self.violations = violations


def cohort_named(program: Program, text: str) -> Cohort:
    """A class of the program by its name ("Class of 2031") or its year ("2031")."""
    text = text.strip()
    cohorts = Cohort.objects.filter(program=program)
    cohort = (
        cohorts.filter(class_year=int(text)).first()
        if text.isdigit()
        else cohorts.filter(name__iexact=text).first()
    )
    if cohort is None:
        names = ", ".join(c.name for c in cohorts) or "none"
        raise ValidationError(f"{program.name} has no class “{text}” (its classes: {names}).")
    return cohort


def _enqueue(run: MatchRun) -> None:
    from .tasks import match_run_task

    run_id = run.pk
    transaction.on_commit(lambda: match_run_task.enqueue(run_id))


def _default_start(program: Program, cohort: Cohort, today: dt.date) -> dt.date:
    return max(cohort_start(cohort, program), today)


# --- Starting runs ----------------------------------------------------------------------------


@transaction.atomic
def run_start(
    *,
    program: Program,
    by: Person | None,
    cohort: Cohort | None = None,
    round_: MentoringRound | None = None,
    settings: dict[str, Any] | None = None,
    starts_on: dt.date | None = None,
    today: dt.date | None = None,
    enqueue: bool = True,
) -> MatchRun:
    """Check the settings, take a snapshot of the input and queue the solver."""
    today = today or timezone.localdate()
    settings = settings or {}
    if (cohort is None) == (round_ is None):
        raise ValidationError("Choose either an entering class or a mentoring round to match.")
    if cohort is not None:
        if cohort.program_id != program.pk:
            raise ValidationError(f"{cohort.name} is not a class of {program.name}.")
        options = PlacementOptions.from_dict(settings, attribute_choices(program))
        found = placement_input(program=program, cohort=cohort, options=options, today=today)
        if not found.problem.learners:
            raise ValidationError(
                f"Everyone in the {cohort.name} is already in a mentor group of {program.name}: "
                "there is nobody to place."
            )
        run = MatchRun.objects.create(
            program=program,
            kind=RunKind.PLACEMENT,
            cohort=cohort,
            settings={**options.to_dict(), "left_out": found.left_out},
            problem=problem_to_json(found.problem),
            created_by=by,
            starts_on=starts_on or _default_start(program, cohort, today),
            progress_message="Waiting for the matcher to start",
        )
    else:
        assert round_ is not None
        if round_.program_id != program.pk:
            raise ValidationError(f"{round_.name} is not a round of {program.name}.")
        merged = {"policy": round_.policy, **settings}
        mentoring = MentoringOptions.from_dict(merged)
        snapshot = mentoring_input(round_=round_, today=today)
        if not snapshot.mentees or not snapshot.mentors:
            raise ValidationError(
                f"{round_.name} needs at least one mentee and one mentor before it can be matched."
            )
        run = MatchRun.objects.create(
            program=program,
            kind=RunKind.MENTORING,
            round=round_,
            settings=mentoring.to_dict(),
            problem={
                "mentees": [_person_json(p) for p in snapshot.mentees],
                "mentors": [_person_json(p) for p in snapshot.mentors],
                "conflicts": sorted([list(pair) for pair in snapshot.conflicts]),
            },
            created_by=by,
            starts_on=starts_on or max(round_.starts_on, today),
            progress_message="Waiting for the matcher to start",
        )
    if enqueue:
        _enqueue(run)
    return run


def _person_json(person: pairing.Person) -> dict[str, Any]:
    return {**asdict(person), "tags": sorted(person.tags), "preferences": list(person.preferences)}


def _person_from_json(data: dict[str, Any]) -> pairing.Person:
    return pairing.Person(
        **{**data, "tags": frozenset(data["tags"]), "preferences": tuple(data["preferences"])}
    )


@transaction.atomic
def rematch_start(
    *,
    run: MatchRun,
    leaving_groups: list[MentorGroup],
    by: Person | None,
    today: dt.date | None = None,
    enqueue: bool = True,
) -> MatchRun:
    """A mentor leaves mid-year: re-place only the learners of their groups, everyone else
    in the class stays where they are."""
    today = today or timezone.localdate()
    run = MatchRun.objects.select_related("program", "cohort").get(pk=run.pk)
    if run.kind != RunKind.PLACEMENT or run.status != RunStatus.PUBLISHED or run.cohort is None:
        raise ValidationError("A re-match starts from a published cohort placement.")
    if not leaving_groups:
        raise ValidationError("Choose the group whose mentor is leaving.")
    program, cohort = run.program, run.cohort
    options = PlacementOptions.from_dict(run.settings, attribute_choices(program))
    found = placement_input(
        program=program, cohort=cohort, options=options, today=today, placed=True
    )
    leaving = {str(g.pk) for g in leaving_groups}
    names = ", ".join(g.name for g in leaving_groups)
    freed = [learner for learner, group in found.current.items() if group in leaving]
    if not freed:
        raise ValidationError(f"Nobody of the {cohort.name} is in {names} now: nobody to move.")
    kept = {learner: group for learner, group in found.current.items() if learner not in freed}
    problem = replace(
        found.problem,
        groups=tuple(
            replace(group, capacity=0) if group.id in leaving else group
            for group in found.problem.groups
        ),
        fixed=kept,
    )
    rematch = MatchRun.objects.create(
        program=program,
        kind=RunKind.PLACEMENT,
        cohort=cohort,
        rematch_of=run,
        settings={**options.to_dict(), "leaving": sorted(leaving), "leaving_names": names},
        problem={**problem_to_json(problem), "current": found.current},
        created_by=by,
        starts_on=today,
        progress_message="Waiting for the matcher to start",
    )
    if enqueue:
        _enqueue(rematch)
    return rematch


# --- Solving (the background task) ----------------------------------------------------------


Listener = Callable[[int, str], None]


class _Progress:
    """The engine's progress callback: throttled writes the run page can poll."""

    def __init__(self, run_id: int, listener: Listener | None = None) -> None:
        self.run_id = run_id
        self.listener = listener
        self.last_write = 0.0
        self.last_percent = -1

    def __call__(self, fraction: float, message: str) -> None:
        percent = max(1, min(99, round(fraction * 100)))
        now = time.monotonic()
        if percent == self.last_percent or now - self.last_write < PROGRESS_EVERY:
            return
        self.last_write, self.last_percent = now, percent
        MatchRun.objects.filter(pk=self.run_id).update(
            progress=percent, progress_message=message[:200]
        )
        if self.listener is not None:
            self.listener(percent, message)


def run_execute(*, run_id: int, listener: Listener | None = None) -> MatchRun:
    """Solve a queued run and store its proposal; infeasible input stores only the reasons."""
    claimed = MatchRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=1, progress_message="Reading the input"
    )
    run = MatchRun.objects.select_related("cohort", "round").get(pk=run_id)
    if not claimed:
        return run  # another worker has it, or it already finished
    progress = _Progress(run.pk, listener)
    try:
        if run.kind == RunKind.MENTORING:
            _solve_mentoring(run, progress)
        else:
            _solve_placement(run, progress)
    except engine.Infeasible as infeasible:
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.INFEASIBLE,
            infeasible_reasons=list(infeasible.reasons),
            progress=100,
            progress_message="No proposal meets every rule",
            finished_at=timezone.now(),
        )
    except Exception as error:
        logger.exception("Match run %s failed", run.pk)
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            error=f"The matcher stopped unexpectedly ({type(error).__name__}). "
            "Nothing was changed; try again, and tell your site administrator if it happens again.",
            progress=100,
            progress_message="Failed",
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run


def _points(value: float) -> float:
    """Rounded to hundredths, without a "-0.0" for nothing lost."""
    return round(value, 2) + 0.0


def _terms_json(terms: tuple[engine.Term, ...]) -> list[dict[str, Any]]:
    return [{"key": t.key, "label": t.label, "value": _points(t.value)} for t in terms]


def _shares_json(shares: tuple[engine.Share, ...]) -> list[dict[str, Any]]:
    return [asdict(s) for s in shares]


@transaction.atomic
def _store_result(
    run: MatchRun,
    result: engine.Result,
    *,
    only: set[str] | None = None,
    from_groups: dict[str, str] | None = None,
    drop_kept_reason: bool = False,
) -> None:
    rows = []
    for placement in result.placements:
        if only is not None and placement.learner not in only:
            continue
        reasons = list(placement.reasons)
        if drop_kept_reason:
            reasons = [r for r in reasons if not r.startswith("kept in place")]
        rows.append(
            Placement(
                run=run,
                learner_id=int(placement.learner),
                group_id=int(placement.group),
                from_group_id=int(from_groups[placement.learner]) if from_groups else None,
                preference_rank=placement.preference_rank,
                reasons=reasons,
            )
        )
    Placement.objects.bulk_create(rows)
    MatchRun.objects.filter(pk=run.pk).update(
        status=RunStatus.READY,
        objective=result.objective,
        solved_objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        solver_status=result.status,
        seconds=result.seconds,
        terms=_terms_json(result.terms),
        shares=_shares_json(result.shares),
        progress=100,
        progress_message="Proposal ready",
        finished_at=timezone.now(),
    )


def _solve_placement(run: MatchRun, progress: _Progress) -> None:
    problem = problem_from_json(run.problem)
    if run.rematch_of_id is None:
        _store_result(run, engine.solve(problem, progress=progress))
        return
    current = run.problem["current"]
    leaving = frozenset(run.settings["leaving"])
    progress(0.05, "Re-placing the learners whose mentor is leaving")
    # The stored problem already holds the kept learners fixed; the engine re-applies it.
    rematch = engine.rematch(replace(problem, fixed={}), current, leaving)
    moved = {learner: source for learner, source, _ in rematch.moved}
    _store_result(run, rematch.result, only=set(moved), from_groups=moved)


def _solve_mentoring(run: MatchRun, progress: _Progress) -> None:
    options = MentoringOptions.from_dict(run.settings)
    mentees = [_person_from_json(p) for p in run.problem["mentees"]]
    mentors = [_person_from_json(p) for p in run.problem["mentors"]]
    conflicts = {tuple(pair) for pair in run.problem["conflicts"]}
    progress(0.1, f"Scoring fit for {len(mentees)} mentees and {len(mentors)} mentors")
    fits = {
        pair: fit
        for pair, fit in pairing.fit_scores(mentees, mentors, mentoring_rules(options)).items()
        if pair not in conflicts
    }
    progress(0.5, "Matching" + (" (stable)" if options.policy == "stable" else ""))
    problem = pairing.pairing_problem(mentees, mentors, fits)
    result = pairing.match(problem, options.policy)
    choices = {p.id: p.preferences for p in mentees}
    rows = []
    for mentee, mentor in result.pairs.items():
        ranked = choices.get(mentee, ())
        fit = fits.get((mentee, mentor))
        rows.append(
            Placement(
                run=run,
                learner_id=int(mentee),
                mentor_id=int(mentor),
                preference_rank=ranked.index(mentor) + 1 if mentor in ranked else None,
                fit=fit.score if fit else None,
                reasons=list(fit.reasons) if fit else [],
            )
        )
    with transaction.atomic():
        Placement.objects.bulk_create(rows)
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.READY,
            objective=result.objective,
            solved_objective=result.objective,
            bound=result.bound,
            gap=(result.bound - result.objective) / result.bound if result.bound else 0.0,
            solver_status=result.status,
            seconds=result.seconds,
            terms=[{"key": "fit", "label": "Total fit of the pairs", "value": result.objective}],
            blocking_pairs=result.blocking_pairs,
            unmatched=list(result.unmatched),
            progress=100,
            progress_message="Proposal ready",
            finished_at=timezone.now(),
        )


# --- Reviewing: overrides -------------------------------------------------------------------


def _gap(objective: float, bound: float | None) -> float | None:
    if bound is None:
        return None
    return max(0.0, (bound - objective) / abs(bound)) if bound else 0.0


def run_assignment(run: MatchRun) -> dict[str, str]:
    """Learner id -> group id of the whole proposal (a re-match adds everyone kept)."""
    assignment = dict(run.problem.get("fixed", {})) if run.rematch_of_id else {}
    assignment.update(
        {
            str(learner): str(group)
            for learner, group in run.placements.values_list("learner_id", "group_id")
        }
    )
    return assignment


@transaction.atomic
def placement_override(*, placement: Placement, group: MentorGroup, by: Person) -> Placement:
    """Move one learner to another group in a proposal under review. The engine re-checks
    every hard rule; an override that breaks one is refused, otherwise its cost is kept."""
    run = MatchRun.objects.select_for_update().get(pk=placement.run_id)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if run.kind != RunKind.PLACEMENT:
        raise ValidationError("Only cohort placements can be overridden here.")
    if run.status != RunStatus.READY:
        raise ValidationError(
            f"This proposal is {run.get_status_display().lower()}: it can no longer change."
        )
    if placement.group_id == group.pk:
        raise ValidationError(f"{placement.learner} is already placed in {group.name}.")
    problem = problem_from_json(run.problem)
    groups = {g.id: g for g in problem.groups}
    if str(group.pk) not in groups:
        raise ValidationError(f"{group.name} is not one of the groups this run could use.")
    assignment = run_assignment(run)
    assignment[str(placement.learner_id)] = str(group.pk)
    evaluation = engine.evaluate(problem, assignment)
    if evaluation.violations:
        raise OverrideRefused(evaluation.violations)
    before = run.objective or 0.0
    old_terms = {t["key"]: t for t in run.terms}
    changes = [
        {
            "label": t.label,
            "before": _points(old_terms.get(t.key, {}).get("value", 0.0)),
            "after": _points(t.value),
        }
        for t in evaluation.terms
        if abs(old_terms.get(t.key, {}).get("value", 0.0) - t.value) > 0.005
    ]
    cost = before - evaluation.objective
    learner = next(le for le in problem.learners if le.id == str(placement.learner_id))
    community = groups[str(group.pk)].community
    rank = learner.preferences.index(community) + 1 if community in learner.preferences else None
    community_name = next(c.name for c in problem.communities if c.id == community)
    if placement.proposed_group_id is None:
        placement.proposed_group_id = placement.group_id
    back = placement.proposed_group_id == group.pk
    placement.group = group
    placement.preference_rank = rank
    placement.overridden = not back
    placement.override_cost = None if back else (placement.override_cost or 0.0) + cost
    placement.override_changes = [] if back else changes
    if not back:
        placement.override_reasons = [
            f"moved here by {by.display_name}, overriding the proposal",
            (
                f"{_ordinal(rank)} community preference ({community_name})"
                if rank
                else f"not among their community choices ({community_name})"
            ),
        ]
    else:
        placement.override_reasons = []
    placement.save()
    run.objective = evaluation.objective
    run.terms = _terms_json(evaluation.terms)
    run.shares = _shares_json(evaluation.shares)
    run.gap = _gap(evaluation.objective, run.bound)
    run.save(update_fields=["objective", "terms", "shares", "gap"])
    placement.last_cost = cost  # type: ignore[attr-defined]  # for the page that asked
    return placement


def _ordinal(n: int) -> str:
    return pairing.ordinal(n)


# --- Publishing ------------------------------------------------------------------------------


def _refuse_if_not_publishable(run: MatchRun) -> None:
    if run.status == RunStatus.PUBLISHED:
        who = run.published_by.display_name if run.published_by else "someone"
        when = (
            timezone.localtime(run.published_at).strftime("%-d %B %Y at %H:%M")
            if run.published_at
            else ""
        )
        raise PublishRefused(f"This proposal was already published by {who} on {when}.")
    if run.status != RunStatus.READY:
        raise PublishRefused(
            f"Only a proposal ready for review can be published; this run is "
            f"“{run.get_status_display().lower()}”."
        )
    later = MatchRun.objects.filter(
        program=run.program_id,
        kind=run.kind,
        status=RunStatus.PUBLISHED,
        published_at__gt=run.created_at,
    )
    if run.kind == RunKind.MENTORING:
        later = later.filter(round=run.round_id)
    newer = later.select_related("published_by", "cohort", "round").order_by("published_at").first()
    if newer is not None:
        who = newer.published_by.display_name if newer.published_by else "someone"
        raise PublishRefused(
            f"{newer.title} (run {newer.pk}) was published by {who} after this proposal was "
            "made, so the places it counted on may be taken. Start a new run."
        )


@transaction.atomic
def run_publish(*, run: MatchRun, by: Person | None, notify: bool = True) -> MatchRun:
    """Make the proposal real, all or nothing: memberships (and through them the mentor
    relationships), or mentoring relationships; then email everyone placed. Only one
    publication per program goes through at a time; a second one is refused."""
    # One lock per program serialises publications of any of its runs.
    Program.objects.select_for_update().get(pk=run.program_id)
    run = (
        MatchRun.objects.select_for_update(of=("self",))
        .select_related("program", "cohort", "round", "published_by")
        .get(pk=run.pk)
    )
    _refuse_if_not_publishable(run)
    on = run.starts_on or timezone.localdate()
    placements = list(
        run.placements.select_related("learner", "group__community", "mentor", "from_group")
    )
    try:
        if run.kind == RunKind.MENTORING:
            assert run.round is not None
            for placement in placements:
                assert placement.mentor is not None
                community_services.relationship_start(
                    program=run.program,
                    mentor=placement.mentor,
                    mentee=placement.learner,
                    kind=run.round.relationship_kind,
                    start_date=on,
                )
        elif run.rematch_of_id is not None:
            _publish_rematch(placements, on)
        else:
            for placement in placements:
                assert placement.group is not None
                community_services.membership_start(
                    group=placement.group,
                    person=placement.learner,
                    role=MemberRole.LEARNER,
                    start_date=on,
                )
    except ValidationError as error:
        raise PublishRefused("Nothing was published: " + " ".join(error.messages)) from error
    run.status = RunStatus.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = by
    run.save(update_fields=["status", "published_at", "published_by"])
    if not notify:
        pass
    elif run.kind == RunKind.MENTORING:
        mentoring_emails(run, placements)
    elif run.rematch_of_id is not None:
        rematch_emails(run, placements)
    else:
        placement_emails(run, placements)
    return run


def _publish_rematch(placements: list[Placement], on: dt.date) -> None:
    memberships = {
        (m.person_id, m.group_id): m
        for m in GroupMembership.objects.filter(
            person_id__in=[p.learner_id for p in placements],
            role=MemberRole.LEARNER,
            end_date__isnull=True,
        )
    }
    for placement in placements:
        assert placement.group is not None and placement.from_group is not None
        membership = memberships.get((placement.learner_id, placement.from_group.pk))
        if membership is None:
            raise ValidationError(
                f"{placement.learner} is no longer in {placement.from_group.name}."
            )
        community_services.learner_transfer(membership=membership, to_group=placement.group, on=on)


# --- A placement made before Hearth, kept as a run --------------------------------------------


@transaction.atomic
def run_record_current(
    *,
    program: Program,
    cohort: Cohort,
    by: Person | None,
    settings: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> MatchRun:
    """Keep a class's current placement (made on paper, or before Hearth) as a published run,
    explained and scored like any proposal, so next year's run can be compared with it."""
    today = today or timezone.localdate()
    options = PlacementOptions.from_dict(settings or {}, attribute_choices(program))
    found = placement_input(
        program=program, cohort=cohort, options=options, today=today, placed=True
    )
    if not found.current:
        raise ValidationError(f"Nobody of the {cohort.name} is in a group of {program.name} yet.")
    problem = replace(found.problem, fixed=found.current)
    run = MatchRun.objects.create(
        program=program,
        kind=RunKind.PLACEMENT,
        cohort=cohort,
        settings={**options.to_dict(), "recorded": True},
        problem=problem_to_json(problem),
        created_by=by,
        status=RunStatus.RUNNING,
        starts_on=cohort_start(cohort, program),
    )
    _store_result(run, engine.solve(problem), drop_kept_reason=True)
    MatchRun.objects.filter(pk=run.pk).update(
        status=RunStatus.PUBLISHED, published_at=timezone.now(), published_by=by
    )
    run.refresh_from_db()
    return run


# --- The director's inputs -------------------------------------------------------------------


def conflict_add(
    *, program: Program, learner: Person, mentor: Person, kind: str, note: str = ""
) -> MatchConflict:
    """Declare that a learner must never be placed with a mentor."""
    if kind not in ConflictKind.values:
        raise ValidationError(
            f"“{kind}” is not a kind of conflict ({', '.join(ConflictKind.values)})."
        )
    if learner.pk == mentor.pk:
        raise ValidationError("A conflict needs two different people.")
    conflict, _ = MatchConflict.objects.update_or_create(
        program=program, learner=learner, mentor=mentor, defaults={"kind": kind, "note": note}
    )
    return conflict


def pair_rule_add(*, cohort: Cohort, a: Person, b: Person, kind: str, note: str = "") -> PairRule:
    """Keep two learners of a class apart (different communities) or together (the same one)."""
    if kind not in PairKind.values:
        raise ValidationError("A pair is kept “apart” or “together”.")
    if a.pk == b.pk:
        raise ValidationError("A pair needs two different learners.")
    first, second = sorted((a, b), key=lambda p: p.pk)
    rule, _ = PairRule.objects.update_or_create(
        cohort=cohort, a=first, b=second, defaults={"kind": kind, "note": note}
    )
    return rule


@transaction.atomic
def round_create(
    *,
    program: Program,
    name: str,
    starts_on: dt.date,
    policy: str = "fit",
    relationship_kind: str = RelationshipKind.CAREER,
) -> MentoringRound:
    if (
        relationship_kind == RelationshipKind.LC_MENTOR
        or relationship_kind not in RelationshipKind.values
    ):
        raise ValidationError("Mentoring rounds open research, career or peer relationships.")
    if not name.strip():
        raise ValidationError("Give the round a name.")
    return MentoringRound.objects.create(
        program=program,
        name=name.strip(),
        starts_on=starts_on,
        policy=policy,
        relationship_kind=relationship_kind,
    )


def participant_add(
    *,
    round_: MentoringRound,
    person: Person,
    side: str,
    capacity: int = 1,
    division: str = "",
    statement: str = "",
) -> RoundParticipant:
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(f"{round_.name} is closed.")
    if side not in Side.values:
        raise ValidationError("A participant is a mentee or a mentor.")
    if not 1 <= capacity <= 20:
        raise ValidationError("A mentor takes from 1 to 20 mentees.")
    participant, _ = RoundParticipant.objects.update_or_create(
        round=round_,
        person=person,
        defaults={"side": side, "capacity": capacity, "division": division, "statement": statement},
    )
    return participant


@transaction.atomic
def round_preferences_set(
    *, round_: MentoringRound, chooser: Person, chosen: list[Person]
) -> list[RoundPreference]:
    """Replace someone's ranked choices (best first) of people on the other side."""
    sides = dict(RoundParticipant.objects.filter(round=round_).values_list("person_id", "side"))
    if chooser.pk not in sides:
        raise ValidationError(f"{chooser} is not taking part in {round_.name}.")
    for person in chosen:
        if sides.get(person.pk) in (None, sides[chooser.pk]):
            raise ValidationError(f"{person} is not on the other side of {round_.name}.")
    if len({p.pk for p in chosen}) != len(chosen):
        raise ValidationError("Each person can be chosen once.")
    RoundPreference.objects.filter(round=round_, chooser=chooser).delete()
    return RoundPreference.objects.bulk_create(
        RoundPreference(round=round_, chooser=chooser, chosen=p, rank=i)
        for i, p in enumerate(chosen, start=1)
    )
