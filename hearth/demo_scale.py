"""Ten times the demo school, for query budgets and the load benchmark.

`multiply_demo(10)` adds nine copies of every row the demo wrote in Hearth's own tables, in
the same program, communities and cohorts: ten times the people and mentor groups, and with
them ten times their memberships, meetings, notes, circles, check-ins, thank-you notes, trainings,
preferences, match runs and studies. Seeding that many through the services would take
minutes; copying table by table in SQL takes seconds and touches every table the pages read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.urls import reverse

# The program's frame stays one: a bigger school has more people in the same houses, and
# more mentor groups in them (a group stays a handful of learners and their mentors).
FRAME = frozenset(
    {
        "communities.Program",
        "communities.Community",
        "communities.Cohort",
        "communities.AttributeDefinition",
        "people.Interest",
        "meetings.ProgramMeetingSettings",
        "recognition.TeachingCreditRule",
        "matching.PreferenceWindow",
        "mentor_development.CompactTemplate",
        "pulse.HarmRuleSettings",
        "meetings.Cadence",
    }
)
# Groups ten times as large instead: the stricter test of a group's own pages.
FRAME_WITH_GROUPS = FRAME | {"communities.MentorGroup"}


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")


def _tracked_label(model: type[models.Model]) -> str:
    return model.instance_type._meta.label  # type: ignore[attr-defined]


def copied_models(frame: frozenset[str] = FRAME) -> list[type[models.Model]]:
    """Every Hearth table but the frame (and the frame's history), m2m tables included."""
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        if not model.__module__.startswith("hearth.") or model._meta.proxy:
            continue
        label = model._meta.label
        if label in frame or (_is_history(model) and _tracked_label(model) in frame):
            continue
        if model._meta.auto_created:
            # An m2m table belongs to its owner: copied when its owner is.
            owner: Any = model._meta.auto_created
            if owner._meta.label in frame:
                continue
        chosen.append(model)
    return chosen


def _new_uuid_sql() -> str:
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    return "lower(hex(randomblob(16)))"


def _column_sql(
    field: models.Field, copied: set[str], offset: int, copy: int, tracked_copied: bool
) -> str:
    column = connection.ops.quote_name(field.column)
    if field.primary_key or _points_at_copy(field, copied):
        return f"{column} + {offset}"
    if field.name == "id" and tracked_copied:
        return f"{column} + {offset}"  # a history row's own object id
    if field in _kept_unique(field.model, copied):
        if isinstance(field, models.UUIDField):
            return _new_uuid_sql()
        if isinstance(field, models.EmailField):
            return f"REPLACE({column}, '@', '.c{copy}@')"
        # Empty stays empty: constraints often exempt it ("unique when given").
        return f"CASE WHEN {column} = '' THEN {column} ELSE {column} || '-c{copy}' END"
    return column


def _points_at_copy(field: models.Field, copied: set[str]) -> bool:
    if not (field.many_to_one or field.one_to_one):
        return False
    target = field.related_model._meta.label  # type: ignore[union-attr]
    return target in copied and field.target_field.primary_key  # type: ignore[attr-defined]


def _kept_unique(model: type[models.Model], copied: set[str]) -> set[models.Field]:
    """Fields a copy must change to stay unique: those no copied reference makes unique."""
    meta = model._meta
    field = meta.get_field
    groups: list[list[Any]] = [[field(name) for name in group] for group in meta.unique_together]
    groups += [
        [field(name) for name in constraint.fields]
        for constraint in meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    groups += [[f] for f in meta.concrete_fields if f.unique and not f.primary_key]
    changed: set[models.Field] = set()
    for group in groups:
        if any(_points_at_copy(f, copied) for f in group):
            continue
        free = [
            f
            for f in group
            if isinstance(f, models.CharField | models.TextField | models.UUIDField)
            and not f.choices
        ]
        if not free:
            raise ValueError(f"{meta.label}: cannot copy rows unique on {[f.name for f in group]}")
        changed.add(free[0])
    return changed


def _pk_step(chosen: list[type[models.Model]]) -> int:
    highest = 1
    for model in chosen:
        top = model._base_manager.aggregate(top=models.Max("pk"))["top"]
        if isinstance(top, int):
            highest = max(highest, top)
    step = 10
    while step <= highest:
        step *= 10
    return step


@transaction.atomic
def multiply_demo(times: int, *, frame: frozenset[str] = FRAME) -> int:
    """Add `times - 1` copies of every copied row; returns how many rows were added."""
    chosen = copied_models(frame)
    labels = {model._meta.label for model in chosen}
    integer_pks = [m for m in chosen if isinstance(m._meta.pk, models.AutoField)]
    step = _pk_step(integer_pks)
    added = 0
    with connection.cursor() as cursor:
        for model in integer_pks:
            fields = model._meta.concrete_fields
            tracked = _is_history(model) and _tracked_label(model) in labels
            table = connection.ops.quote_name(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            for copy in range(1, times):
                values = ", ".join(
                    _column_sql(f, labels, copy * step, copy, tracked) for f in fields
                )
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} "
                    f"WHERE {connection.ops.quote_name(model._meta.pk.column)} < %s",
                    [step],
                )
                added += cursor.rowcount
        for statement in connection.ops.sequence_reset_sql(no_style(), integer_pks):
            cursor.execute(statement)
        # Fresh statistics, as autovacuum would gather: without them PostgreSQL plans for
        # tables of a few rows and the pages measured would be slower than any real site's.
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return added


@dataclass(frozen=True)
class Page:
    name: str
    email: str  # who opens it: the least privileged demo account that may
    path: str


def main_pages() -> list[Page]:
    """The pages people open most, and the API lists, each as the demo account that uses it."""
    from hearth.communities.demo import DOMAIN
    from hearth.communities.models import Community, MentorGroup, Program, Relationship
    from hearth.matching.models import MatchRun
    from hearth.meetings.models import Meeting
    from hearth.mentor_development.models import TrainingSeries
    from hearth.people.models import Person
    from hearth.serendipity.models import Circle
    from hearth.studies.models import Study

    program = Program.objects.get(slug="md-learning-communities")
    mentor = Person.objects.get(email=f"mentor@{DOMAIN}")
    learner = Person.objects.get(email=f"learner@{DOMAIN}")
    evaluator = Person.objects.get(email=f"evaluator@{DOMAIN}")
    house = Community.objects.get(program=program, name="Osler House")
    group = MentorGroup.objects.get(memberships__person=mentor, memberships__end_date=None)
    relationship = Relationship.objects.filter(mentor=mentor, end_date=None).order_by("pk")[0]
    meeting = Meeting.objects.filter(relationship=relationship).order_by("-starts_at")[0]
    circle = Circle.objects.filter(members__person=mentor).order_by("pk")[0]
    series = TrainingSeries.objects.order_by("pk")[0]
    study = Study.objects.filter(members__person=evaluator).order_by("pk")[0]
    match_run = MatchRun.objects.order_by("pk")[0]
    del learner

    def who(local: str) -> str:
        return f"{local}@{DOMAIN}"

    slug = program.slug
    return [
        Page("home (mentor)", who("mentor"), reverse("home")),
        Page("home (learner)", who("learner"), reverse("home")),
        Page("program", who("director"), reverse("program", args=[slug])),
        Page("community", who("house.director"), reverse("community", args=[house.pk])),
        Page("mentor group", who("mentor"), reverse("group", args=[group.pk])),
        Page("person", who("mentor"), reverse("person", args=[relationship.mentee_id])),
        Page("meetings", who("mentor"), reverse("meetings")),
        Page("relationship", who("mentor"), reverse("relationship", args=[relationship.pk])),
        Page("meeting", who("mentor"), reverse("meeting", args=[meeting.pk])),
        Page("overdue pairs", who("director"), reverse("overdue", args=[slug])),
        Page("circles", who("mentor"), reverse("serendipity")),
        Page("circle", who("mentor"), reverse("circle", args=[circle.pk])),
        Page("check-ins", who("mentor"), reverse("pulse")),
        Page("how mentors are doing", who("director"), reverse("program_pulse", args=[slug])),
        Page("thank-you notes", who("mentor"), reverse("thanks")),
        Page("portfolio", who("mentor"), reverse("portfolio")),
        Page("mentor development", who("mentor"), reverse("development")),
        Page("training series", who("facilitator"), reverse("training_series", args=[series.pk])),
        Page("matching", who("director"), reverse("matching", args=[slug])),
        Page("match run", who("director"), reverse("match_run", args=[match_run.pk])),
        Page("studies", who("evaluator"), reverse("studies")),
        Page("study", who("evaluator"), reverse("study", args=[study.pk])),
        Page("annual report", who("director"), reverse("annual_report", args=[slug])),
        Page("api: people", who("director"), "/api/people"),
        Page("api: memberships", who("director"), "/api/memberships"),
        Page("api: group members", who("mentor"), f"/api/groups/{group.pk}/memberships"),
        Page("api: circles", who("mentor"), "/api/circles"),
        Page("api: pairings", who("mentor"), "/api/pairings"),
        Page("api: studies", who("evaluator"), "/api/studies"),
        Page("api: study segments", who("evaluator"), f"/api/studies/{study.pk}/segments"),
    ]
