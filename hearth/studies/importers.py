"""Transcripts into one fixed plain text, with speaker turns as character offsets into it.

Pure Python; no Django. Codings point into the plain text by offset, so its layout is fixed
here once, per kind of file:

- text (.txt): the file as written, with line ends made "\\n", any byte-order mark dropped
  and Unicode in NFC form.
- docx: each body paragraph is a line; a table row is a line of its cells joined by tabs.
  Headers, footers, notes and comments are left out.
- pdf: each page's extracted text; pages are separated by a blank line.
- vtt, srt: one line per turn, "Speaker: words" (or the words alone when no speaker is
  known), consecutive cues of one speaker merged into a single turn.

A turn's span [start, end) covers the spoken words only, never the speaker label or a
timestamp: ``text[turn.start:turn.end]`` is what the speaker said.

In text, DOCX and PDF sources a line starts a turn when it begins (after an optional
timestamp such as "[00:01:02]") with a speaker label: "Interviewer: ...", "Dr. Okafor: ...",
"P07 (00:03:10): ...", QualCoder's "[id1] ...", "Label<tab>...", or a line holding only a
label and a time ("Speaker 1  0:03", as Otter writes) whose words follow on the next lines.
A label is one word, or up to five words each capitalised (or a name particle such as "van"
or "de"); header words such as "Date:" or "Location:" and bracketed notes such as
"[inaudible]" are not speakers. Lines without a label continue the turn before them.

Bad input raises SourceError, whose message names the problem and where it is.
"""

from __future__ import annotations

import codecs
import html
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import docx
from docx.table import Table
from pypdf import PdfReader

from hearth.lib import zipsafety

MAX_BYTES = 20 * 1024 * 1024
# Unpacked size of every part of a DOCX together; python-docx reads them all into memory.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000


class SourceError(ValueError):
    """The file cannot be imported; the message says why and where, for the person uploading."""


@dataclass(frozen=True)
class Turn:
    start: int  # offsets into ParsedSource.text of the words spoken, [start, end)
    end: int
    speaker: str  # "" when the source does not say
    begins_at: float | None = None  # seconds from the start of the recording
    ends_at: float | None = None


@dataclass(frozen=True)
class ParsedSource:
    text: str
    turns: tuple[Turn, ...]
    kind: str  # "text", "docx", "pdf", "vtt" or "srt"


def parse_source(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_unpacked: int = MAX_UNPACKED,
) -> ParsedSource:
    """Read an uploaded transcript by its file extension; raise SourceError on bad input."""
    if len(data) > max_bytes:
        raise SourceError(f"the file is larger than {_size(max_bytes)}")
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".txt", ".text"):
        text = _normalise(_decode(data))
        return ParsedSource(text, speaker_turns(text), "text")
    if suffix == ".docx":
        text = _normalise(_docx_text(data, max_unpacked))
        return ParsedSource(text, speaker_turns(text), "docx")
    if suffix == ".pdf":
        text = _normalise(_pdf_text(data))
        return ParsedSource(text, speaker_turns(text), "pdf")
    if suffix in (".vtt", ".srt"):
        kind = suffix[1:]
        cues = _vtt_cues(_decode(data)) if kind == "vtt" else _srt_cues(_decode(data))
        text, turns = _layout_cues(cues)
        return ParsedSource(text, turns, kind)
    shown = f"'{suffix}'" if suffix else "without an extension"
    raise SourceError(f"files {shown} cannot be imported; use .txt, .docx, .pdf, .vtt or .srt")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


# -- Text ----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else as Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SourceError(
                f"byte {error.start}: not valid UTF-16 text, though the file says it is"
            ) from None
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Word and older Windows editors save Windows-1252; latin-1 decodes any byte left.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    if "\x00" in text:
        raise SourceError("this looks like a binary file, not text (it contains NUL bytes)")
    return text


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


# -- Speaker turns in running text ---------------------------------------------------------

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_LEADING_TIME = re.compile(rf"[\[(]?(?P<time>{_TIME})[\])]?[ \t]+")
_COLON_LABEL = re.compile(
    rf"(?P<label>[^\W_][\w.'’()#\- ]{{0,39}}?)[ \t]*(?:[\[(](?P<time>{_TIME})[\])][ \t]*)?:"
    r"(?=\s|$)[ \t]*"
)
_BRACKET_LABEL = re.compile(r"\[(?P<label>[^\]\n]{1,40})\][ \t]*")
_TAB_LABEL = re.compile(r"(?P<label>[^\W_][\w.'’\- ]{0,39}?)\t+")
_TIMED_LABEL = re.compile(rf"(?P<label>[^\W_][\w.'’\- ]{{0,39}}?)[ \t]+(?P<time>{_TIME})[ \t]*$")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "la", "le", "du", "da", "di"})
_PARTICLES |= frozenset({"dos", "das", "bin", "al", "el", "y", "ten", "ter"})
_NOT_SPEAKERS = frozenset(
    {
        "date", "time", "location", "place", "setting", "duration", "length", "note", "notes",
        "re", "subject", "title", "file", "project", "site", "interview", "transcript",
        "participants", "attendees", "recording", "audio", "transcriber", "transcribed by",
        "inaudible", "unintelligible", "unclear", "crosstalk", "laughs", "laughter", "laughing",
        "pause", "long pause", "silence", "music", "noise", "applause", "cough", "coughs",
        "sighs", "overlapping", "overlap", "redacted", "sic", "name", "end",
    }
)  # fmt: skip


