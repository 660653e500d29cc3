"""Writes for training series: sessions, enrolment, attendance, reflections, cases and the
completion certificate. Emails and calendar files go out only once the write commits."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from hearth.communities.models import Program
from hearth.communities.roster import RosterFileError, RowError, read_table
from hearth.lib.email import Attachment, absolute_url, email_on_commit
from hearth.lib.ics import Method, training_ics
from hearth.lib.pdf import typst_pdf
from hearth.lib.time import zone_named
from hearth.meetings.invitations import email_settings_url
from hearth.meetings.models import EmailPreference
from hearth.meetings.services import program_video_room
from hearth.mentor_development.models import (
    CHECK_IN_EARLY,
    Attendance,
    CaseResponse,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    MentoringCase,
    Reflection,
    SessionFormat,
    TrainingSeries,
    TrainingSession,
)
from hearth.mentor_development.selectors import series as selectors
from hearth.people.models import Person
from hearth.people.permissions import runs_training_in
from hearth.pulse.scoring import load_competency_bank
from hearth.recognition.models import DocumentKind, IssuedDocument
from hearth.recognition.portfolio import long_date
from hearth.recognition.services import document_issue, verify_url

# Virtual and hybrid sessions get a private room here when the program has no server of its own.
DEFAULT_VIDEO_SERVER = "https://meet.jit.si"
SESSION_REMINDER_BEFORE = dt.timedelta(hours=24)
CERTIFICATE_TEMPLATE = Path(__file__).resolve().parent.parent / "typst" / "certificate.typ"
CASES_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cases_v1.json"
MAX_TEXT = 4000


# --- Emails ------------------------------------------------------------------------------


def session_when(session: TrainingSession, person: Person) -> str:
    """The session's time in the person's own zone, naming the zone."""
    zone = zone_named(person.time_zone)
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return (
        f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}–{end:%H:%M} "
        f"({zone.key}, {start.tzname()})"
    )


def _series_url(series: TrainingSeries) -> str:
    return absolute_url(reverse("training_series", args=[series.pk]))


def _session_url(session: TrainingSession) -> str:
    return absolute_url(reverse("training_session", args=[session.pk]))


def _email(
    person: Person,
    *,
    subject: str,
    lines: list[str],
    ics: bytes | None = None,
    method: Method = "REQUEST",
) -> None:
    footer = ["", "--", f"Choose which emails Hearth sends you: {email_settings_url(person)}"]
    body = "\n".join([f"Hello {person.display_name},", "", *lines, *footer])
    attachments: list[Attachment] | None = None
    if ics is not None:
        attachments = [("training.ics", ics, f"text/calendar; method={method}")]
    email_on_commit(subject=subject, body=body, recipients=[person.email], attachments=attachments)


def _schedule_lines(sessions: Sequence[TrainingSession], person: Person) -> list[str]:
    return [f"- {s.title}: {session_when(s, person)}" for s in sessions]


def _send_schedule(enrolment: Enrolment) -> None:
    """One email with every session still to come, as one calendar file."""
    series, person = enrolment.series, enrolment.person
    now = timezone.now()
    sessions = [
        s
        for s in series.sessions.select_related("facilitator", "series__program")
        if s.cancelled_at is None and s.ends_at > now
    ]
    lines = [f"You are enrolled in {series.title} ({series.program.name}).", ""]
    if sessions:
        lines += [
            "The sessions, in your time zone (the attached file adds them to your calendar):",
            *_schedule_lines(sessions, person),
        ]
    else:
        lines.append("No sessions are planned yet; you will get each one as it is added.")
    lines += ["", f"The series: {_series_url(series)}"]
    _email(
        person,
        subject=f"Enrolled: {series.title}",
        lines=lines,
        ics=training_ics(sessions, "REQUEST", for_person=person) if sessions else None,
    )


def _cohort(series: TrainingSeries) -> list[Person]:
    return list(
        Person.objects.filter(
            enrolments__series=series,
            enrolments__status=EnrolmentStatus.ENROLLED,
            is_active=True,
        )
    )


def _send_session_change(session: TrainingSession, method: Method, intro: str) -> None:
    for person in _cohort(session.series):
        lines = [
            intro,
            "",
            f"{session.title} ({session.series.title})",
            session_when(session, person),
            "",
            f"Details: {_session_url(session)}",
        ]
        verb = {"CANCEL": "Cancelled", "REQUEST": "Updated" if session.sequence else "New session"}
        _email(
            person,
            subject=f"{verb[method]}: {session.title}",
            lines=lines,
            ics=training_ics([session], method, for_person=person),
            method=method,
        )


# --- Series and sessions -----------------------------------------------------------------


def _check_series(title: str, sessions_to_complete: int | None) -> str:
    title = title.strip()
    if not title:
        raise ValidationError("Give the series a title.")
    if sessions_to_complete is not None and sessions_to_complete < 1:
        raise ValidationError("A series needs at least one session to complete, or leave it empty.")
    return title


@transaction.atomic
def series_create(
    *,
    program: Program,
    title: str,
    description: str = "",
    self_enrolment: bool = True,
    sessions_to_complete: int | None = None,
) -> TrainingSeries:
    """A new series in a program; sessions are added one by one."""
    return TrainingSeries.objects.create(
        program=program,
        title=_check_series(title, sessions_to_complete),
        description=description.strip(),
        self_enrolment=self_enrolment,
        sessions_to_complete=sessions_to_complete,
    )


@transaction.atomic
def series_update(
    *,
    series: TrainingSeries,
    title: str,
    description: str,
    self_enrolment: bool,
    sessions_to_complete: int | None,
) -> TrainingSeries:
    series.title = _check_series(title, sessions_to_complete)
    series.description = description.strip()
    series.self_enrolment = self_enrolment
    series.sessions_to_complete = sessions_to_complete
    series.save()
    return series


@dataclass(frozen=True)
class SessionFields:
    title: str
    starts_at: dt.datetime
    duration_minutes: int = 90
    format: str = SessionFormat.VIRTUAL
    location: str = ""
    video_url: str = ""
    facilitator: Person | None = None
    materials: str = ""
    prework: str = ""


def _check_session(series: TrainingSeries, fields: SessionFields) -> None:
    if not fields.title.strip():
        raise ValidationError("Give the session a title.")
    if timezone.is_naive(fields.starts_at):
        raise ValueError("starts_at must be an aware datetime.")
    if fields.duration_minutes < 1:
        raise ValidationError("A session lasts at least a minute.")
    if fields.format not in SessionFormat.values:
        raise ValidationError(f"Unknown format {fields.format!r}.")
    if fields.format in (SessionFormat.IN_PERSON, SessionFormat.HYBRID) and not (
        fields.location.strip()
    ):
        raise ValidationError("Say where the session takes place.")
    if fields.facilitator is not None and not runs_training_in(
        fields.facilitator, series.program_id
    ):
        raise ValidationError("The facilitator must be a director or facilitator of the program.")
    for text in (fields.materials, fields.prework):
        if len(text) > 20_000:
            raise ValidationError("Keep materials and pre-work under 20,000 characters.")


def _video_url(series: TrainingSeries, fields: SessionFields) -> str:
    if fields.video_url or fields.format == SessionFormat.IN_PERSON:
        return fields.video_url
    return program_video_room(series.program, DEFAULT_VIDEO_SERVER)


@transaction.atomic
def session_create(*, series: TrainingSeries, fields: SessionFields) -> TrainingSession:
    """Add a session; enrolled trainees get it in their calendar."""
    _check_session(series, fields)
    session = TrainingSession.objects.create(
        series=series,
        title=fields.title.strip(),
        starts_at=fields.starts_at,
        duration_minutes=fields.duration_minutes,
        format=fields.format,
        location=fields.location.strip(),
        video_url=_video_url(series, fields),
        facilitator=fields.facilitator,
        materials=fields.materials,
        prework=fields.prework,
    )
    _send_session_change(session, "REQUEST", "A session has been added to your series:")
    return session


# Changes that trainees' calendars must hear about; materials and pre-work are read in Hearth.
CALENDAR_FIELDS = ("title", "starts_at", "duration_minutes", "location", "video_url", "facilitator")


@transaction.atomic
def session_update(*, session: TrainingSession, fields: SessionFields) -> TrainingSession:
    """Edit a session; a change to when or where raises its SEQUENCE and updates calendars."""
    if session.cancelled_at is not None:
        raise ValidationError("This session was cancelled; it can no longer be changed.")
    _check_session(session.series, fields)
    before = {name: getattr(session, name) for name in CALENDAR_FIELDS}
    session.title = fields.title.strip()
    session.starts_at = fields.starts_at
    session.duration_minutes = fields.duration_minutes
    session.format = fields.format
    session.location = fields.location.strip()
    session.video_url = _video_url(session.series, fields)
    session.facilitator = fields.facilitator
    session.materials = fields.materials
    session.prework = fields.prework
    changed = any(getattr(session, name) != value for name, value in before.items())
    if changed:
        session.sequence += 1
    session.save()
    if changed:
        moved = before["starts_at"] != session.starts_at
        _send_session_change(
            session,
            "REQUEST",
            "A session of your series has moved:" if moved else "A session has changed:",
        )
    return session


@transaction.atomic
def session_cancel(*, session: TrainingSession) -> TrainingSession:
    """Cancel a session: it is no longer required, and calendars drop it."""
    if session.cancelled_at is not None:
        raise ValidationError("This session is already cancelled.")
    session.cancelled_at = timezone.now()
    session.sequence += 1
    session.save(update_fields=["cancelled_at", "sequence"])
    _send_session_change(session, "CANCEL", "A session of your series has been cancelled:")
    return session


# --- Enrolment ---------------------------------------------------------------------------


def _enrol(enrolment: Enrolment, *, by: Person | None) -> Enrolment:
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.decided_at = timezone.now()
    enrolment.decided_by = by
    enrolment.save()
    _send_schedule(enrolment)
    return enrolment


@transaction.atomic
def enrolment_invite(*, series: TrainingSeries, person: Person, by: Person) -> Enrolment:
    """Invite a mentor; they accept or decline from the link in the email."""
    if not person.is_active:
        raise ValidationError(f"{person.display_name}'s account is switched off.")
    enrolment = Enrolment.objects.select_for_update().filter(series=series, person=person).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED:
        raise ValidationError(f"{person.display_name} is already enrolled.")
    if enrolment is not None and enrolment.status == EnrolmentStatus.INVITED:
        raise ValidationError(f"{person.display_name} is already invited.")
    if enrolment is not None and enrolment.status == EnrolmentStatus.REQUESTED:
        return _enrol(enrolment, by=by)  # they asked to join: inviting them says yes
    if enrolment is None:
        enrolment = Enrolment(series=series, person=person)
    enrolment.status = EnrolmentStatus.INVITED
    enrolment.source = EnrolmentSource.INVITATION
    enrolment.created_at = timezone.now()
    enrolment.decided_at = None
    enrolment.decided_by = None
    enrolment.save()
    _email(
        person,
        subject=f"Invitation: {series.title}",
        lines=[
            f"{by.display_name} invites you to {series.title}, a mentor development series "
            f"of {series.program.name}.",
            "",
            f"See the sessions, then accept or decline: {_series_url(series)}",
        ],
    )
    return enrolment


@transaction.atomic
def enrolment_accept(*, enrolment: Enrolment) -> Enrolment:
    if enrolment.status != EnrolmentStatus.INVITED:
        raise ValidationError("There is no invitation to accept.")
    return _enrol(enrolment, by=enrolment.person)


@transaction.atomic
def enrolment_decline(*, enrolment: Enrolment) -> Enrolment:
    """The invited mentor says no, thank you."""
    if enrolment.status != EnrolmentStatus.INVITED:
        raise ValidationError("There is no invitation to decline.")
    enrolment.status = EnrolmentStatus.DECLINED
    enrolment.decided_at = timezone.now()
    enrolment.decided_by = enrolment.person
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_request(*, series: TrainingSeries, person: Person) -> Enrolment:
    """A mentor asks to join a series open for self-enrolment; a facilitator decides."""
    if not series.self_enrolment:
        raise ValidationError("This series takes trainees by invitation only.")
    enrolment = Enrolment.objects.select_for_update().filter(series=series, person=person).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.INVITED:
        return _enrol(enrolment, by=person)  # already invited: asking is accepting
    if enrolment is not None and enrolment.status in (
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.REQUESTED,
    ):
        raise ValidationError("You have already asked to join this series.")
    if enrolment is None:
        enrolment = Enrolment(series=series, person=person)
    enrolment.status = EnrolmentStatus.REQUESTED
    enrolment.source = EnrolmentSource.SELF
    enrolment.created_at = timezone.now()
    enrolment.decided_at = None
    enrolment.decided_by = None
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_decide(*, enrolment: Enrolment, by: Person, approve: bool) -> Enrolment:
    """Approve or decline a request to join; the mentor is emailed either way."""
    if enrolment.status != EnrolmentStatus.REQUESTED:
        raise ValidationError("This request has already been decided.")
    series = enrolment.series
    if approve:
        return _enrol(enrolment, by=by)
    enrolment.status = EnrolmentStatus.DECLINED
    enrolment.decided_at = timezone.now()
    enrolment.decided_by = by
    enrolment.save()
    _email(
        enrolment.person,
        subject=f"Not this time: {series.title}",
        lines=[
            f"Your request to join {series.title} ({series.program.name}) was not accepted "
            "this time. The program's facilitators can tell you about later series.",
            "",
            f"The series: {_series_url(series)}",
        ],
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment) -> Enrolment:
    """The trainee leaves; the sessions still to come leave their calendar too."""
    if enrolment.status not in (
        EnrolmentStatus.INVITED,
        EnrolmentStatus.REQUESTED,
        EnrolmentStatus.ENROLLED,
    ):
        raise ValidationError("You are not in this series.")
    was_enrolled = enrolment.status == EnrolmentStatus.ENROLLED
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.decided_at = timezone.now()
    enrolment.decided_by = enrolment.person
    enrolment.save()
    now = timezone.now()
    coming = [
        s
        for s in enrolment.series.sessions.select_related("facilitator", "series__program")
        if s.cancelled_at is None and s.starts_at > now
    ]
    if was_enrolled and coming:
        person = enrolment.person
        _email(
            person,
            subject=f"Withdrawn: {enrolment.series.title}",
            lines=[
                f"You have withdrawn from {enrolment.series.title}. The attached file removes "
                "its sessions from your calendar:",
                *_schedule_lines(coming, person),
            ],
            ics=training_ics(coming, "CANCEL", for_person=person),
            method="CANCEL",
        )
    return enrolment


class EnrolmentImportInvalid(ValidationError):
    """The file has row errors, so nobody was enrolled."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__([str(error) for error in errors])
        self.errors = errors


