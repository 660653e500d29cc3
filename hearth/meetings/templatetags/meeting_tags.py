from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils.safestring import SafeString, mark_safe

from hearth.lib.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.filter
def in_zone(moment: dt.datetime, zone: str) -> str:
    """A time as the viewer reads it: their own zone, named."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return local.strftime("%a %-d %b %Y, %H:%M ") + (local.tzname() or zone)
