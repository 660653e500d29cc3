"""Reads for studies: what each member sees, retrieval, agreement and the report."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from hearth.people.models import Person

from . import agreement, layout
from .codetree import Node, tree_order
from .models import (
    AttributeDefinition,
    AttributeValue,
    Code,
    Codebook,
    CodedSegment,
    Participant,
    Source,
    Study,
    StudyMember,
    StudyRole,
    Theme,
    Turn,
)


def studies_of(person: Person) -> list[StudyMember]:
    """The person's study memberships, each study with its counts, in two queries."""
    members = list(
        StudyMember.objects.filter(person=person)
        .select_related("study__program")
        .order_by("-study__created_at")
    )
    counts = {
        s["pk"]: s
        for s in Study.objects.filter(pk__in=[m.study_id for m in members])
        .annotate(
            n_sources=Count("sources", distinct=True),
            n_participants=Count(
                "participants", filter=Q(participants__withdrawn_at__isnull=True), distinct=True
            ),
        )
        .values("pk", "n_sources", "n_participants")
    }
    for m in members:
        m.n_sources = counts[m.study_id]["n_sources"]  # type: ignore[attr-defined]
        m.n_participants = counts[m.study_id]["n_participants"]  # type: ignore[attr-defined]
    return members


def visible_segments(study: Study, member: StudyMember) -> QuerySet[CodedSegment]:
    """Before reconciliation each coder sees only their own codings; after, everyone's."""
    segments = CodedSegment.objects.filter(source__study=study)
    if study.reconciliation_open:
        return segments
    return segments.filter(coder_id=member.person_id)


# -- Codebook ---------------------------------------------------------------------------------


@dataclass
class CodeNode:
    code: Code
    depth: int
    segments: int = 0

    @property
    def indent(self) -> str:
        return f"{self.depth * 1.4:.1f}rem"


def code_tree(codebook: Codebook, counts: dict[int, int] | None = None) -> list[CodeNode]:
    """The active codes, parents before children, in one query."""
    codes = {c.pk: c for c in codebook.codes.filter(retired_at__isnull=True)}
    order = tree_order([Node(c.pk, c.parent_id, c.position, c.name) for c in codes.values()])
    return [CodeNode(codes[pk], depth, (counts or {}).get(pk, 0)) for pk, depth in order]


def code_counts(study: Study, member: StudyMember) -> dict[int, int]:
    rows = visible_segments(study, member).values("code_id").annotate(n=Count("pk"))
    return {r["code_id"]: r["n"] for r in rows}


def descendants(codebook: Codebook, code: Code) -> set[int]:
    """The code and every code under it (active or not), by id."""
    children: defaultdict[int | None, list[int]] = defaultdict(list)
    for pk, parent in codebook.codes.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, stack = set(), [code.pk]
    while stack:
        pk = stack.pop()
        found.add(pk)
        stack.extend(children[pk])
    return found


# -- Positions --------------------------------------------------------------------------------


class Speakers:
    """Who speaks at an offset of a source: the turn's participant, speaker or the source's."""

    def __init__(self, sources: Iterable[Source]) -> None:
        ids = [s.pk for s in sources]
        self.turns: dict[int, list[Turn]] = defaultdict(list)
        for turn in Turn.objects.filter(source_id__in=ids).select_related("participant"):
            self.turns[turn.source_id].append(turn)
        self.starts = {}
        for source_id, turns in self.turns.items():
            turns.sort(key=lambda t: t.start)
            self.starts[source_id] = [t.start for t in turns]

    def turn_at(self, source_id: int, offset: int) -> Turn | None:
        starts = self.starts.get(source_id)
        if not starts:
            return None
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return None
        turn = self.turns[source_id][i]
        return turn if offset < turn.end else None

    def label(self, source: Source, offset: int) -> str:
        turn = self.turn_at(source.pk, offset)
        if turn is not None:
            if turn.participant is not None:
                return turn.participant.pseudonym
            if turn.speaker:
                return turn.speaker
        return source.participant.pseudonym if source.participant else ""

    def participant(self, source: Source, offset: int) -> Participant | None:
        turn = self.turn_at(source.pk, offset)
        if turn is not None and turn.participant is not None:
            return turn.participant
        return source.participant


