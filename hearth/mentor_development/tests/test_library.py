from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import Program
from hearth.mentor_development.guide_files import read_guides
from hearth.mentor_development.models import Guide
from hearth.mentor_development.selectors.library import competency_domains, guides_for
from hearth.mentor_development.services import library as services
from hearth.people.models import Role, RoleGrant
from hearth.testing import School, make_person

REQUIRED_TOPICS = [
    "virtual meeting",
    "informal conversation",
    "expectations",
    "development plans",
]


@pytest.fixture(autouse=True)
def hearths_guides(request: pytest.FixtureRequest) -> None:
    """The data migration loads Hearth's guides, but a transactional test (a browser test)
    earlier in the run empties every table: load them again, as the migration would."""
    if "db" in request.fixturenames or "school" in request.fixturenames:
        request.getfixturevalue("db")
        services.hearth_guides_load()


def _program_guide(school: School, **fields: object) -> Guide:
    values: dict = {
        "title": "Our house traditions",
        "summary": "How Apgar House welcomes new mentors.",
        "body": "### Welcome\n\nCome to the *autumn* dinner.",
        "domains": ["communication"],
    }
    values.update(fields)
    return services.guide_create(program=school.program, author=school.director, **values)


# Hearth's own guides


def test_hearths_guides_are_short_practical_and_tagged() -> None:
    guides = read_guides()
    assert len(guides) >= 6
    titles = " ".join(g.title.lower() for g in guides)
    for topic in REQUIRED_TOPICS:
        assert topic in titles
    domains = set(competency_domains())
    for guide in guides:
        words = len(re.findall(r"[\w’'-]+", guide.body))
        assert 300 <= words <= 700, (guide.slug, words)
        assert guide.domains and set(guide.domains) <= domains, guide.slug
        assert guide.summary
    assert {d for g in guides for d in g.domains} == domains  # every domain has a guide


def test_the_migration_loaded_them_and_is_safe_to_run_again(db: None) -> None:
    loaded = Guide.objects.filter(program__isnull=True)
    assert loaded.count() == len(read_guides())
    Guide.objects.filter(program__isnull=True).update(title="Changed")
    migration = importlib.import_module(
        "hearth.mentor_development.migrations.0003_library_load_guides"
    )
    migration.load_guides(apps, None)
    assert loaded.count() == len(read_guides())
    assert not loaded.filter(title="Changed").exists()
    assert services.hearth_guides_load() == loaded.count()


# Search


def test_search_matches_title_summary_and_body_in_any_case(school: School) -> None:
    ours = _program_guide(school)
    user = school.mentor_a1
    assert ours in guides_for(user, query="HOUSE TRADITIONS")  # title
    assert ours in guides_for(user, query="welcomes")  # summary
    assert ours in guides_for(user, query="Autumn Dinner")  # body, every word
    assert ours not in guides_for(user, query="autumn picnic")
    titles = [g.title for g in guides_for(user, query="camera")]
    assert any("virtual meeting" in t for t in titles)


def test_search_puts_title_matches_first(school: School) -> None:
    found = guides_for(school.mentor_a1, query="agenda")
    assert "agenda" in found[0].title.lower()
    assert len(found) > 1  # other guides mention an agenda in their text


def test_filter_by_competency_domain(school: School) -> None:
    equity = guides_for(school.mentor_a1, domain="equity")
    assert equity
    assert all("equity" in g.domains for g in equity)
    assert len(equity) < len(guides_for(school.mentor_a1))
    both = guides_for(school.mentor_a1, query="camera", domain="equity")
    assert all("equity" in g.domains for g in both)


def test_search_page_finds_by_words_and_domain(school: School, client: Client) -> None:
    client.force_login(school.learner_a1)
    page = client.get(reverse("guides"), {"q": "informal", "domain": "communication"})
    assert page.status_code == 200
    content = page.content.decode()
    assert "Making room for informal conversation" in content
    assert "Individual development plans" not in content


# Who sees what


def test_everyone_signed_in_reads_hearths_guides_and_their_programs(school: School) -> None:
    ours = _program_guide(school)
    other_program = Program.objects.create(name="Research mentoring", slug="research")
    theirs = Guide.objects.create(
        program=other_program, slug="theirs", title="Their guide", body="Text"
    )
    hearths = Guide.objects.filter(program__isnull=True)
    seen = set(guides_for(school.learner_a1))
    assert ours in seen and theirs not in seen and set(hearths) <= seen
    outsider_sees = set(guides_for(school.outsider))
    assert set(hearths) == outsider_sees


