"""Writes for studies: set-up, sources, consent, de-identification, codebook, coding, themes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from hearth.communities.models import GroupMembership, Program
from hearth.people.models import Person, Role, RoleGrant

from . import deidentify, importers, starter
from .codetree import CycleError, check_tree
from .importers import ParsedSource
from .models import (
    AttributeDefinition,
    AttributeValue,
    ChangeKind,
    Code,
    Codebook,
    CodebookVersion,
    CodeChange,
    CodedSegment,
    Consent,
    FrameworkCategory,
    GuideQuestion,
    Memo,
    Participant,
    Source,
    SourceKind,
    Study,
    StudyEvent,
    StudyMember,
    StudyRole,
    Theme,
    Turn,
)


def _event(study: Study, actor: Person | None, kind: str, message: str) -> StudyEvent:
    return StudyEvent.objects.create(study=study, actor=actor, kind=kind, message=message[:400])


def _is_evaluator(person: Person, program: Program) -> bool:
    return RoleGrant.objects.filter(person=person, program=program, role=Role.EVALUATOR).exists()


# -- Set-up ----------------------------------------------------------------------------------


@transaction.atomic
def study_create(
    *,
    program: Program,
    by: Person,
    title: str,
    research_question: str,
    guide: Sequence[str] = (),
    starter_codebook: bool = True,
    approved_protocol: bool = False,
    protocol_reference: str = "",
    keep_originals: bool = False,
) -> Study:
    """Start a study led by `by`, an evaluator of the program."""
    if not _is_evaluator(by, program):
        raise ValidationError("Only the program's evaluators start studies.")
    if not title.strip() or not research_question.strip():
        raise ValidationError("A study needs a title and a research question.")
    study = Study.objects.create(
        program=program,
        title=title.strip(),
        research_question=research_question.strip(),
        approved_protocol=approved_protocol,
        protocol_reference=protocol_reference.strip(),
        keep_originals=keep_originals,
        created_by=by,
    )
    StudyMember.objects.create(study=study, person=by, role=StudyRole.LEAD)
    _guide_set(study, guide)
    for position, (key, label, choices) in enumerate(starter.ATTRIBUTES):
        AttributeDefinition.objects.create(
            study=study, key=key, label=label, choices=choices, position=position
        )
    codebook = Codebook.objects.create(study=study, name=f"Codebook of “{study.title}”")
    version = CodebookVersion.objects.create(codebook=codebook, number=1)
    if starter_codebook:
        categories = {}
        for position, (key, label, description) in enumerate(starter.FRAMEWORK):
            categories[key] = FrameworkCategory.objects.create(
                study=study, key=key, label=label, description=description, position=position
            )
        for position, sc in enumerate(starter.STARTER_CODES):
            pathways = ", ".join(categories[p].label for p in sc.pathways) or "none"
            code = Code.objects.create(
                codebook=codebook,
                name=sc.name,
                colour=sc.colour,
                definition=f"{sc.definition} Rosso pathway: {pathways}.",
                use_when=sc.use_when,
                not_when=sc.not_when,
                example=sc.example,
                position=position,
                created_by=by,
            )
            CodeChange.objects.create(
                version=version,
                kind=ChangeKind.CREATE,
                code=code,
                summary=f"Added “{code.name}” from the starter codebook",
                by=by,
            )
    _event(study, by, "created", f"{by} started the study.")
    return study


def _guide_set(study: Study, guide: Sequence[str]) -> None:
    study.guide.all().delete()
    questions = [q.strip() for q in guide if q.strip()]
    GuideQuestion.objects.bulk_create(
        GuideQuestion(study=study, position=i, text=q) for i, q in enumerate(questions)
    )


@transaction.atomic
def study_update(
    *,
    study: Study,
    by: Person,
    title: str,
    research_question: str,
    guide: Sequence[str],
    approved_protocol: bool,
    protocol_reference: str,
    keep_originals: bool,
) -> Study:
    """Change the study's set-up; no longer keeping originals deletes the ones kept."""
    if not title.strip() or not research_question.strip():
        raise ValidationError("A study needs a title and a research question.")
    dropped = 0
    if study.keep_originals and not keep_originals:
        dropped = study.sources.exclude(original_text="").update(original_text="")
    if approved_protocol != study.approved_protocol:
        state = "approved" if approved_protocol else "no longer approved"
        _event(study, by, "protocol", f"{by} recorded the protocol as {state}.")
    study.title = title.strip()
    study.research_question = research_question.strip()
    study.approved_protocol = approved_protocol
    study.protocol_reference = protocol_reference.strip()
    study.keep_originals = keep_originals
    study.save()
    _guide_set(study, guide)
    if dropped:
        _event(study, by, "originals", f"{by} deleted the original text of {dropped} sources.")
    return study


