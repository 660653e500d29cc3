"""Transcript import: plain text and speaker turns from TXT, DOCX, PDF, WebVTT and SRT."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
import typst
import webvtt
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from hearth.studies.importers import (
    ParsedSource,
    SourceError,
    Turn,
    parse_source,
    speaker_turns,
)

FILES = Path(__file__).parent / "files"
QUALCODER = FILES / "qualcoder"


def spoken(parsed: ParsedSource) -> list[tuple[str, str]]:
    return [(t.speaker, parsed.text[t.start : t.end]) for t in parsed.turns]


def assert_well_formed(parsed: ParsedSource) -> None:
    """Turns are in order, disjoint, inside the text, and trimmed of white space."""
    previous_end = 0
    for turn in parsed.turns:
        assert previous_end <= turn.start < turn.end <= len(parsed.text)
        words = parsed.text[turn.start : turn.end]
        assert words == words.strip()
        previous_end = turn.end


# -- Plain text ------------------------------------------------------------------------------


def test_qualcoder_transcript_turns_follow_the_id_tags() -> None:
    data = (QUALCODER / "transcript.txt").read_bytes()
    parsed = parse_source("transcript.txt", data)
    assert parsed.kind == "text"
    assert parsed.text == data.decode("utf-8").replace("\r\n", "\n")
    assert [t.speaker for t in parsed.turns] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]
    tagged = [line for line in parsed.text.split("\n") if line.startswith("[id")]
    assert [words for _speaker, words in spoken(parsed)] == [
        re.sub(r"^\[id\d\] ", "", line).rstrip() for line in tagged
    ]
    assert parsed.turns[0] == Turn(6, parsed.text.index("\n"), "id1", None, None)
    assert_well_formed(parsed)


def test_speaker_labels_of_several_styles() -> None:
    text = (
        "Date: 12 March 2024\n"
        "Location: Clinic B\n"
        "\n"
        "Interviewer: How did it go?\n"
        "Dr. Okafor: Hard at first.\n"
        "It got easier.\n"
        "\n"
        "[00:03:10] P07: I agree.\n"
        "Participant 3 (P3) (00:04:00): Me too.\n"
        "[inaudible] some words\n"
        "Speaker 1  0:05:01\n"
        "Words on the next line\n"
        "and the one after.\n"
        "Q:\tTabbed?\n"
        "So I said: fine.\n"
        "  Interviewer: Indented.\n"
    )
    parsed = parse_source("notes.txt", text.encode())
    assert spoken(parsed) == [
        ("Interviewer", "How did it go?"),
        ("Dr. Okafor", "Hard at first.\nIt got easier."),
        ("P07", "I agree."),
        ("Participant 3 (P3)", "Me too.\n[inaudible] some words"),
        ("Speaker 1", "Words on the next line\nand the one after."),
        ("Q", "Tabbed?\nSo I said: fine."),
        ("Interviewer", "Indented."),
    ]
    assert [t.begins_at for t in parsed.turns] == [None, None, 190.0, 240.0, 301.0, None, None]
    assert_well_formed(parsed)


def test_text_without_speakers_has_no_turns() -> None:
    parsed = parse_source("memo.txt", b"Just a memo.\nNo speakers here.\n")
    assert parsed.turns == ()
    assert parsed.text == "Just a memo.\nNo speakers here.\n"


def test_byte_order_marks_and_line_ends() -> None:
    body = "Interviewer: Café?\r\nP07: Oui.\r\n"
    for data in (
        b"\xef\xbb\xbf" + body.encode("utf-8"),
        body.encode("utf-16"),  # with its BOM, as Notepad's "Unicode" saves
    ):
        parsed = parse_source("t.txt", data)
        assert parsed.text == "Interviewer: Café?\nP07: Oui.\n"
        assert spoken(parsed) == [("Interviewer", "Café?"), ("P07", "Oui.")]


def test_text_that_is_not_utf8_falls_back_to_windows_1252() -> None:
    parsed = parse_source("t.txt", "P07: café – it’s fine".encode("cp1252"))
    assert parsed.text == "P07: café – it’s fine"
    latin1 = parse_source("t.txt", "P07: naïve".encode("latin-1"))
    assert spoken(latin1) == [("P07", "naïve")]
    undefined_in_cp1252 = parse_source("t.txt", b"P07: \x81\xe9")
    assert undefined_in_cp1252.text == "P07: \x81é"


def test_unicode_is_composed_so_offsets_count_characters() -> None:
    parsed = parse_source("t.txt", "P07: Jose\u0301 came".encode())
    assert spoken(parsed) == [("P07", "José came")]


def test_binary_data_is_refused() -> None:
    with pytest.raises(SourceError, match="binary file"):
        parse_source("t.txt", b"\x00\x01\x02PNG\x00")


def test_size_limit_is_checked_first() -> None:
    huge = b"x" * (20 * 1024 * 1024 + 1)
    for name in ("huge.txt", "huge.docx", "huge.pdf", "huge.vtt", "huge.exe"):
        with pytest.raises(SourceError, match=r"^the file is larger than 20 MB$"):
            parse_source(name, huge)
    with pytest.raises(SourceError, match="larger than 1,000 bytes"):
        parse_source("t.txt", b"a" * 1001, max_bytes=1000)
    assert parse_source("t.txt", b"a" * 1000, max_bytes=1000).text == "a" * 1000


def test_unknown_kinds_are_refused() -> None:
    with pytest.raises(SourceError, match=r"'\.odt' cannot be imported; use \.txt"):
        parse_source("interview.odt", b"anything")
    with pytest.raises(SourceError, match="without an extension"):
        parse_source("README", b"anything")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Interviewer", "P07", "Dr. Okafor", "[id1]", "Speaker 2"]),
            st.lists(
                st.text(alphabet="abc XYZ.,?'", min_size=1, max_size=20).filter(
                    lambda s: s.strip() and ":" not in s
                ),
                min_size=1,
                max_size=3,
            ),
        ),
        max_size=8,
    )
)
def test_turn_words_are_exactly_what_was_said(script: list[tuple[str, list[str]]]) -> None:
    lines = []
    expected = []
    for label, paragraphs in script:
        tag = label if label.startswith("[") else f"{label}:"
        lines.append(f"{tag} {paragraphs[0]}")
        # Continuation lines carry on the turn; words cannot start like a label.
        lines += [f"  {p.strip()}" for p in paragraphs[1:]]
        said = "\n".join([paragraphs[0]] + [f"  {p.strip()}" for p in paragraphs[1:]]).strip()
        expected.append((label.strip("[]"), said))
    text = "\n".join(lines)
    turns = speaker_turns(text)
    # The alphabet has no ":", "[", tab or digit, so no words can pass for a label.
    assert [(t.speaker, text[t.start : t.end]) for t in turns] == expected


# -- DOCX ------------------------------------------------------------------------------------


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_qualcoder_docx_text() -> None:
    parsed = parse_source("ID1.docx", (QUALCODER / "ID1.docx").read_bytes())
    assert parsed.kind == "docx"
    lines = parsed.text.split("\n")
    assert lines[0].startswith("I really like learning new things. I think this course")
    assert lines[1].startswith("I guess some less computer-savvy people")
    assert "like a duck to water for me - no problem at all." in lines[1]
    assert lines[2].startswith("I also like the other students in the course.")
    assert parsed.turns == ()


def test_docx_speakers_in_paragraphs_and_tables() -> None:
    data = docx_bytes(
        ["Interview 3", "Interviewer: How are you?", "P07: Tired, but well.", "Still here."],
        table=[["Interviewer", "And the nights?"], ["P07", "Long."]],
    )
    parsed = parse_source("interview.DOCX", data)
    assert parsed.text.startswith("Interview 3\nInterviewer: How are you?\n")
    assert spoken(parsed) == [
        ("Interviewer", "How are you?"),
        ("P07", "Tired, but well.\nStill here."),
        ("Interviewer", "And the nights?"),
        ("P07", "Long."),
    ]
    assert_well_formed(parsed)


def test_truncated_docx_is_a_damaged_zip() -> None:
    data = (QUALCODER / "ID1.docx").read_bytes()
    with pytest.raises(SourceError, match=r"^not a DOCX file \(the zip is damaged\)$"):
        parse_source("ID1.docx", data[: len(data) // 2])


def test_other_files_named_docx_are_refused() -> None:
    with pytest.raises(SourceError, match=r"not a DOCX file \(it is not a zip archive\)"):
        parse_source("fake.docx", b"%PDF-1.7 not a zip")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(SourceError, match=r"it has no word/document.xml"):
        parse_source("fake.docx", plain_zip.getvalue())
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("word/document.xml", "<not really xml")
    with pytest.raises(SourceError, match=r"^not a DOCX file that can be read \(.+\)$"):
        parse_source("fake.docx", broken.getvalue())


def test_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            zeros = b"\0" * (1024 * 1024)
            for _ in range(201):
                part.write(zeros)
    data = bomb.getvalue()
    assert len(data) < 1024 * 1024  # a small upload...
    with pytest.raises(SourceError, match=r"unpacks to 201 MB, more than the 200 MB allowed"):
        parse_source("bomb.docx", data)  # ...that would unpack to 201 MB


def test_unpacked_limit_is_a_parameter() -> None:
    data = docx_bytes(["P07: hello"])
    with pytest.raises(SourceError, match="more than the 1,000 bytes allowed"):
        parse_source("t.docx", data, max_unpacked=1000)


# -- PDF -------------------------------------------------------------------------------------

TYPST_INTERVIEW = """
#set page(width: 16cm, height: auto, margin: 1cm)
Interviewer: How did the first rotation go?

