from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearth.communities import roster
from hearth.communities.models import (
    Community,
    GroupMembership,
    MemberRole,
    MentorGroup,
    Program,
    Relationship,
    RelationshipKind,
    RosterImport,
)
from hearth.people.models import Interest, Person, Role, RoleGrant
from hearth.testing import PASSWORD, make_person

FILES = Path(__file__).parent / "files"
HEADER = [
    "email",
    "external_id",
    "display_name",
    "role",
    "community",
    "group",
    "start_date",
    "class_year",
    "learner_year",
    "pronouns",
    "time_zone",
    "department",
    "academic_rank",
    "interests",
]
NEW_LEARNER = {
    "email": "nia.newcomer@school.example.edu",
    "external_id": "S100",
    "display_name": "Nia Newcomer",
    "role": "learner",
    "community": "Apgar House",
    "group": "Apgar 2",
    "start_date": "2025-08-01",
    "class_year": "2029",
    "learner_year": "1",
    "pronouns": "she/her",
    "interests": "global health; ethics",
}
NEW_MENTOR = {
    "email": "max.newmentor@school.example.edu",
    "display_name": "Max Newmentor",
    "role": "mentor",
    "community": "Apgar House",
    "group": "Apgar 2",
    "start_date": "2025-08-01",
    "time_zone": "America/Chicago",
    "department": "Pediatrics",
    "academic_rank": "assistant",
}