@transaction.atomic
def enrolments_import(
    *, series: TrainingSeries, by: Person, filename: str, content: bytes
) -> list[Enrolment]:
    """Enrol everyone a file of emails names, or nobody: each bad row is named with its reason.

    People already enrolled are left as they are; invited, declined or withdrawn people and
    those who asked to join are enrolled.
    """
    try:
        table = read_table(filename=filename, content=content)
    except RosterFileError as error:
        raise ValidationError(str(error)) from error
    header = [cell.strip().lower() for cell in table.header]
    if "email" not in header:
        raise ValidationError("The first row must name a column “email”.")
    column = header.index("email")
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    wanted: list[tuple[int, str]] = []
    for number, cells in table.rows:
        email = (cells[column] if column < len(cells) else "").strip().lower()
        if not email:
            errors.append(RowError(number, "email", "is empty"))
            continue
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(number, "email", f"“{email}” is not an email address"))
            continue
        if email in first_row:
            errors.append(RowError(number, "email", f"repeats row {first_row[email]}"))
            continue
        first_row[email] = number
        wanted.append((number, email))
    people = {p.email.lower(): p for p in Person.objects.filter(email__in=[e for _, e in wanted])}
    for number, email in wanted:
        person = people.get(email)
        if person is None:
            errors.append(RowError(number, "email", f"no one in Hearth has the email “{email}”"))
        elif not person.is_active:
            errors.append(RowError(number, "email", f"{person.display_name}'s account is off"))
    if errors:
        raise EnrolmentImportInvalid(sorted(errors, key=lambda e: e.row))
    if not wanted:
        raise ValidationError("The file names no one: add one email a row below “email”.")
    existing = {
        e.person_id: e
        for e in Enrolment.objects.select_for_update().filter(
            series=series, person__in=people.values()
        )
    }
    enrolled = []
    for _, email in wanted:
        person = people[email]
        enrolment = existing.get(person.pk)
        if enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED:
            continue
        if enrolment is None:
            enrolment = Enrolment(series=series, person=person, source=EnrolmentSource.IMPORT)
        enrolled.append(_enrol(enrolment, by=by))
    return enrolled


