"""Studies in and out of other QDA tools: REFI-QDA projects (.qdpx) and codebooks (.qdc),
Dedoose excerpt exports (.xlsx) and QualCoder's plain codebook text.

Imports are all or nothing: a study is made whole or not at all, and a bad file changes
nothing. Exports hold what the study's CSV export holds: the de-identified text, the codes,
the codings the exporting member may see, memos, and participants by pseudonym with their
attribute values; never original text, names of participants or external IDs.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from hearth.communities.models import Program
from hearth.lib import zipsafety
from hearth.people.models import Person, Role, RoleGrant

from . import refiqda, selectors, services, starter
from .importers import speaker_turns
from .models import (
    AttributeDefinition,
    AttributeValue,
    ChangeKind,
    Code,
    Codebook,
    CodebookVersion,
    CodeChange,
    CodedSegment,
    Memo,
    Participant,
    SegmentOrigin,
    Source,
    SourceKind,
    Study,
    StudyMember,
    StudyRole,
    Theme,
)
from .services import CodeRow, _event, codebook_import

MAX_UPLOAD = 50 * 1024 * 1024
PLACEHOLDER_DOMAIN = "imported.invalid"  # .invalid never resolves: no mail can reach it


def _may_start(person: Person, program: Program) -> bool:
    return (
        person.is_superuser
        or RoleGrant.objects.filter(
            person=person, program=program, role__in=[Role.EVALUATOR, Role.PROGRAM_DIRECTOR]
        ).exists()
    )


def _free(model: type[Any], guid: str) -> uuid.UUID | None:
    """The file's GUID when no row of the model holds it yet (it may come from this Hearth)."""
    try:
        value = uuid.UUID(guid)
    except (ValueError, TypeError):
        return None
    return None if model.objects.filter(guid=value).exists() else value


def _guid_kwargs(model: type[Any], guid: str) -> dict[str, uuid.UUID]:
    value = _free(model, guid)
    return {"guid": value} if value is not None else {}


# -- A new study for an import -----------------------------------------------------------


