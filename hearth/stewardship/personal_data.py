"""Everything Hearth holds about one person: export it, or erase the person.

Both walk every relation that points at the person model, so a model added later is either
listed in COVERED or in EXCLUDED (with the reason) — `unlisted_relations()` names the rest,
and a test fails while it is not empty.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.api.models import ApiToken
from hearth.communities.models import PersonAttribute, Relationship
from hearth.matching.models import RoundParticipant
from hearth.meetings.models import (
    Availability,
    CalendarFeed,
    EmailPreference,
    Goal,
    Note,
    NoteVisibility,
)
from hearth.meetings.selectors import meetings_of, notes_visible_to
from hearth.mentor_development.models import CaseResponse, Compact, Reflection
from hearth.people.models import Person
from hearth.people.two_step import sign_in_records_delete, two_step_summary
from hearth.recognition.models import IssuedDocument, ThankYouNote
from hearth.serendipity.models import CircleMember, MemberStatus, PairingMember
from hearth.studies.models import Participant
from hearth.studies.services import consent_withdraw

from .models import ErasureRecord

# Relations exported: "app.Model.field" → the heading their rows appear under.
COVERED: dict[str, str] = {
    "people.RoleGrant.person": "roles",
    "people.Supervision.supervisor": "people you supervise",
    "people.Supervision.supervisee": "your supervisors",
    "communities.GroupMembership.person": "group memberships (history included)",
    "communities.Relationship.mentor": "relationships as mentor",
    "communities.Relationship.mentee": "relationships as mentee",
    "communities.AssessmentExclusion.assessor": "learners you may not assess",
    "communities.AssessmentExclusion.learner": "assessors who may not assess you",
    "communities.PersonAttribute.person": "self-reported attributes",
    "api.ApiToken.person": "API tokens",
    "meetings.Meeting.organiser": "meetings you organised",
    "meetings.AgendaItem.added_by": "agenda items you added",
    "meetings.Note.author": "notes you wrote",
    "meetings.ActionItem.owner": "action items you own",
    "meetings.CalendarFeed.person": "calendar feed",
    "meetings.Availability.mentor": "booking availability",
    "meetings.Booking.mentor": "bookings with you",
    "meetings.EmailPreference.person": "email preferences",
    "serendipity.Circle.created_by": "circles you started",
    "serendipity.CircleMember.person": "circle memberships",
    "serendipity.RoundAbsence.person": "rounds you sat out",
    "serendipity.PairingMember.person": "pairings",
    "serendipity.DropIn.host": "drop-in hours you host",
    "pulse.PulseResponse.person": "check-in answers",
    "pulse.FeedbackSharing.mentor": "feedback sharing choice",
    "recognition.ThankYouNote.author": "thank-you notes you sent",
    "recognition.ThankYouNote.mentor": "thank-you notes you received",
    "recognition.Acknowledgment.sender": "acknowledgments you sent",
    "recognition.Acknowledgment.mentor": "acknowledgments you received",
    "recognition.IssuedDocument.person": "portfolio documents issued",
    "mentor_development.TrainingSession.facilitator": "sessions you facilitate",
    "mentor_development.Enrolment.person": "training enrolments",
    "mentor_development.Attendance.person": "attendance",
    "mentor_development.Reflection.person": "reflections",
    "mentor_development.CaseResponse.person": "case responses",
    "mentor_development.PracticeCircleMember.person": "practice circles",
    "mentor_development.Guide.author": "guides you wrote",
    "mentor_development.SelfRating.person": "competency self-ratings",
    "matching.MatchConflict.learner": "conflicts you declared",
    "matching.CommunityPreference.learner": "community choices",
    "matching.RoundParticipant.person": "mentoring rounds",
    "matching.RoundPreference.chooser": "your rankings in mentoring rounds",
    "matching.Placement.learner": "placements as learner",
    "matching.Placement.mentor": "placements as mentor",
    "studies.StudyMember.person": "study team memberships",
    "studies.Participant.person": "study participation",
    "studies.CodedSegment.coder": "codes you applied",
    "studies.Memo.author": "study memos you wrote",
    "socialaccount.SocialAccount.user": "single sign-on links (institution and its id for you)",
    "account.EmailAddress.user": "email addresses single sign-on knows",
}

_STAFF_ACTION = "their work on other people's records; the record belongs to those people"
# Relations not exported, each with the reason.
EXCLUDED: dict[str, str] = {
    "admin.LogEntry.user": "Django admin's log of a site admin's edits to other records",
    "communities.MentorChangeRequest.decided_by": _STAFF_ACTION,
    "communities.RosterImport.uploaded_by": _STAFF_ACTION + " (a roster of others)",
    "recognition.ThankYouNote.hidden_by": "a director's moderation of someone else's note",
    "mentor_development.Enrolment.decided_by": _STAFF_ACTION,
    "mentor_development.Attendance.marked_by": _STAFF_ACTION,
    "mentor_development.PracticeCircle.members": "the same rows as PracticeCircleMember",
    "mentor_development.Compact.drafted_by": "compacts are exported with each relationship",
    "matching.MatchConflict.mentor": "a learner's declared conflict, kept in confidence",
    "matching.PairRule.a": "a director's matching constraint; it would expose the other person",
    "matching.PairRule.b": "a director's matching constraint; it would expose the other person",
    "matching.RoundPreference.chosen": "other people's private rankings",
    "matching.Placement.proposed_mentor": "a director's working proposal before overrides",
    "matching.PreferenceWindow.opened_by": _STAFF_ACTION,
    "matching.MatchRun.created_by": _STAFF_ACTION + " (a whole class's data)",
    "matching.MatchRun.published_by": _STAFF_ACTION + " (a whole class's data)",
    "studies.Study.created_by": "the study's record; their membership is exported",
    "studies.Source.imported_by": "study data about participants, not about the importer",
    "studies.Transcription.requested_by": _STAFF_ACTION,
    "studies.Consent.recorded_by": "another participant's consent",
    "studies.Consent.withdrawn_by": "another participant's consent",
    "studies.CodebookVersion.saved_by": "the study's codebook, not personal data",
    "studies.Code.created_by": "the study's codebook, not personal data",
    "studies.CodeChange.by": "the study's codebook, not personal data",
    "studies.StudyEvent.actor": "the study's audit trail",
    "studies.SuggesterRun.requested_by": _STAFF_ACTION,
    "studies.CodeSuggestion.decided_by": _STAFF_ACTION,
    "stewardship.ErasureRecord.by": "erasures they performed; it names no one",
    # The export says only whether two-step sign-in is on, and since when.
    "otp_totp.TOTPDevice.user": "the two-step sign-in secret; a secret is never exported",
    "otp_static.StaticDevice.user": "two-step recovery codes; secrets are never exported",
}
# simple_history's tables follow the rule of the model they copy; history_user is who edited.
HISTORY_REASON = "past versions of a covered row; the current version is exported"

# Never exported, even from a covered row.
SECRET_FIELDS = {
    "people.Person": {"password"},
    "api.ApiToken": {"key_hash", "prefix"},
    "meetings.CalendarFeed": {"secret"},
    "recognition.ThankYouNote": {"hidden_by", "hidden_reason"},
    # The IdP's copy of its claims at the last sign-in; the link itself is exported.
    "socialaccount.SocialAccount": {"extra_data"},
}


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")  # set by simple_history on its tables


def _key(f: models.Field[Any, Any]) -> str:
    return f"{f.model._meta.label}.{f.name}"


def person_relations() -> list[models.Field[Any, Any]]:
    """Every field (foreign key, one-to-one, many-to-many) of a live model pointing at Person."""
    found = []
    for model in apps.get_models():
        if _is_history(model):
            continue
        for f in model._meta.get_fields():
            if f.is_relation and not f.auto_created and f.related_model is Person:
                found.append(f)
    return found  # type: ignore[return-value]


def unlisted_relations() -> list[str]:
    """Relations to Person that are neither exported nor deliberately excluded."""
    listed = COVERED.keys() | EXCLUDED.keys()
    return sorted(k for k in map(_key, person_relations()) if k not in listed)


# -- Export ----------------------------------------------------------------------------------


class _Names:
    """Display names of other people, fetched once each."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.cache: dict[int, str] = {}

    def __call__(self, pk: int) -> str:
        if pk == self.person.pk:
            return "you"
        if pk not in self.cache:
            self.cache[pk] = Person.objects.filter(pk=pk).values_list("display_name", flat=True)[0]
        return self.cache[pk]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def _row(obj: models.Model, names: _Names) -> dict[str, Any]:
    secret = SECRET_FIELDS.get(obj._meta.label, set())
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in secret:
            continue
        value = getattr(obj, f.attname)
        if f.is_relation and value is not None:
            if f.related_model is Person:
                row[f.name] = names(value)
            else:
                row[f.name] = {"id": value, "label": str(getattr(obj, f.name))}
        else:
            row[f.name] = _plain(getattr(obj, f.name) if isinstance(f, models.FileField) else value)
    return row


