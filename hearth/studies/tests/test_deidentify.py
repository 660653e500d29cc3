"""De-identification: planted names, emails and phones are all found; strangers are flagged."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.studies.deidentify import (
    KnownPerson,
    OffsetMap,
    Replacement,
    apply,
    map_span,
    propose,
)

ROSTER = [
    KnownPerson("Dr. Adaeze Okafor, MD", "P07", aliases=("Ada",)),
    KnownPerson("Michael Chen", "P03"),
    KnownPerson("Maria de la Cruz", "P11"),
    KnownPerson("Will Turner", "P12"),
    KnownPerson("Grace Park", "P14"),
]
PARTICIPANTS = [KnownPerson("Adaeze Okafor", "P07")]  # the same person on the other list


@dataclass
class Script:
    """A transcript written piece by piece, remembering where each planted item went."""

    text: str = ""
    planted: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, replacement

    def say(self, words: str) -> Script:
        self.text += words
        return self

    def plant(self, words: str, replacement: str) -> Script:
        self.planted.append((len(self.text), len(self.text) + len(words), replacement))
        self.text += words
        return self


def planted_transcript() -> Script:
    s = Script()
    s.say("Interviewer: Tell me about Dr. ").plant("Okafor", "P07").say("'s mentoring.\n")
    s.plant("Okafor", "P07").say(": ").plant("Adaeze", "P07").say(" here; friends say ")
    s.plant("Ada", "P07").say(". I will say that ").plant("Michael Chen", "P03")
    s.say(" and Dr. ").plant("de la Cruz", "P11").say(" helped, and ").plant("Will", "P12")
    s.say(" too. ").plant("Chen", "P03").say("’s clinic, ").plant("Cruz", "P11")
    s.say("'s ward, and ").plant("Maria de la Cruz", "P11").say(" herself.\n")
    s.say("Interviewer: Anyone else?\nP07: ").plant("GRACE PARK", "P14")
    s.say(" and ").plant("adaeze okafor", "P07").say(" wrote the grace period policy. Mr. ")
    s.plant("Turner", "P12").say(" agreed.\n")
    s.say("Interviewer: How can people reach you?\nP07: Email ")
    s.plant("a.okafor@med.example.edu", "[email]").say(" or ")
    s.plant("mchen+mentoring@example.org", "[email]").say(", or ")
    s.plant("Maria.DeLaCruz@hospital.example.co.uk", "[email]").say(". Call ")
    s.plant("(555) 123-4567", "[phone]").say(", ").plant("555.987.6543 ext. 12", "[phone]")
    s.say(", ").plant("+44 20 7946 0958", "[phone]").say(", ")
    s.plant("+1-800-555-0199", "[phone]").say(", ").plant("+49 (0)30 1234567", "[phone]")
    s.say(", ").plant("020 7946 0958 x204", "[phone]").say(", ")
    s.plant("+91 98765 43210", "[phone]").say(" or ")
    s.plant("555-234-5678 extension 3", "[phone]").say(".\n")
    # Strangers and decoys: none of this may be replaced.
    s.say("Interviewer: And then?\n")
    s.say("P07: Then Dr. Nguyen said Priya Raman was right, so I told Sanjay about it on ")
    s.say("2024-03-12 at 10:30 in room 204. As a PGY-3 I wrote 1,500 words for Step 1, ICD-10 ")
    s.say("codes, version 2.3.1, $25,000, 3-4 times a week, from 2019 to 2020. The chenille ")
    s.say("blanket from Okaforville was nice.\n")
    return s


def test_planted_items_are_all_found_and_nothing_else_is_replaced() -> None:
    script = planted_transcript()
    proposal = propose(script.text, ROSTER + PARTICIPANTS)
    found = {(r.start, r.end, r.replacement) for r in proposal.replacements}
    planted = set(script.planted)
    recall = len(found & planted) / len(planted)
    precision = len(found & planted) / len(found)
    assert recall == 1.0, sorted(planted - found)
    assert precision == 1.0, sorted(found - planted)
    kinds = [replacement for _start, _end, replacement in planted]
    assert (kinds.count("[email]"), kinds.count("[phone]"), len(kinds)) == (3, 8, 24)
    for r in proposal.replacements:
        assert script.text[r.start : r.end] == r.original


def test_kinds_and_titles_are_kept() -> None:
    script = planted_transcript()
    proposal = propose(script.text, ROSTER)
    kinds = {r.kind for r in proposal.replacements}
    assert kinds == {"name", "email", "phone"}
    result = apply(script.text, proposal.replacements)
    assert result.startswith("Interviewer: Tell me about Dr. P07's mentoring.\nP07: P07 here;")
    assert "Dr. P11 helped, and P12 too. P03’s clinic, P11's ward" in result
    assert "Mr. P12 agreed." in result
    assert "Call [phone], [phone], [phone]" in result
    assert "I will say" in result and "grace period" in result


def test_strangers_are_reported_never_replaced() -> None:
    script = planted_transcript()
    proposal = propose(script.text, ROSTER)
    flagged = {s.text: s.why for s in proposal.unhandled}
    assert "Nguyen" in flagged and "after 'Dr'" in flagged["Nguyen"]
    assert "Priya Raman" in flagged and "look like a name" in flagged["Priya Raman"]
    assert "Sanjay" in flagged and "mid-sentence" in flagged["Sanjay"]
    originals = {r.original for r in proposal.replacements}
    assert not originals & {"Nguyen", "Priya", "Raman", "Priya Raman", "Sanjay"}
    replaced = [(r.start, r.end) for r in proposal.replacements]
    for s in proposal.unhandled:
        assert script.text[s.start : s.end] == s.text
        assert all(s.end <= start or end <= s.start for start, end in replaced)


def test_common_words_are_not_flagged() -> None:
    text = (
        "Interviewer: So, how was the ICU in March?\n"
        "P07: Honestly the Hospital and the Department of Medicine on Zoom were fine. "
        "Yeah, I think English is hard."
    )
    proposal = propose(text, ROSTER)
    assert proposal.replacements == ()
    assert proposal.unhandled == ()


def test_a_name_shared_by_two_people_is_left_for_a_person_to_choose() -> None:
    people = [KnownPerson("Sarah Lee", "P03"), KnownPerson("Sarah Kim", "P07")]
    text = "Sarah Lee met Sarah, then Sarah Kim."
    proposal = propose(text, people)
    assert [(r.original, r.replacement) for r in proposal.replacements] == [
        ("Sarah Lee", "P03"),
        ("Sarah Kim", "P07"),
    ]
    (suspect,) = proposal.unhandled
    assert (suspect.start, suspect.text) == (14, "Sarah")
    assert "P03, P07" in suspect.why


def test_names_that_are_words_match_only_capitalised() -> None:
    text = "Will said he will hope for the best; Hope agreed. I am young; Dr. Young is not."
    people = [KnownPerson("Will Turner", "P12"), KnownPerson("Hope Young", "P20")]
    replaced = [(r.start, r.original) for r in propose(text, people).replacements]
    assert replaced == [(0, "Will"), (37, "Hope"), (66, "Young")]


def test_initials_and_middle_names() -> None:
    people = [KnownPerson("John J. O’Neil", "P30")]
    text = "John J. O'Neil met john o’neil. Then O’Neil's team and John. Neil stayed."
    replaced = [(r.original, r.replacement) for r in propose(text, people).replacements]
    assert replaced == [
        ("John J. O'Neil", "P30"),
        ("john o’neil", "P30"),
        ("O’Neil", "P30"),
        ("John", "P30"),
    ]


def test_extra_terms() -> None:
    text = "I trained at Mercy General, then mercy  general again, near Lakeside."
    proposal = propose(text, [], extra_terms=["Mercy General", ("Lakeside", "[town]")])
    assert [(r.original, r.replacement, r.kind) for r in proposal.replacements] == [
        ("Mercy General", "[redacted]", "term"),
        ("mercy  general", "[redacted]", "term"),
        ("Lakeside", "[town]", "term"),
    ]


def test_names_inside_emails_belong_to_the_email() -> None:
    proposal = propose("Write to adaeze.okafor@example.edu today.", ROSTER)
    assert [(r.original, r.kind) for r in proposal.replacements] == [
        ("adaeze.okafor@example.edu", "email")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "On 2024-03-12 at 10:30",
        "dated 12/03/2024 or 03.12.2024",
        "MRN 12345678",
        "ICD-10 and PGY-3",
        "version 2.3.1",
        "$25,000 or 1,500,000",
        "3-4 times, 20-30 minutes",
        "from 2019 to 2020",
        "pages 100-200",
    ],
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert propose(text, []).replacements == ()


def test_a_second_pass_finds_nothing_left() -> None:
    script = planted_transcript()
    once = apply(script.text, propose(script.text, ROSTER).replacements)
    again = propose(once, ROSTER)
    assert again.replacements == ()


# -- apply and offsets --------------------------------------------------------------------


def test_apply_refuses_stale_or_overlapping_replacements() -> None:
    text = "Ask Okafor."
    good = Replacement(4, 10, "Okafor", "P07", "name")
    assert apply(text, [good]) == "Ask P07."
    with pytest.raises(ValueError, match="changed since the proposal"):
        apply("Ask Okafur.", [good])
    with pytest.raises(ValueError, match="must not overlap"):
        apply(text, [good, Replacement(5, 7, "ka", "x", "term")])


def test_offset_map_moves_coded_segments() -> None:
    text = "Dr. Okafor's advice helped me, said Michael Chen."
    proposal = propose(text, ROSTER)
    result = apply(text, proposal.replacements)
    assert result == "Dr. P07's advice helped me, said P03."
    offsets = OffsetMap(proposal.replacements)
    advice = (text.index("advice"), text.index("advice") + len("advice helped me"))
    start, end = offsets.span(*advice)
    assert result[start:end] == "advice helped me"
    whole = offsets.span(0, len(text))
    assert whole == (0, len(result))
    # A segment that cuts into a name keeps the whole pseudonym.
    start, end = offsets.span(text.index("Okafor") + 2, text.index("'s"))
    assert result[start:end] == "P07"
    start, end = map_span(text.index("said"), text.index("Chen") + 2, proposal.replacements)
    assert result[start:end] == "said P03"
    with pytest.raises(ValueError, match="before it starts"):
        offsets.span(5, 4)


@st.composite
def texts_with_replacements(draw: st.DrawFn) -> tuple[str, list[Replacement]]:
    text = draw(st.text(alphabet="abcdef ", min_size=0, max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    replacements = []
    previous_end = 0
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if a < previous_end or a == b:
            continue
        new = draw(st.text(alphabet="XYZ", max_size=6))
        replacements.append(Replacement(a, b, text[a:b], new, "term"))
        previous_end = b
    return text, replacements


@given(texts_with_replacements())
def test_offsets_outside_replacements_keep_the_text_around_them(
    case: tuple[str, list[Replacement]],
) -> None:
    text, replacements = case
    result = apply(text, replacements)
    offsets = OffsetMap(replacements)
    for p in range(len(text) + 1):
        inside = [r for r in replacements if r.start < p < r.end]
        if inside:
            (r,) = inside
            before = [q for q in replacements if q.end <= r.start]
            new_start = len(apply(text[: r.start], before))
            assert offsets.start(p) == new_start
            assert offsets.end(p) == new_start + len(r.replacement)
        else:
            before = [q for q in replacements if q.end <= p]
            assert offsets.start(p) == offsets.end(p) == len(apply(text[:p], before))
    for a in range(len(text) + 1):
        for b in range(a, len(text) + 1):
            start, end = offsets.span(a, b)
            assert 0 <= start <= end <= len(result)