@transaction.atomic
def member_add(*, study: Study, by: Person, email: str, role: str) -> StudyMember:
    """Add a colleague who holds the evaluator role in the study's program."""
    if role not in StudyRole.values:
        raise ValidationError("Choose lead, coder or viewer.")
    person = Person.objects.filter(email__iexact=email.strip()).first()
    if person is None or not _is_evaluator(person, study.program):
        raise ValidationError(
            f"No evaluator of {study.program.name} has the address {email.strip()}; a program "
            "director grants the evaluator role first."
        )
    member, created = StudyMember.objects.get_or_create(
        study=study, person=person, defaults={"role": role}
    )
    if not created and member.role != role:
        if member.role == StudyRole.LEAD:
            _keep_a_lead(study, member)
        member.role = role
        member.save(update_fields=["role"])
    _event(study, by, "member", f"{by} made {person} {member.get_role_display().lower()}.")
    return member


def _keep_a_lead(study: Study, leaving: StudyMember) -> None:
    if not study.members.filter(role=StudyRole.LEAD).exclude(pk=leaving.pk).exists():
        raise ValidationError("A study needs a lead: make someone else lead first.")


@transaction.atomic
def member_remove(*, member: StudyMember, by: Person) -> None:
    """Take someone off the team; their codings stay, attributed to them."""
    if member.role == StudyRole.LEAD:
        _keep_a_lead(member.study, member)
    _event(member.study, by, "member", f"{by} took {member.person} off the team.")
    member.delete()


@transaction.atomic
def attribute_define(
    *, study: Study, label: str, choices: Sequence[str] = ()
) -> AttributeDefinition:
    from django.utils.text import slugify

    label = label.strip()
    key = slugify(label).replace("-", "_")[:40]
    if not key:
        raise ValidationError("Name the attribute.")
    if study.attributes.filter(key=key).exists():
        raise ValidationError(f"The study already describes participants by “{label}”.")
    position = (study.attributes.aggregate(m=Max("position"))["m"] or 0) + 1
    return AttributeDefinition.objects.create(
        study=study,
        key=key,
        label=label,
        choices=[c.strip() for c in choices if c.strip()],
        position=position,
    )


# -- Participants and consent ----------------------------------------------------------------