def speaker_label(turn: Turn) -> str:
    return turn.participant.pseudonym if turn.participant else turn.speaker


# -- The coding page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownPiece:
    start: int
    text: str
    colour: str  # "" when uncoded
    label: str  # the codes' names
    several: bool


@dataclass(frozen=True)
class ShownBlock:
    key: str
    start: int
    end: int
    speaker: str
    time: str
    withdrawn: bool
    is_turn: bool
    pieces: tuple[ShownPiece, ...]
    codes: tuple[Code, ...]


@dataclass
class SegmentRow:
    segment: CodedSegment
    text: str
    speaker: str
    source: Source
    participant: Participant | None = None
    memos: list[str] = field(default_factory=list)

    @property
    def short(self) -> str:
        return self.text if len(self.text) <= 110 else self.text[:109] + "…"

    @property
    def tiny(self) -> str:
        return self.text if len(self.text) <= 30 else self.text[:29] + "…"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def shown_blocks(
    source: Source, turns: Sequence[Turn], segments: Sequence[CodedSegment], codes: dict[int, Code]
) -> list[ShownBlock]:
    """The source cut into blocks and pieces, each piece coloured by the codes covering it."""
    laid = layout.blocks(
        source.text,
        [
            layout.TurnSpan(
                t.index,
                t.start,
                t.end,
                speaker_label(t),
                t.begins_at,
                t.withdrawn,
                t.speaker,
            )
            for t in turns
        ],
        [layout.Span(s.start, s.end, s.code_id) for s in segments if s.code_id in codes],
    )
    shown = []
    for block in laid:
        pieces = tuple(
            ShownPiece(
                p.start,
                p.text,
                codes[p.codes[0]].colour if p.codes else "",
                ", ".join(codes[c].name for c in p.codes),
                len(p.codes) > 1,
            )
            for p in block.pieces
        )
        shown.append(
            ShownBlock(
                block.key,
                block.start,
                block.end,
                block.speaker,
                _clock(block.begins_at),
                block.withdrawn,
                block.is_turn,
                pieces,
                tuple(codes[c] for c in block.codes),
            )
        )
    return shown


@dataclass
class CodingPage:
    source: Source
    blocks: list[ShownBlock]
    tree: list[CodeNode]
    segments: list[SegmentRow]
    coders: list[str]


def coding_page(
    source: Source, member: StudyMember, *, around: tuple[int, int] | None = None
) -> CodingPage:
    """The coding page's data; with `around`, only the blocks touching that span (for
    updating them in place after a change)."""
    study = source.study
    codebook = study.codebook
    all_codes = {c.pk: c for c in codebook.codes.all()}
    turns = list(source.turns.select_related("participant").order_by("start"))
    segments = list(
        visible_segments(study, member)
        .filter(source=source)
        .select_related("coder")
        .prefetch_related("memos")
        .order_by("start", "end", "pk")
    )
    for s in segments:
        s.code = all_codes[s.code_id]
    rows = []
    starts = [t.start for t in turns]
    for s in segments:
        i = bisect_right(starts, s.start) - 1
        turn = turns[i] if i >= 0 and s.start < turns[i].end else None
        rows.append(
            SegmentRow(
                segment=s,
                text=source.text[s.start : s.end],
                speaker=speaker_label(turn) if turn else "",
                source=source,
                memos=[m.text for m in s.memos.all()],
            )
        )
    if around is None:
        shown = shown_blocks(source, turns, segments, all_codes)
    else:
        shown = _blocks_near(source, turns, segments, all_codes, *around)
    return CodingPage(
        source=source,
        blocks=shown,
        tree=code_tree(codebook) if around is None else [],
        segments=rows,
        coders=sorted({s.coder.display_name for s in segments}),
    )


