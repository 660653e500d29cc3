"""What a new study starts with: participant attributes, and optionally a starter codebook
(the pulse pillar's six faculty-experience themes) with Rosso's four pathways to meaningful
work as the framework that themes are related to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StarterCode:
    key: str
    name: str
    colour: str
    definition: str
    use_when: str
    not_when: str
    example: str
    pathways: tuple[str, ...]


STARTER_CODES = (
    StarterCode(
        "professional",
        "Becoming a better professional",
        "#9bd1e5",
        "Growth in the mentor's own skills, knowledge or identity as a clinician, teacher or "
        "leader that they put down to mentoring.",
        "The speaker says mentoring changed how they teach, practise, communicate or see "
        "themselves as a professional.",
        "The growth described is the learner's (use Contributing), or it is recognition from "
        "others (use Feeling honored).",
        "“Explaining my reasoning to students every week has made me a more careful clinician.”",
        ("individuation",),
    ),
    StarterCode(
        "connected",
        "Feeling connected",
        "#b5e48c",
        "Belonging, and relationships with learners, co-mentors or the wider community that "
        "the mentoring role builds.",
        "Bonds, belonging, being part of a house or a group, friendships with co-mentors.",
        "The connection is only a means to an end, such as networking for promotion (use "
        "Becoming a better professional).",
        "“The house is the one place at work where I feel I belong.”",
        ("unification",),
    ),
    StarterCode(
        "rejuvenated",
        "Feeling rejuvenated",
        "#f2c14e",
        "Renewed energy or joy, or being reconnected with why the mentor went into medicine.",
        "Energy, joy, meaning, being reminded of purpose; mentoring as a counterweight to burnout.",
        "Relief that comes only from having less work.",
        "“After a brutal week on service, an hour with my group reminds me why I went into "
        "medicine.”",
        ("self-connection",),
    ),
    StarterCode(
        "contributing",
        "Contributing",
        "#cdb4db",
        "Making a difference to learners, the school or the profession; giving back.",
        "Seeing learners grow because of the mentoring, paying forward what the mentor "
        "received, shaping the next generation.",
        "The benefit described goes to the mentor (use the theme that names it).",
        "“When she matched into surgery I knew I had helped make that happen.”",
        ("contribution",),
    ),
    StarterCode(
        "honored",
        "Feeling honored",
        "#f4a6c1",
        "Being trusted, chosen, thanked or valued by learners, colleagues or the institution.",
        "Thanks, awards, being asked to hood a graduate, the trust of a learner in a hard moment.",
        "The speaker describes a lack of recognition (use Harm if it hurts).",
        "“When a student asked me to hood her at graduation I was floored.”",
        ("individuation", "contribution"),
    ),
    StarterCode(
        "harmed",
        "Harm",
        "#f79d84",
        "The costs of the role: emotional burden, time taken from other work, moral distress, "
        "feeling unsupported or unseen.",
        "Exhaustion, worry for learners in crisis, conflict with clinical duties, mentoring "
        "left out of promotion.",
        "A difficulty the speaker frames as a chance to grow, with no cost to them (use "
        "Becoming a better professional).",
        "“Two of my learners were in crisis the same month and I had nothing left for my own "
        "family.”",
        (),
    ),
)

# Rosso, Dekas and Wrzesniewski (2010), "On the meaning of work": four pathways.
FRAMEWORK = (
    (
        "individuation",
        "Individuation",
        "Self and agency: defining and distinguishing the self as valuable and worthy — "
        "autonomy, competence, self-esteem.",
    ),
    (
        "contribution",
        "Contribution",
        "Others and agency: significance and purpose through actions that serve others or a "
        "greater good.",
    ),
    (
        "self-connection",
        "Self-connection",
        "Self and communion: being aligned with who one really is — authenticity, "
        "self-concordance, engagement.",
    ),
    (
        "unification",
        "Unification",
        "Others and communion: belonging and harmony with other people and shared values.",
    ),
)

ATTRIBUTES = (
    (
        "rank",
        "Academic rank",
        ["Instructor", "Assistant professor", "Associate professor", "Professor", "Other"],
    ),
    ("gender", "Gender", ["Woman", "Man", "Non-binary", "Prefer not to say"]),
    (
        "race_ethnicity",
        "Race and ethnicity",
        [
            "Asian",
            "Black or African American",
            "Hispanic or Latino",
            "White",
            "More than one",
            "Another race or ethnicity",
            "Prefer not to say",
        ],
    ),
    ("years", "Years in the program", ["1–2", "3–5", "6 or more"]),
)

# Person.academic_rank values, as the rank attribute words them.
RANKS = {
    "instructor": "Instructor",
    "assistant": "Assistant professor",
    "associate": "Associate professor",
    "full": "Professor",
    "other": "Other",
}

PALETTE = (
    "#9bd1e5",
    "#b5e48c",
    "#f2c14e",
    "#cdb4db",
    "#f4a6c1",
    "#f79d84",
    "#a0c4ff",
    "#ffd6a5",
    "#caffbf",
    "#bdb2ff",
)


def years_band(years: float) -> str:
    if years < 3:
        return "1–2"
    if years < 6:
        return "3–5"
    return "6 or more"