def _prefilled_values(study: Study, person: Person) -> dict[str, str]:
    """What Hearth already knows: the person's rank and years in the study's program."""
    values = {}
    if person.academic_rank in starter.RANKS:
        values["rank"] = starter.RANKS[person.academic_rank]
    first = (
        GroupMembership.objects.filter(person=person, program=study.program)
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    if first is not None:
        values["years"] = starter.years_band((timezone.localdate() - first).days / 365.25)
    return values


@transaction.atomic
def participant_add(
    *,
    study: Study,
    by: Person,
    pseudonym: str,
    person: Person | None = None,
    external_id: str = "",
    aliases: str = "",
    values: Mapping[str, str] | None = None,
    consent_given_on: dt.date | None = None,
    consent_note: str = "",
) -> Participant:
    """Add a participant (a Hearth person or an external ID), with their consent if given."""
    pseudonym = pseudonym.strip()
    if not pseudonym:
        raise ValidationError("Give the participant a pseudonym, such as P07.")
    if study.participants.filter(pseudonym__iexact=pseudonym).exists():
        raise ValidationError(f"“{pseudonym}” is already a participant of this study.")
    if person is not None and study.participants.filter(person=person).exists():
        raise ValidationError("That person is already a participant of this study.")
    participant = Participant.objects.create(
        study=study,
        pseudonym=pseudonym,
        person=person,
        external_id=external_id.strip(),
        aliases=aliases.strip(),
    )
    known = _prefilled_values(study, person) if person is not None else {}
    given = {k: v for k, v in (values or {}).items() if v}  # a blank keeps what Hearth knows
    participant_values_set(participant=participant, values={**known, **given})
    if consent_given_on is not None:
        consent_record(participant=participant, by=by, given_on=consent_given_on, note=consent_note)
    _event(study, by, "participant", f"{by} added participant {pseudonym}.")
    return participant


@transaction.atomic
def participant_values_set(*, participant: Participant, values: Mapping[str, str]) -> None:
    """Set attribute values by key; an empty value clears it. Unknown keys are refused."""
    definitions = {a.key: a for a in participant.study.attributes.all()}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            raise ValidationError(f"The study has no attribute “{key}”.")
        value = (value or "").strip()
        if not value:
            AttributeValue.objects.filter(participant=participant, attribute=definition).delete()
            continue
        if definition.choices and value not in definition.choices:
            raise ValidationError(
                f"{definition.label}: choose one of {', '.join(definition.choices)}."
            )
        AttributeValue.objects.update_or_create(
            participant=participant, attribute=definition, defaults={"value": value}
        )


@transaction.atomic
def consent_record(
    *,
    participant: Participant,
    by: Person,
    given_on: dt.date,
    note: str = "",
    source: Source | None = None,
) -> Consent:
    if participant.withdrawn:
        raise ValidationError(f"{participant} withdrew from the study.")
    if given_on > timezone.localdate():
        raise ValidationError("Consent cannot be given in the future.")
    return Consent.objects.create(
        participant=participant,
        source=source,
        source_title=source.title if source else "",
        given_on=given_on,
        note=note.strip(),
        recorded_by=by,
    )


def has_study_consent(participant: Participant) -> bool:
    return participant.consents.filter(source__isnull=True, withdrawn_at__isnull=True).exists()


@dataclass(frozen=True)
class Withdrawal:
    sources: int
    segments: int
    turns_blanked: int


def _delete_sources(sources: Iterable[Source]) -> tuple[int, int]:
    ids = [s.pk for s in sources]
    segments = CodedSegment.objects.filter(source_id__in=ids)
    count = segments.count()
    Memo.objects.filter(Q(segment__in=segments) | Q(source_id__in=ids)).delete()
    segments.delete()
    Source.objects.filter(pk__in=ids).delete()
    return len(ids), count


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: Person) -> Withdrawal:
    """Withdraw consent: to one source (that source goes) or to the study (all of the
    participant's words go, wherever they are). The audit trail keeps only that it happened."""
    if not consent.active:
        raise ValidationError("This consent was already withdrawn.")
    participant = consent.participant
    study = participant.study
    now = timezone.now()
    if consent.source_id is not None:
        source = consent.source
        assert source is not None
        consent.withdrawn_at, consent.withdrawn_by = now, by
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        sources, segments = _delete_sources([source])
        _event(
            study,
            by,
            "withdrawal",
            f"{participant} withdrew consent to one source: {sources} source and {segments} "
            f"coded segments removed by {by}.",
        )
        return Withdrawal(sources, segments, 0)

    participant.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now, withdrawn_by=by)
    sources, segments = _delete_sources(list(participant.sources.all()))
    blanked = 0
    # Their turns in other people's sources (a focus group): blank the words, same length.
    for source in Source.objects.filter(turns__participant=participant).distinct():
        turns = list(source.turns.filter(participant=participant))
        text = source.text
        for turn in turns:
            text = text[: turn.start] + " " * (turn.end - turn.start) + text[turn.end :]
            doomed = CodedSegment.objects.filter(
                source=source, start__lt=turn.end, end__gt=turn.start
            )
            segments += doomed.count()
            Memo.objects.filter(segment__in=doomed).delete()
            doomed.delete()
        source.text = text
        source.original_text = ""  # it held the words too
        source.save(update_fields=["text", "original_text"])
        blanked += source.turns.filter(participant=participant).update(
            withdrawn=True, speaker="", participant=None
        )
    participant.values.all().delete()
    participant.person = None
    participant.external_id = ""
    participant.aliases = ""
    participant.withdrawn_at = now
    participant.save()
    _event(
        study,
        by,
        "withdrawal",
        f"{participant} withdrew from the study: {sources} sources, {segments} coded segments "
        f"and {blanked} turns in group sources removed by {by}.",
    )
    return Withdrawal(sources, segments, blanked)


# -- Sources ---------------------------------------------------------------------------------


@transaction.atomic
def source_import(
    *,
    study: Study,
    by: Person,
    title: str,
    parsed: ParsedSource,
    filename: str = "",
    participant: Participant | None = None,
    speakers: Mapping[str, Participant | None] | None = None,
) -> Source:
    """Add a parsed transcript; its speaker turns become the units to code."""
    title = title.strip() or filename or "Untitled source"
    if not parsed.text.strip():
        raise ValidationError("The file has no text.")
    involved = [p for p in [participant, *(speakers or {}).values()] if p is not None]
    for p in involved:
        if p.study_id != study.pk:
            raise ValidationError("Choose participants of this study.")
        if not has_study_consent(p):
            raise ValidationError(
                f"{p} has no consent on record: record it on the participant's page first."
            )
    source = Source.objects.create(
        study=study,
        title=title[:200],
        kind=parsed.kind,
        filename=filename[:255],
        participant=participant,
        text=parsed.text,
        imported_by=by,
    )
    turns_create(source=source, turns=parsed.turns, speakers=speakers or {})
    for p in dict.fromkeys(involved):
        Consent.objects.create(
            participant=p,
            source=source,
            source_title=source.title,
            given_on=timezone.localdate(),
            note="Covered by the participant's study consent; recorded at import.",
            recorded_by=by,
        )
    _event(study, by, "import", f"{by} imported “{source.title}” ({len(parsed.turns)} turns).")
    return source


