"""Password sign-in hardening: throttling hooks for django-axes and optional two-step sign-in."""

from __future__ import annotations

import math
import time
from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Person

RECOVERY_CODE_COUNT = 10
# The password step is good for this long while the person fetches their code.
PENDING_SECONDS = 10 * 60
_PENDING_KEY = "two_step_pending"


# -- Throttling (django-axes settings point here) ---------------------------------------------


def attempted_email(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The email a sign-in attempt was for, however it arrived, spelled one way."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    return value.strip().lower() if isinstance(value, str) else None


def client_ip(request: HttpRequest) -> str | None:
    # Behind Hearth's own proxy the client's address is the one that proxy appended last to
    # X-Forwarded-For; anything to its left was written by the client and can be forged.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_TLS_PROXY and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
        status=429,
    )


def sign_in_locked(request: HttpRequest, email: str) -> bool:
    """Whether this email, from this client, is locked out for now."""
    if not settings.AXES_ENABLED:
        return False
    return not AxesProxyHandler.is_allowed(request, {"username": email})


def sign_in_failed(request: HttpRequest, email: str) -> None:
    """Count a failed second step like a wrong password (AxesMiddleware shows any lockout)."""
    user_login_failed.send(sender=__name__, credentials={"username": email}, request=request)


def lockout_lift(*, email: str) -> int:
    """Forget failed sign-ins for this email from every address (after a password reset)."""
    return AxesProxyHandler.reset_attempts(username=email.strip().lower())


def sign_in_records_delete(*, email: str) -> int:
    """Erase what django-axes holds under this email (it keeps names, not links to people)."""
    email = email.strip().lower()
    return sum(
        model.objects.filter(username__iexact=email).delete()[0]
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    )


# -- The pending second step ------------------------------------------------------------------


def pending_set(request: HttpRequest, *, person: Person, backend: str) -> None:
    request.session[_PENDING_KEY] = {"person": person.pk, "backend": backend, "at": time.time()}


def pending_get(request: HttpRequest) -> tuple[Person, str] | None:
    """The person whose password was right, if that was recently enough."""
    pending = request.session.get(_PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    person = Person.objects.filter(pk=pending["person"], is_active=True).first()
    return (person, pending["backend"]) if person else None


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(_PENDING_KEY, None)


# -- Devices ----------------------------------------------------------------------------------


def two_step_device(person: Person) -> TOTPDevice | None:
    """The person's confirmed authenticator, if two-step sign-in is on."""
    return TOTPDevice.objects.filter(user=person, confirmed=True).order_by("pk").first()


def two_step_pending_device(person: Person) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=person, confirmed=False).order_by("pk").first()


def two_step_begin(*, person: Person) -> TOTPDevice:
    """A new, unconfirmed authenticator secret (or the one already waiting)."""
    return two_step_pending_device(person) or TOTPDevice.objects.create(
        user=person, name="Authenticator app", confirmed=False
    )


@transaction.atomic
def two_step_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Turn two-step sign-in on if `code` is current; returns the new recovery codes."""
    if not device.verify_token(_normalise(code)):
        return None
    device.confirmed = True
    device.created_at = timezone.now()  # "on since" counts from confirmation, not the first scan
    device.save(update_fields=["confirmed", "created_at"])
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user_id=device.user_id).delete()
    recovery = StaticDevice.objects.create(user_id=device.user_id, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    return codes


def two_step_turn_off(*, person: Person) -> int:
    """Forget the person's authenticator and recovery codes."""
    with transaction.atomic():
        return (
            TOTPDevice.objects.filter(user=person).delete()[0]
            + StaticDevice.objects.filter(user=person).delete()[0]
        )


def code_verify(person: Person, code: str) -> Device | None:
    """The device that accepts `code`: the authenticator's current code or an unused recovery code.

    A recovery code is used up by this call.
    """
    token = _normalise(code)
    if not token:
        return None
    with transaction.atomic():
        for device in _devices_for(person, token).select_for_update():
            if device.verify_token(token):
                return device
    return None


def code_wait_seconds(person: Person, code: str) -> int:
    """Seconds before django-otp accepts another such code after wrong ones (doubling each time)."""
    return max([0, *map(_wait_seconds, _devices_for(person, _normalise(code)))])


def device_wait_seconds(device: Device) -> int:
    return _wait_seconds(device)


def _devices_for(person: Person, token: str) -> QuerySet[Any]:
    # A code goes only to the kind of device it can belong to, so a recovery code does not count
    # as a wrong authenticator code (django-otp slows a device down after each wrong one).
    model = TOTPDevice if token.isdigit() and len(token) <= 8 else StaticDevice
    return model.objects.filter(user=person, confirmed=True)


def _wait_seconds(device: Device) -> int:
    allowed, details = device.verify_is_allowed()
    if allowed or not details or not details.get("locked_until"):
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


def two_step_summary(person: Person) -> str:
    """What a person's data export says about two-step sign-in; never the secrets."""
    device = two_step_device(person)
    if device is None:
        return "off"
    return f"on, since {device.created_at.date().isoformat()}" if device.created_at else "on"


def recovery_codes_left(person: Person) -> int:
    return StaticToken.objects.filter(device__user=person, device__confirmed=True).count()


def _normalise(code: str) -> str:
    # People type codes with spaces or dashes, and recovery codes in capitals.
    return "".join(code.split()).replace("-", "").lower()


# -- Showing the secret -----------------------------------------------------------------------


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code drawn on the server: no script, no data URI."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.get_image()
    for name, value in {
        "width": "240",
        "height": "240",
        "role": "img",
        "aria-label": "QR code to scan with your authenticator app",
    }.items():
        svg.set(name, value)
    return image.to_string(encoding="unicode")
