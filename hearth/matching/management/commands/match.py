from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hearth.communities.models import Program
from hearth.matching import services
from hearth.matching.models import MentoringRound, RunKind, RunStatus


class _Rollback(Exception):
    pass


def _balance(text: str) -> dict[str, Any]:
    """ "gender=woman:2" -> a balance goal (weight 1 when left out)."""
    attribute, sep, rest = text.partition("=")
    value, _, weight = rest.partition(":")
    if not sep or not attribute or not value:
        raise CommandError(
            f"--balance {text!r}: write ATTRIBUTE=VALUE[:WEIGHT], e.g. gender=woman:2"
        )
    return {"attribute": attribute, "value": value, "label": value, "weight": weight or 1}


class Command(BaseCommand):
    help = (
        "Match an entering class into communities and mentor groups (--cohort), or a "
        "mentoring round's mentees with mentors (--round), and print the proposal's summary "
        "and run id. Infeasible input exits with code 1, naming the rules that cannot all "
        "hold, and writes nothing. With --publish the proposal is published at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="The program's slug, for example md-lc.")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--cohort", help="The class's name or year: “Class of 2031” or 2031.")
        which.add_argument("--round", type=int, help="A mentoring round's id.")
        parser.add_argument("--publish", action="store_true", help="Publish the proposal too.")
        parser.add_argument("--preference-weight", type=float, default=1.0)
        parser.add_argument("--even-weight", type=float, default=0.5)
        parser.add_argument(
            "--balance",
            action="append",
            default=[],
            metavar="ATTRIBUTE=VALUE[:WEIGHT]",
            help="Balance this attribute value across communities (repeatable).",
        )
        parser.add_argument("--policy", choices=["fit", "stable"], help="Mentoring rounds.")
        parser.add_argument("--outside-division", action="store_true", help="Mentoring rounds.")
        parser.add_argument("--senior-mentor", action="store_true", help="Mentoring rounds.")

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"No program has the slug {options['program']!r}.")
        try:
            with transaction.atomic():
                run = self._run(program, options)
                if run.status == RunStatus.INFEASIBLE:
                    raise _Rollback
                if run.status != RunStatus.READY:
                    raise CommandError(run.error or f"The run ended {run.status}.")
                self._summary(run)
                if options["publish"]:
                    services.run_publish(run=run, by=None)
                    self.stdout.write(self.style.SUCCESS(f"Published run {run.pk}."))
        except _Rollback:
            self.stderr.write("No placement meets every rule; nothing was written:")
            for reason in run.infeasible_reasons:
                self.stderr.write(f"  - {reason}")
            raise SystemExit(1) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def _run(self, program: Program, options: dict[str, Any]) -> Any:
        if options["round"] is not None:
            round_ = MentoringRound.objects.filter(program=program, pk=options["round"]).first()
            if round_ is None:
                raise CommandError(f"{program.name} has no mentoring round {options['round']}.")
            settings: dict[str, Any] = {
                "policy": options["policy"] or round_.policy,
                "outside_division": options["outside_division"],
                "senior_mentor": options["senior_mentor"],
            }
            run = services.run_start(
                program=program, by=None, round_=round_, settings=settings, enqueue=False
            )
        else:
            settings = {
                "preference_weight": options["preference_weight"],
                "even_size_weight": options["even_weight"],
                "balance": [_balance(text) for text in options["balance"]],
            }
            run = services.run_start(
                program=program,
                by=None,
                cohort=services.cohort_named(program, options["cohort"]),
                settings=settings,
                enqueue=False,
            )
        verbose = options["verbosity"] > 1
        return services.run_execute(
            run_id=run.pk,
            listener=(lambda percent, message: self.stdout.write(f"  {percent:3d} %  {message}"))
            if verbose
            else None,
        )

    def _summary(self, run: Any) -> None:
        count = run.placements.count()
        if run.kind == RunKind.MENTORING:
            what = "pair" if count == 1 else "pairs"
        else:
            what = "learner placed" if count == 1 else "learners placed"
        quality = (
            "proven optimal"
            if run.proven_optimal
            else f"within {run.gap_percent} % of the best possible"
        )
        self.stdout.write(
            f"Run {run.pk}: {run.title} — {count} {what}; {run.objective:.1f} points, {quality}."
        )
        for term in run.terms:
            self.stdout.write(f"  {term['label']}: {term['value']:.1f}")
        if run.kind == RunKind.MENTORING:
            self.stdout.write(
                f"  Blocking pairs: {run.blocking_pairs}; without a mentor: {len(run.unmatched)}"
            )