def turns_create(
    *,
    source: Source,
    turns: Iterable[importers.Turn],
    speakers: Mapping[str, Participant | None],
) -> None:
    """Store a source's speaker turns, numbered in order, linked to participants by label."""
    Turn.objects.bulk_create(
        Turn(
            source=source,
            index=i,
            start=t.start,
            end=t.end,
            speaker=t.speaker[:120],
            participant=speakers.get(t.speaker),
            begins_at=t.begins_at,
            ends_at=t.ends_at,
        )
        for i, t in enumerate(t for t in turns if t.end > t.start)
    )


def roster_person(*, study: Study, email: str) -> Person:
    """Someone on the study's program roster, by email, to link as a participant."""
    on_roster = Q(memberships__program=study.program) | Q(role_grants__program=study.program)
    person = Person.objects.filter(on_roster, email__iexact=email.strip()).distinct().first()
    if person is None:
        raise ValidationError(
            f"No one on the roster of {study.program.name} has the address {email.strip()}; "
            "leave the email empty and use an external ID instead."
        )
    return person


def roster_people(study: Study) -> list[deidentify.KnownPerson]:
    """Everyone de-identification looks for: participants by pseudonym, and the program's
    roster (mentors, learners, directors) by role, so no one's name survives review."""
    people: list[deidentify.KnownPerson] = []
    linked: set[int] = set()
    for p in study.participants.select_related("person"):
        aliases = tuple(a.strip() for a in p.aliases.split(",") if a.strip())
        if p.person is not None:
            linked.add(p.person.pk)
            people.append(deidentify.KnownPerson(p.person.display_name, p.pseudonym, aliases))
        elif aliases:
            people.append(deidentify.KnownPerson(aliases[0], p.pseudonym, aliases[1:]))
    roles: dict[int, str] = {}
    for person_id, role in GroupMembership.objects.filter(program=study.program).values_list(
        "person_id", "role"
    ):
        if role == "mentor" or person_id not in roles:
            roles[person_id] = "[mentor]" if role == "mentor" else "[learner]"
    for person_id in RoleGrant.objects.filter(program=study.program).values_list(
        "person_id", flat=True
    ):
        roles.setdefault(person_id, "[colleague]")
    for person_id, name in Person.objects.filter(pk__in=roles).values_list("pk", "display_name"):
        if person_id not in linked:
            people.append(deidentify.KnownPerson(name, roles[person_id]))
    return people


def deidentification_proposal(source: Source) -> deidentify.Proposal:
    return deidentify.propose(source.text, roster_people(source.study))


@transaction.atomic
def source_deidentify(
    *, source: Source, by: Person, replacements: Sequence[deidentify.Replacement]
) -> Source:
    """Apply the replacements the reviewer accepted; turns and codings move with the text."""
    ordered = sorted(replacements, key=lambda r: (r.start, r.end))
    try:
        text = deidentify.apply(source.text, ordered)
        moved = deidentify.OffsetMap(ordered)
    except ValueError as error:
        raise ValidationError(
            "The source changed since this review was opened, or two replacements overlap: "
            "open the review again."
        ) from error
    old_text = source.text
    if source.study.keep_originals and not source.original_text:
        source.original_text = source.text
    source.text = text
    source.deidentified_at = timezone.now()
    source.save(update_fields=["text", "original_text", "deidentified_at"])
    turns = list(source.turns.all())
    for turn in turns:
        # A name in the speaker's label ("Dr. Okafor: ...") is replaced there too.
        line_start = old_text.rfind("\n", 0, turn.start) + 1
        for r in ordered:
            if line_start <= r.start and r.end <= turn.start:
                turn.speaker = turn.speaker.replace(r.original, r.replacement)[:120]
        turn.start, turn.end = moved.span(turn.start, turn.end)
    Turn.objects.bulk_update(turns, ["start", "end", "speaker"])
    segments = list(source.segments.all())
    for segment in segments:
        segment.start, segment.end = moved.span(segment.start, segment.end)
    CodedSegment.objects.bulk_update(segments, ["start", "end"])
    kinds = sorted({r.kind for r in ordered})
    _event(
        source.study,
        by,
        "deidentified",
        f"{by} de-identified “{source.title}”: {len(ordered)} replacements"
        + (f" ({', '.join(kinds)})" if kinds else "")
        + ".",
    )
    return source


