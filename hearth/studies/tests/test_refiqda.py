"""The pure REFI-QDA module: reading, writing, validating, and refusing unsafe zips."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from hearth.studies import refiqda
from hearth.studies.refiqda import ExchangeError

NS = refiqda.PROJECT_NS
USER = "11111111-2222-3333-4444-555555555555"
CODE = "aaaaaaaa-2222-3333-4444-555555555555"
SOURCE = "dddddddd-2222-3333-4444-555555555555"


def project_xml(sources: str = "", extra: str = "", attributes: str = "") -> bytes:
    return (
        f'<Project xmlns="{NS}" name="P" {attributes}>'
        f'<Users><User guid="{USER}" name="ana"/></Users>'
        f'<CodeBook><Codes><Code guid="{CODE}" name="stress" isCodable="true"/></Codes></CodeBook>'
        f"<Sources>{sources}</Sources>{extra}</Project>"
    ).encode()


def selection(start: int, end: int) -> str:
    return (
        f'<PlainTextSelection guid="bbbbbbbb-2222-3333-4444-{start:012d}" '
        f'startPosition="{start}" endPosition="{end}"><Coding guid="cccccccc-2222-3333-4444-'
        f'{start:012d}" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>'
        "</PlainTextSelection>"
    )


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_descriptions_carry_hearths_four_fields_and_read_others_as_definition() -> None:
    text = refiqda.compose_description("Belonging.", "Names the house.", "", "“My house.”")
    assert text == "Belonging.\n\nUse when: Names the house.\n\nExample: “My house.”"
    assert refiqda.split_description(text) == {
        "definition": "Belonging.",
        "use_when": "Names the house.",
        "not_when": "",
        "example": "“My house.”",
    }
    assert refiqda.split_description("NVivo's own note.\n\nSecond paragraph.")["definition"] == (
        "NVivo's own note.\n\nSecond paragraph."
    )


def test_a_written_project_validates_and_reads_back_the_same() -> None:
    project = refiqda.Project(name="Study", origin="Hearth", description="Why?")
    project.users = [refiqda.User(USER, "Ana")]
    child = refiqda.Code("aaaaaaaa-0000-0000-0000-000000000002", "child", "#112233", "d")
    project.codes = [refiqda.Code(CODE, "parent", "#abcdef", children=[child], notes=[USER])]
    project.sources = [
        refiqda.TextSource(
            SOURCE,
            "Interview",
            text="Ana: hello there",
            selections=[
                refiqda.Selection(
                    "bbbbbbbb-0000-0000-0000-000000000001",
                    5,
                    10,
                    [refiqda.Coding("cccccccc-0000-0000-0000-000000000001", child.guid, USER)],
                )
            ],
        )
    ]
    project.notes = [refiqda.Note(USER, "memo", "A memo.", user=USER)]
    data = refiqda.write_qdpx(project)
    again = refiqda.read_qdpx(data)
    assert [(c.name, p.name if p else None) for c, p in again.all_codes()] == [
        ("parent", None),
        ("child", "parent"),
    ]
    [source] = again.sources
    assert source.text == "Ana: hello there"
    assert source.text[source.selections[0].start : source.selections[0].end] == "hello"
    assert again.notes[0].text == "A memo." and again.codes[0].notes == [USER]


def test_an_export_that_would_break_the_schema_is_refused() -> None:
    project = refiqda.Project(name="P", codes=[refiqda.Code("not-a-guid", "x")])
    with pytest.raises(ExchangeError, match="The exported project does not follow the REFI-QDA"):
        refiqda.write_project(project)


def test_crlf_text_keeps_selections_on_the_same_words() -> None:
    text = "Q: how?\r\nA: with care\r\n"
    start = text.index("with care")
    data = zipped(
        {
            "project.qde": project_xml(
                f'<TextSource guid="{SOURCE}" plainTextPath="internal://t.txt">'
                f"{selection(start, start + 9)}</TextSource>"
            ),
            "sources/t.txt": text.encode(),
        }
    )
    [source] = refiqda.read_qdpx(data).sources
    assert "\r" not in source.text
    sel = source.selections[0]
    assert source.text[sel.start : sel.end] == "with care"


def test_relative_paths_follow_the_base_path() -> None:
    data = zipped(
        {
            "project.qde": project_xml(
                f'<TextSource guid="{SOURCE}" name="t" plainTextPath="relative://t.txt"/>',
                attributes='basePath="relative://texts"',
            ),
            "texts/t.txt": b"Words.",
        }
    )
    assert refiqda.read_qdpx(data).sources[0].text == "Words."


def test_empty_containers_other_tools_write_are_tolerated_on_import_only() -> None:
    taguette = (
        f'<CodeBook xmlns="{refiqda.CODEBOOK_NS}" origin="Taguette 1.5"><Codes>'
        f'<Code guid="{CODE}" name="a" isCodable="true"/></Codes><Sets/></CodeBook>'
    ).encode()
    assert [c.name for c in refiqda.parse_codebook(taguette)] == ["a"]
    schema = etree.XMLSchema(etree.parse(str(refiqda.SCHEMAS / "Codebook-mrt2019.xsd")))
    assert not schema.validate(etree.fromstring(taguette))  # strictly, it breaks the schema


def test_schema_errors_name_the_line() -> None:
    bad = project_xml().replace(b' isCodable="true"', b"").replace(b"<CodeBook>", b"\n<CodeBook>")
    with pytest.raises(ExchangeError, match=r"project.qde does not follow .* line 2: .*isCodable"):
        refiqda.parse_project(bad)
    with pytest.raises(ExchangeError, match=r"line 3: not well-formed XML"):
        refiqda.parse_project(b"<Project>\n<Users>\n</Project>")


def test_external_entities_are_refused_not_fetched() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + project_xml().replace(b'name="P"', b'name="&x;"')
    )
    with pytest.raises(ExchangeError, match="external entity 'x'"):
        refiqda.parse_project(xxe)


def test_other_media_are_listed_as_left_out() -> None:
    xml = project_xml(f'<PictureSource guid="{SOURCE}" name="photo.jpg" path="internal://p.jpg"/>')
    assert refiqda.parse_project(xml).skipped == ["PictureSource “photo.jpg”"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../evil.txt": b"x"}, "outside its folder"),
        ({"/etc/evil": b"x"}, "outside its folder"),
        ({"C:/evil": b"x"}, "outside its folder"),
        ({"zeros.txt": b"\0" * (5 * 1024 * 1024)}, "looks like a zip bomb"),
        ({f"f{i}.txt": b"" for i in range(refiqda.MAX_MEMBERS + 1)}, "holds 2,001 files"),
    ],
)
def test_unsafe_zips_are_refused_from_the_directory(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(ExchangeError, match=message):
        refiqda.open_zip(zipped(files))


def test_a_qdpx_without_a_project_is_refused() -> None:
    with pytest.raises(ExchangeError, match="has no project.qde"):
        refiqda.read_qdpx(zipped({"sources/a.txt": b"x"}))