# --- Attendance and reflections ----------------------------------------------------------


def _require_enrolled(session: TrainingSession, person: Person) -> None:
    if not selectors.is_enrolled(session.series, person):
        raise ValidationError(f"{person.display_name} is not enrolled in this series.")


@transaction.atomic
def attendance_check_in(
    *, session: TrainingSession, person: Person, now: dt.datetime | None = None
) -> Attendance:
    """One click while the session's window is open; a second click changes nothing."""
    now = now or timezone.now()
    _require_enrolled(session, person)
    if session.cancelled_at is not None:
        raise ValidationError("This session was cancelled.")
    if not session.check_in_open_at(now):
        raise ValidationError("Check-in opens 15 minutes before the session and closes 30 after.")
    attendance, _ = Attendance.objects.get_or_create(
        session=session, person=person, defaults={"recorded_at": now}
    )
    return attendance


@transaction.atomic
def attendance_mark(
    *,
    session: TrainingSession,
    person: Person,
    by: Person,
    present: bool,
    now: dt.datetime | None = None,
) -> Attendance | None:
    """A facilitator marks a trainee there, or takes the mark (or a check-in) back."""
    now = now or timezone.now()
    _require_enrolled(session, person)
    if session.cancelled_at is not None:
        raise ValidationError("This session was cancelled.")
    if not present:
        Attendance.objects.filter(session=session, person=person).delete()
        return None
    if now < session.starts_at - CHECK_IN_EARLY:
        raise ValidationError("Attendance can be marked once the session is about to start.")
    attendance, _ = Attendance.objects.get_or_create(
        session=session, person=person, defaults={"recorded_at": now, "marked_by": by}
    )
    return attendance


