"""REFI-QDA exchange (QDA-XML 1.0): projects (.qdpx, .qde) and codebooks (.qdc).

Pure Python and lxml; no Django. A project is read into the dataclasses below and written
from them; every file we write validates against the standard's schemas (``schemas/``).
Selections count characters of the source's plain text, as Hearth's segments do, so
offsets pass through unchanged.

Bad input raises ExchangeError, whose message names the file, the line or the member of the
zip, and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

from lxml import etree

from hearth.lib import zipsafety

from .importers import SourceError, parse_source

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMAS = Path(__file__).parent / "schemas"

MAX_MEMBERS = zipsafety.MAX_MEMBERS


class ExchangeError(ValueError):
    """The file cannot be imported; the message says why and where."""


# -- The project -------------------------------------------------------------------------


@dataclass
class User:
    guid: str
    name: str = ""
    id: str = ""


@dataclass
class Code:
    guid: str
    name: str
    color: str = ""
    description: str = ""
    codable: bool = True
    children: list[Code] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # guids of Notes about the code

    def walk(self, parent: Code | None = None) -> Iterator[tuple[Code, Code | None]]:
        yield self, parent
        for child in self.children:
            yield from child.walk(self)


@dataclass
class Coding:
    guid: str
    code: str  # guid of the Code
    user: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    codings: list[Coding] = field(default_factory=list)
    name: str = ""
    user: str = ""
    created: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class TextSource:
    guid: str
    name: str
    text: str = ""
    plain_path: str = ""
    rich_path: str = ""
    description: str = ""
    user: str = ""
    selections: list[Selection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Variable:
    guid: str
    name: str
    type: str = "Text"
    description: str = ""


@dataclass
class Case:
    guid: str
    name: str
    description: str = ""
    values: dict[str, str] = field(default_factory=dict)  # variable guid -> value
    sources: list[str] = field(default_factory=list)


@dataclass
class Note:
    guid: str
    name: str
    text: str = ""
    plain_path: str = ""
    user: str = ""
    created: dt.datetime | None = None


@dataclass
class Set:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class Project:
    name: str
    origin: str = ""
    description: str = ""
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)  # the top level of the tree
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[TextSource] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)  # Notes about the whole project
    skipped: list[str] = field(default_factory=list)  # what was left out, for the person

    def all_codes(self) -> Iterator[tuple[Code, Code | None]]:
        for code in self.codes:
            yield from code.walk()


def new_guid() -> str:
    return str(uuid.uuid4())


# -- Code descriptions: Hearth's four fields in REFI's one -------------------------------

_SECTIONS = (("use_when", "Use when:"), ("not_when", "Do not use when:"), ("example", "Example:"))


def compose_description(definition: str, use_when: str, not_when: str, example: str) -> str:
    """One readable description; `split_description` takes it apart again."""
    parts = [definition.strip()] if definition.strip() else []
    values = {"use_when": use_when, "not_when": not_when, "example": example}
    for key, label in _SECTIONS:
        if values[key].strip():
            parts.append(f"{label} {values[key].strip()}")
    return "\n\n".join(parts)


def split_description(text: str) -> dict[str, str]:
    """definition, use_when, not_when and example from a description; another tool's
    description is all definition."""
    found = {"definition": "", "use_when": "", "not_when": "", "example": ""}
    key = "definition"
    chunks: dict[str, list[str]] = {k: [] for k in found}
    for paragraph in text.replace("\r\n", "\n").split("\n\n"):
        for name, label in _SECTIONS:
            if paragraph.startswith(label):
                key, paragraph = name, paragraph[len(label) :].strip()
                break
        chunks[key].append(paragraph)
    return {k: "\n\n".join(v).strip() for k, v in chunks.items()}


# -- XML in ------------------------------------------------------------------------------


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def _parser() -> etree.XMLParser:
    # No entities, DTDs or network: a project file is data, never instructions to fetch.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse_xml(xml: bytes, what: str) -> etree._Element:
    try:
        return etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno or (error.position[0] if error.position else 0)
        raise ExchangeError(f"{what}, line {line}: not well-formed XML ({error.msg})") from None


# Containers that must hold at least one child by the schema but that real tools write
# empty (Taguette 1.5 writes <Sets/>; others write <Notes/> or <Cases/>): dropped on import.
_EMPTY_TOLERATED = ("Users", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs")


def _drop_empty_containers(root: etree._Element, ns: str) -> None:
    for name in _EMPTY_TOLERATED:
        for element in root.findall(f"{{{ns}}}{name}"):
            if len(element) == 0:
                root.remove(element)


def validate(root: etree._Element, schema: str, what: str) -> None:
    """Raise ExchangeError naming the first problems the schema finds, by line."""
    checker = _schema(schema)
    if checker.validate(root):
        return
    problems = [f"line {e.line}: {e.message}" for e in list(checker.error_log)[:3]]
    raise ExchangeError(f"{what} does not follow the REFI-QDA schema: " + "; ".join(problems))


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _text(element: etree._Element, ns: str, name: str) -> str:
    child = element.find(_q(ns, name))
    return (child.text or "") if child is not None else ""


def _guid(value: str | None) -> str:
    return (value or "").strip("{}").lower()


def _refs(element: etree._Element, ns: str, name: str) -> list[str]:
    return [_guid(r.get("targetGUID")) for r in element.findall(_q(ns, name))]


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _code(element: etree._Element, ns: str) -> Code:
    return Code(
        guid=_guid(element.get("guid")),
        name=element.get("name", ""),
        color=element.get("color", ""),
        description=_text(element, ns, "Description"),
        codable=element.get("isCodable", "true") in ("true", "1"),
        children=[_code(c, ns) for c in element.findall(_q(ns, "Code"))],
        notes=_refs(element, ns, "NoteRef"),
    )


def _value(element: etree._Element, ns: str) -> str:
    for kind in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue"):
        child = element.find(_q(ns, kind))
        if child is not None:
            return child.text or ""
    return _text(element, ns, "DateTimeValue")


def parse_project(xml: bytes, *, what: str = "project.qde") -> Project:
    """Read a project.qde; raise ExchangeError when it is not well-formed or breaks the schema."""
    root = _parse_xml(xml, what)
    ns = PROJECT_NS
    if root.tag != _q(ns, "Project"):
        raise ExchangeError(f"{what}: the root element is not a REFI-QDA <Project>")
    _drop_empty_containers(root, ns)
    validate(root, "Project-mrt2019.xsd", what)
    project = Project(
        name=root.get("name", ""),
        origin=root.get("origin", ""),
        description=_text(root, ns, "Description"),
        note_refs=_refs(root, ns, "NoteRef"),
    )
    for user in root.iterfind(f"{_q(ns, 'Users')}/{_q(ns, 'User')}"):
        project.users.append(
            User(_guid(user.get("guid")), user.get("name", ""), user.get("id", ""))
        )
    for code in root.iterfind(f"{_q(ns, 'CodeBook')}/{_q(ns, 'Codes')}/{_q(ns, 'Code')}"):
        project.codes.append(_code(code, ns))
    for variable in root.iterfind(f"{_q(ns, 'Variables')}/{_q(ns, 'Variable')}"):
        project.variables.append(
            Variable(
                _guid(variable.get("guid")),
                variable.get("name", ""),
                variable.get("typeOfVariable", "Text"),
                _text(variable, ns, "Description"),
            )
        )
    for case in root.iterfind(f"{_q(ns, 'Cases')}/{_q(ns, 'Case')}"):
        values = {}
        for value in case.findall(_q(ns, "VariableValue")):
            ref = value.find(_q(ns, "VariableRef"))
            if ref is not None:
                values[_guid(ref.get("targetGUID"))] = _value(value, ns)
        project.cases.append(
            Case(
                _guid(case.get("guid")),
                case.get("name", ""),
                _text(case, ns, "Description"),
                values,
                _refs(case, ns, "SourceRef"),
            )
        )
    sources = root.find(_q(ns, "Sources"))
    for source in sources if sources is not None else []:
        kind = etree.QName(source).localname
        if kind != "TextSource":
            project.skipped.append(f"{kind} “{source.get('name', '')}”")
            continue
        project.sources.append(_text_source(source, ns))
    for note in root.iterfind(f"{_q(ns, 'Notes')}/{_q(ns, 'Note')}"):
        project.notes.append(
            Note(
                _guid(note.get("guid")),
                note.get("name", ""),
                _text(note, ns, "PlainTextContent"),
                note.get("plainTextPath", ""),
                _guid(note.get("creatingUser")),
                _when(note.get("creationDateTime")),
            )
        )
    for item in root.iterfind(f"{_q(ns, 'Sets')}/{_q(ns, 'Set')}"):
        project.sets.append(
            Set(
                _guid(item.get("guid")),
                item.get("name", ""),
                _text(item, ns, "Description"),
                _refs(item, ns, "MemberCode"),
                _refs(item, ns, "MemberSource"),
            )
        )
    return project


def _coding(element: etree._Element, ns: str) -> Coding:
    ref = element.find(_q(ns, "CodeRef"))
    return Coding(
        guid=_guid(element.get("guid")),
        code=_guid(ref.get("targetGUID")) if ref is not None else "",
        user=_guid(element.get("creatingUser")),
        notes=_refs(element, ns, "NoteRef"),
    )


def _text_source(element: etree._Element, ns: str) -> TextSource:
    content = element.find(_q(ns, "PlainTextContent"))
    source = TextSource(
        guid=_guid(element.get("guid")),
        name=element.get("name", ""),
        text=(content.text or "") if content is not None else "",
        plain_path=element.get("plainTextPath", ""),
        rich_path=element.get("richTextPath", ""),
        description=_text(element, ns, "Description"),
        user=_guid(element.get("creatingUser")),
        notes=_refs(element, ns, "NoteRef"),
    )
    for selection in element.findall(_q(ns, "PlainTextSelection")):
        source.selections.append(
            Selection(
                guid=_guid(selection.get("guid")),
                start=int(selection.get("startPosition", "0")),
                end=int(selection.get("endPosition", "0")),
                codings=[_coding(c, ns) for c in selection.findall(_q(ns, "Coding"))],
                name=selection.get("name", ""),
                user=_guid(selection.get("creatingUser")),
                created=_when(selection.get("creationDateTime")),
                notes=_refs(selection, ns, "NoteRef"),
            )
        )
    # Codings of the whole source (no selection): the whole text, as a selection.
    whole = [_coding(c, ns) for c in element.findall(_q(ns, "Coding"))]
    if whole:
        source.selections.append(Selection(guid="", start=0, end=-1, codings=whole))
    return source


def parse_codebook(xml: bytes, *, what: str = "the codebook") -> list[Code]:
    """Read a .qdc codebook (or the CodeBook of a project); the top level of the tree."""
    root = _parse_xml(xml, what)
    if root.tag == _q(PROJECT_NS, "Project"):
        return parse_project(xml, what=what).codes
    ns = CODEBOOK_NS
    if root.tag != _q(ns, "CodeBook"):
        raise ExchangeError(f"{what}: the root element is not a REFI-QDA <CodeBook>")
    _drop_empty_containers(root, ns)
    validate(root, "Codebook-mrt2019.xsd", what)
    return [_code(c, ns) for c in root.iterfind(f"{_q(ns, 'Codes')}/{_q(ns, 'Code')}")]


# -- XML out -----------------------------------------------------------------------------


def _stamp(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: etree._Element, ns: str, tag: str, /, **attributes: str | None) -> etree._Element:
    element = etree.SubElement(parent, _q(ns, tag))
    for key, value in attributes.items():
        if value:
            element.set(key, value)
    return element


def _described(parent: etree._Element, ns: str, text: str) -> None:
    if text:
        _sub(parent, ns, "Description").text = text


def _code_element(parent: etree._Element, ns: str, code: Code, *, notes: bool) -> None:
    element = _sub(parent, ns, "Code", guid=code.guid, name=code.name, color=code.color or None)
    element.set("isCodable", "true" if code.codable else "false")
    _described(element, ns, code.description)
    if notes:
        for note in code.notes:
            _sub(element, ns, "NoteRef", targetGUID=note)
    for child in code.children:
        _code_element(element, ns, child, notes=notes)


def write_project(project: Project) -> bytes:
    """project.qde for the project; sources point to sources/<guid>.txt in the zip."""
    ns = PROJECT_NS
    root = etree.Element(_q(ns, "Project"), nsmap={None: ns})
    root.set("name", project.name or "Project")
    if project.origin:
        root.set("origin", project.origin)
    if project.users:
        users = _sub(root, ns, "Users")
        for user in project.users:
            _sub(users, ns, "User", guid=user.guid, name=user.name, id=user.id)
    if project.codes:
        codes = _sub(_sub(root, ns, "CodeBook"), ns, "Codes")
        for code in project.codes:
            _code_element(codes, ns, code, notes=True)
    if project.variables:
        variables = _sub(root, ns, "Variables")
        for variable in project.variables:
            element = _sub(
                variables, ns, "Variable", guid=variable.guid, name=variable.name,
                typeOfVariable=variable.type,
            )  # fmt: skip
            _described(element, ns, variable.description)
    if project.cases:
        cases = _sub(root, ns, "Cases")
        for case in project.cases:
            element = _sub(cases, ns, "Case", guid=case.guid, name=case.name)
            _described(element, ns, case.description)
            for variable_guid, value in case.values.items():
                holder = _sub(element, ns, "VariableValue")
                _sub(holder, ns, "VariableRef", targetGUID=variable_guid)
                _sub(holder, ns, "TextValue").text = value
            for source_guid in case.sources:
                _sub(element, ns, "SourceRef", targetGUID=source_guid)
    if project.sources:
        sources = _sub(root, ns, "Sources")
        for source in project.sources:
            element = _sub(
                sources, ns, "TextSource", guid=source.guid, name=source.name,
                plainTextPath=f"internal://{source.guid}.txt",
                creatingUser=source.user,
            )  # fmt: skip
            _described(element, ns, source.description)
            for selection in source.selections:
                item = _sub(
                    element, ns, "PlainTextSelection", guid=selection.guid,
                    name=selection.name, startPosition=str(selection.start),
                    endPosition=str(selection.end), creatingUser=selection.user,
                    creationDateTime=_stamp(selection.created),
                )  # fmt: skip
                for coding in selection.codings:
                    holder = _sub(
                        item, ns, "Coding", guid=coding.guid, creatingUser=coding.user,
                        creationDateTime=_stamp(selection.created),
                    )  # fmt: skip
                    _sub(holder, ns, "CodeRef", targetGUID=coding.code)
                    for note in coding.notes:
                        _sub(holder, ns, "NoteRef", targetGUID=note)
                for note in selection.notes:
                    _sub(item, ns, "NoteRef", targetGUID=note)
            for note in source.notes:
                _sub(element, ns, "NoteRef", targetGUID=note)
    if project.notes:
        notes = _sub(root, ns, "Notes")
        for memo in project.notes:
            element = _sub(
                notes, ns, "Note", guid=memo.guid, name=memo.name, creatingUser=memo.user,
                creationDateTime=_stamp(memo.created),
            )  # fmt: skip
            _sub(element, ns, "PlainTextContent").text = memo.text
    if project.sets:
        sets = _sub(root, ns, "Sets")
        for item in project.sets:
            element = _sub(sets, ns, "Set", guid=item.guid, name=item.name)
            _described(element, ns, item.description)
            for code_guid in item.codes:
                _sub(element, ns, "MemberCode", targetGUID=code_guid)
            for source_guid in item.sources:
                _sub(element, ns, "MemberSource", targetGUID=source_guid)
    _described(root, ns, project.description)
    for note in project.note_refs:
        _sub(root, ns, "NoteRef", targetGUID=note)
    validate(root, "Project-mrt2019.xsd", "The exported project")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_codebook(codes: list[Code], *, origin: str = "Hearth") -> bytes:
    """A .qdc file for the codebook, validated."""
    ns = CODEBOOK_NS
    root = etree.Element(_q(ns, "CodeBook"), nsmap={None: ns})
    root.set("origin", origin)
    holder = _sub(root, ns, "Codes")
    for code in codes:
        _code_element(holder, ns, code, notes=False)
    if not codes:
        raise ExchangeError("The codebook has no codes to export.")
    validate(root, "Codebook-mrt2019.xsd", "The exported codebook")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


# -- The .qdpx zip -----------------------------------------------------------------------


def open_zip(data: bytes, *, what: str = "The file") -> zipfile.ZipFile:
    """Open a zip after checking, from its directory alone, that it is safe to unpack."""
    try:
        return zipsafety.open_zip(data, what=what, kind="a .qdpx file", max_members=MAX_MEMBERS)
    except zipsafety.UnsafeZip as error:
        raise ExchangeError(str(error)) from None


def _read(archive: zipfile.ZipFile, name: str, what: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ExchangeError(f"{what}: “{name}” in the zip is damaged ({error}).") from None


def decode_text(data: bytes, name: str) -> str:
    """A source's plain text: UTF-8 (the standard's encoding), with or without a BOM."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ExchangeError(f"“{name}”, byte {error.start}: not UTF-8 text.") from None


