"""Writes for recognition: thank-you notes, acknowledgments, the teaching-credit rule and
the documents Hearth issues with a verification code."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import Program, Relationship
from hearth.lib.email import absolute_url, email_on_commit
from hearth.lib.pdf import typst_pdf
from hearth.people.models import Person
from hearth.people.permissions import directs_program

from . import selectors, verification
from .models import Acknowledgment, DocumentKind, IssuedDocument, TeachingCreditRule, ThankYouNote
from .portfolio import long_date, portfolio_content

PORTFOLIO_TEMPLATE = Path(__file__).parent / "typst" / "portfolio.typ"


@transaction.atomic
def note_send(
    *, author: Person, mentor: Person, body: str, anonymous: bool = False, may_quote: bool = False
) -> ThankYouNote:
    """Only someone this person mentors (now or before) can thank them."""
    body = body.strip()
    if not body:
        raise ValidationError("Write a few words of thanks.")
    if len(body) > 2000:
        raise ValidationError("Keep the note under 2,000 characters.")
    relationship = (
        Relationship.objects.filter(mentor=mentor, mentee=author).order_by("-start_date").first()
    )
    if relationship is None:
        raise ValidationError(f"You can thank your own mentors; {mentor} has not mentored you.")
    note = ThankYouNote.objects.create(
        program=relationship.program,
        author=author,
        mentor=mentor,
        body=body,
        anonymous=anonymous,
        may_quote=may_quote,
    )
    email_on_commit(
        subject=f"{note.signature} sent you a thank-you note",
        body="\n".join(
            [
                f"Hello {mentor.display_name},",
                "",
                body,
                "",
                f"— {note.signature}",
                "",
                f"Your collection of notes: {absolute_url(reverse('thanks'))}",
            ]
        ),
        recipients=[mentor.email],
    )
    return note


def note_report(*, note: ThankYouNote) -> ThankYouNote:
    """The mentor flags a note (hurtful, not meant for them) for a director to look at."""
    note.reported_at = note.reported_at or timezone.now()
    note.save(update_fields=["reported_at"])
    return note


def note_hide(*, note: ThankYouNote, director: Person, reason: str) -> ThankYouNote:
    if not reason.strip():
        raise ValidationError("Say why the note is hidden; the record keeps it.")
    note.hidden_at, note.hidden_by, note.hidden_reason = timezone.now(), director, reason.strip()
    note.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return note


@transaction.atomic
def acknowledgment_send(
    *, director: Person, mentor: Person, program: Program, body: str
) -> Acknowledgment:
    """A program director thanks someone who mentors (or mentored) in their program."""
    body = body.strip()
    if not directs_program(director, program):
        raise ValidationError(f"Only a director of {program} can acknowledge its mentors.")
    if not selectors.mentors_in(program, mentor):
        raise ValidationError(f"{mentor} has not mentored in {program}.")
    if not body:
        raise ValidationError("Write a few words of acknowledgment.")
    if len(body) > 2000:
        raise ValidationError("Keep the acknowledgment under 2,000 characters.")
    acknowledgment = Acknowledgment.objects.create(
        program=program, sender=director, mentor=mentor, body=body
    )
    email_on_commit(
        subject=f"{director.display_name} acknowledged your mentoring in {program.name}",
        body="\n".join(
            [
                f"Hello {mentor.display_name},",
                "",
                body,
                "",
                f"— {director.display_name}, {program.name}",
                "",
                f"Your thank-you notes and acknowledgments: {absolute_url(reverse('thanks'))}",
            ]
        ),
        recipients=[mentor.email],
    )
    return acknowledgment


@transaction.atomic
def credit_rule_save(
    *,
    program: Program,
    director: Person,
    label: str,
    credits_per_relationship: Decimal,
    min_hours_per_year: Decimal,
    max_credits_per_year: Decimal | None = None,
) -> TeachingCreditRule:
    """Set how the program turns longitudinal mentoring into teaching credit."""
    if not directs_program(director, program):
        raise ValidationError(f"Only a director of {program} sets its teaching-credit rule.")
    if credits_per_relationship <= 0:
        raise ValidationError("Credits per relationship must be more than zero.")
    if min_hours_per_year < 0:
        raise ValidationError("The hours a relationship needs cannot be negative.")
    if max_credits_per_year is not None and max_credits_per_year < credits_per_relationship:
        raise ValidationError("The yearly limit must allow at least one relationship's credits.")
    rule, _ = TeachingCreditRule.objects.update_or_create(
        program=program,
        defaults={
            "label": label.strip() or "teaching credits",
            "credits_per_relationship": credits_per_relationship,
            "min_hours_per_year": min_hours_per_year,
            "max_credits_per_year": max_credits_per_year,
        },
    )
    return rule


@transaction.atomic
def document_issue(
    *,
    kind: str,
    person: Person,
    content: dict[str, Any],
    render: Callable[[str, dict[str, Any]], bytes],
    issued_at: dt.datetime | None = None,
) -> tuple[IssuedDocument, bytes]:
    """Sign the content, render its PDF showing the code, and keep both with the PDF's hash.

    `render(code, content)` returns the PDF bytes. The stored content is exactly what was
    signed, with the kind, the issue time and a serial number added.
    """
    issued_at = issued_at or timezone.now()
    content = {
        **content,
        "kind": kind,
        "issued_at": issued_at.isoformat(),
        "serial": uuid.uuid4().hex,
    }
    code = verification.sign(kind, content)
    pdf = render(code, content)
    document = IssuedDocument.objects.create(
        kind=kind,
        person=person,
        issued_at=issued_at,
        content=content,
        code=code,
        pdf_sha256=verification.pdf_sha256(pdf),
    )
    return document, pdf


def verify_url(code: str) -> str:
    return absolute_url(reverse("verify_code", args=[code]))


def _render_portfolio(issued_at: dt.datetime) -> Callable[[str, dict[str, Any]], bytes]:
    utc = issued_at.astimezone(dt.UTC)

    def render(code: str, content: dict[str, Any]) -> bytes:
        return typst_pdf(
            PORTFOLIO_TEMPLATE,
            data={
                "content": content,
                "code": code,
                "verify_url": verify_url(code),
                "issued_on": long_date(utc.date()),
                "issued": {
                    "year": utc.year,
                    "month": utc.month,
                    "day": utc.day,
                    "hour": utc.hour,
                    "minute": utc.minute,
                    "second": utc.second,
                },
            },
        )

    return render


@transaction.atomic
def portfolio_issue(
    *, mentor: Person, note_ids: Collection[int] | None = None, now: dt.datetime | None = None
) -> tuple[IssuedDocument, bytes]:
    """The mentor's portfolio as a signed PDF; every download is a new, recorded document."""
    now = now or timezone.now()
    content = portfolio_content(mentor, now=now, note_ids=note_ids)
    if not content["programs"]:
        raise ValidationError("Your portfolio fills in once you mentor in a Hearth program.")
    return document_issue(
        kind=DocumentKind.PORTFOLIO,
        person=mentor,
        content=content,
        render=_render_portfolio(now),
        issued_at=now,
    )