class _Builder:
    """Makes one imported study: members, codes and participants with their GUIDs."""

    def __init__(self, *, program: Program, by: Person, title: str, question: str) -> None:
        if not _may_start(by, program):
            raise ValidationError("Only the program's evaluators and directors import studies.")
        self.by = by
        self.study = Study.objects.create(
            program=program,
            title=(title.strip() or "Imported study")[:200],
            research_question=question.strip() or "Imported from another QDA tool.",
            created_by=by,
        )
        self.lead = StudyMember.objects.create(study=self.study, person=by, role=StudyRole.LEAD)
        self.codebook = Codebook.objects.create(
            study=self.study, name=f"Codebook of “{self.study.title}”"
        )
        self.version = CodebookVersion.objects.create(codebook=self.codebook, number=1)
        self.names: set[str] = set()
        self.position = 0

    def coder(self, *, guid: str, name: str, email: str = "") -> Person:
        """The Hearth person behind a REFI User: by member GUID, email or unique name, else a
        placeholder account that cannot sign in."""
        person: Person | None = None
        try:
            member = StudyMember.objects.filter(guid=uuid.UUID(guid)).first()
        except (ValueError, TypeError):
            member = None
        if member is not None:
            person = member.person
        if person is None and "@" in email:
            person = Person.objects.filter(email__iexact=email.strip()).first()
        if person is None and name.strip():
            named = list(Person.objects.filter(display_name__iexact=name.strip())[:2])
            person = named[0] if len(named) == 1 else None
        if person is None:
            person = Person.objects.create_user(
                email=f"refi-{uuid.uuid4().hex[:12]}@{PLACEHOLDER_DOMAIN}",
                password=None,  # an unusable password: the account cannot sign in
                display_name=(name.strip() or "Imported coder")[:150],
                is_active=False,
            )
        if person.pk != self.by.pk and not self.study.members.filter(person=person).exists():
            StudyMember.objects.create(
                study=self.study,
                person=person,
                role=StudyRole.VIEWER,  # until `finish` finds their codings
                **_guid_kwargs(StudyMember, guid),
            )
        return person

    def finish(self) -> None:
        """REFI has no roles: whoever coded is a coder, the others viewers. The coders saw
        each other's codes in the other tool, so reconciliation is open."""
        coded = CodedSegment.objects.filter(source__study=self.study).values("coder_id")
        self.study.members.exclude(role=StudyRole.LEAD).filter(person_id__in=coded).update(
            role=StudyRole.CODER
        )
        if coded.exists():
            self.study.reconciliation_opened_at = timezone.now()
            self.study.save(update_fields=["reconciliation_opened_at"])

    def code(
        self, *, guid: str, name: str, parent: Code | None, colour: str, description: str
    ) -> Code:
        name = " ".join(name.split())[:120] or "Unnamed code"
        # Other tools allow one name in two branches; Hearth's names are unique.
        unique = name
        if unique.lower() in self.names and parent is not None:
            unique = f"{name} ({parent.name})"[:120]
        n = 2
        while unique.lower() in self.names:
            unique, n = f"{name} {n}"[:120], n + 1
        self.names.add(unique.lower())
        parts = refiqda.split_description(description)
        code = Code.objects.create(
            codebook=self.codebook,
            parent=parent,
            name=unique,
            colour=_colour(colour) or starter.PALETTE[self.position % len(starter.PALETTE)],
            position=self.position,
            created_by=self.by,
            **parts,
            **_guid_kwargs(Code, guid),
        )
        self.position += 1
        CodeChange.objects.create(
            version=self.version,
            kind=ChangeKind.CREATE,
            code=code,
            summary=f"Added “{code.name}” by import",
            by=self.by,
        )
        return code

    def attribute(self, label: str, choices: Sequence[str] = ()) -> AttributeDefinition:
        base = slugify(label).replace("-", "_")[:36] or "attribute"
        key, n = base, 2
        while self.study.attributes.filter(key=key).exists():
            key, n = f"{base}_{n}", n + 1
        return AttributeDefinition.objects.create(
            study=self.study,
            key=key,
            label=(label.strip() or key)[:80],
            choices=list(choices),
            position=self.study.attributes.count(),
        )

    def participant(self, *, guid: str, name: str) -> Participant:
        base = (name.strip() or "Case")[:36]
        pseudonym, n = base, 2
        while self.study.participants.filter(pseudonym__iexact=pseudonym).exists():
            pseudonym, n = f"{base} {n}", n + 1
        return Participant.objects.create(
            study=self.study, pseudonym=pseudonym, **_guid_kwargs(Participant, guid)
        )

    def source(
        self,
        *,
        guid: str,
        title: str,
        text: str,
        kind: str,
        filename: str,
        participant: Participant | None,
    ) -> Source:
        source = Source.objects.create(
            study=self.study,
            title=(title.strip() or "Untitled source")[:200],
            kind=kind,
            filename=filename[:255],
            participant=participant,
            text=text,
            imported_by=self.by,
            **_guid_kwargs(Source, guid),
        )
        by_pseudonym = {p.pseudonym: p for p in self.study.participants.all()}
        services.turns_create(source=source, turns=speaker_turns(text), speakers=by_pseudonym)
        return source


def _colour(value: str) -> str:
    value = (value or "").strip()
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value.lower()
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:].lower())
    return ""


def _invalid(filename: str, error: Exception) -> ValidationError:
    return ValidationError(f"Nothing was imported from {filename}: {error}")


# -- REFI-QDA projects -------------------------------------------------------------------