def _next_pseudonym(study: Study, prefix: str) -> str:
    taken = set(study.participants.values_list("pseudonym", flat=True))
    n = 1
    while f"{prefix}{n:02d}" in taken:
        n += 1
    return f"{prefix}{n:02d}"


@dataclass(frozen=True)
class PulseSync:
    added: int
    removed: int


@transaction.atomic
def pulse_sources_sync(*, study: Study, by: Person, wave: object) -> PulseSync:
    """Bring in the wave's free-text answers whose authors agreed to their study; remove
    any whose author no longer agrees."""
    from hearth.pulse.models import PulseResponse, PulseWave

    assert isinstance(wave, PulseWave)
    if wave.program_id != study.program_id:
        raise ValidationError("Choose a check-in of the study's program.")
    responses = PulseResponse.objects.filter(wave=wave).select_related("person")
    existing = {s.pulse_response_id: s for s in study.sources.filter(pulse_response__wave=wave)}
    agreeing = {r.pk for r in responses if r.free_text_to_studies and r.free_text.strip()}
    gone = [s for response_id, s in existing.items() if response_id not in agreeing]
    removed = 0
    if gone:
        Consent.objects.filter(source__in=gone).update(withdrawn_at=timezone.now(), withdrawn_by=by)
        removed, _ = _delete_sources(gone)
        _event(
            study, by, "withdrawal", f"{removed} check-in answers whose authors withdrew removed."
        )
    added = 0
    for response in responses:
        if response.pk not in agreeing or response.pk in existing:
            continue
        participant = study.participants.filter(person=response.person).first()
        if participant is None:
            participant = Participant.objects.create(
                study=study, pseudonym=_next_pseudonym(study, "R"), person=response.person
            )
            participant_values_set(
                participant=participant, values=_prefilled_values(study, response.person)
            )
        if participant.withdrawn:
            continue
        if not has_study_consent(participant):
            Consent.objects.create(
                participant=participant,
                given_on=response.submitted_at.date(),
                note="Agreed in the pulse check-in that evaluators may study the free text.",
                recorded_by=by,
            )
        text = response.free_text.strip()
        source = Source.objects.create(
            study=study,
            title=f"{wave.label}: {participant.pseudonym}",
            kind=SourceKind.PULSE,
            participant=participant,
            text=text,
            pulse_response=response,
            imported_by=by,
        )
        Turn.objects.create(
            source=source,
            index=0,
            start=0,
            end=len(text),
            speaker=participant.pseudonym,
            participant=participant,
        )
        Consent.objects.create(
            participant=participant,
            source=source,
            source_title=source.title,
            given_on=response.submitted_at.date(),
            note="The check-in's consent to study the free text.",
            recorded_by=by,
        )
        added += 1
    if added:
        _event(study, by, "import", f"{by} brought in {added} answers from {wave.label}.")
    return PulseSync(added, removed)


# -- Codebook --------------------------------------------------------------------------------


def open_version(codebook: Codebook) -> CodebookVersion:
    """The version changes go into: the latest, not yet saved."""
    version = codebook.versions.order_by("-number").first()
    if version is None or version.saved_at is not None:
        number = version.number + 1 if version else 1
        version = CodebookVersion.objects.create(codebook=codebook, number=number)
    return version


def _change(
    code: Code,
    kind: str,
    summary: str,
    by: Person,
    others: Iterable[Code] = (),
    mapping: dict[str, object] | None = None,
) -> CodeChange:
    change = CodeChange.objects.create(
        version=open_version(code.codebook),
        kind=kind,
        code=code,
        summary=summary[:300],
        mapping=mapping or {},
        by=by,
    )
    change.others.set(list(others))
    return change


def _check_parent(code: Code | None, parent: Code | None, codebook: Codebook) -> None:
    if parent is None:
        return
    if parent.codebook_id != codebook.pk or not parent.active:
        raise ValidationError("Choose a parent from this codebook.")
    if code is None:
        return
    parents: dict[str, str | None] = {}
    names = {}
    for c in codebook.codes.filter(retired_at__isnull=True):
        names[c.pk] = c.name
    for c in codebook.codes.filter(retired_at__isnull=True):
        parents[c.name] = names.get(c.parent_id) if c.parent_id else None
    parents[code.name] = parent.name
    try:
        check_tree(parents)
    except CycleError as error:
        raise ValidationError(str(error).capitalize()) from error


def _clean_colour(colour: str) -> str:
    colour = colour.strip()
    if len(colour) != 7 or not colour.startswith("#"):
        raise ValidationError("A colour is written #rrggbb.")
    try:
        int(colour[1:], 16)
    except ValueError as error:
        raise ValidationError("A colour is written #rrggbb.") from error
    return colour.lower()