def _member_for(path: str, names: set[str], base: str) -> str | None:
    """The zip member a source path names: internal:// is the sources folder; relative://
    is relative to the project's basePath; qc writes a bare file name in sources/."""
    if path.startswith("internal://"):
        candidates = [f"sources/{path[len('internal://') :]}"]
    elif path.startswith("relative://"):
        rest = path[len("relative://") :]
        candidates = [str(PurePosixPath(base, rest)) if base else rest, f"sources/{rest}", rest]
    elif "://" in path:
        return None  # file:// or http://: outside the project; not ours to fetch
    else:
        candidates = [f"sources/{path}", path]
    for candidate in candidates:
        if candidate in names:
            return candidate
    return None


def _one_newline(source: TextSource) -> None:
    """Make line ends "\n" as Hearth's texts have them, moving selections with the text."""
    if "\r" not in source.text:
        return
    moved: list[int] = []  # old offset -> new offset
    out: list[str] = []
    text = source.text
    for i, char in enumerate(text):
        moved.append(len(out))
        if char == "\r":
            if i + 1 < len(text) and text[i + 1] == "\n":
                continue
            char = "\n"
        out.append(char)
    moved.append(len(out))
    for selection in source.selections:
        if 0 <= selection.start <= len(text) and 0 <= selection.end <= len(text):
            selection.start, selection.end = moved[selection.start], moved[selection.end]
    source.text = "".join(out)


