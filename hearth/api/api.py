"""The read-only JSON API. Every answer goes through the one permission rule in
hearth.people.permissions, so the API shows exactly what the pages show; whatever the
caller may not see answers 404.

Lists are paged with ninja's PageNumberPagination: ?page=N (from 1) and ?page_size=N
(at most 100, default 50) give {"items": [...], "count": <total across pages>}."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError
from ninja.operation import Operation
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from hearth.communities.models import (
    AssessmentExclusion,
    Community,
    GroupMembership,
    MentorGroup,
    Program,
    Relationship,
)
from hearth.matching.api import router as matching_router
from hearth.people.models import Person
from hearth.people.permissions import (
    get_circle_for_user,
    get_community_for_user,
    get_directed_program,
    get_group_for_user,
    get_managed_circle,
    get_person_for_user,
    get_program_for_user,
    visible_circles,
)
from hearth.pulse.selectors import pulse_table
from hearth.serendipity.selectors import circle_summary, my_pairings
from hearth.studies.api import router as studies_router

from . import selectors
from .auth import TokenAuth
from .schemas import (
    ERRORS,
    MAX_ID,
    CircleOut,
    CircleSummaryOut,
    CommunityOut,
    ErrorOut,
    ExclusionOut,
    GroupOut,
    MembershipOut,
    MeOut,
    PairingOut,
    PersonOut,
    ProgramOut,
    PulseFigureOut,
    RelationshipOut,
    RoundOut,
    id_path,
)

PAGE_SIZE = 50
MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    # Bounded so a huge page number answers 422 instead of overflowing the SQL OFFSET; a
    # page_size above the most (100) is lowered to it.
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)


class HearthAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids ("list_people") make readable generated clients.
        return operation.view_func.__name__


api = HearthAPI(
    title="Hearth API",
    version="1",
    description=(
        "Read-only access to programs, communities, mentor groups, people, memberships "
        "and serendipity circles, and for program directors, matching (start a run, read "
        "its proposal, publish it), "
        "showing exactly what the signed-in pages show. Authenticate with "
        "`Authorization: Bearer <token>` (create a token at /account/api-tokens/). Lists "
        "take `page` and `page_size` (at most 100) and answer `{items, count}`."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_decorator=login_required,
)


def viewer(request: HttpRequest) -> Person:
    # Ninja puts whoever authenticated (token owner or session user) on request.auth;
    # request.user stays anonymous for token calls.
    return request.auth  # type: ignore[attr-defined]


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Hearth"'
    return response


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["people"])
def who_am_i(request: HttpRequest) -> Person:
    """The person the token or session belongs to: no query beyond finding them."""
    return viewer(request)


@api.get("/programs", response={200: list[ProgramOut], **ERRORS}, tags=["programs"])
@paginate(Pages, page_size=PAGE_SIZE)
def list_programs(request: HttpRequest) -> QuerySet[Program]:
    return selectors.api_programs(user=viewer(request))


@api.get("/programs/{slug}", response={200: ProgramOut, 404: ErrorOut, **ERRORS}, tags=["programs"])
def get_program(request: HttpRequest, slug: str) -> Program:
    return get_program_for_user(viewer(request), slug)


@api.get(
    "/programs/{slug}/communities",
    response={200: list[CommunityOut], 404: ErrorOut, **ERRORS},
    tags=["programs"],
)
@paginate(Pages, page_size=PAGE_SIZE)
def list_program_communities(request: HttpRequest, slug: str) -> QuerySet[Community]:
    user = viewer(request)
    return selectors.api_communities(user=user, program=get_program_for_user(user, slug))


@api.get(
    "/programs/{slug}/assessment-exclusions",
    response={200: list[ExclusionOut], 404: ErrorOut, **ERRORS},
    tags=["programs"],
    summary="List the assessment firewall (program directors only)",
)
@paginate(Pages, page_size=PAGE_SIZE)
def list_assessment_exclusions(request: HttpRequest, slug: str) -> QuerySet[AssessmentExclusion]:
    return selectors.api_exclusions(program=get_directed_program(viewer(request), slug))


@api.get(
    "/communities/{community_id}",
    response={200: CommunityOut, 404: ErrorOut, **ERRORS},
    tags=["communities"],
)
def get_community(request: HttpRequest, community_id: int = id_path()) -> Community:
    return get_community_for_user(viewer(request), community_id)


@api.get(
    "/communities/{community_id}/groups",
    response={200: list[GroupOut], 404: ErrorOut, **ERRORS},
    tags=["communities"],
)
@paginate(Pages, page_size=PAGE_SIZE)
def list_community_groups(
    request: HttpRequest, community_id: int = id_path()
) -> QuerySet[MentorGroup]:
    user = viewer(request)
    return selectors.api_groups(user=user, community=get_community_for_user(user, community_id))


@api.get("/groups/{group_id}", response={200: GroupOut, 404: ErrorOut, **ERRORS}, tags=["groups"])
def get_group(request: HttpRequest, group_id: int = id_path()) -> MentorGroup:
    return get_group_for_user(viewer(request), group_id)


@api.get(
    "/groups/{group_id}/memberships",
    response={200: list[MembershipOut], 404: ErrorOut, **ERRORS},
    tags=["groups"],
)
@paginate(Pages, page_size=PAGE_SIZE)
def list_group_memberships(
    request: HttpRequest, group_id: int = id_path()
) -> QuerySet[GroupMembership]:
    user = viewer(request)
    group = get_group_for_user(user, group_id)
    return selectors.api_memberships(user=user, group_id=group.pk)


@api.get("/people", response={200: list[PersonOut], **ERRORS}, tags=["people"])
@paginate(Pages, page_size=PAGE_SIZE)
def list_people(request: HttpRequest) -> QuerySet[Person]:
    return selectors.api_people(user=viewer(request))


@api.get("/people/{person_id}", response={200: PersonOut, 404: ErrorOut, **ERRORS}, tags=["people"])
def get_person(request: HttpRequest, person_id: int = id_path()) -> Person:
    return get_person_for_user(viewer(request), person_id)


@api.get(
    "/people/{person_id}/memberships",
    response={200: list[MembershipOut], 404: ErrorOut, **ERRORS},
    tags=["people"],
)
@paginate(Pages, page_size=PAGE_SIZE)
def list_person_memberships(
    request: HttpRequest, person_id: int = id_path()
) -> QuerySet[GroupMembership]:
    user = viewer(request)
    return selectors.api_memberships(user=user, person=get_person_for_user(user, person_id))


@api.get(
    "/people/{person_id}/relationships",
    response={200: list[RelationshipOut], 404: ErrorOut, **ERRORS},
    tags=["people"],
)
@paginate(Pages, page_size=PAGE_SIZE)
def list_person_relationships(
    request: HttpRequest, person_id: int = id_path()
) -> QuerySet[Relationship]:
    user = viewer(request)
    return selectors.api_relationships(user=user, person=get_person_for_user(user, person_id))


@api.get("/memberships", response={200: list[MembershipOut], **ERRORS}, tags=["memberships"])
@paginate(Pages, page_size=PAGE_SIZE)
def list_memberships(
    request: HttpRequest,
    program: str | None = Query(None, description="Only this program (its slug)."),
    group: int | None = Query(
        None, ge=1, le=MAX_ID, description="Only this mentor group (its id)."
    ),
    is_open: bool | None = Query(
        None, alias="open", description="true: current memberships only; false: ended only."
    ),
) -> QuerySet[GroupMembership]:
    return selectors.api_memberships(
        user=viewer(request), program_slug=program, group_id=group, is_open=is_open
    )


@api.get("/circles", response={200: list[CircleOut], **ERRORS}, tags=["serendipity"])
@paginate(Pages, page_size=PAGE_SIZE)
def list_circles(request: HttpRequest) -> QuerySet[Any]:
    return visible_circles(viewer(request)).select_related("program").order_by("pk")


@api.get(
    "/circles/{circle_id}",
    response={200: CircleSummaryOut, 404: ErrorOut, **ERRORS},
    tags=["serendipity"],
)
def get_circle(request: HttpRequest, circle_id: int = id_path()) -> SimpleNamespace:
    circle = get_circle_for_user(viewer(request), circle_id)
    summary = circle_summary(circle)
    fields = {name: getattr(circle, name) for name in CircleOut.model_fields}
    return SimpleNamespace(
        **fields,
        rounds=summary.rounds,
        members=summary.members,
        paused=summary.paused,
        repeated_pairs=summary.repeats,
        meet_rate=summary.meet_rate,
        cross_community_share=summary.cross_share,
        random_cross_community_share=summary.random_cross_share,
    )


@api.get(
    "/circles/{circle_id}/rounds",
    response={200: list[RoundOut], 404: ErrorOut, **ERRORS},
    tags=["serendipity"],
    description="The circle's rounds, newest first: for its managers only.",
)
@paginate(Pages, page_size=PAGE_SIZE)
def list_circle_rounds(request: HttpRequest, circle_id: int = id_path()) -> QuerySet[Any]:
    circle = get_managed_circle(viewer(request), circle_id)
    return circle.rounds.prefetch_related("absences").order_by("-index")


@api.get(
    "/pairings",
    response={200: list[PairingOut], **ERRORS},
    tags=["serendipity"],
    description="The caller's own introductions, newest first.",
)
@paginate(Pages, page_size=PAGE_SIZE)
def list_my_pairings(request: HttpRequest) -> QuerySet[Any]:
    return my_pairings(viewer(request))


@api.get(
    "/programs/{slug}/pulse",
    response={200: list[PulseFigureOut], 404: ErrorOut, **ERRORS},
    tags=["pulse"],
    description=(
        "Check-in averages per wave, scope (the program or a community) and theme, for the "
        "program's directors, under the small-cell rule: a hidden figure has no mean and no "
        "count. Free-text answers are never included."
    ),
)
def list_pulse_figures(request: HttpRequest, slug: str) -> list[dict[str, object]]:
    return pulse_table(get_directed_program(viewer(request), slug))


# Matching: the one part of the API that writes (start a run, publish it), for directors.
api.add_router("", matching_router)
api.add_router("", studies_router)