@transaction.atomic
def code_create(
    *,
    codebook: Codebook,
    by: Person,
    name: str,
    parent: Code | None = None,
    definition: str = "",
    use_when: str = "",
    not_when: str = "",
    example: str = "",
    colour: str = "",
) -> Code:
    name = name.strip()
    if not name:
        raise ValidationError("Name the code.")
    if codebook.codes.filter(name__iexact=name, retired_at__isnull=True).exists():
        raise ValidationError(f"The codebook already has a code “{name}”.")
    _check_parent(None, parent, codebook)
    count = codebook.codes.count()
    code = Code.objects.create(
        codebook=codebook,
        parent=parent,
        name=name[:120],
        definition=definition.strip(),
        use_when=use_when.strip(),
        not_when=not_when.strip(),
        example=example.strip(),
        colour=_clean_colour(colour) if colour else starter.PALETTE[count % len(starter.PALETTE)],
        position=count,
        created_by=by,
    )
    _change(code, ChangeKind.CREATE, f"Added “{code.name}”", by)
    return code


@transaction.atomic
def code_update(
    *,
    code: Code,
    by: Person,
    name: str,
    definition: str,
    use_when: str,
    not_when: str,
    example: str,
    colour: str,
) -> Code:
    """Rename or redefine a code; the history keeps what it was."""
    name = name.strip()
    if not name:
        raise ValidationError("Name the code.")
    if (
        code.codebook.codes.filter(name__iexact=name, retired_at__isnull=True)
        .exclude(pk=code.pk)
        .exists()
    ):
        raise ValidationError(f"The codebook already has a code “{name}”.")
    before = {
        "name": code.name,
        "definition": code.definition,
        "use_when": code.use_when,
        "not_when": code.not_when,
        "example": code.example,
    }
    old_name = code.name
    code.name = name[:120]
    code.definition = definition.strip()
    code.use_when = use_when.strip()
    code.not_when = not_when.strip()
    code.example = example.strip()
    code.colour = _clean_colour(colour)
    code.save()
    if old_name != code.name:
        _change(
            code,
            ChangeKind.RENAME,
            f"Renamed “{old_name}” to “{code.name}”",
            by,
            (),
            {"before": before},
        )
    elif any(getattr(code, k) != v for k, v in before.items()):
        _change(code, ChangeKind.EDIT, f"Redefined “{code.name}”", by, (), {"before": before})
    return code


@transaction.atomic
def code_move(*, code: Code, by: Person, parent: Code | None) -> Code:
    """Put a code under another (or at the top); a move that makes a loop is refused."""
    if parent is not None and parent.pk == code.pk:
        raise ValidationError("A code cannot sit under itself.")
    _check_parent(code, parent, code.codebook)
    before = code.parent.name if code.parent else None
    code.parent = parent
    code.save(update_fields=["parent"])
    where = f"under “{parent.name}”" if parent else "to the top level"
    _change(code, ChangeKind.MOVE, f"Moved “{code.name}” {where}", by, (), {"before": before})
    return code


def _repoint(segments: Iterable[CodedSegment], to: Code) -> dict[str, str]:
    """Move segments onto `to`; one already coded there by the same coder merges into it."""
    mapping: dict[str, str] = {}
    for segment in segments:
        mapping[str(segment.guid)] = str(to.guid)
        duplicate = CodedSegment.objects.filter(
            source_id=segment.source_id,
            coder_id=segment.coder_id,
            start=segment.start,
            end=segment.end,
            code=to,
        ).exists()
        if duplicate:
            Memo.objects.filter(segment=segment).update(
                segment=CodedSegment.objects.get(
                    source_id=segment.source_id,
                    coder_id=segment.coder_id,
                    start=segment.start,
                    end=segment.end,
                    code=to,
                )
            )
            segment.delete()
        else:
            segment.code = to
            segment.save(update_fields=["code"])
    return mapping


@transaction.atomic
def code_merge(*, codes: Sequence[Code], into: Code, by: Person) -> Code:
    """Merge codes into one: their codings, children and themes follow; they are retired."""
    merging = [c for c in codes if c.pk != into.pk]
    if not merging:
        raise ValidationError("Choose at least one other code to merge.")
    for c in merging:
        if c.codebook_id != into.codebook_id or not c.active or not into.active:
            raise ValidationError("Merge codes of this codebook only.")
    mapping: dict[str, str] = {}
    now = timezone.now()
    for c in merging:
        mapping.update(_repoint(list(c.segments.all()), into))
        c.children.update(parent=into)
        for theme in c.themes.all():
            theme.codes.add(into)
            theme.codes.remove(c)
        Memo.objects.filter(code=c).update(code=into)
        c.retired_at = now
        c.save(update_fields=["retired_at"])
    if into.parent_id in {c.pk for c in merging}:
        into.parent = None
        into.save(update_fields=["parent"])
    names = ", ".join(f"“{c.name}”" for c in merging)
    _change(
        into,
        ChangeKind.MERGE,
        f"Merged {names} into “{into.name}”",
        by,
        merging,
        {"segments": mapping},
    )
    return into


