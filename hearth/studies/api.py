"""Studies through the API: the caller's studies, agreement figures, and coded segments as
offsets (REFI-QDA's PlainTextSelection), for the study's team only; anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from hearth.api.schemas import ERRORS, ErrorOut, id_path
from hearth.people.models import Person
from hearth.people.permissions import get_study_member

from . import selectors

router = Router(tags=["studies"])


class StudyOut(Schema):
    id: int
    guid: str
    title: str
    program: str
    role: str
    participants: int
    sources: int
    reconciliation_open: bool


class AgreementRowOut(Schema):
    code: str | None
    code_guid: str | None
    percent: float | None
    kappa: float | None
    alpha: float | None
    decisions: int
    uncoded_share: float | None
    note: str


class AgreementOut(Schema):
    unit: str
    coders: list[str]
    rows: list[AgreementRowOut]


class SegmentOut(Schema):
    guid: str
    source_guid: str
    start: int
    end: int
    text: str
    code: str
    code_guid: str
    coder_guid: str
    participant: str


def _viewer(request: HttpRequest) -> Person:
    return getattr(request, "auth", None) or request.user  # type: ignore[return-value]


@router.get("/studies", response={200: list[StudyOut], **ERRORS}, summary="Your studies")
def my_studies(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": m.study_id,
            "guid": str(m.study.guid),
            "title": m.study.title,
            "program": m.study.program.name,
            "role": m.role,
            "participants": m.n_participants,  # type: ignore[attr-defined]
            "sources": m.n_sources,  # type: ignore[attr-defined]
            "reconciliation_open": m.study.reconciliation_open,
        }
        for m in selectors.studies_of(_viewer(request))
    ]


@router.get(
    "/studies/{study_id}/agreement",
    response={200: AgreementOut, 404: ErrorOut, **ERRORS},
    summary="Intercoder agreement per code and overall (the study's team only)",
    description="`unit` is turn, sentence or character; every coder and source is compared.",
)
def study_agreement(request: HttpRequest, study_id: int = id_path(), unit: str = "turn") -> Any:
    member = get_study_member(_viewer(request), study_id)
    study = member.study
    coders = selectors.coding_members(study)
    if unit not in selectors.UNITS or len(coders) < 2:
        return 404, {"detail": "Choose turn, sentence or character, with two coders or more."}
    view = selectors.agreement_view(
        study, coders=coders, sources=list(study.sources.all()), unit=unit
    )
    return {
        "unit": view.unit_label,
        "coders": [str(m.guid) for m in coders],
        "rows": [
            {
                "code": row.code.name if row.code else None,
                "code_guid": str(row.code.guid) if row.code else None,
                "percent": row.figures.percent,
                "kappa": row.figures.kappa,
                "alpha": row.figures.alpha,
                "decisions": row.figures.units,
                "uncoded_share": row.figures.uncoded_share,
                "note": row.figures.note,
            }
            for row in view.rows
        ],
    }


@router.get(
    "/studies/{study_id}/segments",
    response={200: list[SegmentOut], 404: ErrorOut, **ERRORS},
    summary="Coded segments as character offsets (yours, or everyone's once reconciliation "
    "is open)",
)
def study_segments(request: HttpRequest, study_id: int = id_path()) -> Any:
    member = get_study_member(_viewer(request), study_id)
    _columns, rows = selectors.export_rows(member.study, member, anonymous_coders=True)
    return [
        {
            "guid": str(r["segment_guid"]),
            "source_guid": str(r["source_guid"]),
            "start": r["start"],
            "end": r["end"],
            "text": r["text"],
            "code": r["code"],
            "code_guid": str(r["code_guid"]),
            "coder_guid": str(r["coder_guid"]),
            "participant": r["participant"],
        }
        for r in rows
    ]
