"""Ranked choices imported from a CSV or XLSX file, all or nothing: learners' communities,
and mentoring round participants' people of the other side."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from hearth.communities.models import Cohort, Community
from hearth.communities.roster import RosterFileError, RowError, Table, read_table
from hearth.people.models import Person

from .models import CommunityPreference, MentoringRound, RoundParticipant, Side

CHOICE_COLUMNS = ("first_choice", "second_choice", "third_choice", "fourth_choice")
ROUND_CHOICE_COLUMNS = (*CHOICE_COLUMNS, "fifth_choice")
TEMPLATE = "email,first_choice,second_choice,third_choice\n"


class PreferencesInvalid(Exception):
    """The file has row errors, so nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors; nothing was written.")
        self.errors = errors


@dataclass
class PreferencesImported:
    learners: int = 0
    choices: int = 0
    errors: list[RowError] = field(default_factory=list)


@transaction.atomic
def preferences_import(*, cohort: Cohort, filename: str, content: bytes) -> PreferencesImported:
    """Replace the ranked choices of every learner in the file; any bad row changes nothing.
    Raises RosterFileError when the file cannot be read, PreferencesInvalid for bad rows."""
    table = read_table(filename=filename, content=content)
    header, errors = _header(table, CHOICE_COLUMNS)
    communities = {
        c.name.casefold(): c for c in Community.objects.filter(program=cohort.program_id)
    }
    rows = [(number, dict(zip(header, cells, strict=False))) for number, cells in table.rows]
    emails = {cells.get("email", "").strip().lower() for _, cells in rows}
    learners = {
        p.email.lower(): p
        for p in Person.objects.filter(email__in=emails, class_year=cohort.class_year)
    }
    seen: dict[str, int] = {}
    wanted: list[CommunityPreference] = []
    for number, cells in rows:
        email = cells.get("email", "").strip().lower()
        learner = learners.get(email)
        if not email:
            errors.append(RowError(number, "email", "is empty"))
            continue
        if learner is None:
            errors.append(
                RowError(number, "email", f"no learner of the {cohort.name} has the email {email}")
            )
            continue
        if email in seen:
            errors.append(RowError(number, "email", f"{email} is also on row {seen[email]}"))
            continue
        seen[email] = number
        ranked: list[Community] = []
        for column in CHOICE_COLUMNS:
            name = cells.get(column, "").strip()
            if not name:
                continue
            community = communities.get(name.casefold())
            if community is None:
                known = ", ".join(sorted(c.name for c in communities.values()))
                errors.append(
                    RowError(number, column, f"no community is called “{name}” ({known})")
                )
            elif community in ranked:
                errors.append(RowError(number, column, f"{community.name} is chosen twice"))
            else:
                ranked.append(community)
        if not any(cells.get(column, "").strip() for column in CHOICE_COLUMNS):
            errors.append(RowError(number, "first_choice", "no community is chosen"))
        wanted += [
            CommunityPreference(cohort=cohort, learner=learner, community=c, rank=rank)
            for rank, c in enumerate(ranked, start=1)
        ]
    if errors:
        raise PreferencesInvalid(errors)
    CommunityPreference.objects.filter(
        cohort=cohort, learner__in=[learners[e] for e in seen]
    ).delete()
    CommunityPreference.objects.bulk_create(wanted)
    return PreferencesImported(learners=len(seen), choices=len(wanted))


def _header(table: Table, columns: tuple[str, ...]) -> tuple[list[str], list[RowError]]:
    header = [h.strip().lower() for h in table.header]
    missing = [c for c in ("email", "first_choice") if c not in header]
    if missing:
        raise RosterFileError(
            f"The first row must name the columns; “{'”, “'.join(missing)}” "
            f"{'is' if len(missing) == 1 else 'are'} missing. Expected: email, "
            + ", ".join(columns)
            + "."
        )
    unknown = [h for h in header if h and h not in ("email", *columns)]
    return header, [RowError(1, h, "unknown column") for h in unknown]


@transaction.atomic
def round_preferences_import(
    *, round_: MentoringRound, filename: str, content: bytes
) -> PreferencesImported:
    """Replace the ranked choices of every participant in the file, each naming people of the
    other side by email; any bad row changes nothing. Raises RosterFileError when the file
    cannot be read, PreferencesInvalid for bad rows, ValidationError when the round is closed."""
    from .services import round_preferences_set

    if not round_.takes_choices:
        raise ValidationError(f"{round_.name} is closed: its choices can no longer change.")
    table = read_table(filename=filename, content=content)
    header, errors = _header(table, ROUND_CHOICE_COLUMNS)
    participants = {
        p.person.email.lower(): p
        for p in RoundParticipant.objects.filter(round=round_).select_related("person")
    }
    seen: dict[str, int] = {}
    wanted: list[tuple[Person, list[Person]]] = []
    for number, cells in ((n, dict(zip(header, c, strict=False))) for n, c in table.rows):
        email = cells.get("email", "").strip().lower()
        chooser = participants.get(email)
        if not email:
            errors.append(RowError(number, "email", "is empty"))
            continue
        if chooser is None:
            errors.append(
                RowError(number, "email", f"nobody in {round_.name} has the email {email}")
            )
            continue
        if email in seen:
            errors.append(RowError(number, "email", f"{email} is also on row {seen[email]}"))
            continue
        seen[email] = number
        ranked: list[Person] = []
        for column in ROUND_CHOICE_COLUMNS:
            chosen_email = cells.get(column, "").strip().lower()
            if not chosen_email:
                continue
            chosen = participants.get(chosen_email)
            if chosen is None:
                errors.append(
                    RowError(
                        number, column, f"nobody in {round_.name} has the email {chosen_email}"
                    )
                )
            elif chosen.side == chooser.side:
                others = "mentors" if chooser.side == Side.MENTEE else "mentees"
                errors.append(
                    RowError(
                        number,
                        column,
                        f"{chosen.person.display_name} is a {chosen.get_side_display().lower()} "
                        f"too; choose among the {others}",
                    )
                )
            elif chosen.person in ranked:
                errors.append(
                    RowError(number, column, f"{chosen.person.display_name} is chosen twice")
                )
            else:
                ranked.append(chosen.person)
        if not any(cells.get(column, "").strip() for column in ROUND_CHOICE_COLUMNS):
            errors.append(RowError(number, "first_choice", "nobody is chosen"))
        wanted.append((chooser.person, ranked))
    if errors:
        raise PreferencesInvalid(errors)
    for chooser_person, ranked in wanted:
        round_preferences_set(round_=round_, chooser=chooser_person, chosen=ranked)
    return PreferencesImported(learners=len(wanted), choices=sum(len(r) for _, r in wanted))