def _is_label(label: str) -> bool:
    words = label.split()
    if not words or len(words) > 5 or label.strip().lower() in _NOT_SPEAKERS:
        return False
    if len(words) == 1:
        return not words[0].isdigit()
    # "(P3)" in "Participant 3 (P3)" is judged by its first letter.
    firsts = [w.lstrip("(")[:1] for w in words]
    return all(
        f.isupper() or f.isdigit() or w.lower() in _PARTICLES
        for f, w in zip(firsts, words, strict=True)
    )


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _label_at(line: str) -> tuple[str, int, float | None] | None:
    """(speaker, where the words start, time) when the line opens with a speaker label."""
    at, begins = len(line) - len(line.lstrip(" \t")), None
    if stamp := _LEADING_TIME.match(line, at):
        at, begins = stamp.end(), _seconds(stamp["time"])
    for pattern in (_BRACKET_LABEL, _COLON_LABEL, _TAB_LABEL, _TIMED_LABEL):
        found = pattern.match(line, at)
        if found and _is_label(found["label"]) and not re.fullmatch(_TIME, found["label"]):
            time = found.groupdict().get("time")
            return " ".join(found["label"].split()), found.end(), _seconds(time) if time else begins
    return None


@dataclass
class _OpenTurn:
    speaker: str
    start: int | None  # None until the first words (a label may stand on its own line)
    end: int
    begins_at: float | None


def speaker_turns(text: str) -> tuple[Turn, ...]:
    """Turns found from speaker labels at line starts (see the module docstring)."""
    turns: list[Turn] = []
    current: _OpenTurn | None = None
    offset = 0
    for line in text.split("\n"):
        content_end = offset + len(line.rstrip())
        label = _label_at(line)
        if label is not None:
            _close(turns, current)
            speaker, words, begins_at = label
            start = offset + words
            current = _OpenTurn(
                speaker, start if start < content_end else None, content_end, begins_at
            )
        elif current is not None and line.strip():
            if current.start is None:
                current.start = offset + len(line) - len(line.lstrip())
            current.end = content_end
        offset += len(line) + 1
    _close(turns, current)
    return tuple(turns)


def _close(turns: list[Turn], current: _OpenTurn | None) -> None:
    if current is not None and current.start is not None:
        turns.append(Turn(current.start, current.end, current.speaker, current.begins_at, None))


# -- DOCX ----------------------------------------------------------------------------------


def _docx_text(data: bytes, max_unpacked: int) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        if data.startswith(b"PK"):
            raise SourceError("not a DOCX file (the zip is damaged)") from None
        raise SourceError("not a DOCX file (it is not a zip archive)") from None
    with archive:
        try:
            zipsafety.check_archive(
                archive, what="the DOCX", max_members=MAX_ZIP_ENTRIES, max_unpacked=max_unpacked
            )
        except zipsafety.UnsafeZip as error:
            raise SourceError(str(error).rstrip(".")) from None
        if "word/document.xml" not in archive.namelist():
            raise SourceError("not a DOCX file (it has no word/document.xml)")
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells: list[str] = []
                    for cell in row.cells:
                        text = cell.text.replace("\n", " ")
                        if not cells or text != cells[-1]:  # a merged cell repeats itself
                            cells.append(text)
                    lines.append("\t".join(cells))
            else:
                lines.append(block.text)
    except Exception as error:  # python-docx and lxml raise many kinds; the user needs one
        raise SourceError(f"not a DOCX file that can be read ({_reason(error)})") from None
    return "\n".join(lines)


def _reason(error: Exception) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return message[:200] or type(error).__name__


# -- PDF -----------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _decrypts(reader):
            raise SourceError("the PDF is password-protected; upload an unprotected copy")
        pages = [(page.extract_text() or "").strip("\n") for page in reader.pages]
    except SourceError:
        raise
    except Exception as error:  # pypdf raises many kinds on damaged files
        if not data.lstrip()[:5].startswith(b"%PDF"):
            raise SourceError("not a PDF file (it does not start with %PDF)") from None
        raise SourceError(f"not a PDF file that can be read ({_reason(error)})") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise SourceError("the PDF has no text to import (is it a scan? run OCR on it first)")
    return text