def _blocks_near(
    source: Source,
    turns: list[Turn],
    segments: list[CodedSegment],
    codes: dict[int, Code],
    start: int,
    end: int,
) -> list[ShownBlock]:
    """The blocks touching [start, end), laid out from the turns around it alone, so that
    updating them costs the same in a long transcript as in a short one."""
    end = max(end, start + 1)
    touching = [i for i, t in enumerate(turns) if t.start < end and t.end > start]
    if not turns or not touching:
        shown = shown_blocks(source, turns, segments, codes)
    else:
        # The turn before is laid out too, so the text between it and the first is judged
        # (label or not) as on the whole page.
        first, last = max(touching[0] - 1, 0), touching[-1]
        nearby = turns[first : last + 2]
        low, high = nearby[0].start, nearby[-1].end
        near = [s for s in segments if s.start < high and s.end > low]
        shown = shown_blocks(source, nearby, near, codes)
    return [b for b in shown if b.start < end and b.end > start]


# -- Retrieval ---------------------------------------------------------------------------------


def _rows(segments: Sequence[CodedSegment]) -> list[SegmentRow]:
    """Segment rows with their text and speaker, with a fixed number of queries."""
    sources = {
        s.pk: s
        for s in Source.objects.filter(pk__in={seg.source_id for seg in segments}).select_related(
            "participant"
        )
    }
    speakers = Speakers(sources.values())
    rows = []
    for seg in segments:
        source = sources[seg.source_id]
        rows.append(
            SegmentRow(
                segment=seg,
                text=source.text[seg.start : seg.end],
                speaker=speakers.label(source, seg.start),
                source=source,
                participant=speakers.participant(source, seg.start),
            )
        )
    return rows


def segments_of_code(
    code: Code, member: StudyMember, *, with_children: bool = True
) -> list[SegmentRow]:
    """Every visible segment coded with the code (and, by default, the codes under it)."""
    study = code.codebook.study
    ids = descendants(code.codebook, code) if with_children else {code.pk}
    segments = list(
        visible_segments(study, member)
        .filter(code_id__in=ids)
        .select_related("coder", "code")
        .order_by("source__title", "start", "pk")
    )
    return _rows(segments)


@dataclass(frozen=True)
class Hit:
    source: Source
    start: int
    before: str
    match: str
    after: str
    speaker: str


def search(study: Study, query: str, *, limit: int = 200) -> tuple[list[Hit], int]:
    """Case-insensitive matches of the words in the study's sources (and how many in all)."""
    query = query.strip()
    if len(query) < 2:
        return [], 0
    sources = list(
        Source.objects.filter(study=study, text__icontains=query).select_related("participant")
    )
    speakers = Speakers(sources)
    hits: list[Hit] = []
    total = 0
    needle = query.casefold()
    for source in sorted(sources, key=lambda s: s.title):
        haystack = source.text.casefold()
        at = haystack.find(needle)
        while at != -1:
            total += 1
            if len(hits) < limit and len(haystack) == len(source.text):
                end = at + len(query)
                hits.append(
                    Hit(
                        source,
                        at,
                        ("…" if at > 80 else "") + source.text[max(0, at - 80) : at].lstrip(),
                        source.text[at:end],
                        source.text[end : end + 80].rstrip()
                        + ("…" if end + 80 < len(haystack) else ""),
                        speakers.label(source, at),
                    )
                )
            at = haystack.find(needle, at + max(1, len(needle)))
    return hits, total


@dataclass
class Matrix:
    codes: list[Code]
    rows: list[tuple[Code, list[int]]]


def cooccurrence(study: Study, member: StudyMember) -> Matrix:
    """How often two codes overlap on the same text (visible codings); the diagonal counts
    each code's segments."""
    tree = code_tree(study.codebook)
    codes = [n.code for n in tree]
    index = {c.pk: i for i, c in enumerate(codes)}
    counts = [[0] * len(codes) for _ in codes]
    by_source: defaultdict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for source_id, start, end, code_id in visible_segments(study, member).values_list(
        "source_id", "start", "end", "code_id"
    ):
        if code_id in index:
            by_source[source_id].append((start, end, index[code_id]))
            counts[index[code_id]][index[code_id]] += 1
    for spans in by_source.values():
        spans.sort()
        seen: set[tuple[int, int, int, int]] = set()
        for i, (start, end, a) in enumerate(spans):
            for other_start, _other_end, b in spans[i + 1 :]:
                if other_start >= end:
                    break
                if a != b and (start, a, other_start, b) not in seen:
                    seen.add((start, a, other_start, b))
                    counts[a][b] += 1
                    counts[b][a] += 1
    return Matrix(codes, [(c, counts[i]) for i, c in enumerate(codes)])


