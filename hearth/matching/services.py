"""Writes for matching: start a run, solve it in the background, override a placement or a
pair, publish a proposal (once), re-match when a mentor leaves, and keep everyone's inputs."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from hearth.communities import services as community_services
from hearth.communities.models import (
    Cohort,
    Community,
    GroupMembership,
    MemberRole,
    MentorGroup,
    Program,
    RelationshipKind,
)
from hearth.lib.jobs import JobGone, JobRows
from hearth.people.models import Person

from . import engine, pairing
from .messages import mentoring_emails, placement_emails, rematch_emails
from .models import (
    CommunityPreference,
    ConflictKind,
    MatchConflict,
    MatchRun,
    MentoringRound,
    PairKind,
    PairRule,
    Placement,
    PreferenceWindow,
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

# Progress is written at most this often, so a fast solver does not flood the database...
PROGRESS_EVERY = 0.5  # seconds
# ...and at least this often while the engine reports, as a sign of life.
HEARTBEAT_EVERY = 30.0  # seconds
# A running run silent for this long has lost its worker. The engine is never silent for more
# than its time limit (at most options.MAX_TIME_LIMIT, five minutes) between two reports.
SILENT_AFTER = dt.timedelta(minutes=10)
RUNS = JobRows(MatchRun, RunStatus.QUEUED, RunStatus.RUNNING, SILENT_AFTER, "created_at")
COMMUNITY_CHOICES = 3  # a learner ranks their top three communities
ROUND_CHOICES = 5  # a round participant ranks up to five people of the other side


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
    """The engine's progress callback: throttled writes the run page can poll, which also
    tell that the worker is alive. A run marked stopped meanwhile ends the solve."""

    def __init__(self, run_id: int, listener: Listener | None = None) -> None:
        self.run_id = run_id
        self.listener = listener
        self.last_write = 0.0
        self.last_percent = -1

    def __call__(self, fraction: float, message: str) -> None:
        percent = max(1, min(99, round(fraction * 100)))
        now = time.monotonic()
        since = now - self.last_write
        if since < PROGRESS_EVERY or (percent == self.last_percent and since < HEARTBEAT_EVERY):
            return
        self.last_write, self.last_percent = now, percent
        RUNS.write(self.run_id, progress=percent, progress_message=message[:200])
        if self.listener is not None:
            self.listener(percent, message)


def run_execute(*, run_id: int, listener: Listener | None = None) -> MatchRun:
    """Solve a queued run and store its proposal; infeasible input stores only the reasons."""
    # Only a queued run is claimed, so a run marked stopped (or finished) never runs again.
    claimed = RUNS.claim(run_id, progress=1, progress_message="Reading the input")
    run = MatchRun.objects.select_related("cohort", "round").get(pk=run_id)
    if not claimed:
        return run  # another worker has it, or it already finished
    progress = _Progress(run.pk, listener)
    try:
        try:
            if run.kind == RunKind.MENTORING:
                _solve_mentoring(run, progress)
            else:
                _solve_placement(run, progress)
        except engine.Infeasible as infeasible:
            RUNS.finish(
                run.pk,
                status=RunStatus.INFEASIBLE,
                infeasible_reasons=list(infeasible.reasons),
                progress=100,
                progress_message="No proposal meets every rule",
            )
        except JobGone:
            raise
        except Exception as error:
            logger.exception("Match run %s failed", run.pk)
            RUNS.finish(
                run.pk,
                status=RunStatus.FAILED,
                error=f"The matcher stopped unexpectedly ({type(error).__name__}). Nothing was "
                "changed; try again, and tell your site administrator if it happens again.",
                progress=100,
                progress_message="Failed",
            )
    except JobGone:
        logger.warning(
            "Match run %s was marked stopped while it ran; its result is dropped", run_id
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
    RUNS.finish(
        run.pk,
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
    )
    Placement.objects.bulk_create(rows)


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


@dataclass
class _RoundInput:
    """A mentoring run's snapshot, read back: both sides, the rules and the allowed fits."""

    options: MentoringOptions
    mentees: list[pairing.Person]
    mentors: list[pairing.Person]
    conflicts: set[tuple[str, str]]

    @classmethod
    def of(cls, run: MatchRun) -> _RoundInput:
        return cls(
            options=MentoringOptions.from_dict(run.settings),
            mentees=[_person_from_json(p) for p in run.problem["mentees"]],
            mentors=[_person_from_json(p) for p in run.problem["mentors"]],
            conflicts={(a, b) for a, b in run.problem["conflicts"]},
        )

    def fits(self, *, candidates: int | None = None) -> dict[tuple[str, str], pairing.Fit]:
        """Fit of the allowed pairs; as the solver saw them, or of every pair (`candidates=0`)."""
        rules = mentoring_rules(self.options)
        if candidates is not None:
            rules = replace(rules, candidates=candidates)
        return {
            pair: fit
            for pair, fit in pairing.fit_scores(self.mentees, self.mentors, rules).items()
            if pair not in self.conflicts
        }


