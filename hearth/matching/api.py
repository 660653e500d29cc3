"""Matching through the API: start a run, read its progress and proposal, publish it.
For the program's directors only; anyone else gets 404, as on the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hearth.api.schemas import ERRORS, MAX_ID, ErrorOut, id_path
from hearth.people.models import Person
from hearth.people.permissions import get_directed_program, get_run_for_director

from . import selectors, services
from .models import MatchRun, MentoringRound, RunKind


class BalanceIn(Schema):
    attribute: str
    value: str
    label: str = ""
    weight: float = 1.0
    band: int | None = None


class MatchIn(Schema):
    cohort: str | None = None  # a class's name or year
    round: int | None = Field(None, ge=1, le=MAX_ID)  # a mentoring round's id
    preference_weight: float = 1.0
    even_size_weight: float = 0.5
    balance: list[BalanceIn] = []
    policy: str | None = None
    outside_division: bool = False
    senior_mentor: bool = False


class MatchStatusOut(Schema):
    id: int
    kind: str
    status: str
    progress: int
    progress_message: str


class PlacementOut(Schema):
    learner_id: int
    learner: str
    community: str
    group_id: int | None
    group: str
    mentor_id: int | None
    mentor: str
    preference_rank: int | None
    fit: float | None
    reasons: list[str]
    overridden: bool


class MatchOut(MatchStatusOut):
    title: str
    objective: float | None
    bound: float | None
    gap: float | None
    proven_optimal: bool
    terms: list[dict[str, Any]]
    shares: list[dict[str, Any]]
    blocking_pairs: int | None
    infeasible_reasons: list[str]
    published_at: str | None
    placements: list[PlacementOut]


router = Router(tags=["matching"])


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined]


def _status(run: MatchRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "progress": run.progress,
        "progress_message": run.progress_message,
    }


@router.post(
    "/programs/{slug}/matches",
    response={202: MatchStatusOut, 400: ErrorOut, 404: ErrorOut, **ERRORS},
    summary="Start a match (program directors only)",
    description=(
        "Give `cohort` (a class's name or year) to place an entering class, or `round` (a "
        "mentoring round's id) to pair mentees with mentors. The run is queued; read its "
        "progress and proposal at /api/matches/{id}."
    ),
)
def start_match(request: HttpRequest, slug: str, payload: MatchIn) -> Status[dict[str, Any]]:
    user = _viewer(request)
    program = get_directed_program(user, slug)
    try:
        if payload.round is not None:
            round_ = MentoringRound.objects.filter(program=program, pk=payload.round).first()
            if round_ is None:
                return Status(
                    400, {"detail": f"{program.name} has no mentoring round {payload.round}."}
                )
            settings = payload.dict(include={"policy", "outside_division", "senior_mentor"})
            run = services.run_start(
                program=program,
                by=user,
                round_=round_,
                settings={k: v for k, v in settings.items() if v is not None},
            )
        else:
            cohort = services.cohort_named(program, payload.cohort or "")
            run = services.run_start(
                program=program,
                by=user,
                cohort=cohort,
                settings=payload.dict(include={"preference_weight", "even_size_weight", "balance"}),
            )
    except ValidationError as error:
        return Status(400, {"detail": " ".join(error.messages)})
    run.refresh_from_db()
    return Status(202, _status(run))


@router.get(
    "/matches/{run_id}",
    response={200: MatchOut, 404: ErrorOut, **ERRORS},
    summary="A match's progress and proposal (program directors only)",
)
def get_match(request: HttpRequest, run_id: int = id_path()) -> dict[str, Any]:
    run = services.run_stop_if_silent(run=get_run_for_director(_viewer(request), run_id))
    review = selectors.run_review(run, with_charts=False)
    names = dict(review.communities)
    placements = [
        {
            "learner_id": p.learner_id,
            "learner": p.learner.display_name,
            "community": names.get(review.group_community.get(str(p.group_id), ""), ""),
            "group_id": p.group_id,
            "group": review.group_names.get(str(p.group_id), ""),
            "mentor_id": p.mentor_id,
            "mentor": p.mentor.display_name if p.mentor else "",
            "preference_rank": p.preference_rank,
            "fit": p.fit,
            "reasons": p.explanation,
            "overridden": p.overridden,
        }
        for p in review.placements
    ]
    return {
        **_status(run),
        "title": run.title,
        "objective": run.objective,
        "bound": run.bound,
        "gap": run.gap,
        "proven_optimal": run.proven_optimal,
        "terms": run.terms,
        "shares": run.shares if run.kind == RunKind.PLACEMENT else [],
        "blocking_pairs": run.blocking_pairs,
        "infeasible_reasons": run.infeasible_reasons,
        "published_at": run.published_at.isoformat() if run.published_at else None,
        "placements": placements,
    }


@router.post(
    "/matches/{run_id}/publish",
    response={200: MatchStatusOut, 404: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Publish a proposal (program directors only)",
    description="All or nothing; a proposal already published, or overtaken, answers 409.",
)
def publish_match(request: HttpRequest, run_id: int = id_path()) -> Status[dict[str, Any]]:
    user = _viewer(request)
    run = get_run_for_director(user, run_id)
    try:
        run = services.run_publish(run=run, by=user)
    except ValidationError as error:
        return Status(409, {"detail": " ".join(error.messages)})
    return Status(200, _status(run))
