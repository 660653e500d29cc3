from __future__ import annotations

import datetime as dt

from django.utils import timezone

from hearth.meetings.models import ActionItem, AgendaTemplate, Goal
from hearth.meetings.selectors import my_meetings, notes_visible_to
from hearth.people.models import Person


def test_demo_learner_and_mentor_find_meetings_notes_and_goals(demo):
    learner = Person.objects.get(email__startswith="learner@")
    mentor = Person.objects.get(email__startswith="mentor@")
    overview = my_meetings(person=learner)
    assert len(overview.past) >= 3 and overview.upcoming
    assert any(r.relationship.mentor == mentor for r in overview.relationships)
    last = overview.past[0]
    visible = notes_visible_to(meeting=last, person=learner)
    assert visible and all(n.visibility == "shared" for n in visible)
    assert ActionItem.objects.filter(owner=learner, done_at__isnull=True).exists()
    upcoming = overview.upcoming[0]
    assert any("Follow up" in a.text for a in upcoming.agenda.all())
    assert Goal.objects.filter(relationship__mentee=learner).exists()
    assert AgendaTemplate.objects.count() == 4
    assert upcoming.starts_at > timezone.now() - dt.timedelta(minutes=1)
    from hearth.meetings.booking import slots_for

    assert slots_for(mentor=mentor, program=upcoming.relationship.program, now=timezone.now())