@transaction.atomic
def code_split(*, code: Code, by: Person, names: Sequence[str], segments_to: int = 0) -> list[Code]:
    """Split a code into new codes at its place; its codings go to the chosen new code (to
    recode from there), and the old code is retired."""
    clean = [n.strip() for n in names if n.strip()]
    if len(clean) < 2:
        raise ValidationError("Split a code into at least two new codes.")
    if not 0 <= segments_to < len(clean):
        raise ValidationError("Choose which new code takes the existing codings.")
    if not code.active:
        raise ValidationError("This code was already merged or split.")
    code.retired_at = timezone.now()
    code.save(update_fields=["retired_at"])
    made = []
    for i, name in enumerate(clean):
        made.append(
            code_create(
                codebook=code.codebook,
                by=by,
                name=name,
                parent=code.parent,
                definition=code.definition if i == segments_to else "",
                colour=code.colour if i == segments_to else "",
            )
        )
    target = made[segments_to]
    mapping = _repoint(list(code.segments.all()), target)
    code.children.update(parent=target)
    for theme in code.themes.all():
        theme.codes.add(*made)
        theme.codes.remove(code)
    names_text = ", ".join(f"“{c.name}”" for c in made)
    _change(
        code,
        ChangeKind.SPLIT,
        f"Split “{code.name}” into {names_text}; its codings went to “{target.name}”",
        by,
        made,
        {"segments": mapping},
    )
    return made


def _snapshot(codebook: Codebook) -> list[dict[str, object]]:
    codes = list(codebook.codes.filter(retired_at__isnull=True).select_related("parent"))
    return [
        {
            "guid": str(c.guid),
            "name": c.name,
            "parent": str(c.parent.guid) if c.parent else None,
            "definition": c.definition,
            "use_when": c.use_when,
            "not_when": c.not_when,
            "example": c.example,
            "colour": c.colour,
        }
        for c in codes
    ]


@transaction.atomic
def codebook_version_save(*, codebook: Codebook, by: Person, note: str = "") -> CodebookVersion:
    """Freeze the codebook as it is now under the open version's number; a new one opens."""
    version = open_version(codebook)
    version.note = note.strip()[:200]
    version.saved_at = timezone.now()
    version.saved_by = by
    version.snapshot = _snapshot(codebook)
    version.save()
    CodebookVersion.objects.create(codebook=codebook, number=version.number + 1)
    _event(codebook.study, by, "codebook", f"{by} saved codebook version {version.number}.")
    return version


@dataclass(frozen=True)
class CodeRow:
    name: str
    parent: str = ""
    definition: str = ""
    use_when: str = ""
    not_when: str = ""
    example: str = ""
    colour: str = ""


@transaction.atomic
def codebook_import(*, codebook: Codebook, by: Person, rows: Sequence[CodeRow]) -> list[Code]:
    """Add codes from a table; a parent may be an existing code or one in the table. A
    table with a loop, a missing parent or a repeated name adds nothing."""
    existing = {c.name.lower(): c for c in codebook.codes.filter(retired_at__isnull=True)}
    names = [r.name.strip() for r in rows]
    problems = []
    seen: set[str] = set()
    for line, name in enumerate(names, start=2):
        if not name:
            problems.append(f"row {line}: the code has no name")
        elif name.lower() in seen or name.lower() in existing:
            problems.append(f"row {line}: “{name}” is already in the codebook")
        seen.add(name.lower())
    for line, row in enumerate(rows, start=2):
        wanted = row.parent.strip().lower()
        if wanted and wanted not in seen and wanted not in existing:
            problems.append(f"row {line}: the parent “{row.parent.strip()}” is not a code")
    if problems:
        raise ValidationError(problems)
    parents: dict[str, str | None] = {
        r.name.strip().lower(): r.parent.strip().lower() or None for r in rows
    }
    try:
        check_tree(parents)
    except CycleError as error:
        raise ValidationError(str(error).capitalize()) from error
    made: dict[str, Code] = {}
    pending = list(rows)
    while pending:  # parents first; no loop, so every pass places at least one
        later: list[CodeRow] = []
        for row in pending:
            parent_key = row.parent.strip().lower()
            parent: Code | None = None
            if parent_key:
                parent = made.get(parent_key) or existing.get(parent_key)
            if parent_key and parent is None:
                later.append(row)
                continue
            made[row.name.strip().lower()] = code_create(
                codebook=codebook,
                by=by,
                name=row.name,
                parent=parent,
                definition=row.definition,
                use_when=row.use_when,
                not_when=row.not_when,
                example=row.example,
                colour=row.colour,
            )
        pending = later
    _event(codebook.study, by, "codebook", f"{by} imported {len(made)} codes.")
    return list(made.values())


