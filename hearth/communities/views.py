from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hearth.people.permissions import (
    directs_community,
    directs_program,
    get_community_for_user,
    get_group_for_user,
    get_program_for_user,
    visible_communities,
    visible_groups,
)

from . import selectors


@login_required
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_user(request.user, slug)
    is_director = directs_program(request.user, program)
    overview = selectors.program_overview(
        program=program,
        communities=visible_communities(request.user),
        with_loads=is_director,
    )
    return render(
        request,
        "communities/program_detail.html",
        {"program": program, "overview": overview, "is_director": is_director},
    )


@login_required
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_community_for_user(request.user, pk)
    return render(
        request,
        "communities/community_detail.html",
        {
            "community": community,
            "groups": selectors.community_groups(
                community=community, groups=visible_groups(request.user)
            ),
            "directors": selectors.community_directors(community=community),
            "is_director": directs_community(request.user, community),
        },
    )


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk)
    return render(
        request,
        "communities/group_detail.html",
        {"group": group, "roster": selectors.group_roster(user=request.user, group=group)},
    )
