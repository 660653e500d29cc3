"""Writes for recognition: send a thank-you note, report it, hide it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import Relationship
from hearth.lib.email import absolute_url, email_on_commit
from hearth.people.models import Person

from .models import ThankYouNote


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
