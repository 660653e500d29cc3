"""REFI-QDA, Dedoose and QualCoder exchange: services and management commands.

Counts are taken from each file with an independent read (XPath, zipfile, openpyxl), never
from the importer's own output.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from lxml import etree

from hearth.people.models import Person
from hearth.studies import exchange, refiqda, services
from hearth.studies.models import (
    Code,
    CodedSegment,
    Memo,
    Participant,
    SegmentOrigin,
    Source,
    Study,
    StudyMember,
    StudyRole,
    Theme,
)
from hearth.studies.tests.world import World, code
from hearth.testing import PASSWORD, School

HERE = Path(__file__).parent
FILES = HERE / "files"
REPO = HERE.parents[2]
SHARED = REPO.parent / "shared" / "fixtures" / "qda" / "qualitative-coding-qc"
SCHEMAS = REPO / "hearth" / "studies" / "schemas"
NS = {"q": refiqda.PROJECT_NS}
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason="the AGPL samples stay in ../shared/fixtures/qda (not shipped); it is absent here",
)


def assert_valid_qdpx(data: bytes) -> etree._Element:
    """The export is a zip whose project.qde validates against the XSD copied from REFI."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        names = set(archive.namelist())
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "Project-mrt2019.xsd")))
    assert schema.validate(root), schema.error_log
    for path in root.xpath("//q:TextSource/@plainTextPath", namespaces=NS):
        assert path.startswith("internal://")
        assert "sources/" + path.removeprefix("internal://") in names
    return root


