"""Charts rendered to inline SVG on the server: no JavaScript, no network, readable offline."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import altair as alt
import vl_convert as vlc
from django.utils.html import escape


def _label(svg: str, description: str) -> str:
    """Give the SVG a role, an accessible name and a <title> screen readers announce."""
    text = escape(description)
    svg = re.sub(
        r"^<svg\b",
        f'<svg role="img" aria-label="{text}" style="max-width: 100%; height: auto"',
        svg.lstrip(),
        count=1,
    )
    return re.sub(r"(<svg\b[^>]*>)", rf"\1<title>{text}</title>", svg, count=1)


def meetings_per_month_svg(rows: Sequence[dict[str, Any]]) -> str:
    """A grouped bar chart of meetings per month, one colour per community."""
    communities = sorted({row["community"] for row in rows})
    months = sorted({row["month"] for row in rows})
    if months:
        description = (
            f"Bar chart of meetings held per month from {months[0]} to {months[-1]} "
            f"in {', '.join(communities)}. The same numbers are in the table below."
        )
    else:
        description = "Bar chart of meetings held per month: no meetings yet."
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            x=alt.X("month:O", title="Month"),
            xOffset=alt.XOffset("community:N"),
            y=alt.Y("meetings:Q", title="Meetings", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("community:N", title="Community"),
            tooltip=["month:O", "community:N", "meetings:Q"],
        )
        .properties(width="container", height=220, description=description)
    )
    spec = chart.to_dict()
    spec["width"] = 640  # vl-convert has no container to measure.
    return _label(vlc.vegalite_to_svg(spec), description)


def theme_trend_svg(rows: Sequence[dict[str, Any]], waves: Sequence[str]) -> str:
    """Small line charts, one per theme, of a mentor's own scores over check-ins (1 to 5)."""
    themes = list(dict.fromkeys(str(row["theme"]) for row in rows))
    description = (
        f"Line charts of your check-in scores from {waves[0]} to {waves[-1]}, one per theme, "
        "on a scale from 1 to 5. The same numbers are in the table below."
        if waves
        else "Your check-in scores: none yet."
    )
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_line(point=True)
        .encode(
            x=alt.X("wave:O", title=None, sort=list(waves)),
            y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=[1, 5])),
            tooltip=["theme:N", "wave:O", alt.Tooltip("score:Q", format=".1f")],
        )
        .properties(width=180, height=110)
        .facet(facet=alt.Facet("theme:N", title=None, sort=themes), columns=3)
        .properties(description=description)
    )
    return _label(vlc.vegalite_to_svg(chart.to_dict()), description)