def _short_text(text: str, what: str, limit: int = 1000) -> str:
    text = text.strip()
    if not text:
        raise ValidationError(f"Write {what}.")
    if len(text) > limit:
        raise ValidationError(f"Keep it under {limit:,} characters.")
    return text


@transaction.atomic
def reflection_save(
    *, session: TrainingSession, person: Person, will_try: str, now: dt.datetime | None = None
) -> Reflection:
    """After a session they attended: one thing the trainee will try with their mentees."""
    now = now or timezone.now()
    will_try = _short_text(will_try, "one thing you will try")
    if not Attendance.objects.filter(session=session, person=person).exists():
        raise ValidationError("Reflections are for those who attended the session.")
    if not session.has_started_at(now):
        raise ValidationError("You can reflect on the session once it has started.")
    reflection = Reflection.objects.filter(session=session, person=person).first()
    if reflection is None:
        return Reflection.objects.create(
            session=session, person=person, will_try=will_try, created_at=now
        )
    if reflection.followed_up_at is not None:
        raise ValidationError("You have already said how it went; the reflection is kept as is.")
    reflection.will_try = will_try
    reflection.save(update_fields=["will_try"])
    return reflection


@transaction.atomic
def reflection_follow_up(
    *, reflection: Reflection, tried: bool, note: str = "", now: dt.datetime | None = None
) -> Reflection:
    """At the next session: did the trainee try it?"""
    now = now or timezone.now()
    if not selectors.follow_up_open(reflection, now):
        raise ValidationError("You can say how it went from the day before the next session.")
    note = note.strip()
    if len(note) > 1000:
        raise ValidationError("Keep the note under 1,000 characters.")
    reflection.tried = tried
    reflection.follow_up = note
    reflection.followed_up_at = now
    reflection.save(update_fields=["tried", "follow_up", "followed_up_at"])
    return reflection