@transaction.atomic
def study_import_qdpx(*, program: Program, by: Person, data: bytes, filename: str) -> Study:
    """A new study from a REFI-QDA project (.qdpx) made by Hearth or another QDA tool."""
    if len(data) > MAX_UPLOAD:
        raise ValidationError(f"Nothing was imported: {filename} is larger than 50 MB.")
    try:
        project = refiqda.read_qdpx(data, what=filename)
    except refiqda.ExchangeError as error:
        raise _invalid(filename, error) from error
    b = _Builder(
        program=program,
        by=by,
        title=project.name or PurePath(filename).stem,
        question=project.description,
    )
    users = {u.guid: b.coder(guid=u.guid, name=u.name or u.id, email=u.id) for u in project.users}

    codes: dict[str, Code] = {}
    for item, parent in project.all_codes():
        codes[item.guid] = b.code(
            guid=item.guid,
            name=item.name,
            parent=codes[parent.guid] if parent else None,
            colour=item.color,
            description=item.description,
        )

    attributes = {
        v.guid: b.attribute(v.name, _choices_from(v.description)) for v in project.variables
    }
    participants: dict[str, Participant] = {}
    case_of_source: dict[str, Participant] = {}
    for case in project.cases:
        participant = b.participant(guid=case.guid, name=case.name)
        participants[case.guid] = participant
        AttributeValue.objects.bulk_create(
            AttributeValue(participant=participant, attribute=attributes[g], value=v[:120])
            for g, v in case.values.items()
            if g in attributes and v.strip()
        )
        for source_guid in case.sources:
            case_of_source.setdefault(source_guid, participant)

    targets: dict[str, dict[str, Any]] = {}  # note guid -> what it is about
    sources: dict[str, Source] = {}
    segments: dict[str, CodedSegment] = {}
    made = 0
    for src in project.sources:
        docx = src.rich_path.lower().endswith(".docx")
        source = b.source(
            guid=src.guid,
            title=src.name,
            text=src.text,
            kind=SourceKind.DOCX if docx else SourceKind.TEXT,
            filename=PurePath(src.plain_path or src.rich_path).name,
            participant=case_of_source.get(src.guid),
        )
        sources[src.guid] = source
        for note in src.notes:
            targets.setdefault(note, {"source": source})
        for selection in src.selections:
            end = len(src.text) if selection.end < 0 else selection.end
            if not 0 <= selection.start < end <= len(src.text):
                raise ValidationError(
                    f"Nothing was imported from {filename}: selection "
                    f"{selection.name or selection.guid} in source “{source.title}” runs from "
                    f"{selection.start} to {selection.end}, outside its text "
                    f"({len(src.text)} characters)."
                )
            first: CodedSegment | None = None
            for coding in selection.codings:
                code = codes.get(coding.code)
                if code is None:
                    raise ValidationError(
                        f"Nothing was imported from {filename}: a coding in source "
                        f"“{source.title}” refers to code {coding.code}, which the codebook "
                        "does not have."
                    )
                who = coding.user or selection.user
                coder = users.get(who) or (b.coder(guid=who, name="") if who else by)
                users.setdefault(who, coder)
                segment, created = CodedSegment.objects.get_or_create(
                    source=source,
                    code=code,
                    coder=coder,
                    start=selection.start,
                    end=end,
                    defaults={
                        "origin": SegmentOrigin.IMPORTED,
                        **_guid_kwargs(CodedSegment, selection.guid or coding.guid),
                        **({"created_at": selection.created} if selection.created else {}),
                    },
                )
                made += created
                first = first or segment
                for note in coding.notes:
                    targets.setdefault(note, {"segment": segment})
            if first is not None:
                segments[selection.guid] = first
                for note in selection.notes:
                    targets.setdefault(note, {"segment": first})
    for tree_code, _parent in project.all_codes():
        for note in tree_code.notes:
            targets.setdefault(note, {"code": codes[tree_code.guid]})

    for memo in project.notes:
        if not memo.text.strip():
            continue
        Memo.objects.create(
            study=b.study,
            author=users.get(memo.user) or by,
            text=memo.text.strip(),
            **targets.get(memo.guid, {}),
            **_guid_kwargs(Memo, memo.guid),
            **({"created_at": memo.created} if memo.created else {}),
        )

    for position, group in enumerate(project.sets):
        members = [codes[g] for g in group.codes if g in codes]
        if not members:
            continue
        theme = Theme.objects.create(
            study=b.study,
            name=group.name[:200] or "Set",
            definition=group.description,
            position=position,
            **_guid_kwargs(Theme, group.guid),
        )
        theme.codes.set(members)

    b.finish()
    skipped = f" Left out: {', '.join(project.skipped)}." if project.skipped else ""
    _event(
        b.study,
        by,
        "import",
        f"{by} imported the study from {filename} ({project.origin or 'unknown tool'}): "
        f"{import_summary(b.study)}.{skipped}",
    )
    return b.study