def read_qdpx(data: bytes, *, what: str = "The file") -> Project:
    """Read a .qdpx: project.qde and each text source's plain text from the zip."""
    archive = open_zip(data, what=what)
    with archive:
        names = {m.filename for m in archive.infolist() if not m.is_dir()}
        qde = [n for n in names if n.lower().endswith(".qde") and "/" not in n]
        if not qde:
            raise ExchangeError(f"{what} has no project.qde: it is not a REFI-QDA project.")
        xml = _read(archive, qde[0], what)
        project = parse_project(xml, what=qde[0])
        root = etree.fromstring(xml, _parser())
        base = root.get("basePath", "").replace("relative://", "").strip("/")
        for source in project.sources:
            if not source.text and source.plain_path:
                member = _member_for(source.plain_path, names, base)
                if member is None:
                    raise ExchangeError(
                        f"{what}: the text of source “{source.name or source.guid}” should be "
                        f"at “{source.plain_path}”, which is not in the zip."
                    )
                source.text = decode_text(_read(archive, member, what), member)
            if not source.text.strip() and source.rich_path.lower().endswith(".docx"):
                # NVivo writes an empty .txt beside the DOCX that holds the words.
                member = _member_for(source.rich_path, names, base)
                if member is not None:
                    source.text = _docx_text(_read(archive, member, what), member)
            _one_newline(source)
            if not source.name:
                source.name = PurePosixPath(source.plain_path or source.guid).stem
        for note in project.notes:
            if not note.text and note.plain_path:
                member = _member_for(note.plain_path, names, base)
                if member is not None:
                    note.text = decode_text(_read(archive, member, what), member)
    return project


def _docx_text(data: bytes, name: str) -> str:
    try:
        return parse_source(name, data).text
    except SourceError as error:
        raise ExchangeError(f"“{name}”: {error}") from None


def write_qdpx(project: Project) -> bytes:
    """A .qdpx: project.qde plus each source's plain text as sources/<guid>.txt."""
    xml = write_project(project)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for source in project.sources:
            archive.writestr(f"sources/{source.guid}.txt", source.text.encode("utf-8"))
    return out.getvalue()