def _adjust(obj: models.Model, row: dict[str, Any], person: Person) -> None:
    """The few rows that need more (or less) than their columns."""
    if isinstance(obj, PairingMember):
        row["with"] = [m.person.display_name for m in obj.pairing.members.exclude(person=person)]
        row["prompt"] = obj.pairing.prompt
    if isinstance(obj, Participant):
        row["attributes"] = {v.attribute.label: v.value for v in obj.values.all()}
        row["consents"] = [
            {
                "to": c.source_title or "the study",
                "given_on": _plain(c.given_on),
                "withdrawn_at": _plain(c.withdrawn_at),
            }
            for c in obj.consents.all()
        ]
    if isinstance(obj, ThankYouNote) and obj.anonymous and obj.author_id != person.pk:
        row["author"] = "anonymous"


def person_export(person: Person) -> dict[str, Any]:
    """Everything Hearth holds about the person, grouped by app, as JSON-ready data."""
    names = _Names(person)
    account = _row(person, names)
    account["interests"] = [i.name for i in person.interests.all()]
    account["two-step sign-in"] = two_step_summary(person)
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": account,
        "email": "Hearth sends emails but keeps no copies of them.",
    }
    sections: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for f in person_relations():
        heading = COVERED.get(_key(f))
        if heading is None:
            continue
        rows = f.model._default_manager.filter(**{f.name: person}).order_by("pk")
        exported = []
        for obj in rows:
            row = _row(obj, names)
            _adjust(obj, row, person)
            exported.append(row)
        if exported:
            sections[f.model._meta.app_label][heading] = exported
    relationships = Relationship.objects.filter(Q(mentor=person) | Q(mentee=person))
    meetings = meetings_of(person).order_by("starts_at")
    sections["meetings"]["meetings you take part in"] = [_row(m, names) for m in meetings]
    sections["meetings"]["shared notes by others in your meetings"] = [
        _row(note, names)
        for meeting in meetings
        for note in notes_visible_to(meeting=meeting, person=person)
        if note.author_id != person.pk
    ]
    sections["meetings"]["goals"] = [
        _row(g, names) for g in Goal.objects.filter(relationship__in=relationships)
    ]
    sections["mentor_development"]["compacts"] = [
        _row(c, names) for c in Compact.objects.filter(relationship__in=relationships)
    ]
    data.update(sorted(sections.items()))
    # Round-trip so callers get plain lists, dicts and strings whatever a column held.
    return json.loads(json.dumps(data, default=str))


