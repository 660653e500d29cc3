"""How much Hearth's PostgreSQL database grows per 1,000 learners per year, measured on the demo.

    python bench/growth.py [--postgres postgres://postgres@127.0.0.1:5432/test] [--copies 9]

Creates a scratch database, migrates it, seeds the demo school (four classes of about 150 and
one graduated, years of meetings, circles, check-ins, trainings, matching and a study) and
measures its size; then adds copies of the whole demo (hearth/demo_scale.py) and measures
again. The demo's bytes above the empty schema, over the learner-years it holds (each learner's
time in a group, up to today), give the growth per 1,000 learner-years; a copy's bytes, which
SQL packs more densely than the services' writes and updates, give a floor.
Sizes are PostgreSQL's own (tables, indexes and TOAST) after VACUUM. Files (profile photos,
interview recordings) live under MEDIA_ROOT and are not counted. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024

MEASURE = r"""
import json, sys
import django
django.setup()
from django.utils import timezone
step = sys.argv[1]
if step == "seed":
    from hearth.demo import seed_all
    seed_all()
elif step.startswith("copies="):
    from hearth.demo_scale import multiply_demo
    multiply_demo(int(step.split("=")[1]) + 1)
from hearth.communities.models import GroupMembership
today = timezone.localdate()
days = 0
for start, end in GroupMembership.objects.filter(role="learner").values_list(
    "start_date", "end_date"
):
    days += max(0, ((min(end, today) if end else today) - start).days)
learners = GroupMembership.objects.filter(role="learner").values("person").distinct().count()
print(json.dumps({"learner_years": days / 365.25, "learners": learners}))
"""


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _psql(url: str, sql: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(sql)
        return str(cursor.fetchone()[0]) if cursor.description else ""


def _size(url: str) -> int:
    _psql(url, "VACUUM")
    return int(_psql(url, "SELECT pg_database_size(current_database())"))


def _step(url: str, step: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, step],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--copies", type=int, default=9, help="whole demos added (default 9)")
    args = parser.parse_args()

    name = f"hearth_growth_{os.getpid()}"
    url = _database_url(args.postgres, name)
    _psql(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')
    _psql(args.postgres, f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    try:
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        empty = _size(url)
        demo = _step(url, "seed")
        one = _size(url)
        grown = _step(url, f"copies={args.copies}")
        many = _size(url)
    finally:
        _psql(args.postgres, f'DROP DATABASE IF EXISTS "{name}"')

    # The demo as the services wrote it (with updates and history, as in real use), and the
    # copies, which SQL packs densely: the first is the figure to plan with, the second a floor.
    per_copy = (many - one) / args.copies
    per_thousand = (one - empty) / demo["learner_years"] * 1000
    marginal = per_copy / demo["learner_years"] * 1000
    print(f"empty schema                 {empty / MIB:8.1f} MiB")
    print(
        f"demo school                  {one / MIB:8.1f} MiB  ({demo['learners']} learners, "
        f"{demo['learner_years']:.0f} learner-years)"
    )
    print(
        f"demo + {args.copies} copies              {many / MIB:8.1f} MiB"
        f"  ({grown['learners']} learners)"
    )
    print(f"one copy of the demo's rows  {per_copy / MIB:8.1f} MiB")
    print(f"per 1,000 learner-years      {per_thousand / MIB:8.1f} MiB  (as seeded)")
    print(f"  floor, from the copies     {marginal / MIB:8.1f} MiB")
    print(f"({time.perf_counter() - started:.0f} s)")
    print(
        json.dumps(
            {
                "empty_mib": round(empty / MIB, 1),
                "demo_mib": round(one / MIB, 1),
                "demo_learners": demo["learners"],
                "demo_learner_years": round(demo["learner_years"], 1),
                "copies": args.copies,
                "with_copies_mib": round(many / MIB, 1),
                "per_demo_mib": round(per_copy / MIB, 1),
                "per_1000_learner_years_mib": round(per_thousand / MIB, 1),
                "floor_per_1000_learner_years_mib": round(marginal / MIB, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
