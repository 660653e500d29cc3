"""Roster import: read a CSV or XLSX file, plan what it would change, and apply the plan
atomically through the membership services."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hearth.lib import zipsafety
from hearth.people.models import AcademicRank, Interest, Person

from . import services
from .models import Community, GroupMembership, MemberRole, MentorGroup, Program, RosterImport

MAX_ROWS = 10_000
DEFAULT_TIME_ZONE = str(Person._meta.get_field("time_zone").default)
FORMATS = ("csv", "xlsx")


class RosterFileError(Exception):
    """The file as a whole cannot be read; one message says why."""


class RosterInvalid(Exception):
    """The file has row errors, so nothing was written."""

    def __init__(self, plan: RosterPlan) -> None:
        super().__init__(f"{len(plan.errors)} errors; nothing was written.")
        self.plan = plan


class RosterAlreadyApplied(Exception):
    """This upload was imported before; importing it again would do it twice."""


class CellProblem(ValueError):
    """A cell's value is not acceptable; the message is the reason shown to the director."""


# --- Cell cleaners: each takes the stripped cell text and returns the value or raises. ---


def _text(max_length: int) -> Callable[[str], str]:
    def clean(value: str) -> str:
        if len(value) > max_length:
            raise CellProblem(f"is {len(value)} characters long; the most is {max_length}")
        return value

    return clean


def _email(value: str) -> str:
    value = value.lower()
    try:
        validate_email(value)
    except ValidationError as error:
        raise CellProblem(f"“{value}” is not a valid email address") from error
    return value


def _role(value: str) -> str:
    if value.lower() not in MemberRole.values:
        raise CellProblem(f"unknown role “{value}” (use learner or mentor)")
    return value.lower()


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(value: str) -> dt.date:
    if _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CellProblem(f"“{value}” is not a date in the form YYYY-MM-DD (for example 2025-08-01)")


def _class_year(value: str) -> int:
    if not value.isdigit():
        raise CellProblem(f"class year “{value}” is not a number (for example 2030)")
    year = int(value)
    if not 1900 <= year <= 2200:
        raise CellProblem(f"class year {year} is not a graduation year (for example 2030)")
    return year


