"""The whole demo: every pillar seeded through its own services, in order."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from hearth.communities.demo import DemoSchool, seed_demo
from hearth.matching.demo import seed_matching
from hearth.meetings.demo import seed_meetings
from hearth.mentor_development.demo_growth import seed_growth
from hearth.mentor_development.demo_library import seed_library
from hearth.mentor_development.demo_series import seed_series
from hearth.pulse.demo import seed_pulse
from hearth.recognition.demo import seed_thanks
from hearth.serendipity.demo import seed_circles
from hearth.studies.demo import seed_studies


@transaction.atomic
def seed_all(*, today: dt.date | None = None) -> DemoSchool:
    school = seed_demo(today=today)
    seed_meetings(school=school, today=today)
    seed_circles(school=school, today=today)
    seed_pulse(school=school, today=today)
    seed_series(school=school, today=today)
    seed_library(school=school, today=today)
    seed_growth(school=school, today=today)
    seed_thanks(school=school)
    seed_matching(school=school, today=today)
    seed_studies(school=school, today=today)
    return school
