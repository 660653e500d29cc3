"""The life of a background job's row: claimed from queued, written to while it runs (each
write doubles as the heartbeat the page's "is it alive?" check reads), finished, or ended by
whoever notices that its worker fell silent.

Every write after the claim is guarded by the running status, so a worker whose job was
ended meanwhile (as silent, or deleted with what it belonged to) learns it at its next
write and drops its work instead of overwriting the verdict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


class JobGone(Exception):
    """The job is no longer running: ended as silent, or deleted."""


@dataclass(frozen=True)
class JobRows(Generic[M]):
    model: type[M]
    queued: str
    running: str
    silent_after: dt.timedelta
    created_field: str  # when the row was made: a row never heard from counts from then

    def claim(self, pk: int, **fields: Any) -> bool:
        """Take a queued job; False when another worker has it or it is no longer queued."""
        return bool(
            self._rows(pk, self.queued).update(
                status=self.running, heartbeat_at=timezone.now(), **fields
            )
        )

    def write(self, pk: int, **fields: Any) -> None:
        """Progress from a running job, which also tells that its worker is alive."""
        if not self._rows(pk, self.running).update(heartbeat_at=timezone.now(), **fields):
            raise JobGone(pk)

    def finish(self, pk: int, **fields: Any) -> None:
        """Write a running job's outcome (finished now, unless the fields say when)."""
        fields.setdefault("finished_at", timezone.now())
        if not self._rows(pk, self.running).update(**fields):
            raise JobGone(pk)

    def end_silent(
        self, rows: QuerySet[M], *, now: dt.datetime | None = None, **fields: Any
    ) -> int:
        """End the running jobs among `rows` whose worker has been silent too long, with the
        given outcome; how many."""
        now = now or timezone.now()
        cutoff = now - self.silent_after
        never_heard = Q(heartbeat_at__isnull=True, **{f"{self.created_field}__lt": cutoff})
        return (
            rows.filter(status=self.running)
            .filter(Q(heartbeat_at__lt=cutoff) | never_heard)
            .update(finished_at=now, **fields)
        )

    def _rows(self, pk: int, status: str) -> QuerySet[M]:
        return self.model._default_manager.filter(pk=pk, status=status)