# -- Erasure ---------------------------------------------------------------------------------


@dataclass
class ErasureReport:
    person_id: int
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [f"{self.label} (id {self.person_id}) erased."] + [
            f"  {kind}: {n}" for kind, n in sorted(self.counts.items()) if n
        ]


def _replace(value: Any, pattern: re.Pattern[str], label: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(label, value)
    if isinstance(value, list):
        return [_replace(v, pattern, label) for v in value]
    if isinstance(value, dict):
        return {_replace(k, pattern, label): _replace(v, pattern, label) for k, v in value.items()}
    return value


def _scrub_mentions(needles: list[str], label: str) -> int:
    """Replace the person's name and email wherever other rows quote them in text."""
    needles = [n for n in needles if len(n) >= 4]  # a very short name would hit other words
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    skip = {"people.Person", "people.HistoricalPerson", "sessions.Session"}
    changed = 0
    for model in apps.get_models():
        if model._meta.label in skip or model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField | models.JSONField):
                continue
            if f.choices:
                continue
            match = Q()
            # SQLite keeps JSON with non-ASCII characters escaped; search that spelling too.
            spellings = (
                {json.dumps(n)[1:-1] for n in needles} if isinstance(f, models.JSONField) else set()
            )
            for needle in set(needles) | spellings:
                match |= Q(**{f"{f.attname}__icontains": needle})
            for pk, value in model._default_manager.filter(match).values_list("pk", f.attname):
                new = _replace(value, pattern, label)
                if isinstance(new, str) and f.max_length:
                    new = new[: f.max_length]
                if new != value:
                    model._default_manager.filter(pk=pk).update(**{f.attname: new})
                    changed += 1
    return changed


def _withdraw_from_studies(person: Person, by: Person) -> int:
    """Through the studies' own consent rules, so their sources go as each study says."""
    count = 0
    for participant in Participant.objects.filter(person=person):
        study_wide = participant.consents.filter(source__isnull=True, withdrawn_at__isnull=True)
        per_source = participant.consents.filter(source__isnull=False, withdrawn_at__isnull=True)
        if study_wide.exists():
            consent_withdraw(consent=study_wide.first(), by=by)  # type: ignore[arg-type]
        else:
            for consent in per_source:
                consent_withdraw(consent=consent, by=by)
        # Whatever consent said, the link to the person goes.
        Participant.objects.filter(pk=participant.pk).update(
            person=None, external_id="", aliases=""
        )
        count += 1
    return count


