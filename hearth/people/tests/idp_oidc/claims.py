from __future__ import annotations

from typing import Any

# Users in this group have an address the IdP has not confirmed.
UNVERIFIED_GROUP = "unverified-email"


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    claims["name"] = user.get_full_name()
    claims["email"] = user.email
    claims["email_verified"] = not user.groups.filter(name=UNVERIFIED_GROUP).exists()
    return claims
