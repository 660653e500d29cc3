"""Email goes out through the task queue, and only once the write that caused it commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task


@task()
def send_email_task(*, subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def email_on_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue an email that is sent only if the surrounding transaction commits."""
    if not recipients:
        return
    transaction.on_commit(
        lambda: send_email_task.enqueue(subject=subject, body=body, recipients=recipients)
    )