def test_guide_page_renders_markdown_safely_with_author_and_review_date(
    school: School, client: Client
) -> None:
    guide = _program_guide(
        school,
        body="### Hello\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> **bold**',
    )
    client.force_login(school.mentor_a1)
    page = client.get(reverse("guide", args=[guide.pk])).content.decode()
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page
    assert "<h3>Hello</h3>" in page and "<strong>bold</strong>" in page
    assert "Dora Director" in page
    today = timezone.localdate()
    assert f"{today.day} {today:%B %Y}" in page


def test_hearths_guide_shows_hearth_as_author(school: School, client: Client) -> None:
    guide = Guide.objects.get(program__isnull=True, slug="setting-expectations")
    client.force_login(school.outsider)
    page = client.get(reverse("guide", args=[guide.pk])).content.decode()
    assert 'id="guide-author">Hearth' in page
    assert "27 November 2026" in page


# Writing and editing


def test_directors_add_guides_to_their_own_program(school: School, client: Client) -> None:
    client.force_login(school.director)
    response = client.post(
        reverse("guide_new", args=[school.program.slug]),
        {
            "title": "Mentoring on night shifts",
            "summary": "Short.",
            "body": "Meet at handover.",
            "domains": ["communication", "development"],
        },
    )
    guide = Guide.objects.get(title="Mentoring on night shifts")
    assert response.url == reverse("guide", args=[guide.pk])
    assert guide.program == school.program and guide.author == school.director
    assert guide.domains == ["communication", "development"]
    assert guide.slug == "mentoring-on-night-shifts"


def test_editing_marks_reviewed_today_only_when_asked(school: School) -> None:
    guide = _program_guide(school)
    Guide.objects.filter(pk=guide.pk).update(reviewed_on=dt.date(2024, 1, 1))
    guide.refresh_from_db()
    fields = {"title": "New title", "summary": "", "body": "Text", "domains": []}
    services.guide_update(guide=guide, editor=school.director, **fields)
    assert guide.reviewed_on == dt.date(2024, 1, 1)
    services.guide_update(guide=guide, editor=school.director, reviewed=True, **fields)
    assert guide.reviewed_on == timezone.localdate()
    assert guide.author == school.director


def test_a_second_director_edits_and_the_author_stays(school: School, client: Client) -> None:
    guide = _program_guide(school)
    second = make_person("Dan Seconddirector")
    RoleGrant.objects.create(person=second, role=Role.PROGRAM_DIRECTOR, program=school.program)
    client.force_login(second)
    response = client.post(
        reverse("guide_edit", args=[guide.pk]),
        {"title": "Renamed", "summary": "", "body": "Text", "reviewed": "on"},
    )
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.title == "Renamed" and guide.author == school.director


def test_unknown_domains_and_empty_guides_are_refused(school: School) -> None:
    with pytest.raises(ValidationError, match="Not a competency domain"):
        _program_guide(school, domains=["charisma"])
    with pytest.raises(ValidationError, match="Write the guide"):
        _program_guide(school, body="  ")


@pytest.mark.parametrize("persona", ["mentor_a1", "facilitator", "house_director", "outsider"])
def test_only_directors_write_and_edit_program_guides(
    school: School, client: Client, persona: str
) -> None:
    guide = _program_guide(school)
    client.force_login(school.persona(persona))
    assert client.get(reverse("guide_new", args=[school.program.slug])).status_code == 404
    assert client.get(reverse("guide_edit", args=[guide.pk])).status_code == 404
    assert client.post(reverse("guide_edit", args=[guide.pk]), {"title": "x"}).status_code == 404


def test_nobody_but_site_admins_edits_hearths_guides(school: School, client: Client) -> None:
    hearths = Guide.objects.filter(program__isnull=True).first()
    assert hearths is not None
    client.force_login(school.director)
    assert client.get(reverse("guide_edit", args=[hearths.pk])).status_code == 404
    client.force_login(school.admin)
    assert client.get(reverse("guide_edit", args=[hearths.pk])).status_code == 200


def test_outsider_gets_404_on_a_programs_guide(school: School, client: Client) -> None:
    guide = _program_guide(school)
    client.force_login(school.outsider)
    assert client.get(reverse("guide", args=[guide.pk])).status_code == 404
    assert client.get(reverse("guides")).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(school: School, client: Client) -> None:
    assert client.get(reverse("guides")).status_code == 302


def test_guide_list_query_count(
    school: School, client: Client, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    for n in range(5):
        _program_guide(school, title=f"Guide {n}")
    client.force_login(school.mentor_a1)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("guides"), {"q": "guide"}).status_code == 200