def _learner_year(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 6:
        raise CellProblem(f"learner year “{value}” is not a whole number from 1 to 6")
    return int(value)


def _time_zone(value: str) -> str:
    if value not in zoneinfo.available_timezones():
        raise CellProblem(f"unknown time zone “{value}” (use an IANA name such as America/Chicago)")
    return value


def _rank(value: str) -> str:
    for choice, label in AcademicRank.choices:
        if value.lower() in (choice, label.lower()):
            return choice
    raise CellProblem(f"unknown academic rank “{value}” (use {', '.join(AcademicRank.values)})")


def _interests(value: str) -> tuple[str, ...]:
    names: dict[str, str] = {}
    for name in (part.strip() for part in value.split(";")):
        if len(name) > 80:
            raise CellProblem(f"interest “{name[:30]}…” is longer than 80 characters")
        if name:
            names.setdefault(name.casefold(), name)
    return tuple(names.values())


@dataclass(frozen=True)
class Column:
    name: str
    requirement: str
    format: str
    example: str
    clean: Callable[[str], Any]
    # The Person attribute this column sets, if any.
    person_field: str = ""


COLUMNS: list[Column] = [
    Column(
        "email",
        "Required",
        "Email address; finds an existing person when no external_id matches",
        "ana.ruiz@school.edu",
        _email,
    ),
    Column(
        "external_id",
        "Optional",
        "The school's identifier, up to 64 characters; finds a person before email does",
        "S1234567",
        _text(64),
        person_field="external_id",
    ),
    Column(
        "display_name",
        "Required for a new person",
        "Full name as people should see it",
        "Ana Ruiz",
        _text(150),
        person_field="display_name",
    ),
    Column(
        "role",
        "Required with community and group",
        "learner or mentor",
        "learner",
        _role,
    ),
    Column(
        "community",
        "With group",
        "The name of a community (house) of this program",
        "Apgar House",
        _text(150),
    ),
    Column(
        "group",
        "With community",
        "The name of a mentor group in that community",
        "Apgar 1",
        _text(150),
    ),
    Column(
        "start_date",
        "Required with a group",
        "YYYY-MM-DD: the first day in the group",
        "2025-08-01",
        _date,
    ),
    Column(
        "class_year",
        "Optional (learners)",
        "Graduation year of the learner's class",
        "2030",
        _class_year,
        person_field="class_year",
    ),
    Column(
        "learner_year",
        "Optional (learners)",
        "Year of study, a whole number from 1 to 6",
        "1",
        _learner_year,
        person_field="learner_year",
    ),
    Column(
        "pronouns",
        "Optional",
        "Up to 40 characters",
        "she/her",
        _text(40),
        person_field="pronouns",
    ),
    Column(
        "time_zone",
        "Optional",
        f"IANA time zone name; a new person without one gets {DEFAULT_TIME_ZONE}",
        "America/Chicago",
        _time_zone,
        person_field="time_zone",
    ),
    Column(
        "department",
        "Optional",
        "Up to 150 characters",
        "Internal Medicine",
        _text(150),
        person_field="department",
    ),
    Column(
        "academic_rank",
        "Optional (mentors)",
        "One of " + ", ".join(AcademicRank.values),
        "associate",
        _rank,
        person_field="academic_rank",
    ),
    Column(
        "interests",
        "Optional",
        "Separated by semicolons; replaces the person's list",
        "ethics; global health",
        _interests,
    ),
]
COLUMNS_BY_NAME = {column.name: column for column in COLUMNS}
REQUIRED_HEADERS = ("email",)


def columns_markdown() -> str:
    """The column table as Markdown, for the README."""
    lines = ["| Column | Required | Format | Example |", "| --- | --- | --- | --- |"]
    for c in COLUMNS:
        lines.append(f"| `{c.name}` | {c.requirement} | {c.format} | `{c.example}` |")
    return "\n".join(lines)


# --- Reading files ---


@dataclass
class Table:
    header: list[str]
    # (spreadsheet row number, cell texts) for every non-blank row below the header.
    rows: list[tuple[int, list[str]]]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        # Spreadsheets turn typed dates into datetimes at midnight.
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _bounded(rows: Iterable[list[str]], filename: str) -> list[list[str]]:
    """The rows, stopping early once there are too many: a small compressed file can hold
    millions."""
    grid, filled = [], 0
    for row in rows:
        grid.append(row)
        filled += any(row)
        if filled > MAX_ROWS + 1:
            raise RosterFileError(
                f"“{filename}” has more than {MAX_ROWS:,} rows; split it into smaller files."
            )
    return grid


def _read_csv(content: bytes, filename: str) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterFileError(
            f"“{filename}” is not UTF-8 text. In your spreadsheet, save it as "
            "“CSV UTF-8 (Comma delimited)” and upload it again."
        ) from error
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        return _bounded(([cell.strip() for cell in row] for row in rows), filename)
    except csv.Error as error:
        raise RosterFileError(f"“{filename}” could not be read as CSV ({error}).") from error


def _read_xlsx(content: bytes, filename: str) -> list[list[str]]:
    unreadable = RosterFileError(
        f"“{filename}” could not be read as an Excel workbook; it may be damaged or an "
        "older .xls file. Open it and save it again as .xlsx, or save it as CSV."
    )
    # An .xlsx is a zip of XML that openpyxl inflates whole: refuse a bomb before it does.
    try:
        zipsafety.open_zip(content, what=f"“{filename}”").close()
    except zipsafety.NotAZip:
        raise unreadable from None
    except zipsafety.UnsafeZip as error:
        raise RosterFileError(f"{error} Hearth did not open it.") from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
            return _bounded(rows, filename)
        finally:
            workbook.close()
    except RosterFileError:
        raise
    # openpyxl raises many kinds of error for a damaged or mislabelled file.
    except Exception as error:
        raise unreadable from error


def import_limit() -> int:
    """The largest roster or spreadsheet import, in bytes (a setting)."""
    return int(settings.HEARTH_MAX_IMPORT_BYTES)


def check_size(*, filename: str, size: int) -> None:
    limit = import_limit()
    if size > limit:
        raise RosterFileError(
            f"“{filename}” is {filesizeformat(size)}; the most Hearth accepts is "
            f"{filesizeformat(limit)}. Split the roster into smaller files."
        )


class SpreadsheetField(forms.FileField):
    """A CSV or XLSX upload, refused by its size before anything reads it into memory."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            try:
                check_size(filename=upload.name, size=upload.size)
            except RosterFileError as error:
                raise forms.ValidationError(str(error)) from None
        return upload


def read_table(*, filename: str, content: bytes) -> Table:
    """Parse an uploaded file into a header and numbered rows, or say why it cannot be read."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise RosterFileError(
            f"Hearth imports .csv and .xlsx files; “{filename}” is neither. Save the "
            "spreadsheet as CSV UTF-8 or as an Excel workbook (.xlsx)."
        )
    check_size(filename=filename, size=len(content))
    if not content.strip(b"\xef\xbb\xbf \t\r\n"):
        raise RosterFileError(f"“{filename}” is empty.")
    grid = _read_csv(content, filename) if extension == "csv" else _read_xlsx(content, filename)
    numbered = [(n, row) for n, row in enumerate(grid, start=1) if any(row)]
    if not numbered:
        raise RosterFileError(f"“{filename}” is empty.")
    if numbered[0][0] != 1:
        raise RosterFileError(
            f"The first row of “{filename}” is blank; it must hold the column names "
            "(download a template to see them)."
        )
    return Table(header=numbered[0][1], rows=numbered[1:])


