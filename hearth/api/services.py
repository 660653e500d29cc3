"""Creating, using and revoking API tokens."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from hearth.people.models import Person

from .models import ApiToken


@transaction.atomic
def api_token_create(*, person: Person, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned once and never stored."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        person=person, name=name, key_hash=ApiToken.hash_secret(secret), prefix=secret[:8]
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Stop a token working; the row stays so its use can still be traced."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_owner(*, secret: str) -> Person | None:
    """The active person behind a live token, noting the use; None for anything else."""
    token = (
        ApiToken.objects.filter(
            key_hash=ApiToken.hash_secret(secret),
            revoked_at__isnull=True,
            person__is_active=True,
        )
        .select_related("person")
        .first()
    )
    if token is None:
        return None
    # An UPDATE rather than save() so concurrent requests never overwrite other fields.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.person