P07: It was hard at first. Dr. Okafor helped a lot.

#pagebreak()
Interviewer: And the nights?

P07: Long, but I learned.
"""


@pytest.fixture(scope="module")
def interview_pdf() -> bytes:
    return typst.compile(TYPST_INTERVIEW.encode())


def test_pdf_pages_are_joined_and_speakers_found(interview_pdf: bytes) -> None:
    parsed = parse_source("interview.pdf", interview_pdf)
    assert parsed.kind == "pdf"
    assert spoken(parsed) == [
        ("Interviewer", "How did the first rotation go?"),
        ("P07", "It was hard at first. Dr. Okafor helped a lot."),
        ("Interviewer", "And the nights?"),
        ("P07", "Long, but I learned."),
    ]
    page_one, page_two = parsed.text.split("\n\n")
    assert page_one.endswith("helped a lot.") and page_two.startswith("Interviewer: And")
    assert_well_formed(parsed)


def test_truncated_pdf_is_refused(interview_pdf: bytes) -> None:
    with pytest.raises(SourceError, match=r"^not a PDF file that can be read"):
        parse_source("broken.pdf", interview_pdf[:200])


def test_other_files_named_pdf_are_refused() -> None:
    with pytest.raises(SourceError, match=r"does not start with %PDF"):
        parse_source("fake.pdf", (QUALCODER / "ID1.docx").read_bytes())


def test_pdf_without_text_is_refused() -> None:
    scan = typst.compile(b"#rect(width: 2cm, height: 2cm, fill: gray)")
    with pytest.raises(SourceError, match="no text to import"):
        parse_source("scan.pdf", scan)


def test_password_protected_pdf_is_refused(interview_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(interview_pdf)))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(SourceError, match="password-protected"):
        parse_source("locked.pdf", out.getvalue())


def test_pdf_locked_only_against_editing_is_read(interview_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(interview_pdf)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    parsed = parse_source("locked.pdf", out.getvalue())
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "P07", "Interviewer", "P07"]


# -- WebVTT and SRT --------------------------------------------------------------------------


def test_vtt_turns_merge_cues_of_one_speaker() -> None:
    parsed = parse_source("interview.vtt", (FILES / "interview.vtt").read_bytes())
    assert parsed.kind == "vtt"
    assert spoken(parsed) == [
        ("Interviewer", "Thanks for joining. How did your first rotation go?"),
        (
            "Dr. Okafor",
            "It was hard at first & very busy. The nights were long. but the team was kind.",
        ),
        ("Interviewer", "What helped most?"),
        ("Dr. Okafor", "Weekly meetings with my mentor."),
    ]
    assert [(t.begins_at, t.ends_at) for t in parsed.turns] == [
        (1.0, 4.5),
        (5.0, 11.0),
        (62.0, 64.0),
        (64.5, 68.0),
    ]
    assert (
        parsed.text.split("\n")[0]
        == "Interviewer: Thanks for joining. How did your first rotation go?"
    )
    assert_well_formed(parsed)


def seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_vtt_agrees_with_webvtt_py() -> None:
    captions = list(webvtt.read(str(FILES / "interview.vtt")))
    parsed = parse_source("interview.vtt", (FILES / "interview.vtt").read_bytes())
    starts = {seconds(c.start) for c in captions}
    ends = {seconds(c.end) for c in captions}
    assert {t.begins_at for t in parsed.turns} <= starts
    assert {t.ends_at for t in parsed.turns} <= ends
    words = " ".join(" ".join(html.unescape(c.text).split()) for c in captions)
    assert " ".join(parsed.text[t.start : t.end] for t in parsed.turns) == words.replace(
        "Interviewer: ", ""
    )
    voiced = [c.voice for c in captions if c.voice]
    assert set(voiced) == {t.speaker for t in parsed.turns}


def test_srt_turns() -> None:
    parsed = parse_source("interview.srt", (FILES / "interview.srt").read_bytes())
    assert parsed.kind == "srt"
    assert spoken(parsed) == [
        ("Interviewer", "Where did you train?"),
        ("P07", "In Lagos, then here. It was a big move. My family came later."),
        ("Interviewer", "That sounds hard."),
    ]
    assert [(t.begins_at, t.ends_at) for t in parsed.turns] == [
        (1.0, 3.0),
        (3.5, 8.4),
        (9.0, 10.0),
    ]
    captions = webvtt.from_srt(str(FILES / "interview.srt"))
    assert [seconds(c.start) for c in captions][::2] == [1.0, 6.0]
    assert_well_formed(parsed)


def test_cues_without_speakers_are_turns_of_their_own() -> None:
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n\n00:02.000 --> 00:03.000\nworld\n"
    parsed = parse_source("t.vtt", data)
    assert parsed.text == "Hello\nworld"
    assert parsed.turns == (Turn(0, 5, "", 1.0, 2.0), Turn(6, 11, "", 2.0, 3.0))


def test_bad_vtt_timestamp_names_the_line() -> None:
    data = (
        (FILES / "interview.vtt")
        .read_text()
        .replace("00:00:07.250 --> 00:00:09.000", "00:01:xx.000 --> 00:00:09.000")
    )
    line = data.split("\n").index("00:01:xx.000 --> 00:00:09.000") + 1
    assert line == 18
    with pytest.raises(SourceError, match=r"^line 18: timestamp '00:01:xx.000' is not a time$"):
        parse_source("bad.vtt", data.encode())


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("t.vtt", b"00:01.000 --> 00:02.000\nHello\n", r"^line 1: a WebVTT file starts with"),
        ("t.vtt", b"WEBVTT\n", "has no cues"),
        ("t.vtt", b"WEBVTT\n\n00:02.000 --> 00:01.000\nHi\n", r"line 3: the cue ends .* before"),
        ("t.vtt", b"WEBVTT\n\nan-id\nHi there\n", r"line 4: expected a cue timing"),
        ("t.vtt", b"WEBVTT\n\nonly-an-id\n", r"line 3: expected a cue timing after 'only-an-id'"),
        ("t.vtt", b"WEBVTT\n\n00:61.000 --> 00:62.000\nHi\n", r"timestamp '00:61.000'"),
        ("t.srt", b"1\n00:00:01,000 --> 00:00:xx,000\nHi\n", r"^line 2: timestamp '00:00:xx,000'"),
        ("t.srt", b"one\n00:00:01,000 --> 00:00:02,000\nHi\n", r"^line 1: expected a cue number"),
        ("t.srt", b"1\nHello\n", r"^line 2: expected a cue timing"),
        ("t.srt", b"1\n", r"^line 1: cue 1 has no timing line"),
        ("t.srt", b"\n\n", "has no cues"),
    ],
)
def test_bad_subtitles_are_refused_with_the_line(name: str, data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_source(name, data)


def test_subtitles_with_a_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf" + (FILES / "interview.srt").read_bytes().replace(b"\n", b"\r\n")
    parsed = parse_source("interview.srt", data)
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "P07", "Interviewer"]


def test_errors_are_source_errors_and_value_errors() -> None:
    assert issubclass(SourceError, ValueError)
