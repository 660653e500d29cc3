"""De-identification proposals for transcripts: what to replace, and what a person must check.

Pure Python over dataclasses; no Django. `propose` finds known people's names (full name,
given name alone, family name alone, any nicknames), emails and phone numbers and proposes
replacements; capitalised words that look like names of people who are not on the lists are
returned as `unhandled` suspects for a person to decide on. Nothing is replaced silently
and nothing unknown is claimed as handled: a proposal is reviewed before it is applied.

Offsets are character offsets into the text, [start, end), like codings; `OffsetMap` moves
coded segments from the original text onto the de-identified one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["name", "email", "phone", "term"]


@dataclass(frozen=True)
class KnownPerson:
    full_name: str  # "Dr. Adaeze Okafor"; titles and suffixes are not treated as names
    pseudonym: str  # "P07"
    aliases: tuple[str, ...] = ()  # other names the person goes by: "Ada"


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    original: str
    replacement: str
    kind: Kind


@dataclass(frozen=True)
class Suspect:
    start: int
    end: int
    text: str
    why: str


@dataclass(frozen=True)
class Proposal:
    replacements: tuple[Replacement, ...]  # in text order, never overlapping
    unhandled: tuple[Suspect, ...]  # in text order; left as they are until a person decides


TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "doctor"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "md", "phd", "do", "rn", "np", "pa", "mph"})
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "la", "le", "du", "da", "di"})
_PARTICLES |= frozenset({"dos", "das", "bin", "al", "el", "ten", "ter"})

# Capitalised words that are not people's names: sentence openers, fillers, days and months,
# and the institutions, specialties and tools that academic-medicine interviews mention.
_COMMON = """
    a about above after again against ago all almost also although always am among an and
    another any anyone anything anyway are around as at away back be because been before
    being below best better between both but by can cannot could did do does doing done
    down during each either else enough even ever every everyone everything first for from
    further had has have having he her here hers herself him himself his how however i if
    in into is it its itself just last later least less let like little lot many may maybe
    me might more most much must my myself never new next no nobody none nor not nothing
    now of off often oh ok okay old on once one only or other others our ours ourselves out
    over own perhaps please quite rather really right same second she should since so some
    somebody someone something sometimes soon still such sure than thank thanks that the
    their theirs them themselves then there these they thing things third this those though
    through thus to today together tomorrow too toward towards under until up upon us very
    was we well were what whatever when where whether which while who whom whose why will
    with within without would yes yesterday yet you your yours yourself yourselves
    yeah yep nope um uh erm hmm mhm ah wow alright anyway absolutely actually basically
    definitely exactly honestly obviously probably right great good fine sorry hello hi
    interviewer interviewee participant speaker moderator facilitator respondent mentor mentee
    monday tuesday wednesday thursday friday saturday sunday weekend
    january february march april june july august september october november december
    spring summer autumn fall winter christmas easter thanksgiving ramadan eid diwali
    god lord english spanish french german chinese american british canadian african asian
    indian latino latina latinx hispanic black white european mexican
    hospital university college school medicine medical department clinic center centre
    institute faculty program programme residency fellowship internship clerkship rotation
    surgery pediatrics paediatrics psychiatry neurology cardiology oncology radiology
    anesthesia anaesthesia obstetrics gynecology dermatology pathology ophthalmology urology
    internal family emergency general health care service services unit ward icu er
    dean chair chief director president committee board council office team teams group
    step match boards covid coronavirus zoom epic google internet email slack
    doctor nurse resident residents attending fellow fellows student students intern
    professor dr mr mrs ms mx miss prof
    north south east west street road avenue city county state
"""
COMMON_WORDS = frozenset(_COMMON.split())
# Known people's names that are also everyday words match only when capitalised: "Will said",
# not "I will".
_WORDLIKE = """
    hope grace faith joy rose lily iris june april august mark frank rich bill art dawn
    young long brown green white black gray grey king hall wood hill page bell park rice
    cook baker bishop price love major summer winter rush lane field
