"""The compact on the relationship page, and dates read in the viewer's own zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from hearth.communities.models import Relationship
from hearth.lib.time import zone_named

from ..selectors.compacts import compact_panel as compact_panel_for

register = template.Library()


@register.filter
def day_in_zone(moment: dt.datetime | None, zone: str) -> str:
    """The calendar day of a moment in the viewer's zone: "27 November 2025"."""
    if moment is None:
        return ""
    local = moment.astimezone(zone_named(zone))
    return f"{local.day} {local:%B %Y}"


@register.inclusion_tag("mentor_development/compact_panel.html", takes_context=True)
def compact_panel(context: dict[str, Any], relationship: Relationship) -> dict[str, Any]:
    user = context["user"]
    return {"panel": compact_panel_for(relationship, user), "user": user}