def _solve_mentoring(run: MatchRun, progress: _Progress) -> None:
    round_ = _RoundInput.of(run)
    mentees, mentors, options = round_.mentees, round_.mentors, round_.options
    progress(0.1, f"Scoring fit for {len(mentees)} mentees and {len(mentors)} mentors")
    fits = round_.fits()
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
        RUNS.finish(
            run.pk,
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
        )
        Placement.objects.bulk_create(rows)


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
    if placement.proposed_group_id is None:
        placement.proposed_group_id = placement.group_id
    back = placement.proposed_group_id == group.pk
    placement.group = group
    placement.overridden = not back
    placement.override_cost = None if back else (placement.override_cost or 0.0) + cost
    placement.override_changes = [] if back else changes
    placement.override_reasons = [] if back else [f"moved here by {by.display_name} (override)"]
    placement.save()
    _explain_again(run, problem, assignment)
    run.objective = evaluation.objective
    run.terms = _terms_json(evaluation.terms)
    run.shares = _shares_json(evaluation.shares)
    run.gap = _gap(evaluation.objective, run.bound)
    run.save(update_fields=["objective", "terms", "shares", "gap"])
    placement.refresh_from_db()
    placement.last_cost = cost  # type: ignore[attr-defined]  # for the page that asked
    return placement


# "2nd choice: Apgar House was full": why the matcher did not place them elsewhere, which no
# longer explains a place a director chose.
_WHY_NOT = re.compile(r"^\d+(st|nd|rd|th) choice: ")


def _explain_again(run: MatchRun, problem: engine.Problem, assignment: dict[str, str]) -> None:
    """Explain every placement of the proposal as it now stands, so shares quoted in the
    reasons are those of the overridden proposal."""
    explained = {p.learner: p for p in engine.explain_assignment(problem, assignment)}
    rows = list(run.placements.all())
    for row in rows:
        fresh = explained.get(str(row.learner_id))
        if fresh is None:
            continue
        reasons = list(fresh.reasons)
        if row.overridden:
            reasons = [r for r in reasons if not _WHY_NOT.match(r)]
        row.reasons = reasons
        row.preference_rank = fresh.preference_rank
    Placement.objects.bulk_update(rows, ["reasons", "preference_rank"])


@dataclass(frozen=True)
class PairMove:
    """What a pairing override did, for the page that asked."""

    mentee: str
    mentor: str  # "" when the mentee is left without a mentor
    back: bool  # back where the matcher put them
    fit_before: float
    fit_after: float
    blocking_before: int
    blocking_after: int

    @property
    def cost(self) -> float:
        return self.fit_before - self.fit_after


def _pair_violations(
    round_: _RoundInput,
    mentee: pairing.Person,
    mentor: pairing.Person,
    load: int,
) -> tuple[str, ...]:
    """The hard rules a mentee–mentor pair breaks, in plain words."""
    options = round_.options
    found = []
    if mentee.id == mentor.id:
        found.append(f"{mentee.name} cannot be their own mentor")
    if (mentee.id, mentor.id) in round_.conflicts:
        found.append(
            f"a conflict keeps {mentee.name} from {mentor.name} (declared, a supervisor, or an "
            "earlier mentor)"
        )
    if options.outside_division and mentee.division and mentee.division == mentor.division:
        found.append(
            f"the mentor must be from outside the mentee's division: both are in {mentee.division}"
        )
    if options.senior_mentor and mentor.rank <= mentee.rank:
        found.append(
            f"the mentor must be senior in rank: {mentor.name} is not senior to {mentee.name}"
        )
    if load > mentor.capacity:
        noun = "mentee" if mentor.capacity == 1 else "mentees"
        found.append(
            f"{mentor.name}'s capacity: they take at most {mentor.capacity} {noun} in this round"
        )
    return tuple(found)