def make_csv(*rows: dict[str, str], header: list[str] = HEADER, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def make_xlsx(*rows: dict[str, object], header: list[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_of(school, content: bytes, filename: str = "roster.csv") -> roster.RosterPlan:
    table = roster.read_table(filename=filename, content=content)
    return roster.roster_plan(program=school.program, table=table)


def apply(school, content: bytes, filename: str = "roster.csv") -> roster.RosterPlan:
    upload = roster.roster_upload(
        program=school.program, uploaded_by=school.director, filename=filename, content=content
    )
    return roster.roster_apply(roster_import=upload)


def _upload(client, school, content: bytes, filename: str = "roster.csv"):
    upload = io.BytesIO(content)
    upload.name = filename
    return client.post(reverse("roster_import", args=[school.program.slug]), {"file": upload})


def state() -> tuple:
    """Everything an import could write, to compare before and after."""
    return (
        list(Person.objects.order_by("pk").values()),
        list(GroupMembership.objects.order_by("pk").values()),
        list(Relationship.objects.order_by("pk").values()),
        list(Interest.objects.order_by("pk").values()),
        list(Person.interests.through.objects.order_by("pk").values()),
        Person.history.count(),
        GroupMembership.history.count(),
    )


def errors_of(plan: roster.RosterPlan) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in plan.errors]


# --- Reading and planning ---


def test_preview_sorts_rows_into_create_update_unchanged(school):
    content = make_csv(
        NEW_LEARNER,
        {"email": school.learner_a1.email, "pronouns": "they/them"},
        {
            "email": school.mate_a1.email,
            "community": "Apgar House",
            "group": "Apgar 1",
            "role": "learner",
            "start_date": "2024-08-01",
        },
    )
    plan = plan_of(school, content)
    assert plan.errors == []
    assert [r.row for r in plan.create] == [2]
    assert [r.row for r in plan.update] == [3]
    assert [str(c) for c in plan.update[0].changes] == ["pronouns: — → they/them"]
    assert [r.row for r in plan.unchanged] == [4]
    assert str(plan.create[0].placement) == "Apgar 2 (Apgar House) as learner from 2025-08-01"


def test_csv_with_and_without_byte_order_mark_read_the_same(school):
    with_bom = roster.read_table(filename="a.csv", content=make_csv(NEW_LEARNER, bom=True))
    without = roster.read_table(filename="a.csv", content=make_csv(NEW_LEARNER))
    assert with_bom == without
    assert with_bom.header[0] == "email"


def test_spreadsheet_export_with_crlf_and_bom_plans_cleanly(school):
    plan = plan_of(school, (FILES / "excel_export.csv").read_bytes(), "excel_export.csv")
    assert plan.errors == []
    assert [r.email for r in plan.create] == ["omar.okafor@school.example.edu"]
    assert [r.row for r in plan.update] == [3]


def test_blank_rows_are_skipped_and_rows_are_numbered_as_the_sheet_shows(school):
    content = make_csv(NEW_LEARNER, {}, {"email": "not-an-email", "display_name": "X"})
    plan = plan_of(school, content)
    assert errors_of(plan) == [(4, "email", "“not-an-email” is not a valid email address")]


def test_unknown_and_duplicate_headers_are_named_and_missing_email_is_an_error(school):
    plan = plan_of(school, make_csv({}, header=["display_name", "nickname", "display_name"]))
    assert errors_of(plan) == [
        (1, "nickname", "unknown column “nickname”; the columns are listed on the import page"),
        (1, "display_name", "column “display_name” appears twice (again in column 3)"),
        (1, "email", "the required column “email” is missing"),
    ]


def _row(**changes: str) -> dict[str, str]:
    """Another new learner like NEW_LEARNER; the external_id only when given."""
    return {**NEW_LEARNER, "external_id": "", **changes}


ERROR_CASES = [
    ("bad email", [_row(email="nia@")], 2, "email", "is not a valid email address"),
    ("missing email", [_row(email="")], 2, "email", "email is required"),
    ("unknown community", [_row(community="Osler House")], 2, "community",
     "unknown community “Osler House” in MD Learning Communities "
     "(communities: Apgar House, Blackwell House)"),
    ("unknown group", [_row(group="Blackwell 1")], 2, "group",
     "unknown group “Blackwell 1” in Apgar House (groups: Apgar 1, Apgar 2)"),
    ("group without community", [_row(community="")], 2, "community",
     "community is required with a group"),
    ("community without group", [_row(group="")], 2, "group", "group is required with a community"),
    ("duplicate email", [NEW_LEARNER, _row(external_id="S101")], 3, "email",
     "nia.newcomer@school.example.edu is also on row 2; list each person once"),
    ("duplicate external_id", [NEW_LEARNER, _row(email="o@school.example.edu", external_id="S100")],
     3, "external_id", "S100 is also on row 2; list each person once"),
    ("date format", [_row(start_date="08/01/2025")], 2, "start_date",
     "“08/01/2025” is not a date in the form YYYY-MM-DD (for example 2025-08-01)"),
    ("impossible date", [_row(start_date="2025-02-30")], 2, "start_date", "is not a date"),
    ("missing start date", [_row(start_date="")], 2, "start_date",
     "start_date is required with a group (YYYY-MM-DD)"),
    ("unknown role", [_row(role="student")], 2, "role",
     "unknown role “student” (use learner or mentor)"),
    ("missing role", [_row(role="")], 2, "role",
     "role is required with a group (learner or mentor)"),
    ("unknown rank", [_row(academic_rank="dean")], 2, "academic_rank",
     "unknown academic rank “dean” (use instructor, assistant, associate, full, other)"),
    ("unknown time zone", [_row(time_zone="Mars/Olympus")], 2, "time_zone",
     "unknown time zone “Mars/Olympus” (use an IANA name such as America/Chicago)"),
    ("class year not a number", [_row(class_year="twenty")], 2, "class_year",
     "class year “twenty” is not a number (for example 2030)"),
    ("learner year out of range", [_row(learner_year="9")], 2, "learner_year",
     "learner year “9” is not a whole number from 1 to 6"),
    ("new person without name", [_row(display_name="")], 2, "display_name",
     "display_name is required for a new person"),
    ("pronouns too long", [_row(pronouns="x" * 41)], 2, "pronouns",
     "is 41 characters long; the most is 40"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "row", "column", "reason"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_each_error_names_row_column_reason(school, rows, row, column, reason):
    plan = plan_of(school, make_csv(*rows))
    assert len(plan.errors) == 1, errors_of(plan)
    error = plan.errors[0]
    assert (error.row, error.column) == (row, column)
    assert reason in error.reason
    assert str(error) == f"row {row}, column {column}: {error.reason}"


def test_external_id_of_someone_else_is_an_error(school):
    school.mentor_a1.external_id = "F1"
    school.mentor_a1.save()
    plan = plan_of(school, make_csv(_row(external_id="F1")))
    assert errors_of(plan) == [
        (2, "external_id", "external_id F1 belongs to a person with a different email")
    ]


def test_email_of_someone_with_another_external_id_is_an_error(school):
    school.learner_a1.external_id = "S1"
    school.learner_a1.save()
    plan = plan_of(school, make_csv({"email": school.learner_a1.email, "external_id": "S2"}))
    assert errors_of(plan) == [
        (2, "external_id", f"{school.learner_a1.email} has external_id S1 in Hearth, not S2")
    ]


def test_learner_in_another_group_is_an_error_not_a_transfer(school):
    plan = plan_of(school, make_csv(_row(email=school.learner_a1.email)))
    assert errors_of(plan) == [
        (2, "group", "already in Apgar 1 since 2024-08-01; move learners on the group page")
    ]


def test_value_in_a_column_without_a_name_is_an_error(school):
    content = b"email,display_name\nnia@school.example.edu,Nia,surprise\n"
    assert errors_of(plan_of(school, content)) == [
        (2, "C", "“surprise” is in a column without a name in the first row")
    ]


def test_every_error_in_the_file_is_reported_at_once(school):
    content = make_csv(
        _row(email="bad"),
        NEW_MENTOR,
        _row(email="b@school.example.edu", role="boss", start_date="x"),
    )
    assert [(e.row, e.column) for e in plan_of(school, content).errors] == [
        (2, "email"),
        (4, "role"),
        (4, "start_date"),
    ]


def test_capacity_exceeded_is_an_error(school):
    # Apgar 1 holds 2 of 4 learners: the file's third learner there is one too many.
    rows = [_row(email=f"n{i}@school.example.edu", group="Apgar 1") for i in range(3)]
    plan = plan_of(school, make_csv(*rows, NEW_MENTOR | {"group": "Apgar 1"}))
    assert errors_of(plan) == [
        (4, "group", "Apgar 1 is full: capacity 4, 2 learners now and 2 earlier in this file")
    ]
    with pytest.raises(roster.RosterInvalid):
        apply(school, make_csv(*rows))
    assert school.group_a1.memberships.filter(end_date__isnull=True).count() == 3


def test_planning_reads_a_fixed_number_of_queries(school):
    def queries(n: int) -> int:
        rows = [_row(email=f"n{i}@school.example.edu", external_id=f"X{i}") for i in range(n)]
        rows += [{"email": p.email, "pronouns": "they/them"} for p in Person.objects.all()[:n]]
        with CaptureQueriesContext(connection) as captured:
            plan_of(school, make_csv(*rows))
        return len(captured)

    assert queries(2) == queries(12)


def test_preview_page_reads_a_fixed_number_of_queries(client, school):
    client.login(email=school.director.email, password=PASSWORD)

    def queries(n: int) -> int:
        rows = [_row(email=f"n{i}@school.example.edu", group="Apgar 1") for i in range(n)]
        rows += [{"email": p.email, "pronouns": "they/them"} for p in Person.objects.all()[:n]]
        url = _upload(client, school, make_csv(*rows))["Location"]
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).content.decode()
        assert "problem" in body or "Confirm import" in body
        return len(captured)

    assert queries(1) == queries(12)


# --- Applying ---


def test_xlsx_import_creates_people_and_memberships(school):
    content = make_xlsx(
        # Typed cells, as a spreadsheet stores them: a date and whole numbers.
        {**NEW_LEARNER, "start_date": dt.date(2025, 8, 1), "class_year": 2029, "learner_year": 1},
        NEW_MENTOR,
    )
    plan = apply(school, content, "roster.xlsx")
    assert [r.row for r in plan.create] == [2, 3]
    nia = Person.objects.get(email="nia.newcomer@school.example.edu")
    assert (nia.display_name, nia.external_id, nia.class_year, nia.learner_year) == (
        "Nia Newcomer",
        "S100",
        2029,
        1,
    )
    assert (nia.pronouns, nia.time_zone) == ("she/her", "America/New_York")
    assert sorted(nia.interests.values_list("name", flat=True)) == ["ethics", "global health"]
    assert not nia.has_usable_password()
    max_ = Person.objects.get(email="max.newmentor@school.example.edu")
    assert (max_.academic_rank, max_.department, max_.time_zone) == (
        "assistant",
        "Pediatrics",
        "America/Chicago",
    )
    membership = GroupMembership.objects.get(person=nia)
    assert (membership.group, membership.role, membership.start_date) == (
        school.group_a2,
        MemberRole.LEARNER,
        dt.date(2025, 8, 1),
    )
    # Memberships went through the service, so LC-mentor relationships follow the group.
    mentors_of_nia = set(
        Relationship.objects.filter(mentee=nia, kind=RelationshipKind.LC_MENTOR).values_list(
            "mentor__email", flat=True
        )
    )
    assert mentors_of_nia == {school.mentor_a2.email, max_.email}
    assert Relationship.objects.filter(mentor=max_, mentee=school.learner_a2).exists()


def test_only_the_first_sheet_of_a_workbook_is_read(school):
    workbook = openpyxl.load_workbook(io.BytesIO(make_xlsx(NEW_LEARNER)))
    workbook.create_sheet("Notes").append(["this", "is", "ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = plan_of(school, buffer.getvalue(), "roster.xlsx")
    assert (plan.errors, len(plan.create)) == ([], 1)


def test_bad_row_changes_nothing(school):
    before = state()
    change_learner = {"email": school.learner_a1.email, "pronouns": "x", "class_year": "soon"}
    content = make_csv(NEW_LEARNER, NEW_MENTOR, change_learner)
    upload = roster.roster_upload(
        program=school.program, uploaded_by=school.director, filename="r.csv", content=content
    )
    with pytest.raises(roster.RosterInvalid) as invalid:
        roster.roster_apply(roster_import=upload)
    assert errors_of(invalid.value.plan) == [
        (4, "class_year", "class year “soon” is not a number (for example 2030)")
    ]
    assert state() == before
    upload.refresh_from_db()
    assert upload.applied_at is None


def test_reimporting_same_file_changes_nothing(school):
    content = make_csv(
        NEW_LEARNER,
        NEW_MENTOR,
        {"email": school.learner_a1.email.upper(), "pronouns": "he/him", "interests": "Ethics"},
    )
    apply(school, content)
    before = state()
    plan = apply(school, content)
    assert (plan.create, plan.update, plan.errors) == ([], [], [])
    assert [r.row for r in plan.unchanged] == [2, 3, 4]
    assert state() == before


def test_update_changes_person_fields_not_history(school):
    content = make_csv(
        {
            "email": school.learner_a1.email,
            "external_id": "S1",
            "display_name": "Lena L. One",
            "role": "learner",
            "community": "Apgar House",
            "group": "Apgar 1",
            "start_date": "2025-01-15",
            "learner_year": "2",
            "interests": "surgery",
        },
    )
    memberships_before = list(GroupMembership.objects.order_by("pk").values())
    plan = apply(school, content)
    assert [str(c) for c in plan.update[0].changes] == [
        "external_id: — → S1",
        "display_name: Lena Learnerone → Lena L. One",
        "learner_year: 1 → 2",
        "interests: — → surgery",
    ]
    assert plan.update[0].placement is None
    learner = Person.objects.get(pk=school.learner_a1.pk)
    assert (learner.external_id, learner.display_name, learner.learner_year) == (
        "S1",
        "Lena L. One",
        2,
    )
    assert learner.history.count() == 2  # the edit is audited
    assert list(GroupMembership.objects.order_by("pk").values()) == memberships_before


def test_matching_uses_external_id_and_ignores_email_case(school):
    school.learner_b1.external_id = "S9"
    school.learner_b1.save()
    plan = plan_of(
        school,
        make_csv(
            {"email": school.learner_b1.email.upper(), "external_id": "S9", "pronouns": "she/her"}
        ),
    )
    assert [r.person for r in plan.update] == [school.learner_b1]


def test_mentor_may_join_a_second_group_but_not_twice_the_same(school):
    second = {
        "email": school.mentor_a1.email,
        "role": "mentor",
        "community": "Blackwell House",
        "group": "Blackwell 1",
        "start_date": "2025-08-01",
    }
    same = second | {
        "email": school.mentor_a2.email,
        "community": "Apgar House",
        "group": "Apgar 2",
    }
    learner_as_mentor = same | {"email": school.mate_a1.email, "group": "Apgar 1"}
    plan = plan_of(school, make_csv(second, same, learner_as_mentor))
    assert [r.row for r in plan.update] == [2]
    assert [r.row for r in plan.unchanged] == [3]
    assert errors_of(plan) == [(4, "role", "already a learner in Apgar 1 since 2024-08-01")]


def test_apply_refuses_what_changed_since_the_preview(school):
    upload = roster.roster_upload(
        program=school.program,
        uploaded_by=school.director,
        filename="r.csv",
        content=make_csv(_row(group="Apgar 1")),
    )
    school.group_a1.capacity = 2
    school.group_a1.save()
    with pytest.raises(roster.RosterInvalid, match="1 errors"):
        roster.roster_apply(roster_import=upload)
    assert not Person.objects.filter(email=NEW_LEARNER["email"]).exists()


# --- File-level problems ---


FILE_PROBLEMS = [
    ("roster.pdf", b"%PDF-1.4", "Hearth imports .csv and .xlsx files; “roster.pdf” is neither"),
    ("roster.csv", b"", "“roster.csv” is empty."),
    ("roster.csv", b"\xef\xbb\xbf\r\n\r\n", "“roster.csv” is empty."),
    ("roster.csv", "email\nzoë@school.example.edu\n".encode("latin-1"), "is not UTF-8 text"),
    ("roster.xlsx", b"PK\x03\x04 not really a workbook", "could not be read as an Excel workbook"),
    ("roster.xlsx", make_csv(NEW_LEARNER), "could not be read as an Excel workbook"),
    ("roster.csv", make_csv(), "has column names but no rows below them"),
    ("roster.csv", b"\n\nemail\nx@school.example.edu\n", "The first row of “roster.csv” is blank"),
]


@pytest.mark.parametrize(("filename", "content", "message"), FILE_PROBLEMS)
def test_unreadable_file_is_one_clear_message_and_nothing_stored(
    client, school, filename, content, message
):
    client.login(email=school.director.email, password=PASSWORD)
    response = _upload(client, school, content, filename)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert body.count('class="error-text"') == 1
    assert 'role="alert"' in body
    assert not RosterImport.objects.exists()


def test_file_with_too_many_rows_is_refused(school):
    rows = [{"email": f"n{i}@school.example.edu"} for i in range(roster.MAX_ROWS + 1)]
    with pytest.raises(roster.RosterFileError, match="has more than 10,000 rows"):
        roster.read_table(filename="r.csv", content=make_csv(*rows, header=["email"]))
    table = roster.read_table(filename="r.csv", content=make_csv(*rows[1:], header=["email"]))
    assert len(table.rows) == roster.MAX_ROWS


def test_too_large_file_is_refused(client, school, settings):
    settings.HEARTH_MAX_IMPORT_BYTES = 100
    client.login(email=school.director.email, password=PASSWORD)
    response = _upload(client, school, make_csv(NEW_LEARNER, NEW_MENTOR), "big.csv")
    assert "the most Hearth accepts is 100\xa0bytes" in response.content.decode()
    assert not RosterImport.objects.exists()


# --- Pages ---


def test_import_page_documents_columns_templates_and_group_names(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    body = client.get(reverse("roster_import", args=[school.program.slug])).content.decode()
    assert "Roster file (CSV or XLSX)" in body
    assert "Download the CSV template" in body and "Download the XLSX template" in body
    for column in roster.COLUMNS:
        assert f"<code>{column.name}</code>" in body
    for name in ("Apgar House", "Apgar 1", "Apgar 2", "Blackwell House", "Blackwell 1"):
        assert f"<td>{name}</td>" in body


def test_preview_lists_every_error_and_offers_no_confirmation(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    response = _upload(client, school, make_csv(NEW_LEARNER, _row(email="x", role="boss")))
    assert response.status_code == 302
    upload = RosterImport.objects.get()
    assert upload.summary == {"preview": {"create": 1, "update": 0, "unchanged": 0, "errors": 2}}
    body = client.get(response["Location"]).content.decode()
    assert '<th scope="col" class="num">Row</th><th scope="col">Column</th>' in body
    assert "<code>role</code></td><td>unknown role “boss” (use learner or mentor)" in body
    assert "Nothing will be written until the file is fixed and uploaded again." in body
    assert "Confirm import" not in body
    assert client.post(response["Location"]).status_code == 200
    assert not Person.objects.filter(email=NEW_LEARNER["email"]).exists()


def test_confirm_twice_imports_once(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    preview_url = _upload(client, school, make_csv(NEW_LEARNER, NEW_MENTOR))["Location"]
    preview = client.get(preview_url).content.decode()
    assert "Confirm import" in preview and "Nia Newcomer" in preview
    assert GroupMembership.objects.filter(group=school.group_a2).count() == 2
    first = client.post(preview_url, follow=True).content.decode()
    assert "<h1>Imported: roster.csv</h1>" in first
    assert "<strong>2</strong> created" in first and "Confirm import" not in first
    second = client.post(preview_url, follow=True).content.decode()
    assert "<strong>2</strong> created" in second and "Confirm import" not in second
    assert Person.objects.filter(email__in=[NEW_LEARNER["email"], NEW_MENTOR["email"]]).count() == 2
    assert GroupMembership.objects.filter(group=school.group_a2).count() == 4
    upload = RosterImport.objects.get()
    assert upload.applied_at is not None
    assert [r["label"] for r in upload.summary["result"]["created"]] == [
        "Nia Newcomer <nia.newcomer@school.example.edu>",
        "Max Newmentor <max.newmentor@school.example.edu>",
    ]
    with pytest.raises(roster.RosterAlreadyApplied):
        roster.roster_apply(roster_import=upload)


def test_outsider_and_mentor_get_404(client, school):
    upload = roster.roster_upload(
        program=school.program,
        uploaded_by=school.director,
        filename="r.csv",
        content=make_csv(NEW_LEARNER),
    )
    slug = school.program.slug
    urls = [
        reverse("roster_import", args=[slug]),
        reverse("roster_import_preview", args=[slug, upload.pk]),
        reverse("roster_template", args=[slug, "csv"]),
        reverse("roster_template", args=[slug, "xlsx"]),
    ]
    for persona in ("outsider", "mentor_a1", "learner_a1", "house_director", "evaluator"):
        client.login(email=school.persona(persona).email, password=PASSWORD)
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
        assert client.post(urls[1]).status_code == 404
    assert not Person.objects.filter(email=NEW_LEARNER["email"]).exists()
    client.logout()
    assert client.get(urls[0]).status_code == 302


def test_another_programs_director_cannot_reach_this_import(client, school):
    upload = roster.roster_upload(
        program=school.program,
        uploaded_by=school.director,
        filename="r.csv",
        content=make_csv(NEW_LEARNER),
    )
    other = Program.objects.create(name="Mentoring the Mentors", slug="mtm")
    Community.objects.create(program=other, name="Faculty")
    other_director = make_person("Olga Otherdirector")
    RoleGrant.objects.create(person=other_director, role=Role.PROGRAM_DIRECTOR, program=other)
    client.login(email=other_director.email, password=PASSWORD)
    assert client.get(reverse("roster_import", args=["mtm"])).status_code == 200
    # Its own program's URL with this program's import id: still not found.
    assert client.get(reverse("roster_import_preview", args=["mtm", upload.pk])).status_code == 404
    assert client.post(reverse("roster_import_preview", args=["mtm", upload.pk])).status_code == 404
    upload.refresh_from_db()
    assert upload.applied_at is None


def test_superuser_may_import(client, school):
    client.login(email=school.admin.email, password=PASSWORD)
    preview_url = _upload(client, school, make_csv(NEW_LEARNER))["Location"]
    assert client.post(preview_url).status_code == 302
    assert Person.objects.filter(email=NEW_LEARNER["email"]).exists()


def test_template_downloads_parse_cleanly(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    names = [c.name for c in roster.COLUMNS]
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("roster_template", args=[school.program.slug, fmt]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="md-lc-roster.{fmt}"'
        table = roster.read_table(filename=f"t.{fmt}", content=response.content)
        assert (table.header, table.rows) == (names, [])
        assert roster.roster_plan(program=school.program, table=table).errors == []
        # Filled in with a row, each template imports without a single error.
        if fmt == "csv":
            filled = response.content + make_csv(NEW_LEARNER).split(b"\r\n", 1)[1]
        else:
            workbook = openpyxl.load_workbook(io.BytesIO(response.content))
            workbook.worksheets[0].append([NEW_LEARNER.get(name) for name in names])
            buffer = io.BytesIO()
            workbook.save(buffer)
            filled = buffer.getvalue()
        assert plan_of(school, filled, f"t.{fmt}").counts() == {
            "create": 1,
            "update": 0,
            "unchanged": 0,
            "errors": 0,
        }


def test_unknown_template_format_is_404(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    url = reverse("roster_template", args=[school.program.slug, "ods"])
    assert client.get(url).status_code == 404


# --- Command line ---


@pytest.fixture
def roster_file(tmp_path, school) -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(make_csv(NEW_LEARNER, NEW_MENTOR, {"email": school.mate_a1.email}))
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_without_commit_writes_nothing(school, roster_file):
    before = state()
    output = run("md-lc", str(roster_file))
    assert "To create: 2, to update: 0, unchanged: 1, errors: 0" in output
    assert "Nothing written: run again with --commit to import." in output
    assert state() == before
    assert not RosterImport.objects.exists()


def test_command_commit_applies(school, roster_file):
    output = run("md-lc", str(roster_file), "--commit")
    assert "Imported roster.csv: 2 created, 0 updated, 1 unchanged." in output
    assert GroupMembership.objects.filter(
        person__email=NEW_LEARNER["email"], group=school.group_a2, start_date=dt.date(2025, 8, 1)
    ).exists()
    assert RosterImport.objects.get().applied_at is not None
    # The same file again: nothing left to do.
    again = run("md-lc", str(roster_file), "--commit")
    assert "To create: 0, to update: 0, unchanged: 3, errors: 0" in again
    assert "Nothing to import" in again
    assert RosterImport.objects.count() == 1


def test_command_prints_every_error_and_fails(school, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(make_csv(NEW_LEARNER, _row(email="x@", start_date="1/8/25")))
    out = io.StringIO()
    before = state()
    with pytest.raises(CommandError, match="2 errors; nothing written.") as failed:
        call_command("import_roster", "md-lc", str(path), "--commit", stdout=out)
    assert failed.value.returncode == 1  # manage.py exits with it
    assert "row 3, column email: “x@” is not a valid email address" in out.getvalue()
    assert "row 3, column start_date: “1/8/25” is not a date" in out.getvalue()
    assert state() == before


def test_command_names_unknown_program_and_unreadable_file(school, tmp_path):
    with pytest.raises(CommandError, match="No program has the slug 'nope'"):
        run("nope", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="Cannot read"):
        run("md-lc", str(tmp_path / "missing.csv"))
    (tmp_path / "roster.txt").write_text("email\n")
    with pytest.raises(CommandError, match="Hearth imports .csv and .xlsx files"):
        run("md-lc", str(tmp_path / "roster.txt"))


def test_group_names_are_matched_ignoring_case_and_spacing(school):
    plan = plan_of(school, make_csv(_row(community="  apgar   house", group="APGAR 2")))
    assert plan.create[0].placement.group == MentorGroup.objects.get(name="Apgar 2")