"""
_WORDLIKE_NAMES = COMMON_WORDS | frozenset(_WORDLIKE.split())

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_PHONE = re.compile(
    r"""
    (?<![\w+])
    (?:
        \+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}  # +44 20 7946 0958
      | (?:1[\s.-]?)?\(\d{3}\)[\s.-]?\d{3}[\s.-]?\d{4}                         # (555) 123-4567
      | (?:1[\s.-])?\d{3}[\s.-]\d{3}[\s.-]\d{4}                                # 1-800-555-0199
      | 0\d{1,4}[\s.-]?\d{3,4}[\s.-]?\d{3,4}                                   # 020 7946 0958
      | \d{10}                                                                 # 5551234567
    )
    (?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?  # extension
    (?![\w-])
    """,
    re.VERBOSE | re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_EXTENSION = re.compile(r"(?:x|ext\.?|extension)\s*\d+$", re.IGNORECASE)

# Lower wins when candidates overlap: an email holds names, a full name holds a family name.
_PRIORITY: dict[str, int] = {"email": 0, "phone": 1, "term": 2, "full": 3, "part": 4}


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    replacement: str
    kind: Kind
    priority: int


def propose(
    text: str,
    people: Sequence[KnownPerson],
    *,
    extra_terms: Iterable[str | tuple[str, str]] = (),
) -> Proposal:
    """Propose replacements for known names, emails, phones and extra terms; list suspects.

    `extra_terms` are other identifying words (a hospital, a town): a term alone is replaced
    by "[redacted]", a (term, replacement) pair by its replacement.
    """
    words = _words(text)
    candidates = _emails(text) + _phones(text) + _terms(text, extra_terms)
    names, ambiguous = _names(text, words, people)
    chosen = _choose(candidates + names)
    taken = [(r.start, r.end) for r in chosen]
    suspects = [s for s in ambiguous if not _overlaps(taken, s.start, s.end)]
    suspects += _suspects(text, words, sorted(taken + [(s.start, s.end) for s in suspects]))
    suspects.sort(key=lambda s: (s.start, s.end))
    replacements = tuple(
        Replacement(c.start, c.end, text[c.start : c.end], c.replacement, c.kind) for c in chosen
    )
    return Proposal(replacements, tuple(suspects))


# -- Candidates ----------------------------------------------------------------------------


def _emails(text: str) -> list[_Candidate]:
    return [
        _Candidate(m.start(), m.end(), "[email]", "email", _PRIORITY["email"])
        for m in _EMAIL.finditer(text)
    ]


def _phones(text: str) -> list[_Candidate]:
    found = []
    for m in _PHONE.finditer(text):
        number = _EXTENSION.sub("", m.group())
        if 7 <= len(_DIGIT.findall(number)) <= 15:  # E.164 allows at most 15 digits
            found.append(_Candidate(m.start(), m.end(), "[phone]", "phone", _PRIORITY["phone"]))
    return found


def _terms(text: str, terms: Iterable[str | tuple[str, str]]) -> list[_Candidate]:
    found = []
    for term in terms:
        words, replacement = (term, "[redacted]") if isinstance(term, str) else term
        if not words.strip():
            continue
        for m in _phrase(words).finditer(text):
            found.append(_Candidate(m.start(), m.end(), replacement, "term", _PRIORITY["term"]))
    return found


def _phrase(words: str) -> re.Pattern[str]:
    """Whole words, any case, any white space between them, either apostrophe."""
    parts = [re.escape(w).replace("'", "['’]").replace("’", "['’]") for w in words.split()]
    return re.compile(r"(?<![\w'’-])" + r"\s+".join(parts) + r"(?![\w-])", re.IGNORECASE)


def _name_parts(full_name: str) -> list[str]:
    """The name without titles before it or degrees and suffixes after it."""
    parts = [t.strip(",") for t in full_name.split() if t.strip(",")]

    def bare(token: str) -> str:
        return token.lower().replace(".", "")

    while parts and bare(parts[0]) in TITLES:
        parts.pop(0)
    while len(parts) > 1 and bare(parts[-1]) in _SUFFIXES:
        parts.pop()
    return parts


def _variants(person: KnownPerson) -> list[tuple[str, str]]:
    """(words, "full" or "part") for each way the person may be named."""
    parts = _name_parts(person.full_name)
    if not parts:
        return []
    variants = [(" ".join(parts), "full")]
    family_at = len(parts) - 1
    while family_at > 1 and parts[family_at - 1].lower() in _PARTICLES:
        family_at -= 1  # "Maria de la Cruz": the family name is "de la Cruz"
    if len(parts) > 1:
        variants.append((parts[0], "part"))
        variants.append((" ".join(parts[family_at:]), "part"))
        variants.append((parts[-1], "part"))
        if len(parts) > 2:
            variants.append((f"{parts[0]} {' '.join(parts[family_at:])}", "full"))
    variants += [(alias, "part") for alias in person.aliases]
    # Initials alone ("J.") would match too much to be told apart.
    return [(w, kind) for w, kind in dict.fromkeys(variants) if len(w.rstrip(".")) > 1]


def _names(
    text: str, words: list[_Word], people: Sequence[KnownPerson]
) -> tuple[list[_Candidate], list[Suspect]]:
    """Name candidates, and suspects for names that more than one person could bear.

    Names are matched word by word, longest first at each word: any case, any white space
    between the words, a possessive "'s" left outside.
    """
    bearers: defaultdict[str, dict[str, str]] = defaultdict(dict)  # words -> pseudonym -> kind
    for person in people:
        for variant, kind in _variants(person):
            key = _key(variant)
            if bearers[key].get(person.pseudonym) != "full":
                bearers[key][person.pseudonym] = kind
    longest = max((key.count(" ") + 1 for key in bearers), default=0)
    found: list[_Candidate] = []
    ambiguous: list[Suspect] = []
    for i, first in enumerate(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            last = words[i + n - 1]
            key = " ".join(w.key for w in words[i : i + n])
            pseudonyms = bearers.get(key)
            if pseudonyms is None or not _spaced(text, words[i : i + n]):
                continue
            if n == 1 and key in _WORDLIKE_NAMES and not first.capitalised_any:
                break  # "I will", not "Will"
            start, end = first.start, last.end
            if len(pseudonyms) > 1:
                who = ", ".join(sorted(pseudonyms))
                why = f"could be any of several people on the lists ({who}): choose one"
                ambiguous.append(Suspect(start, end, text[start:end], why))
            else:
                ((pseudonym, kind),) = pseudonyms.items()
                found.append(_Candidate(start, end, pseudonym, "name", _PRIORITY[kind]))
            break
    return found, ambiguous


def _key(words: str) -> str:
    """Lower case, straight apostrophes, no full stops: "John J. O’Neil" -> "john j o'neil"."""
    return " ".join(words.lower().replace("’", "'").replace(".", " ").split())


def _spaced(text: str, words: list[_Word]) -> bool:
    """Are the words one name: white space between them (after an initial, ". "), no "'s"?"""
    for a, b in zip(words, words[1:], strict=False):
        gap = text[a.end : b.start]
        if a.end != a.token_end:
            return False
        if not (gap.isspace() or (a.end - a.start == 1 and gap[:1] == "." and gap[1:].isspace())):
            return False
    return True


def _choose(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the best of overlapping candidates: by priority, then the longer, then the first."""
    chosen: list[_Candidate] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(candidates, key=lambda c: (c.priority, c.start - c.end, c.start)):
        if not _overlaps(taken, c.start, c.end):
            at = bisect_left(taken, (c.start, c.end))
            taken.insert(at, (c.start, c.end))
            chosen.insert(at, c)
    return chosen


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does [start, end) overlap any of `taken`, which is sorted and holds no overlaps?"""
    at = bisect_left(taken, (start, end))
    return (at > 0 and taken[at - 1][1] > start) or (at < len(taken) and taken[at][0] < end)


# -- Suspects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    start: int
    end: int  # before any possessive "'s"
    token_end: int  # after it
    key: str  # lower case, straight apostrophes, no possessive
    capitalised: bool  # "Okafor", not "okafor" or "ICU"
    capitalised_any: bool  # "Okafor" or "OKAFOR"
    common: bool
    opens_sentence: bool
    is_title: bool


def _words(text: str) -> list[_Word]:
    words = []
    for m in _WORD.finditer(text):
        start, token_end = m.start(), m.end()
        if (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")) or (
            token_end < len(text) and (text[token_end].isalnum() or text[token_end] == "_")
        ):
            continue  # part of "okafor99" or "B12": not a word of its own
        word = m.group()
        end = token_end - 2 if word[-2:].lower() in ("'s", "’s") and len(word) > 2 else token_end
        key = _key(text[start:end])
        before = start - 1
        while before >= 0 and text[before] in " \t":
            before -= 1
        opens = before < 0 or text[before] in '.!?:;\n"“‘([]-–—'
        words.append(
            _Word(
                start,
                end,
                token_end,
                key,
                capitalised=word[0].isupper() and not (len(word) > 1 and word.isupper()),
                capitalised_any=word[0].isupper(),
                common=key in COMMON_WORDS,
                opens_sentence=opens,
                is_title=key in TITLES,
            )
        )
    return words


def _suspects(text: str, words: list[_Word], taken: list[tuple[int, int]]) -> list[Suspect]:
    """Capitalised words that look like people's names, outside the (sorted) spans taken."""
    words = [w for w in words if not _overlaps(taken, w.start, w.end)]
    suspects: list[Suspect] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.is_title and (run := _run(text, words, i + 1, after=word)):
            why = f"a name after '{text[word.start : word.end]}' that is not on the lists"
            i += 1
        elif len(run := _run(text, words, i, uncommon=True)) >= 2:
            why = "capitalised words that look like a name not on the lists"
        elif run and not word.opens_sentence:
            why = "a capitalised word mid-sentence: a name not on the lists?"
        else:
            i += 1
            continue
        start, end = run[0].start, run[-1].end
        suspects.append(Suspect(start, end, text[start:end], why))
        i += len(run)
    return suspects


def _run(
    text: str, words: list[_Word], i: int, *, after: _Word | None = None, uncommon: bool = False
) -> list[_Word]:
    """Up to three capitalised words from words[i], each one space after the word before.

    A title or an initial may be followed by its full stop: "Dr. J. Nguyen".
    """
    run: list[_Word] = []
    previous = after
    while i < len(words) and len(run) < 3:
        word = words[i]
        if not word.capitalised or (uncommon and word.common):
            break
        if previous is not None:
            gap = text[previous.end : word.start]
            dotted = previous.is_title or previous.end - previous.start == 1
            if gap != " " and not (dotted and gap == ". "):
                break
        run.append(word)
        previous = word
        i += 1
    return run


# -- Applying ------------------------------------------------------------------------------


def apply(text: str, replacements: Sequence[Replacement]) -> str:
    """The text with the replacements made; refuses overlapping or stale replacements."""
    _check(text, replacements)
    pieces: list[str] = []
    at = 0
    for r in replacements:
        pieces += [text[at : r.start], r.replacement]
        at = r.end
    pieces.append(text[at:])
    return "".join(pieces)


def _check(text: str | None, replacements: Sequence[Replacement]) -> None:
    previous_end = 0
    for r in replacements:
        if r.start < previous_end or r.end < r.start:
            raise ValueError(f"replacements must be in order and must not overlap: {r}")
        if text is not None and text[r.start : r.end] != r.original:
            raise ValueError(f"the text has changed since the proposal: {r}")
        previous_end = r.end


class OffsetMap:
    """Moves [start, end) spans of the original text onto the text after `apply`.

    A span edge inside a replaced stretch moves out to the replacement's edge, so a coded
    segment that cut into a name keeps the whole pseudonym rather than part of it.
    """

    def __init__(self, replacements: Sequence[Replacement]) -> None:
        _check(None, replacements)
        self._starts = [r.start for r in replacements]
        self._ends = [r.end for r in replacements]
        self._shift = [0]  # _shift[i]: how far replacements before the i-th move the text
        for r in replacements:
            self._shift.append(self._shift[-1] + len(r.replacement) - (r.end - r.start))
        self._lengths = [len(r.replacement) for r in replacements]

    def span(self, start: int, end: int) -> tuple[int, int]:
        if end < start:
            raise ValueError(f"a span cannot end ({end}) before it starts ({start})")
        return self.start(start), self.end(end)

    def start(self, offset: int) -> int:
        i = bisect_right(self._starts, offset) - 1  # the last replacement starting at or before
        if i >= 0 and offset < self._ends[i]:
            return self._starts[i] + self._shift[i]
        return offset + self._shift[i + 1]

    def end(self, offset: int) -> int:
        i = bisect_left(self._starts, offset) - 1  # the last replacement starting before
        if i >= 0 and offset < self._ends[i]:
            return self._starts[i] + self._shift[i] + self._lengths[i]
        return offset + self._shift[i + 1]


def map_span(start: int, end: int, replacements: Sequence[Replacement]) -> tuple[int, int]:
    """One span through OffsetMap; build an OffsetMap once to move many."""
    return OffsetMap(replacements).span(start, end)
