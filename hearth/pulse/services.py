"""Writes for pulse: open a wave (and invite), answer or skip a check-in, rate one's mentoring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hearth.communities.models import GroupMembership, MemberRole, Program, Relationship
from hearth.lib.email import absolute_url, email_on_commit
from hearth.people.models import Person

from .models import FeedbackSharing, HarmRuleSettings, MenteeFeedback, PulseResponse, PulseWave
from .scoring import ItemBank, load_competency_bank, load_item_bank


def item_bank() -> ItemBank:
    return load_item_bank()


def current_mentors(program: Program) -> list[Person]:
    ids = GroupMembership.objects.filter(
        program=program, role=MemberRole.MENTOR, end_date__isnull=True
    ).values("person_id")
    return list(Person.objects.filter(pk__in=ids, is_active=True))


def mentor_community(program: Program, person: Person) -> int | None:
    membership = (
        GroupMembership.objects.filter(
            program=program, person=person, role=MemberRole.MENTOR, end_date__isnull=True
        )
        .select_related("group")
        .order_by("start_date")
        .first()
    )
    return membership.group.community_id if membership else None


@transaction.atomic
def wave_open(
    *, program: Program, label: str, opens_on: dt.date, closes_on: dt.date, invite: bool = True
) -> PulseWave:
    """A new round of check-ins: mentors are invited to theirs, mentees to rate their mentoring."""
    if closes_on < opens_on:
        raise ValidationError("The check-in must close on or after the day it opens.")
    if PulseWave.objects.filter(program=program, label=label).exists():
        raise ValidationError(f"{program.name} already has a check-in called “{label}”.")
    wave = PulseWave.objects.create(
        program=program,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
        item_bank_version=item_bank().version,
        invited_at=timezone.now() if invite else None,
    )
    if not invite:
        return wave
    link = absolute_url(reverse("pulse"))
    for mentor in current_mentors(program):
        email_on_commit(
            subject=f"{program.name}: a two-minute check-in ({label})",
            body="\n".join(
                [
                    f"Hello {mentor.display_name},",
                    "",
                    f"How is mentoring going for you? The {label} check-in is open until "
                    f"{closes_on:%A %-d %B}. It takes under two minutes; you may skip it.",
                    "Your answers are yours: directors only ever see totals of five or more.",
                    "",
                    link,
                ]
            ),
            recipients=[mentor.email],
        )
    feedback_link = absolute_url(reverse("mentee_feedback"))
    for learner in current_mentees(program):
        email_on_commit(
            subject=f"{program.name}: how is your mentoring going? ({label})",
            body="\n".join(
                [
                    f"Hello {learner.display_name},",
                    "",
                    f"Once a term you can rate your mentoring; this time until "
                    f"{closes_on:%A %-d %B}. Twelve statements, two minutes.",
                    "Your mentor sees only averages of three or more learners, after the term "
                    "closes — never who said what.",
                    "",
                    feedback_link,
                ]
            ),
            recipients=[learner.email],
        )
    return wave


def current_mentees(program: Program) -> list[Person]:
    ids = Relationship.objects.filter(program=program, end_date__isnull=True).values("mentee_id")
    return list(Person.objects.filter(pk__in=ids, is_active=True))


def check_answers(answers: Mapping[str, int], bank: ItemBank) -> None:
    """Every item of the bank answered on its scale, and nothing else."""
    missing = [item.text for item in bank.items if item.key not in answers]
    if missing:
        raise ValidationError(f"Please answer: “{missing[0]}”")
    unknown = sorted(set(answers) - {item.key for item in bank.items})
    if unknown:
        raise ValidationError(f"Unknown item {unknown[0]!r}.")
    for item in bank.items:
        value = answers[item.key]
        # A bool is an int to Python, but true is no answer on a scale.
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not bank.scale_min <= value <= bank.scale_max
        ):
            raise ValidationError(
                f"“{item.text}”: choose {bank.scale_min} to {bank.scale_max}, not {value!r}."
            )


def _check_open(wave: PulseWave, person: Person, on: dt.date | None) -> None:
    if not wave.is_open_on(on or timezone.localdate()):
        raise ValidationError(f"The {wave.label} check-in is closed.")
    if not GroupMembership.objects.filter(
        program=wave.program, person=person, role=MemberRole.MENTOR, end_date__isnull=True
    ).exists():
        raise ValidationError("Only the program's current mentors take this check-in.")


@transaction.atomic
def response_submit(
    *,
    wave: PulseWave,
    person: Person,
    answers: Mapping[str, int],
    free_text: str = "",
    free_text_to_studies: bool = False,
    on: dt.date | None = None,
) -> PulseResponse:
    """Save (or change, while the wave is open) a mentor's answers; every item is answered."""
    _check_open(wave, person, on)
    check_answers(answers, item_bank())
    response, _ = PulseResponse.objects.update_or_create(
        wave=wave,
        person=person,
        defaults={
            "answers": dict(answers),
            "free_text": free_text.strip(),
            "free_text_to_studies": free_text_to_studies and bool(free_text.strip()),
            "skipped": False,
            "community_id": mentor_community(wave.program, person),
            "submitted_at": _moment(on),
        },
    )
    return response