def import_summary(study: Study) -> str:
    """“3 sources, 14 codes, 52 coded segments by 2 coders”."""
    counts = CodedSegment.objects.filter(source__study=study).aggregate(
        n=Count("pk"), coders=Count("coder", distinct=True)
    )
    sources = study.sources.count()
    codes = study.codebook.codes.filter(retired_at__isnull=True).count()

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return (
        f"{plural(sources, 'source')}, {plural(codes, 'code')}, "
        f"{plural(counts['n'], 'coded segment')} by {plural(counts['coders'], 'coder')}"
    )


def _code_tree(codebook: Codebook) -> list[refiqda.Code]:
    codes = list(codebook.codes.filter(retired_at__isnull=True).order_by("position", "name"))
    made = {
        c.pk: refiqda.Code(
            guid=str(c.guid),
            name=c.name,
            color=c.colour,
            description=refiqda.compose_description(
                c.definition, c.use_when, c.not_when, c.example
            ),
        )
        for c in codes
    }
    top: list[refiqda.Code] = []
    for c in codes:
        if c.parent_id in made:
            made[c.parent_id].children.append(made[c.pk])
        else:
            top.append(made[c.pk])
    return top


def study_project(study: Study, member: StudyMember | None = None) -> refiqda.Project:
    """The study as a REFI-QDA project; with a member, only the codings they may see."""
    project = refiqda.Project(
        name=study.title, origin="Hearth", description=study.research_question
    )
    members = list(study.members.select_related("person").order_by("added_at", "pk"))
    user_of = {m.person_id: str(m.guid) for m in members}
    project.users = [refiqda.User(str(m.guid), m.person.display_name) for m in members]
    project.codes = _code_tree(study.codebook)
    code_guid = dict(study.codebook.codes.values_list("pk", "guid"))
    code_pk = {str(g): pk for pk, g in code_guid.items()}

    attributes = list(study.attributes.all())
    # Attributes carry no GUID in Hearth: a stable one from the study and the key.
    variable_of = {a.pk: str(uuid.uuid5(study.guid, a.key)) for a in attributes}
    project.variables = [
        refiqda.Variable(variable_of[a.pk], a.label, description=_choices_note(a.choices))
        for a in attributes
    ]
    live = list(
        study.participants.filter(withdrawn_at__isnull=True).prefetch_related("values", "sources")
    )
    for p in live:
        project.cases.append(
            refiqda.Case(
                guid=str(p.guid),
                name=p.pseudonym,
                values={variable_of[v.attribute_id]: v.value for v in p.values.all()},
                sources=[str(s.guid) for s in p.sources.all()],
            )
        )

    segments = (
        selectors.visible_segments(study, member)
        if member is not None
        else CodedSegment.objects.filter(source__study=study)
    )
    by_source: dict[int, list[CodedSegment]] = {}
    for s in segments.order_by("source_id", "start", "end", "pk"):
        by_source.setdefault(s.source_id, []).append(s)
    memos = list(study.memos.select_related("author"))
    exported_segments = {s.pk for group in by_source.values() for s in group}
    notes_of: dict[tuple[str, int], list[str]] = {}
    for memo in memos:
        if memo.segment_id is not None and memo.segment_id not in exported_segments:
            continue  # a memo on a coding the member may not see stays behind
        key = (
            ("code", memo.code_id)
            if memo.code_id
            else ("source", memo.source_id)
            if memo.source_id
            else ("segment", memo.segment_id)
            if memo.segment_id
            else ("study", 0)
        )
        notes_of.setdefault(key, []).append(str(memo.guid))  # type: ignore[arg-type]
        project.notes.append(
            refiqda.Note(
                guid=str(memo.guid),
                name=memo.text.split("\n")[0][:60],
                text=memo.text,
                user=_user(memo.author_id, user_of, project),
                created=memo.created_at,
            )
        )
    project.note_refs = notes_of.get(("study", 0), [])
    for c, _parent in _walk(project.codes):
        c.notes = notes_of.get(("code", code_pk[c.guid]), [])

    for source in study.sources.order_by("title", "pk"):
        item = refiqda.TextSource(
            guid=str(source.guid),
            name=source.title,
            text=source.text,
            user=_user(source.imported_by_id, user_of, project) if source.imported_by_id else "",
            notes=notes_of.get(("source", source.pk), []),
        )
        for s in by_source.get(source.pk, []):
            coder = _user(s.coder_id, user_of, project)
            item.selections.append(
                refiqda.Selection(
                    guid=str(s.guid),
                    start=s.start,
                    end=s.end,
                    user=coder,
                    created=s.created_at,
                    codings=[
                        refiqda.Coding(
                            guid=str(uuid.uuid5(s.guid, "coding")),
                            code=str(code_guid[s.code_id]),
                            user=coder,
                        )
                    ],
                    notes=notes_of.get(("segment", s.pk), []),
                )
            )
        project.sources.append(item)

    active = {str(g) for g in code_guid.values()}
    for theme in study.themes.prefetch_related("codes"):
        members_ = [str(c.guid) for c in theme.codes.all() if str(c.guid) in active]
        if members_:
            project.sets.append(
                refiqda.Set(str(theme.guid), theme.name, theme.definition, members_)
            )
    return project