# -- Agreement ---------------------------------------------------------------------------------

UNITS = {
    "turn": "speaker turn (a paragraph where a source has no speakers)",
    "sentence": "sentence",
    "character": "character, as NVivo and QualCoder report it",
}


def coding_members(study: Study) -> list[StudyMember]:
    return list(
        study.members.filter(role__in=[StudyRole.LEAD, StudyRole.CODER]).select_related("person")
    )


def _units(unit: str, sources: Sequence[Source]) -> list[agreement.Unit] | None:
    if unit == "character":
        return None
    units: list[agreement.Unit] = []
    if unit == "sentence":
        for s in sources:
            units += agreement.sentence_units(str(s.pk), s.text)
        return units
    turns: defaultdict[int, list[Turn]] = defaultdict(list)
    for t in Turn.objects.filter(source__in=sources, withdrawn=False).select_related("participant"):
        turns[t.source_id].append(t)
    for s in sources:
        if turns[s.pk]:
            units += [
                agreement.Unit(str(s.pk), t.start, t.end, f"{speaker_label(t)}, turn {t.index + 1}")
                for t in sorted(turns[s.pk], key=lambda t: t.start)
            ]
            continue
        at = 0
        for number, line in enumerate(s.text.split("\n"), start=1):
            if line.strip():
                lead = len(line) - len(line.lstrip())
                units.append(
                    agreement.Unit(
                        str(s.pk), at + lead, at + len(line.rstrip()), f"paragraph {number}"
                    )
                )
            at += len(line) + 1
    return units


@dataclass
class AgreementRow:
    code: Code | None
    figures: agreement.Agreement

    @property
    def uncoded_percent(self) -> float | None:
        share = self.figures.uncoded_share
        return None if share is None else 100 * share


@dataclass
class AgreementView:
    unit: str
    unit_label: str
    coders: list[StudyMember]
    sources: list[Source]
    rows: list[AgreementRow]
    disagreements: list[DisagreementRow]
    disagreement_total: int


@dataclass
class DisagreementRow:
    source: Source
    start: int
    end: int
    text: str
    label: str
    code: Code
    coded_by: list[str]
    not_coded_by: list[str]


def agreement_view(
    study: Study,
    *,
    coders: Sequence[StudyMember],
    sources: Sequence[Source],
    unit: str,
    with_disagreements: bool = False,
    disagreement_code: Code | None = None,
    limit: int = 300,
) -> AgreementView:
    """Percent agreement, kappa and alpha per code and overall, and where coders differ."""
    codes = {c.pk: c for c in study.codebook.codes.all()}
    names = {str(m.person_id): m.person.display_name for m in coders}
    by_pk = {str(s.pk): s for s in sources}
    codings = [
        agreement.Coding(str(coder), str(source), start, end, str(code))
        for coder, source, start, end, code in CodedSegment.objects.filter(
            source__in=sources, coder_id__in=[m.person_id for m in coders]
        ).values_list("coder_id", "source_id", "start", "end", "code_id")
    ]
    units = _units(unit, sources)
    lengths = {str(s.pk): max(len(s.text), 1) for s in sources}
    keys = [str(m.person_id) for m in coders]
    table = agreement.agreement_table(codings, lengths, coders=keys, units=units)
    rows = [AgreementRow(codes[int(a.code)] if a.code else None, a) for a in table]
    found: list[DisagreementRow] = []
    total = 0
    if with_disagreements:
        differing = agreement.disagreements(
            codings,
            units,
            keys,
            str(disagreement_code.pk) if disagreement_code else None,
        )
        total = len(differing)
        for d in differing[:limit]:
            source = by_pk[d.unit.source]
            found.append(
                DisagreementRow(
                    source,
                    d.unit.start,
                    d.unit.end,
                    source.text[d.unit.start : d.unit.end],
                    d.unit.label,
                    codes[int(d.code)],
                    [names[c] for c in d.coded_by],
                    [names[c] for c in d.not_coded_by],
                )
            )
    return AgreementView(unit, UNITS[unit], list(coders), list(sources), rows, found, total)


# -- The report --------------------------------------------------------------------------------


