"""Reads for the guide library: the guides a person may read, found by words and domain."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hearth.communities.models import Program
from hearth.people.models import Person
from hearth.people.permissions import scope_of, visible_guides
from hearth.pulse.scoring import load_competency_bank

from ..models import Guide

MAX_QUERY_WORDS = 8


def competency_domains() -> dict[str, str]:
    """The six mentoring-competency domains, key → label, in the bank's order."""
    return {theme.key: theme.label for theme in load_competency_bank().themes}


def guides_for(user: Any, *, query: str = "", domain: str = "") -> list[Guide]:
    """Guides the user may read whose title, summary or text holds every word of the query
    (any case), in the given competency domain; those with the words in the title first."""
    words = query.split()[:MAX_QUERY_WORDS]
    guides = visible_guides(user).select_related("program", "author")
    for word in words:
        guides = guides.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    # A guide holds at most six domain keys: filter them here, the same on every database.
    found = [g for g in guides.order_by("title", "pk") if not domain or domain in g.domains]
    lowered = [w.casefold() for w in words]
    found.sort(key=lambda g: not all(w in g.title.casefold() for w in lowered))
    return found


def programs_writing_guides(person: Person) -> list[Program]:
    """Programs whose guides the person writes and edits: the ones they direct."""
    scope = scope_of(person)
    programs = (
        Program.objects.all()
        if scope.superuser
        else Program.objects.filter(pk__in=scope.directed_programs)
    )
    return list(programs.order_by("name"))