# -- Coding ----------------------------------------------------------------------------------


@transaction.atomic
def segments_add(
    *, source: Source, coder: Person, start: int, end: int, codes: Sequence[Code]
) -> list[CodedSegment]:
    """Apply codes to text[start:end) of a source; a code already applied there is kept once."""
    member = source.study.members.filter(person=coder).first()
    if member is None or not member.codes:
        raise ValidationError("Only the study's lead and coders code.")
    length = len(source.text)
    if not 0 <= start < end <= length:
        raise ValidationError("Select some text of the transcript first.")
    if not codes:
        raise ValidationError("Choose at least one code to apply.")
    # Trim white space at the edges: a selection dragged past a word keeps only the words.
    while start < end and source.text[start].isspace():
        start += 1
    while end > start and source.text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValidationError("Select some words, not just spaces.")
    made = []
    for code in codes:
        if code.codebook.study_id != source.study_id or not code.active:
            raise ValidationError("Apply codes of this study's codebook.")
        segment, _ = CodedSegment.objects.get_or_create(
            source=source, coder=coder, code=code, start=start, end=end
        )
        made.append(segment)
    return made


@transaction.atomic
def segment_remove(*, segment: CodedSegment, by: Person) -> None:
    if segment.coder_id != by.pk:
        raise ValidationError("Only the coder who applied a code removes it.")
    segment.exemplar_of.clear()
    segment.delete()


@transaction.atomic
def memo_add(
    *,
    study: Study,
    author: Person,
    text: str,
    code: Code | None = None,
    source: Source | None = None,
    segment: CodedSegment | None = None,
) -> Memo:
    if not text.strip():
        raise ValidationError("Write the memo first.")
    for target in (source, segment.source if segment else None):
        if target is not None and target.study_id != study.pk:
            raise ValidationError("That is not part of this study.")
    if code is not None and code.codebook.study_id != study.pk:
        raise ValidationError("That is not part of this study.")
    return Memo.objects.create(
        study=study, author=author, text=text.strip(), code=code, source=source, segment=segment
    )


@transaction.atomic
def reconciliation_set(*, study: Study, by: Person, open_: bool) -> Study:
    """Open reconciliation (coders see each other's codes) or close it for a new blind round."""
    study.reconciliation_opened_at = timezone.now() if open_ else None
    study.save(update_fields=["reconciliation_opened_at"])
    what = "opened reconciliation" if open_ else "closed reconciliation for blind coding"
    _event(study, by, "reconciliation", f"{by} {what}.")
    return study


# -- Themes ----------------------------------------------------------------------------------


@transaction.atomic
def theme_save(
    *,
    study: Study,
    name: str,
    definition: str = "",
    codes: Sequence[Code] = (),
    categories: Sequence[FrameworkCategory] = (),
    theme: Theme | None = None,
) -> Theme:
    """Create a theme, or change one: its codes and the framework categories it speaks to."""
    if not name.strip():
        raise ValidationError("Name the theme.")
    if any(c.codebook.study_id != study.pk for c in codes) or any(
        c.study_id != study.pk for c in categories
    ):
        raise ValidationError("Choose codes and categories of this study.")
    if theme is None:
        theme = Theme.objects.create(
            study=study,
            name=name.strip(),
            definition=definition.strip(),
            position=study.themes.count(),
        )
    else:
        theme.name, theme.definition = name.strip(), definition.strip()
        theme.save(update_fields=["name", "definition"])
    theme.codes.set(codes)
    theme.categories.set(categories)
    return theme


@transaction.atomic
def theme_exemplar_toggle(*, theme: Theme, segment: CodedSegment) -> bool:
    """Choose (or stop choosing) a segment as an exemplar quote; True when now chosen."""
    if segment.source.study_id != theme.study_id:
        raise ValidationError("That quote is not part of this study.")
    if theme.exemplars.filter(pk=segment.pk).exists():
        theme.exemplars.remove(segment)
        return False
    theme.exemplars.add(segment)
    return True


@transaction.atomic
def theme_delete(*, theme: Theme) -> None:
    theme.delete()


def export_record(*, study: Study, by: Person, rows: int) -> None:
    """Note in the audit trail that someone took the item-level dataset away."""
    _event(study, by, "export", f"{by} exported the de-identified dataset ({rows} rows).")