@dataclass
class Quote:
    text: str
    pseudonym: str
    attributes: list[str]
    source: Source
    segment: CodedSegment

    @property
    def attribution(self) -> str:
        return ", ".join([self.pseudonym, *self.attributes])


@dataclass
class ThemeSection:
    theme: Theme
    codes: list[Code]
    categories: list[str]
    participants: int
    of: int
    segments: int
    quotes: list[Quote]
    chosen: bool  # the quotes were chosen by the team (else picked by Hearth)


@dataclass
class DemographicRow:
    value: str
    n: int
    percent: float


@dataclass
class Demographic:
    attribute: AttributeDefinition
    rows: list[DemographicRow]


@dataclass
class Report:
    study: Study
    participants: int
    sources: int
    segments: int
    coders: list[str]
    themes: list[ThemeSection]
    demographics: list[Demographic]
    basis: str


def _quote_picks(rows: list[SegmentRow], count: int) -> list[SegmentRow]:
    """Quotes from as many different participants as possible, of a readable length."""
    by_participant: defaultdict[int | None, list[SegmentRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: abs(len(r.text) - 220)):
        by_participant[row.participant.pk if row.participant else None].append(row)
    picks: list[SegmentRow] = []
    queues = list(by_participant.values())
    while len(picks) < count and any(queues):
        for queue in queues:
            if queue and len(picks) < count:
                picks.append(queue.pop(0))
    return picks


def report(study: Study, member: StudyMember, *, quotes_per_theme: int = 3) -> Report:
    """Each theme with its reach ("5 of 6 participants") and exemplar quotes, and the
    participants' demographics; from the codings the member may see."""
    codebook = study.codebook
    participants = list(
        Participant.objects.filter(study=study, withdrawn_at__isnull=True, sources__isnull=False)
        .distinct()
        .prefetch_related("values__attribute")
    )
    attributes = list(study.attributes.all())
    labels = {p.pk: _attribute_words(p, attributes) for p in participants}
    segments = list(
        visible_segments(study, member).select_related("coder").order_by("source_id", "start")
    )
    rows = _rows(segments)
    children: defaultdict[int | None, list[int]] = defaultdict(list)
    for pk, parent in codebook.codes.values_list("pk", "parent_id"):
        children[parent].append(pk)

    def under(pks: Iterable[int]) -> set[int]:
        found, stack = set(), list(pks)
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children[pk])
        return found

    counted = {p.pk for p in participants}
    sections = []
    themes = study.themes.prefetch_related("codes", "categories", "exemplars")
    for theme in themes:
        theme_codes = list(theme.codes.all())
        ids = under(c.pk for c in theme_codes)
        mine = [r for r in rows if r.segment.code_id in ids]
        reached = {r.participant.pk for r in mine if r.participant and r.participant.pk in counted}
        chosen_ids = {s.pk for s in theme.exemplars.all()}
        chosen = [r for r in rows if r.segment.pk in chosen_ids]
        picks = chosen or _quote_picks(mine, quotes_per_theme)
        sections.append(
            ThemeSection(
                theme=theme,
                codes=theme_codes,
                categories=[c.label for c in theme.categories.all()],
                participants=len(reached),
                of=len(participants),
                segments=len(mine),
                quotes=[
                    Quote(
                        r.text,
                        r.participant.pseudonym if r.participant else r.speaker or "—",
                        labels.get(r.participant.pk, []) if r.participant else [],
                        r.source,
                        r.segment,
                    )
                    for r in picks
                ],
                chosen=bool(chosen),
            )
        )
    demographics = []
    for attribute in attributes:
        values = Counter(
            next((v.value for v in p.values.all() if v.attribute_id == attribute.pk), "")
            for p in participants
        )
        order = [c for c in attribute.choices if values.get(c)] + sorted(
            v for v in values if v and v not in attribute.choices
        )
        if values.get(""):
            order.append("")
        total = len(participants) or 1
        demographics.append(
            Demographic(
                attribute,
                [
                    DemographicRow(v or "Not recorded", values[v], 100 * values[v] / total)
                    for v in order
                ],
            )
        )
    basis = (
        "every coder's codings (reconciliation is open)"
        if study.reconciliation_open
        else "your own codings (reconciliation is not open yet)"
    )
    return Report(
        study=study,
        participants=len(participants),
        sources=study.sources.count(),
        segments=len(segments),
        coders=sorted({s.coder.display_name for s in segments}),
        themes=sections,
        demographics=demographics,
        basis=basis,
    )


