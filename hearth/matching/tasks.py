"""A match runs as a background task; the run page polls its progress."""

from __future__ import annotations

from django_tasks import task


@task()
def match_run_task(run_id: int) -> str:
    """Solve one queued run; returns the status it ends in."""
    from .services import run_execute

    return run_execute(run_id=run_id).status