def _sign_out(person: Person) -> int:
    doomed = [
        s.pk
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(person.pk)
    ]
    return Session.objects.filter(pk__in=doomed).delete()[0]


@transaction.atomic
def person_erase(*, person: Person, by: Person | None) -> ErasureReport:
    """Anonymise a person in place: their own words and identity go, counts and others stay.

    `by` is None from the command line; study withdrawals are then recorded as the person's own.
    """
    if by is not None and person.pk == by.pk:
        raise ValidationError("You cannot erase your own account; ask another site admin.")
    if ErasureRecord.objects.filter(erased_person_id=person.pk).exists():
        raise ValidationError(f"Person {person.pk} was already erased.")
    label = f"Erased person {person.pk}"
    needles = [person.display_name, person.email]
    counts: dict[str, int] = {}
    counts["study participations withdrawn"] = _withdraw_from_studies(person, by or person)

    private = Note.objects.filter(author=person, visibility=NoteVisibility.PRIVATE)
    private_ids = list(private.values_list("pk", flat=True))
    counts["private notes deleted"] = private.delete()[1].get("meetings.Note", 0)
    # After the delete: simple_history records a deletion as one more copy of the row.
    Note.history.filter(id__in=private_ids).delete()  # type: ignore[attr-defined]

    # Their own writing goes; the rows stay so attendance and response counts stay true.
    counts["reflections blanked"] = Reflection.objects.filter(person=person).update(
        will_try="", follow_up=""
    )
    counts["case responses blanked"] = CaseResponse.objects.filter(person=person).update(body="")
    counts["check-in free text blanked"] = person.pulse_responses.exclude(free_text="").update(
        free_text="", free_text_to_studies=False
    )
    counts["mentoring round statements blanked"] = (
        RoundParticipant.objects.filter(person=person).exclude(statement="").update(statement="")
    )
    for side, column in (("mentor", "mentor_reflection"), ("mentee", "mentee_reflection")):
        mine = Relationship.objects.filter(**{side: person})
        Relationship.history.filter(id__in=mine.values("pk")).update(**{column: ""})  # type: ignore[attr-defined]
        counts[f"reflections as {side} blanked"] = mine.exclude(**{column: ""}).update(
            **{column: ""}
        )

    attributes = PersonAttribute.objects.filter(person=person)
    counts["self-reported attributes deleted"] = attributes.delete()[0]
    PersonAttribute.history.filter(person=person).delete()  # type: ignore[attr-defined]
    for kind, queryset in {
        "roles removed": person.role_grants.all(),
        "API tokens deleted": ApiToken.objects.filter(person=person),
        "calendar feeds deleted": CalendarFeed.objects.filter(person=person),
        "availability deleted": Availability.objects.filter(mentor=person),
        "email preferences deleted": EmailPreference.objects.filter(person=person),
        "issued documents deleted": IssuedDocument.objects.filter(person=person),
        "two-step sign-in devices deleted": TOTPDevice.objects.filter(user=person),
        "recovery code sets deleted": StaticDevice.objects.filter(user=person),
        "single sign-on links deleted": SocialAccount.objects.filter(user=person),
        "single sign-on email addresses deleted": EmailAddress.objects.filter(user=person),
    }.items():
        counts[kind] = queryset.delete()[0]
    counts["circles left"] = CircleMember.objects.filter(
        person=person, status=MemberStatus.ACTIVE
    ).update(status=MemberStatus.LEFT, left_at=timezone.now())
    counts["sessions ended"] = _sign_out(person)
    # Failed sign-ins are kept under the email typed, not linked to the person.
    counts["sign-in records deleted"] = sign_in_records_delete(email=person.email)
    counts["mentions replaced"] = _scrub_mentions(needles, label)

    photo = person.photo.name
    if photo:
        storage = person.photo.storage
        # A file is not transactional: delete it only once the erasure is committed.
        transaction.on_commit(lambda: storage.delete(photo))
        counts["photos deleted"] = 1
    person.display_name = label
    person.email = f"erased-person-{person.pk}"  # no "@": never an address, still unique
    person.external_id = person.pronouns = person.department = person.academic_rank = ""
    person.photo = ""  # type: ignore[assignment]
    person.time_zone = Person._meta.get_field("time_zone").get_default()
    person.is_active = person.is_staff = person.is_superuser = False
    person.last_login = None
    person.set_unusable_password()
    person.save()
    person.interests.clear()
    person.groups.clear()
    person.user_permissions.clear()
    Person.history.filter(id=person.pk).delete()  # type: ignore[attr-defined]

    ErasureRecord.objects.create(erased_person_id=person.pk, label=label, by=by, counts=counts)
    return ErasureReport(person_id=person.pk, label=label, counts=counts)