def _attribute_words(
    participant: Participant, attributes: Sequence[AttributeDefinition]
) -> list[str]:
    values = {v.attribute_id: v.value for v in participant.values.all()}
    words = []
    for a in attributes:
        value = values.get(a.pk)
        if not value:
            continue
        if a.key == "years":
            words.append(f"{value} years in the program")
        elif a.key in ("rank", "gender"):
            words.append(value[:1].lower() + value[1:])
        else:
            words.append(value)
    return words


# -- Exports ----------------------------------------------------------------------------------

SEGMENT_COLUMNS = [
    "segment_guid",
    "source",
    "source_guid",
    "participant",
    "speaker",
    "start",
    "end",
    "text",
    "code",
    "code_guid",
    "code_path",
    "themes",
    "coder",
    "coder_guid",
    "coded_at",
]


def _code_paths(codebook: Codebook) -> dict[int, str]:
    codes = {c.pk: c for c in codebook.codes.all()}

    def path(pk: int) -> str:
        names, seen = [], set()
        node: int | None = pk
        while node is not None and node not in seen:
            seen.add(node)
            names.append(codes[node].name)
            node = codes[node].parent_id
        return " / ".join(reversed(names))

    return {pk: path(pk) for pk in codes}


def export_rows(
    study: Study, member: StudyMember, *, anonymous_coders: bool
) -> tuple[list[str], list[dict[str, object]]]:
    """One row per visible coded segment with its codes, coder and participant attributes.

    With `anonymous_coders`, coders are "coder 1", "coder 2" (by when they joined)."""
    attributes = list(study.attributes.all())
    members = {
        m.person_id: (i, m)
        for i, m in enumerate(study.members.select_related("person").order_by("added_at", "pk"), 1)
    }
    paths = _code_paths(study.codebook)
    theme_names: defaultdict[int, list[str]] = defaultdict(list)
    for code_id, name in Theme.codes.through.objects.filter(theme__study=study).values_list(
        "code_id", "theme__name"
    ):
        theme_names[code_id].append(name)
    segments = list(
        visible_segments(study, member)
        .select_related("code", "coder")
        .order_by("source__title", "start", "pk")
    )
    rows = _rows(segments)
    values: defaultdict[int, dict[int, str]] = defaultdict(dict)
    for participant_id, attribute_id, value in AttributeValue.objects.filter(
        participant__study=study
    ).values_list("participant_id", "attribute_id", "value"):
        values[participant_id][attribute_id] = value
    columns = SEGMENT_COLUMNS + [a.key for a in attributes]
    out: list[dict[str, object]] = []
    for r in rows:
        s = r.segment
        number, coder_member = members.get(s.coder_id, (0, None))
        out.append(
            {
                "segment_guid": s.guid,
                "source": r.source.title,
                "source_guid": r.source.guid,
                "participant": r.participant.pseudonym if r.participant else "",
                "speaker": r.speaker,
                "start": s.start,
                "end": s.end,
                "text": r.text,
                "code": s.code.name,
                "code_guid": s.code.guid,
                "code_path": paths.get(s.code_id, s.code.name),
                "themes": "; ".join(theme_names.get(s.code_id, [])),
                "coder": f"coder {number}" if anonymous_coders else s.coder.display_name,
                "coder_guid": coder_member.guid if coder_member else "",
                "coded_at": s.created_at.isoformat(),
                **{
                    a.key: values[r.participant.pk].get(a.pk, "") if r.participant else ""
                    for a in attributes
                },
            }
        )
    return columns, out


def participants_page(study: Study) -> list[Participant]:
    """Participants with their values, consents and source counts, in a fixed number of queries."""
    return list(
        Participant.objects.filter(study=study)
        .annotate(n_sources=Count("sources", distinct=True))
        .prefetch_related(
            "values",
            Prefetch("consents", to_attr="consent_list"),
        )
        .order_by("pseudonym")
    )
