"""The annual report as a PDF: the selector's figures set by a Typst template, with charts
drawn from the same (already suppressed) figures, so a hidden cell is absent from both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hearth.lib.charts import (
    grouped_bars_svg,
    meetings_per_month_print_svg,
    program_theme_trend_svg,
)
from hearth.lib.pdf import typst_pdf
from hearth.lib.suppression import DEFAULT_K, HIDDEN_TO_PROTECT

from .selectors import PROGRAM, AnnualReport, Figure, Table

TEMPLATE = Path(__file__).parent / "typst" / "annual_report.typ"


def _shown(table: Table, columns: list[str] | None = None) -> list[tuple[str, str, float]]:
    """(row, column, value) of each shown figure of a table, program totals left out."""
    return [
        (row.label, column, figure.value)
        for row in table.rows
        for column, figure in zip(table.columns, row.figures, strict=True)
        if PROGRAM not in (row.label, column)
        and (columns is None or column in columns)
        and figure.shown
        and figure.value is not None
    ]


def _participation_chart(table: Table) -> tuple[str, str] | None:
    rows = [
        {"category": label, "series": column, "value": value}
        for label, column, value in _shown(table, ["Mentors", "Learners"])
    ]
    if not rows:
        return None
    description = "Bar chart of mentors and learners active in the year, per community."
    return grouped_bars_svg(rows, value_title="People", description=description), description


def _cadence_chart(table: Table) -> tuple[str, str] | None:
    rows = [
        {"category": label, "series": column, "value": value}
        for label, column, value in _shown(table, ["Met as often as expected"])
    ]
    if not rows:
        return None
    description = (
        "Bar chart of the share of relationships that met as often as expected, per community."
    )
    svg = grouped_bars_svg(
        rows, value_title="Share of relationships", description=description, percent=True
    )
    return svg, description


def _per_month_chart(table: Table) -> tuple[str, str] | None:
    rows = [
        {"month": label, "community": column, "meetings": value}
        for label, column, value in _shown(table)
    ]
    if not rows:
        return None
    return meetings_per_month_print_svg(rows), "Meetings held per month, per community."


def _pulse_chart(table: Table) -> tuple[str, str] | None:
    rows = [
        {"wave": column, "theme": label.removesuffix(" (higher means harder)"), "score": value}
        for label, column, value in _shown(table)
        if label != "Mentors who answered"
    ]
    if len({row["wave"] for row in rows}) < 2:
        return None  # one point is not a trend
    caption = "Mean score per theme, check-in by check-in."
    return program_theme_trend_svg(rows, table.columns), caption


def _cell(figure: Figure) -> dict[str, Any]:
    # A cell hidden to protect another is marked and explained once under its table: the
    # reason in full in every cell would crowd the page.
    protects = figure.text == HIDDEN_TO_PROTECT
    return {"text": "hidden" if protects else figure.text, "shown": figure.shown, "mark": protects}


AT_A_GLANCE = [
    ("participation", "Mentors", "mentors"),
    ("participation", "Learners", "learners"),
    ("participation", "Groups", "mentor groups"),
    ("cadence", "Relationships", "mentoring relationships"),
    ("cadence", "Meetings held", "meetings held"),
    ("cadence", "Met as often as expected", "met as often as expected"),
    ("serendipity", "Pairings made", "serendipity pairings"),
    ("serendipity", "Meet rate", "of pairings met"),
    ("recognition", "Thank-you notes sent", "thank-you notes"),
]


def _at_a_glance(report: AnnualReport) -> list[dict[str, Any]]:
    """The program totals a reader looks for first, taken from the sections' own figures."""
    totals = {
        (section.key, f.measure): f
        for section in report.sections
        for f in section.figures
        if f.breakdown == PROGRAM
    }
    return [
        {"text": f.text, "shown": f.shown, "label": label}
        for key, measure, label in AT_A_GLANCE
        if (f := totals.get((key, measure))) is not None
    ]


CHARTS = {
    ("participation", 0): (_participation_chart, 75),
    ("cadence", 0): (_cadence_chart, 75),
    ("cadence", 1): (_per_month_chart, 85),
    ("pulse", 0): (_pulse_chart, 80),
}


def report_document(report: AnnualReport) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The template's data and chart files."""
    files: dict[str, bytes] = {}
    sections = []
    for section in report.sections:
        tables = []
        for index, table in enumerate(section.tables):
            chart = None
            make, width = CHARTS.get((section.key, index), (None, 100))
            drawn = make(table) if make is not None else None
            if drawn is not None:
                name = f"{section.key}-{index}.svg"
                files[name] = drawn[0].encode()
                chart = {"file": name, "caption": drawn[1], "width": width}
            tables.append(
                {
                    "title": "" if table.title == section.title else table.title,
                    "row_heading": table.row_heading,
                    "columns": table.columns,
                    "rows": [
                        {
                            "label": row.label,
                            "total": row.label == PROGRAM,
                            "cells": [_cell(f) for f in row.figures],
                        }
                        for row in table.rows
                    ],
                    "chart": chart,
                }
            )
        sections.append({"title": section.title, "notes": section.notes, "tables": tables})
    not_over = report.as_of < report.year_end
    data = {
        "kicker": "Hearth",
        "title": "Annual program report",
        "program": report.program.name,
        "year": report.label,
        "period": f"{report.year_start:%-d %B %Y} to {report.year_end:%-d %B %Y}",
        "as_of_note": f"{report.as_of:%-d %B %Y}; the year is not over" if not_over else "",
        "generated": f"{report.generated_on:%-d %B %Y}",
        "cover_notes": [
            f"Every figure follows the small-cell rule: a group of fewer than {DEFAULT_K} "
            "people shows “too few to show”, and when one community is hidden the next "
            "smallest is hidden too, so no total gives it away. Counts that could point at a "
            f"few people show “none”, “fewer than {DEFAULT_K}” or the number. Hidden "
            "figures are left out of the charts.",
            "The pulse check-in items were written for Hearth; they are not a validated "
            "instrument.",
            "The same figures are available as CSV from the report's page in Hearth.",
        ],
        "at_a_glance": _at_a_glance(report),
        "protect_note": "Hidden so a smaller cell cannot be worked out from the total.",
        "sections": sections,
    }
    return data, files


def annual_report_pdf(report: AnnualReport) -> bytes:
    data, files = report_document(report)
    return typst_pdf(TEMPLATE, data=data, files=files)
