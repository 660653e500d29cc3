"""The demo's studies: alive for the demo evaluator, reachable from their home page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from hearth.communities.demo import seed_demo
from hearth.people.models import Person
from hearth.pulse.demo import seed_pulse
from hearth.seed_snapshots import seeded
from hearth.studies import selectors, services
from hearth.studies.demo import seed_studies
from hearth.studies.models import CodedSegment, Source, Study, StudyMember


def test_the_demo_evaluator_finds_a_coded_study_with_disagreements_and_a_report(db, client):
    today = timezone.localdate()
    school = seeded(seed_demo, today=today)
    seed_pulse(school=school, today=today)
    study = seed_studies(school=school, today=today)

    lead = Person.objects.get(email=f"evaluator@{school.domain}")
    coder = Person.objects.get(email=f"coder@{school.domain}")
    assert CodedSegment.objects.filter(source__study=study, coder=lead).count() >= 15
    assert CodedSegment.objects.filter(source__study=study, coder=coder).count() >= 15
    # Five interviews were de-identified; the sixth waits with names, an email and a phone.
    waiting = Source.objects.get(study=study, deidentified_at__isnull=True)
    proposal = services.deidentification_proposal(waiting)
    kinds = {r.kind for r in proposal.replacements}
    assert {"name", "email", "phone"} <= kinds
    assert any("Lindqvist" in s.text for s in proposal.unhandled)
    for source in Source.objects.filter(study=study, deidentified_at__isnull=False):
        assert "{" not in source.text and "@" not in source.text

    member = StudyMember.objects.get(study=study, person=lead)
    view = selectors.agreement_view(
        study,
        coders=selectors.coding_members(study),
        sources=list(study.sources.all()),
        unit="turn",
        with_disagreements=True,
    )
    overall = view.rows[-1].figures
    assert 0.3 < overall.kappa < 0.95, "two coders who mostly agree"
    assert view.disagreements
    report = selectors.report(study, member)
    assert [s.participants for s in report.themes] and all(s.of == 6 for s in report.themes)
    assert all(s.quotes for s in report.themes)

    checkins = Study.objects.exclude(pk=study.pk).get()
    assert checkins.sources.exists()

    client.force_login(lead)
    home = client.get(reverse("home")).content.decode()
    assert reverse("studies") in home
    studies = client.get(reverse("studies")).content.decode()
    assert "Meaning in the mentor role" in studies
    assert client.get(reverse("study_report", args=[study.pk])).status_code == 200
    assert client.get(reverse("study_agreement", args=[study.pk])).status_code == 200