@transaction.atomic
def pairing_override(
    *, run: MatchRun, mentee: Person, mentor: Person | None, by: Person
) -> PairMove:
    """Pair a mentee with another mentor (or with none) in a proposal under review. The hard
    rules are checked again and a move that breaks one is refused; otherwise its cost in fit
    and its change in blocking pairs are kept."""
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.kind != RunKind.MENTORING:
        raise ValidationError("Only mentee–mentor matches are paired here.")
    if run.status != RunStatus.READY:
        raise ValidationError(
            f"This proposal is {run.get_status_display().lower()}: it can no longer change."
        )
    round_ = _RoundInput.of(run)
    mentees = {p.id: p for p in round_.mentees}
    mentors = {p.id: p for p in round_.mentors}
    mentee_id, mentor_id = str(mentee.pk), str(mentor.pk) if mentor is not None else ""
    if mentee_id not in mentees:
        raise ValidationError(f"{mentee} is not a mentee of this run.")
    if mentor is not None and mentor_id not in mentors:
        raise ValidationError(f"{mentor} is not a mentor of this run.")
    rows = {str(p.learner_id): p for p in run.placements.select_for_update()}
    row = rows.get(mentee_id)
    if (str(row.mentor_id) if row and row.mentor_id else "") == mentor_id:
        where = f"paired with {mentor}" if mentor else "without a mentor"
        raise ValidationError(f"{mentee} is already {where}.")
    before = {m: str(p.mentor_id) for m, p in rows.items() if p.mentor_id}
    after = {m: p for m, p in before.items() if m != mentee_id}
    if mentor_id:
        after[mentee_id] = mentor_id
        load = sum(1 for m in after.values() if m == mentor_id)
        violations = _pair_violations(round_, mentees[mentee_id], mentors[mentor_id], load)
        if violations:
            raise OverrideRefused(violations)
    fits = round_.fits()
    fit = fits.get((mentee_id, mentor_id)) if mentor_id else None
    if mentor_id and fit is None:  # allowed, but beyond the candidates the solver kept
        fit = round_.fits(candidates=0).get((mentee_id, mentor_id))
    problem = pairing.pairing_problem(round_.mentees, round_.mentors, fits)
    blocking_before = len(pairing.blocking_pairs(problem, before))
    blocking_after = len(pairing.blocking_pairs(problem, after))
    fit_before = float(row.fit or 0.0) if row and row.mentor_id else 0.0
    fit_after = float(fit.score) if fit else 0.0
    if row is None:  # unmatched in the proposal: the director pairs them by hand
        row = Placement(run=run, learner_id=mentee.pk, overridden=True)
    elif not row.overridden:
        row.proposed_mentor_id = row.mentor_id
    proposed = str(row.proposed_mentor_id) if row.proposed_mentor_id else ""
    back = row.overridden and proposed == mentor_id
    move = PairMove(
        mentee=mentees[mentee_id].name,
        mentor=mentors[mentor_id].name if mentor_id else "",
        back=back,
        fit_before=fit_before,
        fit_after=fit_after,
        blocking_before=blocking_before,
        blocking_after=blocking_after,
    )
    ranked = mentees[mentee_id].preferences
    changes = [
        {"label": "Fit of the pair", "before": fit_before, "after": fit_after},
        {"label": "Blocking pairs", "before": blocking_before, "after": blocking_after},
    ]
    row.mentor_id = mentor.pk if mentor is not None else None
    row.fit = fit_after if mentor_id else None
    row.reasons = list(fit.reasons) if fit else []
    row.preference_rank = ranked.index(mentor_id) + 1 if mentor_id in ranked else None
    row.overridden = not back
    row.override_cost = None if back else (row.override_cost or 0.0) + move.cost
    row.override_changes = [] if back else [c for c in changes if c["before"] != c["after"]]
    row.override_reasons = (
        []
        if back
        else [f"moved here by {by.display_name} (override)"]
        if mentor_id
        else [f"left without a mentor by {by.display_name} (override)"]
    )
    if back and not mentor_id:
        row.delete()  # unmatched in the proposal, unmatched again
    else:
        row.save()
    run.objective = (run.objective or 0.0) - fit_before + fit_after
    run.terms = [{"key": "fit", "label": "Total fit of the pairs", "value": run.objective}]
    run.gap = _gap(run.objective, run.bound)
    run.blocking_pairs = blocking_after
    run.unmatched = [p.id for p in round_.mentees if p.id not in after]
    run.save(update_fields=["objective", "terms", "gap", "blocking_pairs", "unmatched"])
    return move


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
        run.placements.filter(Q(group__isnull=False) | Q(mentor__isnull=False)).select_related(
            "learner", "group__community", "mentor", "from_group"
        )
    )
    try:
        if run.kind == RunKind.MENTORING:
            assert run.round is not None
            # The round is matched: its participants' choices are closed.
            MentoringRound.objects.filter(pk=run.round.pk).update(status=RoundStatus.CLOSED)
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
    if notify:
        if run.kind == RunKind.MENTORING:
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


# --- Runs whose worker died -----------------------------------------------------------------


def runs_stop_silent(*, program: Program, now: dt.datetime | None = None) -> int:
    """Mark stopped the program's running runs that have been silent too long; how many."""
    return _stop_silent(MatchRun.objects.filter(program=program), now or timezone.now())


def run_stop_if_silent(*, run: MatchRun, now: dt.datetime | None = None) -> MatchRun:
    """Mark the run stopped if it is running but its worker has been silent too long."""
    if run.status == RunStatus.RUNNING and _stop_silent(
        MatchRun.objects.filter(pk=run.pk), now or timezone.now()
    ):
        run.refresh_from_db()
    return run


