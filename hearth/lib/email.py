"""Email goes out through the task queue, and only once the write that caused it commits."""

from __future__ import annotations

import base64
import datetime as dt
import smtplib
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import TypedDict

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

# (filename, content, mimetype); the mimetype may carry parameters: "text/calendar; method=REQUEST".
Attachment = tuple[str, bytes | str, str]


class _QueuedAttachment(TypedDict):
    # Task arguments must be JSON, so content travels as base64.
    filename: str
    content_base64: str
    mimetype: str


def absolute_url(path: str) -> str:
    """Links in emails and calendar files must carry the site's own address."""
    base = getattr(settings, "HEARTH_BASE_URL", "http://127.0.0.1:8000")
    return base.rstrip("/") + path


def _mime_part(attachment: _QueuedAttachment) -> MIMEBase:
    content = base64.b64decode(attachment["content_base64"])
    full_type, _, params = attachment["mimetype"].partition(";")
    maintype, _, subtype = full_type.strip().partition("/")
    part: MIMEBase
    if maintype == "text":
        part = MIMEText(content.decode(), subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(content)
        encoders.encode_base64(part)
    for param in params.split(";"):
        name, sep, value = param.partition("=")
        if sep:
            part.set_param(name.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
    return part


# A refused or unreachable mail server is retried later; each failed try stays recorded.
MAX_ATTEMPTS = 4
RETRY_AFTER = dt.timedelta(minutes=5)


def _send(
    subject: str, body: str, recipients: list[str], attachments: list[_QueuedAttachment]
) -> int:
    if not attachments:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    for attachment in attachments:
        message.attach(_mime_part(attachment))
    return message.send()


@task()
def send_email_task(
    *,
    subject: str,
    body: str,
    recipients: list[str],
    attachments: list[_QueuedAttachment] | None = None,
    attempt: int = 1,
) -> int:
    try:
        return _send(subject, body, recipients, attachments or [])
    except (smtplib.SMTPException, OSError):
        if attempt < MAX_ATTEMPTS and send_email_task.get_backend().supports_defer:
            send_email_task.using(run_after=timezone.now() + RETRY_AFTER * attempt).enqueue(
                subject=subject,
                body=body,
                recipients=recipients,
                attachments=attachments,
                attempt=attempt + 1,
            )
        raise


def email_on_commit(
    *,
    subject: str,
    body: str,
    recipients: list[str],
    attachments: list[Attachment] | None = None,
) -> None:
    """Queue an email that is sent only if the surrounding transaction commits."""
    if not recipients:
        return
    queued: list[_QueuedAttachment] = [
        {
            "filename": filename,
            "content_base64": base64.b64encode(
                content.encode() if isinstance(content, str) else content
            ).decode("ascii"),
            "mimetype": mimetype,
        }
        for filename, content, mimetype in attachments or []
    ]
    transaction.on_commit(
        lambda: send_email_task.enqueue(
            subject=subject, body=body, recipients=recipients, attachments=queued
        )
    )