def template_csv() -> bytes:
    # The byte-order mark makes Excel open the file as UTF-8.
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.name for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    workbook = Workbook()
    roster = workbook.active
    roster.title = "Roster"
    roster.append([c.name for c in COLUMNS])
    for cell in roster[1]:
        cell.font = Font(bold=True)
        # Text cells keep dates and years as the director typed them.
        roster.column_dimensions[cell.column_letter].number_format = "@"
        roster.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    roster.freeze_panes = "A2"
    # Only the first sheet is imported; the second documents the columns.
    guide = workbook.create_sheet("Columns")
    guide.append(["Column", "Required", "Format", "Example"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for c in COLUMNS:
        guide.append([c.name, c.requirement, c.format, c.example])
    for letter, width in zip("ABCD", (16, 34, 60, 24), strict=True):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Planning ---


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass(frozen=True)
class Change:
    column: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.column}: {self.old or '—'} → {self.new}"


@dataclass(frozen=True)
class Placement:
    group: MentorGroup
    role: str
    start_date: dt.date

    def __str__(self) -> str:
        return (
            f"{self.group.name} ({self.group.community.name}) as {self.role} "
            f"from {self.start_date.isoformat()}"
        )


@dataclass
class RowPlan:
    row: int
    email: str
    display_name: str
    person: Person | None
    values: dict[str, Any] = field(default_factory=dict)
    interests: tuple[str, ...] | None = None
    changes: list[Change] = field(default_factory=list)
    placement: Placement | None = None

    @property
    def label(self) -> str:
        return f"{self.display_name} <{self.email}>"

    @property
    def action(self) -> str:
        if self.person is None:
            return "create"
        return "update" if self.changes or self.placement else "unchanged"

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "label": self.label,
            "changes": [str(c) for c in self.changes],
            "placement": str(self.placement) if self.placement else "",
        }


@dataclass
class RosterPlan:
    create: list[RowPlan] = field(default_factory=list)
    update: list[RowPlan] = field(default_factory=list)
    unchanged: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "create": len(self.create),
            "update": len(self.update),
            "unchanged": len(self.unchanged),
            "errors": len(self.errors),
        }


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