def _stop_silent(runs: QuerySet[MatchRun], now: dt.datetime) -> int:
    return RUNS.end_silent(
        runs,
        now=now,
        status=RunStatus.STOPPED,
        progress_message="Stopped",
        error="The matcher stopped answering while it worked on this run, probably because its "
        "worker was restarted. Nothing was changed.",
    )


@transaction.atomic
def run_retry(*, run: MatchRun, by: Person | None, today: dt.date | None = None) -> MatchRun:
    """Queue a fresh run with the settings of one that stopped or failed."""
    today = today or timezone.localdate()
    run = MatchRun.objects.select_related("program", "cohort", "round", "rematch_of").get(pk=run.pk)
    if not run.can_run_again:
        raise ValidationError(
            f"Only a stopped or failed run is run again; this one is "
            f"“{run.get_status_display().lower()}”."
        )
    if run.rematch_of is not None:
        leaving = list(MentorGroup.objects.filter(pk__in=run.settings.get("leaving", [])))
        return rematch_start(run=run.rematch_of, leaving_groups=leaving, by=by, today=today)
    settings = {k: v for k, v in run.settings.items() if k != "left_out"}
    starts_on = run.starts_on if run.starts_on and run.starts_on >= today else None
    return run_start(
        program=run.program,
        by=by,
        cohort=run.cohort,
        round_=run.round,
        settings=settings,
        starts_on=starts_on,
        today=today,
    )


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
    if not round_.takes_choices:
        raise ValidationError(f"{round_.name} is closed: its choices can no longer change.")
    sides = dict(RoundParticipant.objects.filter(round=round_).values_list("person_id", "side"))
    if chooser.pk not in sides:
        raise ValidationError(f"{chooser} is not taking part in {round_.name}.")
    if len(chosen) > ROUND_CHOICES:
        raise ValidationError(f"Rank at most {ROUND_CHOICES} people.")
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


# --- Learners' community choices ---------------------------------------------------------------


@transaction.atomic
def preference_window_open(
    *,
    cohort: Cohort,
    by: Person | None,
    closes_on: dt.date,
    opens_on: dt.date | None = None,
    today: dt.date | None = None,
) -> PreferenceWindow:
    """Let the class's learners rank their communities from `opens_on` until `closes_on`."""
    today = today or timezone.localdate()
    opens_on = opens_on or today
    if closes_on < max(opens_on, today):
        raise ValidationError(
            f"The choices would close on {closes_on:%-d %B %Y}, before they open: "
            "choose a later day."
        )
    if Community.objects.filter(program=cohort.program_id).count() < 2:
        raise ValidationError("Learners rank communities once the program has at least two.")
    window, _ = PreferenceWindow.objects.update_or_create(
        cohort=cohort,
        defaults={"opens_on": opens_on, "closes_on": closes_on, "closed_at": None, "opened_by": by},
    )
    return window


@transaction.atomic
def preference_window_close(*, cohort: Cohort, now: dt.datetime | None = None) -> PreferenceWindow:
    """Close the class's community choices now; what learners ranked stays."""
    window = PreferenceWindow.objects.select_for_update().filter(cohort=cohort).first()
    if window is None or window.closed_at is not None:
        raise ValidationError(f"The {cohort.name}'s community choices are not open.")
    window.closed_at = now or timezone.now()
    window.save(update_fields=["closed_at"])
    return window


@transaction.atomic
def community_preferences_set(
    *,
    cohort: Cohort,
    learner: Person,
    communities: list[Community],
    today: dt.date | None = None,
) -> list[CommunityPreference]:
    """Replace a learner's ranked communities (best first) while their class's choices are open."""
    window = PreferenceWindow.objects.filter(cohort=cohort).first()
    if window is None or not window.is_open(today):
        raise ValidationError(f"Community choices for the {cohort.name} are closed.")
    if learner.class_year != cohort.class_year:
        raise ValidationError(f"{learner} is not in the {cohort.name}.")
    if not communities:
        raise ValidationError("Choose at least your first choice.")
    if len(communities) > COMMUNITY_CHOICES:
        raise ValidationError(f"Rank at most {COMMUNITY_CHOICES} communities.")
    if len({c.pk for c in communities}) != len(communities):
        raise ValidationError("Choose each community once.")
    for community in communities:
        if community.program_id != cohort.program_id:
            raise ValidationError(f"{community.name} is not a community of this program.")
    CommunityPreference.objects.filter(cohort=cohort, learner=learner).delete()
    return CommunityPreference.objects.bulk_create(
        CommunityPreference(cohort=cohort, learner=learner, community=c, rank=rank)
        for rank, c in enumerate(communities, start=1)
    )
