"""Charts rendered to inline SVG on the server: no JavaScript, no network, readable offline."""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import vl_convert as vlc
from django.utils.html import escape

KEPT_CHARTS = 256  # per process; a chart is tens of kilobytes


def kept_by_figures(draw: Callable[..., str]) -> Callable[..., str]:
    """Drawing a chart costs tens of milliseconds, more than the rest of most pages; the same
    figures draw the same chart, so each process keeps the charts it drew lately, keyed by
    their figures. New figures make a new key: there is nothing to invalidate."""
    kept: OrderedDict[str, str] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(draw)
    def drawn(*args: Any, **kwargs: Any) -> str:
        key = json.dumps([args, kwargs], sort_keys=True, default=str)
        with lock:
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        svg = draw(*args, **kwargs)
        with lock:
            kept[key] = svg
            while len(kept) > KEPT_CHARTS:
                kept.popitem(last=False)
        return svg

    return drawn


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


@kept_by_figures
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


@kept_by_figures
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


# Charts for printed reports: a fixed width that reads at the size of a page's text column.
PRINT_CONFIG: dict[str, Any] = {
    "font": "serif",
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 200},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
    "view": {"stroke": None},
}


@kept_by_figures
def grouped_bars_svg(
    rows: Sequence[dict[str, Any]],
    *,
    value_title: str,
    description: str,
    percent: bool = False,
    width: int = 440,
) -> str:
    """Horizontal bars per category (a community), one colour per series (mentors, learners).
    Rows are {"category", "series", "value"}; a hidden figure is simply not a row."""
    categories = list(dict.fromkeys(str(row["category"]) for row in rows))
    value_axis = alt.Axis(format=".0%", tickCount=5) if percent else alt.Axis(tickMinStep=1)
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            y=alt.Y("category:N", title=None, sort=categories),
            yOffset=alt.YOffset("series:N"),
            x=alt.X(
                "value:Q",
                title=value_title,
                axis=value_axis,
                scale=alt.Scale(domain=[0, 1]) if percent else alt.Undefined,
            ),
            color=alt.Color("series:N", title=None),
        )
        .properties(width=width, height=alt.Step(14), description=description)
    )
    spec = chart.to_dict()
    spec["config"] = PRINT_CONFIG
    return _label(vlc.vegalite_to_svg(spec), description)


@kept_by_figures
def program_theme_trend_svg(rows: Sequence[dict[str, Any]], waves: Sequence[str]) -> str:
    """One line per theme of a program's mean scores (1 to 5) over check-ins; a wave hidden
    by the small-cell rule is not a row, so its point is absent."""
    themes = list(dict.fromkeys(str(row["theme"]) for row in rows))
    description = (
        f"Line chart of mean check-in scores per theme from {waves[0]} to {waves[-1]}, "
        "on a scale from 1 to 5. The same numbers are in the table."
        if waves
        else "Mean check-in scores per theme: none to show."
    )
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_line(point=True)
        .encode(
            x=alt.X("wave:O", title=None, sort=list(waves), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("score:Q", title="Mean score", scale=alt.Scale(domain=[1, 5])),
            color=alt.Color("theme:N", title=None, sort=themes),
        )
        .properties(width=440, height=180, description=description)
    )
    spec = chart.to_dict()
    spec["config"] = {**PRINT_CONFIG, "legend": {**PRINT_CONFIG["legend"], "columns": 2}}
    return _label(vlc.vegalite_to_svg(spec), description)


@kept_by_figures
def meetings_per_month_print_svg(rows: Sequence[dict[str, Any]]) -> str:
    """meetings_per_month_svg at the size of a printed page: the same bars, larger type."""
    communities = list(dict.fromkeys(str(row["community"]) for row in rows))
    months = sorted({str(row["month"]) for row in rows})
    description = (
        f"Bar chart of meetings held per month from {months[0]} to {months[-1]} "
        f"in {', '.join(communities)}. The same numbers are in the table."
        if months
        else "Bar chart of meetings held per month: none to show."
    )
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            x=alt.X("month:O", title=None, sort=months, axis=alt.Axis(labelAngle=-45)),
            xOffset=alt.XOffset("community:N", sort=communities),
            y=alt.Y("meetings:Q", title="Meetings", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("community:N", title=None, sort=communities),
        )
        .properties(width=440, height=170, description=description)
    )
    spec = chart.to_dict()
    spec["config"] = PRINT_CONFIG
    return _label(vlc.vegalite_to_svg(spec), description)


@kept_by_figures
def growth_svg(rows: Sequence[dict[str, Any]], moments: Sequence[str], *, description: str) -> str:
    """One line per competency domain across self-rating moments (before, at the end, later),
    on the 1 to 5 scale. Rows are {"moment", "domain", "score"}; a hidden mean is not a row."""
    domains = list(dict.fromkeys(str(row["domain"]) for row in rows))
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_line(point=True)
        .encode(
            x=alt.X("moment:O", title=None, sort=list(moments), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=[1, 5])),
            color=alt.Color("domain:N", title=None, sort=domains),
            tooltip=["domain:N", "moment:O", alt.Tooltip("score:Q", format=".2f")],
        )
        .properties(width=440, height=200, description=description)
    )
    spec = chart.to_dict()
    spec["config"] = {"legend": {"orient": "right", "labelLimit": 260}}
    return _label(vlc.vegalite_to_svg(spec), description)


@kept_by_figures
def growth_change_svg(rows: Sequence[dict[str, Any]], comparisons: Sequence[str]) -> str:
    """Horizontal bars of a cohort's mean paired change per competency domain, one colour per
    comparison (by the end, six months later). Rows are {"domain", "comparison", "change"};
    a hidden figure is not a row."""
    domains = list(dict.fromkeys(str(row["domain"]) for row in rows))
    description = (
        "Bar chart of the cohort's mean change in self-rating per domain, on the 1 to 5 scale, "
        "from before the series to its end and to six months later; figures of fewer than "
        "five trainees are left out. The same numbers are in the tables."
    )
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            y=alt.Y("domain:N", title=None, sort=domains, axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("comparison:N", sort=list(comparisons)),
            x=alt.X("change:Q", title="Mean change (points on the 1 to 5 scale)"),
            color=alt.Color("comparison:N", title=None, sort=list(comparisons)),
            tooltip=["domain:N", "comparison:N", alt.Tooltip("change:Q", format="+.2f")],
        )
        .properties(width=360, height=alt.Step(12), description=description)
    )
    spec = chart.to_dict()
    spec["config"] = {"legend": {"orient": "bottom"}}
    return _label(vlc.vegalite_to_svg(spec), description)