_CHOICES = "Choices: "


def _choices_note(choices: Sequence[str]) -> str:
    return _CHOICES + " | ".join(choices) if choices else ""


def _choices_from(description: str) -> list[str]:
    if not description.startswith(_CHOICES):
        return []
    return [c.strip() for c in description[len(_CHOICES) :].split(" | ") if c.strip()]


def _walk(codes: Iterable[refiqda.Code]) -> list[tuple[refiqda.Code, refiqda.Code | None]]:
    return [pair for code in codes for pair in code.walk()]


def _user(person_id: int | None, user_of: dict[int, str], project: refiqda.Project) -> str:
    """The REFI User of a person; someone no longer on the team is added under a stable GUID."""
    if person_id is None:
        return ""
    if person_id not in user_of:
        person = Person.objects.get(pk=person_id)
        guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"hearth:person:{person.pk}"))
        user_of[person_id] = guid
        project.users.append(refiqda.User(guid, person.display_name))
    return user_of[person_id]


def study_export_qdpx(study: Study, member: StudyMember | None = None) -> bytes:
    """The study as a .qdpx file that validates against the REFI-QDA schema."""
    return refiqda.write_qdpx(study_project(study, member))


@transaction.atomic
def qdpx_export_record(*, study: Study, by: Person, segments: int) -> None:
    _event(study, by, "export", f"{by} exported the study as QDPX ({segments} coded segments).")


def codebook_export_qdc(codebook: Codebook) -> bytes:
    """The codebook as a REFI-QDA .qdc file."""
    return refiqda.write_codebook(_code_tree(codebook))


# -- Codebooks into an existing study ----------------------------------------------------


def _add_codes(
    codebook: Codebook, by: Person, rows: Sequence[tuple[str, CodeRow, str]], what: str
) -> list[Code]:
    """rows: (where in the file, the code, its GUID or "")."""
    existing = {c.name.lower() for c in codebook.codes.filter(retired_at__isnull=True)}
    problems = [
        f"{where}: “{row.name}” is already in the codebook".removeprefix(": ")
        for where, row, _ in rows
        if row.name.lower() in existing
    ]
    if problems:
        raise ValidationError([f"Nothing was imported from {what}:", *problems[:10]])
    if not rows:
        raise ValidationError(f"Nothing was imported: {what} has no codes.")
    made = codebook_import(codebook=codebook, by=by, rows=[r for _, r, _ in rows])
    guids = {r.name.strip().lower(): g for _, r, g in rows}
    for code in made:
        free = _free(Code, guids.get(code.name.lower(), ""))
        if free is not None:
            code.guid = free
            code.save(update_fields=["guid"])
    return made