class _Planner:
    """Reads the program and the people the file names once, then checks row by row."""

    def __init__(self, program: Program, table: Table) -> None:
        self.program = program
        self.table = table
        self.plan = RosterPlan()
        self.columns: list[str | None] = []
        self.first_row_of: dict[tuple[str, str], int] = {}
        self.learners_added: dict[int, int] = {}

    def run(self) -> RosterPlan:
        if not self._check_header():
            return self.plan
        rows = [(n, self._cells(n, cells)) for n, cells in self.table.rows]
        self._load(rows)
        for number, cells in rows:
            self._row(number, cells)
        # Row by row, then in the order of the columns, as the director reads the sheet.
        order = {name: i for i, name in enumerate(self.columns) if name}
        self.plan.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
        return self.plan

    def _error(self, row: int, column: str, reason: str) -> None:
        self.plan.errors.append(RowError(row, column, reason))

    def _check_header(self) -> bool:
        seen: set[str] = set()
        for position, raw in enumerate(self.table.header, start=1):
            name = raw.strip().lower()
            if not name:
                self.columns.append(None)
            elif name not in COLUMNS_BY_NAME:
                self._error(
                    1, raw, f"unknown column “{raw}”; the columns are listed on the import page"
                )
                self.columns.append(None)
            elif name in seen:
                self._error(1, name, f"column “{name}” appears twice (again in column {position})")
                self.columns.append(None)
            else:
                seen.add(name)
                self.columns.append(name)
        for name in REQUIRED_HEADERS:
            if name not in seen:
                self._error(1, name, f"the required column “{name}” is missing")
        return all(name in seen for name in REQUIRED_HEADERS)

    def _cells(self, number: int, cells: list[str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for position, text in enumerate(cells):
            name = self.columns[position] if position < len(self.columns) else None
            if name is not None:
                values[name] = text
            elif text and (position >= len(self.table.header) or not self.table.header[position]):
                self._error(
                    number,
                    get_column_letter(position + 1),
                    f"“{text}” is in a column without a name in the first row",
                )
        return values

    def _load(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        emails = {cells.get("email", "").lower() for _, cells in rows} - {""}
        external_ids = {cells.get("external_id", "") for _, cells in rows} - {""}
        people = (
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(Q(email_lower__in=emails) | Q(external_id__in=external_ids))
            .prefetch_related("interests")
        )
        self.by_email = {p.email.lower(): p for p in people}
        self.by_external_id = {p.external_id: p for p in people if p.external_id}
        self.open_memberships: dict[int, list[GroupMembership]] = {}
        for membership in GroupMembership.objects.filter(
            program=self.program, end_date__isnull=True, person__in=list(self.by_email.values())
        ).select_related("group"):
            self.open_memberships.setdefault(membership.person_id, []).append(membership)
        groups = MentorGroup.objects.filter(community__program=self.program).select_related(
            "community"
        )
        groups = groups.annotate(
            open_learners=Count(
                "memberships",
                filter=Q(memberships__role=MemberRole.LEARNER, memberships__end_date__isnull=True),
            )
        )
        self.communities: dict[str, Community] = {}
        self.groups: dict[tuple[int, str], MentorGroup] = {}
        for group in groups:
            self.communities[_fold(group.community.name)] = group.community
            self.groups[(group.community_id, _fold(group.name))] = group
        for community in Community.objects.filter(program=self.program):
            self.communities.setdefault(_fold(community.name), community)

    def _row(self, number: int, cells: dict[str, str]) -> None:
        errors_before = len(self.plan.errors)
        values: dict[str, Any] = {}
        for name, text in cells.items():
            if text:
                try:
                    values[name] = COLUMNS_BY_NAME[name].clean(text)
                except CellProblem as problem:
                    self._error(number, name, str(problem))
        if not cells.get("email"):
            self._error(number, "email", "email is required")
        email, external_id = values.get("email", ""), values.get("external_id", "")
        if not self._unique_in_file(number, "email", email) or not self._unique_in_file(
            number, "external_id", external_id
        ):
            return
        matched, person = self._match(number, email, external_id)
        if matched and email and person is None and not values.get("display_name"):
            self._error(number, "display_name", "display_name is required for a new person")
        row = RowPlan(
            row=number,
            email=email,
            display_name=values.get("display_name") or (person.display_name if person else ""),
            person=person,
            values={
                c.person_field: values[c.name]
                for c in COLUMNS
                if c.person_field and c.name in values
            },
            interests=values.get("interests"),
        )
        row.changes = self._changes(row)
        row.placement = self._placement(number, cells, values, person)
        if len(self.plan.errors) == errors_before:
            getattr(self.plan, row.action).append(row)

    def _unique_in_file(self, number: int, column: str, value: str) -> bool:
        if not value:
            return True
        earlier = self.first_row_of.setdefault((column, value.lower()), number)
        if earlier != number:
            self._error(number, column, f"{value} is also on row {earlier}; list each person once")
            return False
        return True

    def _match(self, number: int, email: str, external_id: str) -> tuple[bool, Person | None]:
        """(whether the row matched without conflict, the existing person or None)."""
        if not email:
            return False, None
        by_email = self.by_email.get(email)
        if external_id:
            by_id = self.by_external_id.get(external_id)
            if by_id is not None and by_id.email.lower() != email:
                self._error(
                    number,
                    "external_id",
                    f"external_id {external_id} belongs to a person with a different email",
                )
                return False, None
            if by_email is not None and by_email.external_id not in ("", external_id):
                self._error(
                    number,
                    "external_id",
                    f"{email} has external_id {by_email.external_id} in Hearth, not {external_id}",
                )
                return False, None
        return True, by_email

    def _changes(self, row: RowPlan) -> list[Change]:
        changes = []
        for name, new in row.values.items():
            old = getattr(row.person, name) if row.person else None
            if old != new:
                changes.append(Change(name, "" if old is None else str(old), str(new)))
        if row.interests is not None:
            old_names = sorted(i.name for i in row.person.interests.all()) if row.person else []
            if sorted(map(str.casefold, old_names)) != sorted(map(str.casefold, row.interests)):
                changes.append(Change("interests", "; ".join(old_names), "; ".join(row.interests)))
        return changes

    def _placement(
        self, number: int, cells: dict[str, str], values: dict[str, Any], person: Person | None
    ) -> Placement | None:
        community_name, group_name = cells.get("community", ""), cells.get("group", "")
        if not community_name and not group_name:
            return None
        if not group_name:
            self._error(number, "group", "group is required with a community")
        if not community_name:
            self._error(number, "community", "community is required with a group")
        if not values.get("role") and not cells.get("role"):
            self._error(number, "role", "role is required with a group (learner or mentor)")
        if not cells.get("start_date"):
            self._error(number, "start_date", "start_date is required with a group (YYYY-MM-DD)")
        if not community_name or not group_name:
            return None
        community = self.communities.get(_fold(community_name))
        if community is None:
            known = ", ".join(sorted(c.name for c in self.communities.values()))
            self._error(
                number,
                "community",
                f"unknown community “{community_name}” in {self.program.name} "
                f"(communities: {known})",
            )
            return None
        group = self.groups.get((community.pk, _fold(group_name)))
        if group is None:
            known = ", ".join(
                sorted(g.name for (cid, _), g in self.groups.items() if cid == community.pk)
            )
            self._error(
                number,
                "group",
                f"unknown group “{group_name}” in {community.name} (groups: {known or 'none'})",
            )
            return None
        role, start_date = values.get("role"), values.get("start_date")
        if role is None or start_date is None:
            return None
        held = self.open_memberships.get(person.pk, []) if person else []
        in_group = next((m for m in held if m.group_id == group.pk), None)
        if in_group is not None:
            if in_group.role != role:
                self._error(
                    number,
                    "role",
                    f"already a {in_group.role} in {group.name} since "
                    f"{in_group.start_date.isoformat()}",
                )
            return None
        if role == MemberRole.LEARNER:
            other = next((m for m in held if m.role == MemberRole.LEARNER), None)
            if other is not None:
                self._error(
                    number,
                    "group",
                    f"already in {other.group.name} since {other.start_date.isoformat()}; "
                    "move learners on the group page",
                )
                return None
            added = self.learners_added.get(group.pk, 0) + 1
            self.learners_added[group.pk] = added
            if group.open_learners + added > group.capacity:  # type: ignore[attr-defined]
                self._error(
                    number,
                    "group",
                    f"{group.name} is full: capacity {group.capacity}, "
                    f"{group.open_learners} learners now and {added - 1} earlier in this file",  # type: ignore[attr-defined]
                )
                return None
        return Placement(group=group, role=role, start_date=start_date)


def roster_plan(*, program: Program, table: Table) -> RosterPlan:
    """What importing this table into the program would do, and every error; writes nothing."""
    return _Planner(program, table).run()


# --- Uploading and applying ---


def roster_upload(
    *, program: Program, uploaded_by: Person | None, filename: str, content: bytes
) -> RosterImport:
    """Keep a readable file for preview; a file that cannot be read is refused and not stored."""
    table = read_table(filename=filename, content=content)
    if not table.rows:
        raise RosterFileError(f"“{filename}” has column names but no rows below them.")
    plan = roster_plan(program=program, table=table)
    return RosterImport.objects.create(
        program=program,
        uploaded_by=uploaded_by,
        filename=filename[:255],
        content=content,
        summary={"preview": plan.counts()},
    )


def get_roster_import(*, program: Program, pk: int) -> RosterImport:
    """An upload of this program; another program's upload is 404."""
    return get_object_or_404(program.imports.select_related("uploaded_by"), pk=pk)


def roster_import_plan(roster_import: RosterImport) -> RosterPlan:
    """Plan against today's data: the database may have changed since the upload."""
    table = read_table(filename=roster_import.filename, content=bytes(roster_import.content))
    return roster_plan(program=roster_import.program, table=table)


def _interest_objects(names: Iterable[str]) -> list[Interest]:
    found = []
    for name in names:
        interest = Interest.objects.filter(name__iexact=name).first()
        found.append(interest or Interest.objects.create(name=name))
    return found


def _apply_row(row: RowPlan) -> None:
    person = row.person
    if person is None:
        person = Person.objects.create_user(email=row.email, password=None, **row.values)
    else:
        changed = [c.column for c in row.changes if c.column in row.values]
        for name in changed:
            setattr(person, name, row.values[name])
        if changed:
            person.save(update_fields=changed)
    if row.interests is not None and any(c.column == "interests" for c in row.changes):
        person.interests.set(_interest_objects(row.interests))
    if row.placement is not None:
        services.membership_start(
            group=row.placement.group,
            person=person,
            role=row.placement.role,
            start_date=row.placement.start_date,
        )


@transaction.atomic
def roster_apply(*, roster_import: RosterImport) -> RosterPlan:
    """Import a previewed upload all or nothing; raise RosterInvalid when any row has an error."""
    # Claiming the upload with a conditional update stops a second confirmation importing twice.
    claimed = RosterImport.objects.filter(pk=roster_import.pk, applied_at__isnull=True).update(
        applied_at=timezone.now()
    )
    if not claimed:
        raise RosterAlreadyApplied(f"{roster_import.filename} has already been imported.")
    plan = roster_import_plan(roster_import)
    if plan.errors:
        raise RosterInvalid(plan)
    for row in sorted(plan.create + plan.update, key=lambda r: r.row):
        try:
            _apply_row(row)
        except ValidationError as error:
            # Something changed between planning and writing; report it like a planned error.
            plan.errors.append(RowError(row.row, "—", " ".join(error.messages)))
            raise RosterInvalid(plan) from error
    roster_import.refresh_from_db(fields=["applied_at"])
    roster_import.summary = {
        "preview": roster_import.summary.get("preview", {}),
        "result": {
            **plan.counts(),
            "created": [r.as_dict() for r in plan.create],
            "updated": [r.as_dict() for r in plan.update],
        },
    }
    roster_import.save(update_fields=["summary"])
    return plan


def communities_with_groups(program: Program) -> QuerySet[Community]:
    """The names directors must type, with each group's current learners and capacity."""
    groups = MentorGroup.objects.annotate(
        open_learners=Count(
            "memberships",
            filter=Q(memberships__role=MemberRole.LEARNER, memberships__end_date__isnull=True),
        )
    )
    return Community.objects.filter(program=program).prefetch_related(
        Prefetch("groups", queryset=groups)
    )
