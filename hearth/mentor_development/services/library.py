"""Writes for the guide library: directors add and edit their own program's guides."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from hearth.communities.models import Program
from hearth.people.models import Person
from hearth.people.permissions import can_edit_guide, directs_program

from ..guide_files import upsert_guides
from ..models import Guide
from ..selectors.library import competency_domains

MAX_TITLE = 150
MAX_SUMMARY = 300
MAX_BODY = 30_000


def _clean(
    *, title: str, summary: str, body: str, domains: Sequence[str]
) -> tuple[str, str, str, list[str]]:
    title, summary, body = title.strip(), " ".join(summary.split()), body.strip()
    if not title:
        raise ValidationError("Give the guide a title.")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"Keep the title under {MAX_TITLE} characters.")
    if len(summary) > MAX_SUMMARY:
        raise ValidationError(f"Keep the summary under {MAX_SUMMARY} characters.")
    if not body:
        raise ValidationError("Write the guide itself.")
    if len(body) > MAX_BODY:
        raise ValidationError("The guide is too long: a guide is short and practical.")
    known = competency_domains()
    unknown = [d for d in domains if d not in known]
    if unknown:
        raise ValidationError(f"Not a competency domain: {', '.join(unknown)}.")
    return title, summary, body + "\n", [key for key in known if key in domains]


def _free_slug(program: Program, title: str) -> str:
    base = slugify(title)[:70] or "guide"
    slug, n = base, 2
    while Guide.objects.filter(program=program, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def guide_create(
    *,
    program: Program,
    author: Person,
    title: str,
    summary: str,
    body: str,
    domains: Sequence[str],
) -> Guide:
    """A director writes a guide for their program; it counts as reviewed today."""
    if not directs_program(author, program):
        raise ValidationError("Only the program's directors add its guides.")
    title, summary, body, domains = _clean(title=title, summary=summary, body=body, domains=domains)
    return Guide.objects.create(
        program=program,
        slug=_free_slug(program, title),
        title=title,
        summary=summary,
        body=body,
        domains=list(domains),
        author=author,
        reviewed_on=timezone.localdate(),
    )


@transaction.atomic
def guide_update(
    *,
    guide: Guide,
    editor: Person,
    title: str,
    summary: str,
    body: str,
    domains: Sequence[str],
    reviewed: bool = False,
) -> Guide:
    """Edit a guide; the author stays. "Reviewed today" moves the date readers see."""
    if not can_edit_guide(editor, guide):
        raise ValidationError("Only the program's directors edit its guides.")
    guide.title, guide.summary, guide.body, guide.domains = _clean(
        title=title, summary=summary, body=body, domains=domains
    )
    if reviewed:
        guide.reviewed_on = timezone.localdate()
    guide.save()
    return guide


def hearth_guides_load() -> int:
    """(Re)load Hearth's own guides from the fixtures, as the data migration does."""
    return upsert_guides(Guide)