@transaction.atomic
def codebook_import_qdc(*, codebook: Codebook, by: Person, data: bytes) -> list[Code]:
    """Add the codes of a REFI-QDA codebook (.qdc) to the study's codebook."""
    try:
        tree = refiqda.parse_codebook(data, what="the codebook file")
    except refiqda.ExchangeError as error:
        raise ValidationError(f"Nothing was imported: {error}") from error
    known = {str(g) for g in codebook.codes.values_list("guid", flat=True)}
    rows: list[tuple[str, CodeRow, str]] = []
    for item, parent in _walk(tree):
        if item.guid in known:
            continue  # this codebook's own code, exported and brought back
        parts = refiqda.split_description(item.description)
        rows.append(
            (
                "",
                CodeRow(
                    name=" ".join(item.name.split())[:120],
                    parent=" ".join(parent.name.split())[:120] if parent else "",
                    colour=_colour(item.color),
                    **parts,
                ),
                item.guid,
            )
        )
    return _add_codes(codebook, by, rows, "the codebook file")


def qualcoder_codes(text: str) -> list[tuple[int, list[str], str]]:
    """QualCoder's plain codebook: `category>>subcategory>>code<TAB>memo` per line, as
    (line number, path, memo)."""
    out = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        path, _, memo = line.partition("\t")
        names = [" ".join(p.split()) for p in path.split(">>")]
        if any(not n for n in names):
            raise ValidationError(f"Nothing was imported: line {number} has an empty code name.")
        out.append((number, names, memo.strip()))
    return out


@transaction.atomic
def codebook_import_qualcoder(*, codebook: Codebook, by: Person, text: str) -> list[Code]:
    """Add codes from QualCoder's plain codebook text; categories become parent codes."""
    existing = {c.name.lower() for c in codebook.codes.filter(retired_at__isnull=True)}
    rows: list[tuple[str, CodeRow, str]] = []
    planned: set[str] = set()
    for number, names, memo in qualcoder_codes(text):
        for depth, name in enumerate(names):
            leaf = depth == len(names) - 1
            key = name.lower()
            if key in planned or (key in existing and not leaf):
                continue  # a category met before, or one the codebook has
            planned.add(key)
            parent = names[depth - 1][:120] if depth else ""
            rows.append((f"line {number}", CodeRow(name[:120], parent, memo if leaf else ""), ""))
    return _add_codes(codebook, by, rows, "the codebook text")


# -- Dedoose excerpt exports -------------------------------------------------------------


@dataclass(frozen=True)
class DedooseExcerpt:
    row: int
    media: str
    creator: str
    text: str
    codes: tuple[str, ...]  # each as "Parent\\Child" when nested


_APPLIED = re.compile(r"Code: (?P<name>.+) Applied")