def _decrypts(reader: PdfReader) -> bool:
    """Open a PDF locked only against editing (an empty user password)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # AES needs the optional cryptography package; treat it as locked
        return False


# -- Subtitles: WebVTT and SRT -------------------------------------------------------------


@dataclass(frozen=True)
class _Cue:
    begins_at: float
    ends_at: float
    speaker: str
    words: str


_TIMING = re.compile(r"(?P<start>\S+)[ \t]+-->[ \t]+(?P<end>\S+)(?:[ \t].*)?")
_CUE_TIME = re.compile(r"(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,](?P<ms>\d{1,3}))?")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+(?P<name>[^>]+)>")
_TAG = re.compile(r"<[^>]*>")
_SPEAKER_PREFIX = re.compile(r"(?:-[ \t]*)?(?P<label>[^\W_][\w.'’\- ]{0,39}?):[ \t]+")


def _cue_time(raw: str, line: int) -> float:
    found = _CUE_TIME.fullmatch(raw)
    if not found or int(found["m"]) > 59 or int(found["s"]) > 59:
        raise SourceError(f"line {line}: timestamp '{raw}' is not a time")
    milliseconds = int(found["ms"].ljust(3, "0")) if found["ms"] else 0
    hours = int(found["h"] or 0)
    return hours * 3600 + int(found["m"]) * 60 + int(found["s"]) + milliseconds / 1000


def _timing(line_text: str, line: int) -> tuple[float, float]:
    found = _TIMING.fullmatch(line_text.strip())
    if not found:
        raise SourceError(f"line {line}: expected a cue timing such as '00:00:01.000 --> ...'")
    start, end = _cue_time(found["start"], line), _cue_time(found["end"], line)
    if end < start:
        raise SourceError(f"line {line}: the cue ends ({found['end']}) before it starts")
    return start, end


def _cue(payload: list[str], start: float, end: float) -> _Cue | None:
    raw = "\n".join(payload)
    speaker = ""
    if voice := _VOICE.search(raw):
        speaker = voice["name"]
    words = " ".join(html.unescape(_TAG.sub("", raw)).split())
    if not speaker and (prefix := _SPEAKER_PREFIX.match(words)) and _is_label(prefix["label"]):
        speaker, words = prefix["label"], words[prefix.end() :]
    if not words:
        return None
    speaker = unicodedata.normalize("NFC", " ".join(html.unescape(speaker).split()))
    return _Cue(start, end, speaker, unicodedata.normalize("NFC", words))


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line-separated blocks as (first line number, lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(_normalise(text).split("\n"), start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _vtt_cues(text: str) -> list[_Cue]:
    blocks = _blocks(text)
    if not blocks or blocks[0][0] != 1 or not re.match(r"WEBVTT(?:[ \t]|$)", blocks[0][1][0]):
        raise SourceError("line 1: a WebVTT file starts with 'WEBVTT'")
    cues: list[_Cue] = []
    for first, lines in blocks[1:]:
        if re.match(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)", lines[0]):
            continue
        at = 0 if "-->" in lines[0] else 1  # an optional cue identifier comes first
        if at >= len(lines):
            raise SourceError(f"line {first}: expected a cue timing after '{lines[0][:40]}'")
        start, end = _timing(lines[at], first + at)
        if cue := _cue(lines[at + 1 :], start, end):
            cues.append(cue)
    if not cues:
        raise SourceError("the WebVTT file has no cues with words")
    return cues


def _srt_cues(text: str) -> list[_Cue]:
    cues: list[_Cue] = []
    for first, lines in _blocks(text):
        at = 0 if "-->" in lines[0] else 1  # the cue number comes first, if it is there
        if at == 1 and not lines[0].strip().isdigit():
            raise SourceError(f"line {first}: expected a cue number, found '{lines[0][:40]}'")
        if at >= len(lines):
            raise SourceError(f"line {first}: cue {lines[0].strip()} has no timing line")
        start, end = _timing(lines[at], first + at)
        if cue := _cue(lines[at + 1 :], start, end):
            cues.append(cue)
    if not cues:
        raise SourceError("the SRT file has no cues with words")
    return cues


def _layout_cues(cues: list[_Cue]) -> tuple[str, tuple[Turn, ...]]:
    """Merge cues into turns, one line each: a cue without a speaker continues a named turn."""
    merged: list[list[_Cue]] = []
    for cue in cues:
        if merged and merged[-1][0].speaker and cue.speaker in ("", merged[-1][0].speaker):
            merged[-1].append(cue)
        else:
            merged.append([cue])
    lines: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for group in merged:
        speaker = group[0].speaker
        prefix = f"{speaker}: " if speaker else ""
        spoken = " ".join(cue.words for cue in group)
        start = offset + len(prefix)
        turns.append(
            Turn(start, start + len(spoken), speaker, group[0].begins_at, group[-1].ends_at)
        )
        lines.append(prefix + spoken)
        offset += len(prefix) + len(spoken) + 1
    return "\n".join(lines), tuple(turns)