def file_counts(data: bytes) -> tuple[int, int, int]:
    """(text sources, codes, codings) counted straight from project.qde."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    sources = len(root.xpath("//q:Sources/q:TextSource", namespaces=NS))
    codes = len(root.xpath("//q:CodeBook//q:Code", namespaces=NS))
    codings = len(root.xpath("//q:TextSource//q:Coding", namespaces=NS))
    return sources, codes, codings


def study_counts(study: Study) -> tuple[int, int, int]:
    return (
        study.sources.count(),
        study.codebook.codes.count(),
        CodedSegment.objects.filter(source__study=study).count(),
    )


def rich_world(world: World) -> None:
    """A hierarchy with every definition field, two coders, memos on everything, a theme."""
    lead, book = world.lead, world.study.codebook
    belonging = world.codes["Feeling connected"]
    house = services.code_create(
        codebook=book,
        by=lead,
        name="House identity",
        parent=belonging,
        definition="Belonging to the house itself.",
        use_when="The speaker names the house.",
        not_when="Only the small group is meant.",
        example="I belong in the house.",
        colour="#336699",
    )
    world.codes[house.name] = house
    services.code_move(code=world.codes["Harm"], by=lead, parent=world.codes["Contributing"])
    code(world, lead, world.source, "I feel I belong in the house.", "House identity")
    code(world, lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.coder, world.source, "it keeps me going", "Feeling connected")
    code(world, world.coder, world.source, "I had nothing left for my family.", "Harm")
    code(world, world.coder, world.second, "I was floored.", "Feeling honored")
    segment = CodedSegment.objects.get(code=world.codes["Harm"])
    services.memo_add(study=world.study, author=world.coder, text="Cost at home.", segment=segment)
    services.memo_add(study=world.study, author=lead, text="Watch for burnout.", code=house)
    services.memo_add(study=world.study, author=lead, text="Rich interview.", source=world.source)
    services.memo_add(study=world.study, author=lead, text="Saturation by interview 8?")
    services.theme_save(study=world.study, name="Sustaining", codes=[house, world.codes["Harm"]])
    services.reconciliation_set(study=world.study, by=lead, open_=True)


def snapshot(study: Study) -> dict[str, object]:
    codes = study.codebook.codes.filter(retired_at__isnull=True).select_related("parent")
    return {
        "codes": sorted(
            (
                c.name,
                c.parent.name if c.parent else None,
                c.definition,
                c.use_when,
                c.not_when,
                c.example,
                c.colour,
                str(c.guid),
            )
            for c in codes
        ),
        "sources": sorted(
            (s.title, s.text, s.participant.pseudonym if s.participant else None, str(s.guid))
            for s in study.sources.select_related("participant")
        ),
        "turns": sorted(
            (t.source.title, t.start, t.end, t.speaker, t.participant.pseudonym)
            for s in study.sources.all()
            for t in s.turns.select_related("participant", "source")
            if t.participant
        ),
        "segments": sorted(
            (s.source.title, s.code.name, s.coder.email, s.start, s.end)
            for s in CodedSegment.objects.filter(source__study=study).select_related(
                "source", "code", "coder"
            )
        ),
        "memos": sorted(
            (
                m.text,
                m.author.email,
                m.code.name if m.code else None,
                m.source.title if m.source else None,
                (m.segment.code.name, m.segment.start) if m.segment else None,
            )
            for m in study.memos.select_related("author", "code", "source", "segment__code")
        ),
        "participants": sorted(
            (
                p.pseudonym,
                str(p.guid),
                tuple(sorted((v.attribute.label, v.value) for v in p.values.all())),
            )
            for p in study.participants.filter(withdrawn_at__isnull=True)
        ),
        "attributes": sorted((a.label, tuple(a.choices)) for a in study.attributes.all()),
        "themes": sorted(
            (t.name, tuple(sorted(c.name for c in t.codes.all()))) for t in study.themes.all()
        ),
        "team": sorted((m.person.email, m.role) for m in study.members.select_related("person")),
    }


# -- Round trip ------------------------------------------------------------------------


def test_round_trip_loses_nothing(world: World) -> None:
    rich_world(world)
    data = exchange.study_export_qdpx(world.study)
    root = assert_valid_qdpx(data)
    assert file_counts(data) == study_counts(world.study)
    before = snapshot(world.study)
    guids = {str(c.guid) for c in world.study.codebook.codes.all()}
    # As if the file went to another Hearth: the original's GUIDs no longer stand in the way.
    for model in (Code, Source, Participant, CodedSegment, Memo, StudyMember, Theme):
        for pk in model.objects.values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(guid=uuid.uuid4())
    copy = exchange.study_import_qdpx(
        program=world.school.program, by=world.lead, data=data, filename="meaning.qdpx"
    )
    after = snapshot(copy)
    for key in before:
        assert after[key] == before[key], key
    assert {str(c.guid) for c in copy.codebook.codes.all()} == guids
    assert copy.title == root.get("name") == "Meaning in the mentor role"
    assert copy.research_question.startswith("What makes the learning-community mentor role")
    assert set(
        CodedSegment.objects.filter(source__study=copy).values_list("origin", flat=True)
    ) == {SegmentOrigin.IMPORTED}
    assert copy.events.get(kind="import").message.endswith(
        "2 sources, 7 codes, 5 coded segments by 2 coders."
    )


def test_round_trip_beside_the_original_maps_coders_by_guid(world: World) -> None:
    rich_world(world)
    people = Person.objects.count()
    data = exchange.study_export_qdpx(world.study)
    copy = exchange.study_import_qdpx(
        program=world.school.program, by=world.lead, data=data, filename="again.qdpx"
    )
    assert Person.objects.count() == people  # the coders are known, no placeholders
    original, again = snapshot(world.study), snapshot(copy)
    assert again["segments"] == original["segments"]
    assert again["memos"] == original["memos"]
    # The GUIDs were taken, so the copy has its own.
    assert not {str(c.guid) for c in copy.codebook.codes.all()} & {
        str(c.guid) for c in world.study.codebook.codes.all()
    }


def test_export_holds_only_what_the_csv_export_allows(world: World) -> None:
    rich_world(world)
    source = world.second
    source.original_text = "Dr. Real Name said this."
    source.save()
    consent = world.p2.consents.get(source__isnull=True)
    services.consent_withdraw(consent=consent, by=world.lead)
    data = exchange.study_export_qdpx(world.study)
    root = assert_valid_qdpx(data)
    names = root.xpath("//q:Case/@name", namespaces=NS)
    assert names == ["P01"]
    texts = [
        zipfile.ZipFile(io.BytesIO(data)).read(n).decode()
        for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
    ]
    gone = str(world.second.guid)
    assert not any("Real Name" in t or "a moment that stayed with you" in t for t in texts)
    assert not any(gone in t for t in texts)
    assert not any(world.school.mentor_a1.display_name in t for t in texts)
    assert "EXT-2" not in "".join(texts)


def test_a_member_exports_only_the_codings_they_may_see(world: World) -> None:
    code(world, world.lead, world.source, "it keeps me going", "Feeling rejuvenated")
    code(world, world.coder, world.source, "it keeps me going", "Feeling connected")
    member = StudyMember.objects.get(study=world.study, person=world.coder)
    data = exchange.study_export_qdpx(world.study, member)
    root = assert_valid_qdpx(data)
    users = dict(
        zip(
            root.xpath("//q:User/@guid", namespaces=NS),
            root.xpath("//q:User/@name", namespaces=NS),
            strict=True,
        )
    )
    coders = {users[g] for g in root.xpath("//q:Coding/@creatingUser", namespaces=NS)}
    assert coders == {"Cora Coder"}


# -- Files made by other tools ---------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("name", ["demo.qdpx", "nvivo_project.qdpx"])
def test_projects_of_other_tools(school: School, name: str) -> None:
    data = (SHARED / name).read_bytes()
    study = exchange.study_import_qdpx(
        program=school.program, by=school.evaluator, data=data, filename=name
    )
    assert study_counts(study) == file_counts(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        for element in root.xpath("//q:PlainTextSelection", namespaces=NS):
            source = element.getparent()
            text = archive.read("sources/" + source.get("plainTextPath")).decode()
            start, end = int(element.get("startPosition")), int(element.get("endPosition"))
            segment = CodedSegment.objects.filter(
                source__guid=source.get("guid"), start=start, end=end
            ).first() or CodedSegment.objects.get(source__study=study, start=start, end=end)
            assert segment.source.text[segment.start : segment.end] == text[start:end]
    users = len(root.xpath("//q:User", namespaces=NS))
    assert study.members.count() == users + 1  # and the importer, who leads
    assert_valid_qdpx(exchange.study_export_qdpx(study))


@needs_shared
def test_nvivo_internal_paths_and_docx_sources(school: School) -> None:
    data = (SHARED / "nvivo_project.qdpx").read_bytes()
    study = exchange.study_import_qdpx(
        program=school.program, by=school.evaluator, data=data, filename="nvivo.qdpx"
    )
    assert sorted(study.sources.values_list("filename", flat=True)) == sorted(
        p.removeprefix("internal://")
        for p in etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("project.qde")).xpath(
            "//q:TextSource/@plainTextPath", namespaces=NS
        )
    )
    # NVivo named two coders; neither is a Hearth person, so both are placeholders.
    placeholders = Person.objects.filter(email__endswith="@" + exchange.PLACEHOLDER_DOMAIN)
    assert sorted(placeholders.values_list("display_name", flat=True)) == ["chrisp", "cp"]
    assert not any(p.is_active or p.has_usable_password() for p in placeholders)


def _qdpx(xml: str, files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _project(sources: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{refiqda.PROJECT_NS}" '
        'name="Course feedback" origin="QualCoder 3.5">'
        '<Users><User guid="11111111-2222-3333-4444-555555555555" name="colin"/></Users>'
        '<CodeBook><Codes><Code guid="aaaaaaaa-2222-3333-4444-555555555555" name="workload" '
        'isCodable="true" color="#E00"/></Codes></CodeBook>'
        f"<Sources>{sources}</Sources></Project>"
    )


def _selection(start: int, end: int) -> str:
    return (
        f'<PlainTextSelection guid="bbbbbbbb-2222-3333-4444-{start:012d}" '
        f'startPosition="{start}" endPosition="{end}">'
        '<Coding guid="cccccccc-2222-3333-4444-555555555555" '
        'creatingUser="11111111-2222-3333-4444-555555555555">'
        '<CodeRef targetGUID="aaaaaaaa-2222-3333-4444-555555555555"/></Coding>'
        "</PlainTextSelection>"
    )


def test_qualcoder_speaker_tagged_transcript_keeps_its_speakers(school: School) -> None:
    raw = (FILES / "qualcoder" / "transcript.txt").read_bytes()
    text = raw.decode()
    start = text.index("too many for the short semester")
    end = start + len("too many for the short semester")
    data = _qdpx(
        _project(
            '<TextSource guid="dddddddd-2222-3333-4444-555555555555" name="transcript" '
            f'plainTextPath="relative://transcript.txt">{_selection(start, end)}</TextSource>'
        ),
        {"sources/transcript.txt": raw},
    )
    study = exchange.study_import_qdpx(
        program=school.program, by=school.evaluator, data=data, filename="course.qdpx"
    )
    source = study.sources.get()
    assert [t.speaker for t in source.turns.all()] == [
        "id1", "id2", "id3", "id1", "id3", "id1", "id2",
    ]  # fmt: skip
    segment = CodedSegment.objects.get(source=source)
    assert source.text[segment.start : segment.end] == "too many for the short semester"
    assert segment.coder.display_name == "colin" and segment.code.colour == "#ee0000"


def test_a_docx_source_keeps_offsets_on_its_words(school: School) -> None:
    docx = (FILES / "qualcoder" / "ID1.docx").read_bytes()
    words = "like a duck to water for me"
    from hearth.studies.importers import parse_source

    plain = parse_source("ID1.docx", docx).text  # the layout REFI positions count in
    start = plain.index(words)
    data = _qdpx(
        _project(
            '<TextSource guid="dddddddd-2222-3333-4444-555555555555" name="ID1" '
            'richTextPath="internal://ID1.docx">'
            f"{_selection(start, start + len(words))}</TextSource>"
        ),
        {"sources/ID1.docx": docx},
    )
    study = exchange.study_import_qdpx(
        program=school.program, by=school.evaluator, data=data, filename="docx.qdpx"
    )
    source = study.sources.get()
    segment = CodedSegment.objects.get(source=source)
    assert source.kind == "docx"
    assert source.text[segment.start : segment.end] == words


def test_dedoose_excerpt_export(school: School) -> None:
    path = FILES / "dedoose" / "demo_excerpts_2025-11-15.xlsx"
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], [r for r in rows[1:] if any(r)]
    applied = [i for i, h in enumerate(header) if str(h).endswith(" Applied")]
    expected_segments = sum(str(r[i]) in ("True", "1") for r in body for i in applied)
    study = exchange.study_import_dedoose(
        program=school.program, by=school.evaluator, data=path.read_bytes(), filename=path.name
    )
    assert study_counts(study) == (len({r[0] for r in body}), len(applied), expected_segments)
    for row in body:
        source = study.sources.get(title=row[0])
        assert row[4] in source.text
        coded = CodedSegment.objects.filter(source=source)
        assert {source.text[s.start : s.end] for s in coded} == {row[4]}
        assert {s.coder.display_name for s in coded} == {row[2]}


def test_qualcoder_codebook_text(world: World) -> None:
    text = (FILES / "qualcoder" / "plain_codes_categories_for_import.txt").read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    names = {part.split("\t")[0] for line in lines for part in line.split(">>")}
    made = exchange.codebook_import_qualcoder(
        codebook=world.study.codebook, by=world.lead, text=text
    )
    assert {c.name for c in made} == names
    book = {c.name: c for c in world.study.codebook.codes.select_related("parent")}
    assert book["code4"].parent.name == "cat2" and book["cat2"].parent.name == "cat3"
    assert book["code1"].definition == "A memo for code 1"
    assert book["code4"].definition == "another memo"
    with pytest.raises(ValidationError, match="line 1: “code1” is already in the codebook"):
        exchange.codebook_import_qualcoder(codebook=world.study.codebook, by=world.lead, text=text)


def test_qdc_out_and_into_another_study(world: World) -> None:
    rich_world(world)
    data = exchange.codebook_export_qdc(world.study.codebook)
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "Codebook-mrt2019.xsd")))
    root = etree.fromstring(data)
    assert schema.validate(root), schema.error_log
    expected = len(root.xpath("//c:Code", namespaces={"c": refiqda.CODEBOOK_NS}))
    other = services.study_create(
        program=world.school.program,
        by=world.lead,
        title="Second study",
        research_question="Why?",
        starter_codebook=False,
    )
    made = exchange.codebook_import_qdc(codebook=other.codebook, by=world.lead, data=data)
    assert len(made) == expected
    house = other.codebook.codes.get(name="House identity")
    assert (house.parent.name, house.use_when, house.colour) == (
        "Feeling connected",
        "The speaker names the house.",
        "#336699",
    )
    # Its own codebook brought back adds nothing; a clash of names is refused by name.
    with pytest.raises(ValidationError, match="no codes"):
        exchange.codebook_import_qdc(codebook=world.study.codebook, by=world.lead, data=data)
    with pytest.raises(ValidationError, match="“House identity” is already in the codebook"):
        exchange.codebook_import_qdc(codebook=other.codebook, by=world.lead, data=data)
    assert other.codebook.codes.count() == expected


# -- Bad files -------------------------------------------------------------------------


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", _project(""))
        with archive.open("sources/zeros.txt", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                member.write(block)
    return out.getvalue()


def _traversal() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", _project(""))
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root true")
    return out.getvalue()


BAD = {
    "corrupt zip": (lambda: b"PK\x03\x04" + b"\x00" * 200, "damaged zip"),
    "not a zip": (lambda: b"<Project/>", "not a zip archive"),
    "breaks the schema": (
        lambda: _qdpx(_project("").replace('isCodable="true" ', ""), {}),
        "line 1: Element '{urn:QDA-XML:project:1.0}Code': The attribute 'isCodable' is required",
    ),
    "not well-formed": (lambda: _qdpx("<Project><Users>", {}), "not well-formed XML"),
    "zip bomb": (_bomb, "zip bomb"),
    "path traversal": (_traversal, "outside its folder"),
    "missing source text": (
        lambda: _qdpx(
            _project(
                '<TextSource guid="dddddddd-2222-3333-4444-555555555555" '
                'plainTextPath="internal://gone.txt"/>'
            ),
            {},
        ),
        "“internal://gone.txt”, which is not in the zip",
    ),
    "selection outside the text": (
        lambda: _qdpx(
            _project(
                '<TextSource guid="dddddddd-2222-3333-4444-555555555555" name="short" '
                f'plainTextPath="internal://s.txt">{_selection(2, 400)}</TextSource>'
            ),
            {"sources/s.txt": b"Short text."},
        ),
        "runs from 2 to 400, outside its text (11 characters)",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_are_refused_and_change_nothing(school: School, case: str) -> None:
    make, message = BAD[case]
    data = make()
    studies, people = Study.objects.count(), Person.objects.count()
    with pytest.raises(ValidationError) as caught:
        exchange.study_import_qdpx(
            program=school.program, by=school.evaluator, data=data, filename="bad.qdpx"
        )
    assert message in " ".join(caught.value.messages)
    assert "bad.qdpx" in " ".join(caught.value.messages)
    assert (Study.objects.count(), Person.objects.count()) == (studies, people)
    assert not Source.objects.exists() and not Memo.objects.exists()


def test_the_bomb_is_refused_before_it_is_unpacked(school: School) -> None:
    data = _bomb()
    assert len(data) < 1024 * 1024  # 200 MB of zeros
    with pytest.raises(refiqda.ExchangeError, match="unpacks to 200 MB"):
        refiqda.open_zip(data)


def test_only_evaluators_and_directors_import(school: School) -> None:
    data = exchange.study_export_qdpx(
        services.study_create(
            program=school.program, by=school.evaluator, title="T", research_question="Q?"
        )
    )
    with pytest.raises(ValidationError, match="evaluators and directors"):
        exchange.study_import_qdpx(
            program=school.program, by=school.mentor_a1, data=data, filename="t.qdpx"
        )


# -- Commands ---------------------------------------------------------------------------


def test_commands_export_then_import(world: World, tmp_path: Path) -> None:
    rich_world(world)
    out = tmp_path / "study.qdpx"
    call_command("export_qdpx", str(world.study.pk), str(out), stdout=io.StringIO())
    assert_valid_qdpx(out.read_bytes())
    printed = io.StringIO()
    call_command("import_qdpx", str(out), "--by", world.lead.email, stdout=printed)
    lines = printed.getvalue().strip().splitlines()
    assert lines[0].startswith("Program: MD Learning Communities (md-lc)")
    study = Study.objects.get(pk=int(lines[-1]))
    assert study.members.get(role=StudyRole.LEAD).person == world.lead
    assert study_counts(study) == study_counts(world.study)


def test_import_command_defaults_to_the_director_and_refuses_bad_files(
    school: School, tmp_path: Path
) -> None:
    path = FILES / "dedoose" / "demo_excerpts_2025-11-15.xlsx"
    printed = io.StringIO()
    call_command("import_qdpx", str(path), stdout=printed)
    study = Study.objects.get(pk=int(printed.getvalue().strip().splitlines()[-1]))
    assert study.members.get(role=StudyRole.LEAD).person == school.director
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"PK\x03\x04broken")
    before = Study.objects.count()
    with pytest.raises(CommandError, match="bad.qdpx is a damaged zip archive"):
        call_command("import_qdpx", str(bad), stdout=io.StringIO())
    assert Study.objects.count() == before
    with pytest.raises(CommandError, match="No study has the id 999999"):
        call_command("export_qdpx", "999999", str(tmp_path / "x.qdpx"))


@pytest.mark.django_db(transaction=True)
def test_import_command_in_a_real_process_prints_the_id_last(tmp_path: Path) -> None:
    from django.db import connection

    from hearth.testing import build_school

    build_school()
    if connection.vendor == "sqlite":  # the test database lives in memory: hand over a copy
        import sqlite3

        copy = sqlite3.connect(tmp_path / "db.sqlite3")
        connection.connection.backup(copy)
        copy.close()
        url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    else:
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(REPO / "manage.py")]
    done = subprocess.run(
        [*manage, "import_qdpx", str(FILES / "dedoose" / "demo_excerpts_2025-11-15.xlsx")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.isdigit()
    failed = subprocess.run(
        [*manage, "import_qdpx", str(FILES / "qualcoder" / "transcript.txt")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert failed.returncode != 0
    assert "is not a .qdpx project or a Dedoose .xlsx export" in failed.stderr


def test_placeholder_coders_cannot_sign_in(school: School) -> None:
    from django.test import Client

    data = _qdpx(_project(""), {})
    exchange.study_import_qdpx(
        program=school.program, by=school.evaluator, data=data, filename="p.qdpx"
    )
    placeholder = Person.objects.get(display_name="colin")
    assert not placeholder.is_active and not placeholder.has_usable_password()
    assert not Client().login(email=placeholder.email, password=PASSWORD)
