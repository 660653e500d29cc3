from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hearth.communities import selectors as community_selectors

from .permissions import get_person_for_user
from .selectors import home_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "people/home.html", {"home": home_for(request.user)})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "is_self": person.pk == request.user.pk,
            "memberships": community_selectors.person_memberships(user=request.user, person=person),
            "mentor_map": community_selectors.mentor_map(user=request.user, person=person),
            "mentees": community_selectors.mentees_of(user=request.user, person=person),
            "attributes": person.attributes.select_related("definition")
            if person.pk == request.user.pk
            else [],
        },
    )
