"""The annual program report: figures under the small-cell rule, the same in CSV and PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import pypdf
import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from hearth.communities.models import Relationship, RelationshipStatus
from hearth.communities.services import rollover_apply
from hearth.lib.suppression import HIDDEN_TO_PROTECT, TOO_FEW
from hearth.meetings.cadence import relationship_due
from hearth.meetings.models import Cadence, ProgramMeetingSettings
from hearth.people.models import Person
from hearth.reports.selectors import (
    PROGRAM,
    REPORT_COLUMNS,
    TRAINING_NOT_RECORDED,
    AnnualReport,
    Figure,
    academic_year_of,
    annual_report,
)
from hearth.testing import PASSWORD

from .year import YEAR, build_year

pytestmark = pytest.mark.django_db


def figures(report: AnnualReport, section: str, measure: str) -> dict[str, Figure]:
    return {f.breakdown: f for f in report.section(section).figures if f.measure == measure}


def csv_of(client, school, year: int = YEAR.year) -> list[dict[str, str]]:  # noqa: ANN001
    response = client.get(reverse("annual_report_csv", args=[school.program.slug, year]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def pdf_lines(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return [" ".join(line.split()) for line in text.splitlines()]


@pytest.fixture
def year(school):
    return build_year(school)


@pytest.fixture
def director(client, school):
    client.login(email=school.director.email, password=PASSWORD)
    return client


def test_a_small_community_is_hidden_and_the_next_smallest_with_it(school, year, director):
    report = annual_report(school.program, YEAR)
    learners = figures(report, "participation", "Learners")
    # Blackwell has 1 learner; Apgar (6) is the next smallest, so it is hidden too.
    assert learners["Blackwell House"].text == TOO_FEW
    assert learners["Apgar House"].text == HIDDEN_TO_PROTECT
    for hidden in (learners["Blackwell House"], learners["Apgar House"]):
        assert not hidden.shown and hidden.respondents is None and hidden.value is None
    assert learners["Curie House"].text == "7" and learners["Curie House"].respondents == 7
    assert learners[PROGRAM].text == "14" and learners[PROGRAM].respondents == 14

    rows = csv_of(director, school)
    by_key = {(r["section"], r["measure"], r["breakdown"]): r for r in rows}
    blackwell = by_key["Participation", "Learners", "Blackwell House"]
    assert blackwell["value"] == TOO_FEW and blackwell["respondents"] == ""
    apgar = by_key["Participation", "Learners", "Apgar House"]
    assert apgar["value"] == HIDDEN_TO_PROTECT and apgar["respondents"] == ""
    curie = by_key["Participation", "Learners", "Curie House"]
    assert curie["value"] == "7" and curie["respondents"] == "7"
    # The same rule holds in every breakdown of the CSV: a hidden cell never stands alone.
    hidden_per_measure: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["value"] in (TOO_FEW, HIDDEN_TO_PROTECT) and row["breakdown"] != PROGRAM:
            hidden_per_measure[row["section"], row["measure"]] += 1
            assert row["respondents"] == ""
    assert hidden_per_measure and all(n != 1 for n in hidden_per_measure.values())


def test_cadence_is_measured_against_the_program_expectation(school, year):
    report = annual_report(school.program, YEAR)
    relationships = figures(report, "cadence", "Relationships")
    assert relationships["Curie House"].text == "7"
    assert relationships["Blackwell House"].text == TOO_FEW
    # Apgar: 3 pairs in Apgar 1, 4 in Apgar 2 (Lars counted with each mentor he had).
    assert relationships[PROGRAM].text == "15"
    meetings = figures(report, "cadence", "Meetings held")
    # Four pairs met monthly from September to June (40), three met twice (6).
    assert meetings["Curie House"].text == "46" and meetings["Curie House"].respondents == 7
    share = figures(report, "cadence", "Met as often as expected")
    # A 42-day cadence over 333 days expects 7 meetings: the monthly four met it.
    assert share["Curie House"].text == "57%"
    assert share[PROGRAM].text == "27%" and share[PROGRAM].respondents == 15
    september = figures(report, "cadence", "Meetings held in September 2024")
    assert september["Curie House"].text == "7" and september["Blackwell House"].text == TOO_FEW
    assert "every 42 days" in " ".join(report.section("cadence").notes)


def test_a_past_year_keeps_the_cadence_of_the_learners_year_then(school, year):
    # Closing the year moves every learner up to year 2, which expects a meeting a month.
    rollover_apply(program=school.program, on=dt.date(2025, 6, 30))
    Cadence.objects.create(program=school.program, learner_year=2, every_days=30)
    report = annual_report(school.program, YEAR)
    share = figures(report, "cadence", "Met as often as expected")
    assert share["Curie House"].text == "57%", "2024–25 is still measured against year 1"


def test_a_learner_without_a_class_is_measured_against_their_recorded_year(school, year):
    curie = Person.objects.filter(pk__in=[p.pk for p in year.curie_learners])
    curie.update(class_year=None)
    share = figures(annual_report(school.program, YEAR), "cadence", "Met as often as expected")
    assert share["Curie House"].text == "57%", "their recorded year 1 expects every 42 days"
    curie.update(learner_year=2)
    share = figures(annual_report(school.program, YEAR), "cadence", "Met as often as expected")
    assert share[PROGRAM].respondents == 8, "year 2 has no expectation: Curie is not measured"


def test_stalled_and_changed_relationships_are_counted_without_pointing_at_anyone(school, year):
    report = annual_report(school.program, YEAR)
    changes = {f.measure: f.text for f in report.section("changes").figures}
    assert changes["Relationships open on 30 June 2025"] == "14"
    # Everyone but the four Curie pairs that met monthly went 90 days or more without meeting.
    assert changes["Stalled on 30 June 2025"] == "10"
    assert changes["Learners who moved to another group"] == "fewer than 5"
    assert changes["Relationships ended early"] == "fewer than 5"
    assert changes["Requests decided: moved to another group"] == "fewer than 5"
    assert changes["Requests decided: declined"] == "none"
    assert changes["Mentors who left a group"] == "none"


@pytest.mark.parametrize("stalled_after", [21, 22, 90])
def test_the_stalled_count_is_the_meetings_apps_rule_on_the_last_day(school, year, stalled_after):
    # Curie's monthly pairs last met on 10 June: 21 days before 1 July, the day after the year.
    ProgramMeetingSettings.objects.create(program=school.program, stalled_after_days=stalled_after)
    last_day = dt.date(2025, 6, 30)
    open_then = list(
        Relationship.objects.filter(program=school.program, start_date__lte=last_day).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=last_day)
        )
    )
    for relationship in open_then:
        if relationship.end_date is not None:  # not yet ended on the last day
            relationship.status = RelationshipStatus.ACTIVE
    midnight = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    expected = sum(due.stalled for due in relationship_due(open_then, now=midnight))
    report = annual_report(school.program, YEAR)
    [stalled] = figures(report, "changes", "Stalled on 30 June 2025").values()
    assert stalled.value == expected
    assert expected == {21: 14, 22: 10, 90: 10}[stalled_after]


def test_serendipity_pulse_and_recognition(school, year):
    report = annual_report(school.program, YEAR)
    serendipity = {f.measure: f for f in report.section("serendipity").figures}
    assert serendipity["People introduced"].text == "9"
    assert serendipity["Rounds run"].text == "1"
    assert serendipity["Pairings made"].text == "4"
    # Three of the four pairings met; everyone introduced answered.
    assert serendipity["Meet rate"].text == "75%" and serendipity["Meet rate"].respondents == 9

    pulse = {f.measure: f for f in report.section("pulse").figures if f.breakdown == PROGRAM}
    assert pulse["Mentors who answered, Autumn 2024"].text == "9"
    assert pulse["Mentors who answered, Spring 2025"].text == TOO_FEW
    assert pulse["I am a better professional, Spring 2025"].text == TOO_FEW
    assert pulse["I am a better professional, Autumn 2024"].shown
    assert "not a validated instrument" in " ".join(report.section("pulse").notes)

    recognition = {f.measure: f.text for f in report.section("recognition").figures}
    assert recognition == {
        "Thank-you notes sent": "6",
        "Mentors thanked": "fewer than 5",
        "Acknowledgments from directors": "none",
        "Mentors acknowledged": "none",
    }


def test_training_says_not_recorded_rather_than_inventing_figures(school, director):
    report = annual_report(school.program, YEAR)
    training = report.section("training")
    assert training.notes == [TRAINING_NOT_RECORDED + "."]
    assert [(f.measure, f.text, f.value) for f in training.figures] == [
        ("Training completion", "not recorded", None)
    ]
    row = next(r for r in csv_of(director, school) if r["section"] == "Training completion")
    assert row["value"] == "not recorded" and row["respondents"] == ""


def _training_series(school, title, trainees, completing, first):  # noqa: ANN001, ANN202
    from hearth.mentor_development.services import series as training

    series = training.series_create(program=school.program, title=title)
    sessions = [
        training.session_create(
            series=series,
            fields=training.SessionFields(title=f"Session {n + 1}", starts_at=at),
        )
        for n, at in enumerate([first, first + dt.timedelta(days=28)])
    ]
    for person in trainees:
        invited = training.enrolment_invite(series=series, person=person, by=school.director)
        training.enrolment_accept(enrolment=invited)
    for person in trainees[:completing]:
        for session in sessions:
            training.attendance_check_in(session=session, person=person, now=session.starts_at)
    return series


def test_training_shows_enrolment_and_completion_per_series(school, year, director):
    september = dt.datetime(2024, 9, 18, 16, tzinfo=dt.UTC)
    _training_series(school, "Mentoring the Mentors 2024", year.curie_mentors, 4, september)
    # A series begun the year before belongs to that year's report.
    _training_series(
        school, "Last year's series", year.curie_mentors, 6, september - dt.timedelta(days=365)
    )
    training = annual_report(school.program, YEAR).section("training")
    assert training.notes[0].startswith("Mentor development series whose first session")
    [table] = training.tables
    assert table.columns == ["Trainees enrolled", "Completed", "Completion rate"]
    rows = {row.label: [f.text for f in row.figures] for row in table.rows}
    assert rows == {"Mentoring the Mentors 2024": ["6", "4", "67%"], PROGRAM: ["6", "4", "67%"]}

    # A series of three is too small to show, and the next smallest is hidden with it.
    trio = [school.mentor_a1, school.mentor_a2, school.mentor_b1]
    _training_series(school, "Research mentor training", trio, 1, september)
    rows = {
        row.label: [f.text for f in row.figures]
        for row in annual_report(school.program, YEAR).section("training").tables[0].rows
    }
    assert rows["Research mentor training"] == [TOO_FEW] * 3
    assert rows["Mentoring the Mentors 2024"] == [HIDDEN_TO_PROTECT] * 3
    assert rows[PROGRAM] == ["9", "5", "56%"]
    csv_rows = [r for r in csv_of(director, school) if r["section"] == "Training completion"]
    assert {(r["measure"], r["breakdown"], r["value"]) for r in csv_rows} >= {
        ("Completion rate", "Research mentor training", TOO_FEW),
        ("Completion rate", PROGRAM, "56%"),
    }


def test_the_csv_has_one_long_table(school, director):
    response = director.get(reverse("annual_report_csv", args=[school.program.slug, 2024]))
    header = response.content.decode().splitlines()[0]
    assert header == "section,measure,breakdown,value,respondents"
    assert header.split(",") == REPORT_COLUMNS
    assert 'filename="annual-report-md-lc-2024-25.csv"' in response["Content-Disposition"]


def test_the_pdf_shows_the_same_figures_as_the_csv(school, year, director):
    rows = csv_of(director, school)
    response = director.get(reverse("annual_report_pdf", args=[school.program.slug, 2024]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    lines = pdf_lines(response.content)
    text = "\n".join(lines)
    assert "Annual program report" in text and "MD Learning Communities" in text
    assert "2024–25 (1 July 2024 to 30 June 2025)" in text
    assert "not a validated instrument" in text and "fewer than 5 people" in text

    value = {(r["section"], r["measure"], r["breakdown"]): r["value"] for r in rows}

    def as_printed(shown: str) -> str:
        return "hidden †" if shown == HIDDEN_TO_PROTECT else shown

    tables = {
        "Participation": ["Mentors", "Learners", "Groups"],
        "Meeting cadence against expectation": [
            "Relationships",
            "Meetings held",
            "Met as often as expected",
        ],
    }
    for section, measures in tables.items():
        for breakdown in ["Apgar House", "Blackwell House", "Curie House", PROGRAM]:
            cells = [as_printed(value[section, m, breakdown]) for m in measures]
            assert f"{breakdown} {' '.join(cells)}" in lines, (section, breakdown)
    for section in ["Stalled and changed relationships", "Serendipity rounds", "Recognition"]:
        for row in (r for r in rows if r["section"] == section):
            assert f"{row['measure']} {row['value']}" in lines, row
    answered = [
        value["Pulse trends by theme", f"Mentors who answered, {wave}", PROGRAM]
        for wave in ["Autumn 2024", "Winter 2025", "Spring 2025"]
    ]
    assert answered == ["9", "7", TOO_FEW]
    assert f"Mentors who answered {' '.join(answered)}" in lines
    assert "Training completion not recorded" in lines
    assert TRAINING_NOT_RECORDED + "." in text


@pytest.mark.parametrize("persona", ["outsider", "mentor_a1", "learner_a1", "house_director"])
def test_only_the_program_directors_see_the_report(school, client, persona):
    client.login(email=school.persona(persona).email, password=PASSWORD)
    slug = school.program.slug
    for url in [
        reverse("annual_report", args=[slug]),
        reverse("annual_report_csv", args=[slug, 2024]),
        reverse("annual_report_pdf", args=[slug, 2024]),
    ]:
        assert client.get(url).status_code == 404, url


def test_signed_out_visitors_are_sent_to_sign_in(school, client):
    response = client.get(reverse("annual_report", args=[school.program.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_shows_the_latest_year_by_default_and_years_not_begun_are_404(school, director):
    slug = school.program.slug
    current = academic_year_of(timezone.localdate())
    page = director.get(reverse("annual_report", args=[slug]))
    assert page.status_code == 200
    assert page.context["report"].year_start == current
    years = [value for value, _ in page.context["years"]]
    assert years[0] == current.year and years[-1] == 2024  # the school started in August 2024
    future = current.year + 1
    page_url = reverse("annual_report", args=[slug])
    assert director.get(f"{page_url}?year={future}").status_code == 404
    assert director.get(f"{page_url}?year=x").status_code == 404
    assert director.get(reverse("annual_report_csv", args=[slug, future])).status_code == 404
    assert director.get(reverse("annual_report_pdf", args=[slug, future])).status_code == 404


def test_the_page_shows_the_tables_and_links_to_both_downloads(school, year, director):
    slug = school.program.slug
    page = director.get(reverse("annual_report", args=[slug]) + "?year=2024").content.decode()
    assert "Annual report 2024–25" in page
    assert reverse("annual_report_pdf", args=[slug, 2024]) in page
    assert reverse("annual_report_csv", args=[slug, 2024]) in page
    assert TOO_FEW in page and HIDDEN_TO_PROTECT in page and escape(TRAINING_NOT_RECORDED) in page
    assert '<option value="2024" selected>2024–25</option>' in page
    program_page = director.get(reverse("program", args=[slug])).content.decode()
    assert reverse("annual_report", args=[slug]) in program_page


def test_a_year_still_under_way_counts_up_to_today(school):
    now = dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC)
    report = annual_report(school.program, YEAR, now=now)
    assert report.as_of == dt.date(2025, 2, 1) and report.year_end == dt.date(2025, 6, 30)
    months = figures(report, "cadence", "Meetings held in February 2025")
    assert months, "the month under way is shown"
    assert not figures(report, "cadence", "Meetings held in March 2025")
    with pytest.raises(ValueError, match="academic year"):
        annual_report(school.program, dt.date(2025, 7, 1), now=now)
    with pytest.raises(ValueError, match="academic year"):
        annual_report(school.program, dt.date(2024, 9, 1), now=now)


def test_a_year_with_little_data_still_makes_a_pdf_and_says_it_is_not_over(school, director):
    current = academic_year_of(timezone.localdate())
    url = reverse("annual_report_pdf", args=[school.program.slug, current.year])
    response = director.get(url)
    assert response.content.startswith(b"%PDF")
    text = "\n".join(pdf_lines(response.content))
    assert "the year is not over" in text
    assert "No check-ins opened in this academic year." in text


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_page_needs_the_same_queries_however_much_data(
    school, director, django_assert_max_num_queries, size
):
    if size == "small":
        build_year(school)
    else:
        build_year(school, extra_communities=3, scale=2)
    url = reverse("annual_report", args=[school.program.slug]) + "?year=2024"
    # 30: one of them finds the program has no training series that year.
    with django_assert_max_num_queries(30):
        assert director.get(url).status_code == 200