# --- Cases -------------------------------------------------------------------------------


def case_library_load() -> int:
    """Hearth's own cases from the fixture (the data migration does the same at install);
    safe to run again. Returns how many cases the library holds."""
    library = json.loads(CASES_FIXTURE.read_text(encoding="utf-8"))
    for case in library["cases"]:
        fields = {k: case[k] for k in ("title", "scenario", "questions", "domains")}
        existing = MentoringCase.objects.filter(program__isnull=True, slug=case["slug"]).first()
        if existing is None:
            MentoringCase.objects.create(program=None, slug=case["slug"], **fields)
        else:
            MentoringCase.objects.filter(pk=existing.pk).update(**fields)
    return len(library["cases"])


def _check_case(title: str, scenario: str, questions: list[str], domains: list[str]) -> None:
    if not title.strip() or not scenario.strip():
        raise ValidationError("A case needs a title and a scenario.")
    if not any(q.strip() for q in questions):
        raise ValidationError("Add at least one question for discussion.")
    known = {theme.key for theme in load_competency_bank().themes}
    unknown = sorted(set(domains) - known)
    if unknown:
        raise ValidationError(f"Unknown competency domain: {', '.join(unknown)}.")


@transaction.atomic
def case_create(
    *, program: Program, title: str, scenario: str, questions: list[str], domains: list[str]
) -> MentoringCase:
    """A program's own case, beside Hearth's library."""
    _check_case(title, scenario, questions, domains)
    base = slugify(title)[:70] or "case"
    slug, n = base, 1
    while MentoringCase.objects.filter(program=program, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return MentoringCase.objects.create(
        program=program,
        slug=slug,
        title=title.strip(),
        scenario=scenario.strip(),
        questions=[q.strip() for q in questions if q.strip()],
        domains=list(domains),
    )


@transaction.atomic
def case_update(
    *, case: MentoringCase, title: str, scenario: str, questions: list[str], domains: list[str]
) -> MentoringCase:
    if case.program_id is None:
        raise ValidationError("Hearth's own cases cannot be edited; add your own instead.")
    _check_case(title, scenario, questions, domains)
    case.title = title.strip()
    case.scenario = scenario.strip()
    case.questions = [q.strip() for q in questions if q.strip()]
    case.domains = list(domains)
    case.save()
    return case


@transaction.atomic
def session_case_attach(*, session: TrainingSession, case: MentoringCase) -> None:
    if case.program_id not in (None, session.series.program_id):
        raise ValidationError("That case belongs to another program.")
    session.cases.add(case)


@transaction.atomic
def session_case_detach(*, session: TrainingSession, case: MentoringCase) -> None:
    if CaseResponse.objects.filter(session=session, case=case).exists():
        raise ValidationError("Trainees have responded to this case; it stays with the session.")
    session.cases.remove(case)


@transaction.atomic
def case_response_save(
    *,
    session: TrainingSession,
    case: MentoringCase,
    person: Person,
    body: str,
    now: dt.datetime | None = None,
) -> CaseResponse:
    """A trainee's response, written or changed before the session starts."""
    now = now or timezone.now()
    body = _short_text(body, "your response", MAX_TEXT)
    _require_enrolled(session, person)
    if not session.cases.filter(pk=case.pk).exists():
        raise ValidationError("That case is not part of this session.")
    if session.cancelled_at is not None:
        raise ValidationError("This session was cancelled.")
    if session.has_started_at(now):
        raise ValidationError("The session has started: responses are closed.")
    response, created = CaseResponse.objects.get_or_create(
        session=session, case=case, person=person, defaults={"body": body, "created_at": now}
    )
    if not created:
        response.body = body
        response.save(update_fields=["body", "updated_at"])
    return response


# --- Reminders ---------------------------------------------------------------------------


@transaction.atomic
def training_reminders_send(
    *, now: dt.datetime, interval: dt.timedelta = dt.timedelta(hours=1)
) -> int:
    """Queue the day-before reminder of every session starting in [now+24h, now+24h+interval)."""
    start = now + SESSION_REMINDER_BEFORE
    sessions = list(
        TrainingSession.objects.filter(
            cancelled_at__isnull=True, starts_at__gte=start, starts_at__lt=start + interval
        ).select_related("series__program", "facilitator")
    )
    if not sessions:
        return 0
    enrolments = Enrolment.objects.filter(
        series__in={s.series_id for s in sessions},
        status=EnrolmentStatus.ENROLLED,
        person__is_active=True,
    ).select_related("person")
    trainees: dict[int, list[Person]] = {}
    for enrolment in enrolments:
        trainees.setdefault(enrolment.series_id, []).append(enrolment.person)
    people = [p for group in trainees.values() for p in group]
    opted_out = set(
        EmailPreference.objects.filter(person__in=people, meeting_reminders=False).values_list(
            "person_id", flat=True
        )
    )
    sent = 0
    for session in sessions:
        for person in trainees.get(session.series_id, []):
            if person.pk in opted_out or not person.email:
                continue
            lines = [
                "Your training session is tomorrow:",
                "",
                f"{session.title} ({session.series.title})",
                session_when(session, person),
            ]
            if session.location:
                lines.append(f"Where: {session.location}")
            if session.video_url:
                lines.append(f"Video: {session.video_url}")
            if session.prework.strip():
                lines += ["", "Before the session:", session.prework.strip()]
            lines += ["", f"Details and check-in: {_session_url(session)}"]
            _email(
                person,
                subject=f"Tomorrow: {session.title}",
                lines=lines,
                ics=training_ics([session], "REQUEST", for_person=person),
            )
            sent += 1
    return sent


# --- The completion certificate ----------------------------------------------------------


def certificate_content(
    series: TrainingSeries, person: Person, *, now: dt.datetime
) -> dict[str, Any]:
    """What the certificate states, as signed JSON data (no floats)."""
    zone = zone_named(person.time_zone)
    sessions = list(series.sessions.select_related("facilitator").order_by("starts_at", "pk"))
    held = selectors.held(sessions)
    attended = set(
        Attendance.objects.filter(session__series=series, person=person).values_list(
            "session_id", flat=True
        )
    )
    result = selectors.completion(series, sessions, attended)
    facilitators = sorted({s.facilitator.display_name for s in held if s.facilitator})
    first = held[0].starts_at.astimezone(zone).date()
    last = held[-1].ends_at.astimezone(zone).date()
    position = ", ".join(p for p in [person.get_academic_rank_display(), person.department] if p)
    return {
        "title": f"Certificate of completion — {series.title}",
        "issued_to": person.display_name,
        "position": position,
        "source": f"Hearth records for {series.program.name}",
        "as_of": long_date(now.astimezone(zone).date()),
        "series": series.title,
        "program": series.program.name,
        "dates": f"{long_date(first)} to {long_date(last)}",
        "completed_on": long_date(last),
        "attended": result.attended,
        "held": len(held),
        "needed": result.needed,
        "facilitators": facilitators,
        "sessions": [
            {
                "title": s.title,
                "date": long_date(s.starts_at.astimezone(zone).date()),
                "attended": s.pk in attended,
            }
            for s in held
        ],
        "summary": [
            ["Series", series.title],
            ["Program", series.program.name],
            ["Sessions attended", f"{result.attended} of {len(held)}"],
            ["Completed on", long_date(last)],
        ],
    }


def _render_certificate(issued_at: dt.datetime) -> Callable[[str, dict[str, Any]], bytes]:
    utc = issued_at.astimezone(dt.UTC)

    def render(code: str, content: dict[str, Any]) -> bytes:
        return typst_pdf(
            CERTIFICATE_TEMPLATE,
            data={
                "content": content,
                "code": code,
                "verify_url": verify_url(code),
                "issued_on": long_date(utc.date()),
                "issued": dict(
                    zip(
                        ("year", "month", "day", "hour", "minute", "second"),
                        utc.timetuple()[:6],
                        strict=True,
                    )
                ),
            },
        )

    return render


@transaction.atomic
def certificate_issue(
    *, series: TrainingSeries, person: Person, now: dt.datetime | None = None
) -> tuple[IssuedDocument, bytes]:
    """The trainee's signed certificate, once they completed and the last session ended."""
    now = now or timezone.now()
    if not selectors.certificate_ready(series, person, now):
        raise ValidationError(
            "The certificate is ready once you have completed the series and its last "
            "session has ended."
        )
    return document_issue(
        kind=DocumentKind.CERTIFICATE,
        person=person,
        content=certificate_content(series, person, now=now),
        render=_render_certificate(now),
        issued_at=now,
    )
