"""Retention as a background task, for sites that schedule work through the task queue."""

from __future__ import annotations

from django_tasks import task

from .retention import retention_apply


@task()
def apply_retention_task() -> dict[str, int | bool]:
    """Apply the retention settings; a site runs this (or `manage.py apply_retention`) daily."""
    return retention_apply().as_dict()