def dedoose_excerpts(data: bytes, filename: str) -> list[DedooseExcerpt]:
    """The excerpts of a Dedoose excerpt export: a row each, True/1 under a code's Applied."""
    import openpyxl

    try:
        zipsafety.open_zip(data, what=filename, kind="an .xlsx workbook").close()
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except zipsafety.UnsafeZip as error:
        raise _invalid(filename, error) from error
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise _invalid(filename, ValueError(f"not an Excel workbook ({error})")) from error
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    needed = ["Media Title", "Excerpt Copy"]
    missing = [n for n in needed if n not in header]
    if missing:
        raise _invalid(
            filename,
            ValueError(f"the first row has no column {', '.join(missing)}: is it a Dedoose "
                       "excerpt export?"),
        )  # fmt: skip
    at = {name: i for i, name in enumerate(header)}
    applied = [(i, m["name"]) for i, h in enumerate(header) if (m := _APPLIED.fullmatch(h))]
    out = []
    for number, values in enumerate(rows, start=2):
        cells = list(values) + [None] * (len(header) - len(values))
        text = str(cells[at["Excerpt Copy"]] or "").strip()
        media = str(cells[at["Media Title"]] or "").strip()
        if not text and not media:
            continue
        if not text or not media:
            raise _invalid(filename, ValueError(f"row {number}: a media title and an excerpt "
                                                "are both needed"))  # fmt: skip
        creator = str(cells[at["Excerpt Creator"]] or "") if "Excerpt Creator" in at else ""
        codes = tuple(
            name
            for i, name in applied
            if str(cells[i]).strip().lower() in ("true", "1", "yes", "x")
        )
        out.append(DedooseExcerpt(number, media, creator.strip(), text, codes))
    book.close()
    if not out:
        raise _invalid(filename, ValueError("the sheet has no excerpts"))
    return out


@transaction.atomic
def study_import_dedoose(*, program: Program, by: Person, data: bytes, filename: str) -> Study:
    """A new study from a Dedoose excerpt export: each media title a source made of its
    excerpts (separated by blank lines), each applied code a coded segment."""
    if len(data) > MAX_UPLOAD:
        raise ValidationError(f"Nothing was imported: {filename} is larger than 50 MB.")
    excerpts = dedoose_excerpts(data, filename)
    b = _Builder(
        program=program,
        by=by,
        title=PurePath(filename).stem.replace("_", " "),
        question="Imported from a Dedoose excerpt export.",
    )
    codes: dict[str, Code] = {}

    def code_for(path: str) -> Code:
        if path not in codes:
            parent_path, _, name = path.rpartition("\\")
            parent = code_for(parent_path) if parent_path else None
            codes[path] = b.code(guid="", name=name, parent=parent, colour="", description="")
        return codes[path]

    coders: dict[str, Person] = {}
    media: dict[str, list[DedooseExcerpt]] = {}
    for excerpt in excerpts:
        media.setdefault(excerpt.media, []).append(excerpt)
        for path in excerpt.codes:
            code_for(path)
        if excerpt.creator and excerpt.creator not in coders:
            coders[excerpt.creator] = b.coder(guid="", name=excerpt.creator)
    for title, items in media.items():
        spans: list[tuple[DedooseExcerpt, int, int]] = []
        text = ""
        for excerpt in items:
            if text:
                text += "\n\n"
            spans.append((excerpt, len(text), len(text) + len(excerpt.text)))
            text += excerpt.text
        source = b.source(
            guid="", title=title, text=text, kind=SourceKind.TEXT, filename=filename,
            participant=None,
        )  # fmt: skip
        for excerpt, start, end in spans:
            for path in excerpt.codes:
                CodedSegment.objects.get_or_create(
                    source=source,
                    code=codes[path],
                    coder=coders.get(excerpt.creator, by),
                    start=start,
                    end=end,
                    defaults={"origin": SegmentOrigin.IMPORTED},
                )
    b.finish()
    _event(
        b.study,
        by,
        "import",
        f"{by} imported the study from the Dedoose export {filename}: {import_summary(b.study)}.",
    )
    return b.study


def study_import_file(*, program: Program, by: Person, data: bytes, filename: str) -> Study:
    """Import by the file's kind: .qdpx (REFI-QDA) or .xlsx (Dedoose)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".qdpx":
        return study_import_qdpx(program=program, by=by, data=data, filename=filename)
    if suffix == ".xlsx":
        return study_import_dedoose(program=program, by=by, data=data, filename=filename)
    raise ValidationError(
        f"Nothing was imported: {filename} is not a .qdpx project or a Dedoose .xlsx export."
    )


def exported_segments(study: Study, member: StudyMember | None) -> int:
    if member is None:
        return CodedSegment.objects.filter(source__study=study).count()
    return selectors.visible_segments(study, member).count()