def _moment(on: dt.date | None) -> dt.datetime:
    """When an answer was given: now, or noon of `on` for answers recorded for a past day."""
    if on is None:
        return timezone.now()
    return dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC)


@transaction.atomic
def response_skip(*, wave: PulseWave, person: Person, on: dt.date | None = None) -> PulseResponse:
    _check_open(wave, person, on)
    response, _ = PulseResponse.objects.update_or_create(
        wave=wave,
        person=person,
        defaults={
            "answers": {},
            "free_text": "",
            "free_text_to_studies": False,
            "skipped": True,
            "community_id": mentor_community(wave.program, person),
            "submitted_at": _moment(on),
        },
    )
    return response


REMIND_DAYS_BEFORE_CLOSE = 3


@transaction.atomic
def reminders_send(*, today: dt.date | None = None) -> int:
    """Once per wave, a few days before it closes: remind mentors who neither answered nor
    skipped. Safe to run as often as you like."""
    today = today or timezone.localdate()
    due = PulseWave.objects.select_for_update().filter(
        reminded_at__isnull=True,
        opens_on__lte=today,
        closes_on__gte=today,
        closes_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE_CLOSE),
    )
    sent = 0
    link = absolute_url(reverse("pulse"))
    for wave in due.select_related("program"):
        answered = set(wave.responses.values_list("person_id", flat=True))
        for mentor in current_mentors(wave.program):
            if mentor.pk in answered:
                continue
            email_on_commit(
                subject=f"{wave.program.name}: the {wave.label} check-in closes soon",
                body="\n".join(
                    [
                        f"Hello {mentor.display_name},",
                        "",
                        f"The {wave.label} check-in closes on {wave.closes_on:%A %-d %B}. "
                        "Two minutes, or one click to skip it:",
                        link,
                    ]
                ),
                recipients=[mentor.email],
            )
            sent += 1
        wave.reminded_at = timezone.now()
        wave.save(update_fields=["reminded_at"])
    return sent


@transaction.atomic
def feedback_submit(
    *,
    wave: PulseWave,
    relationship: Relationship,
    learner: Person,
    answers: Mapping[str, int],
    on: dt.date | None = None,
) -> MenteeFeedback:
    """A learner rates their mentoring this term; they may change it while the term is open."""
    if relationship.mentee_id != learner.pk:
        raise ValidationError("You can rate only your own mentoring.")
    if relationship.program_id != wave.program_id:
        raise ValidationError(f"{relationship.mentor} does not mentor you in {wave.program}.")
    if not relationship.is_open:
        raise ValidationError("This mentoring relationship has ended.")
    if not wave.is_open_on(on or timezone.localdate()):
        raise ValidationError(f"Feedback for {wave.label} is closed.")
    bank = load_competency_bank()
    check_answers(answers, bank)
    feedback, _ = MenteeFeedback.objects.update_or_create(
        wave=wave,
        relationship=relationship,
        defaults={
            "answers": dict(answers),
            "item_bank_version": bank.version,
            "submitted_at": _moment(on),
        },
    )
    return feedback


def feedback_sharing_set(*, mentor: Person, in_portfolio: bool) -> FeedbackSharing:
    sharing, _ = FeedbackSharing.objects.update_or_create(
        mentor=mentor, defaults={"in_portfolio": in_portfolio}
    )
    return sharing


def harm_rules_set(*, program: Program, **values: float | bool) -> HarmRuleSettings:
    """A director sets the program's warning thresholds; unnamed ones keep their value."""
    rules, _ = HarmRuleSettings.objects.get_or_create(program=program)
    for name, value in values.items():
        setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    return rules
