"""The study report as a Word document and a PDF, from the same selector's figures."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from hearth.lib.pdf import typst_pdf

from .selectors import Report

TEMPLATE = Path(__file__).parent / "typst" / "study_report.typ"


def _percent(value: float) -> str:
    return f"{value:.0f} %"


def report_data(report: Report) -> dict[str, Any]:
    study = report.study
    return {
        "title": study.title,
        "program": study.program.name,
        "question": study.research_question,
        "protocol": study.protocol_reference,
        "summary": (
            f"{report.participants} participants, {report.sources} sources, "
            f"{report.segments} coded segments; based on {report.basis}."
        ),
        "themes": [
            {
                "name": s.theme.name,
                "definition": s.theme.definition,
                "reach": f"{s.participants} of {s.of} participants",
                "codes": ", ".join(c.name for c in s.codes),
                "categories": ", ".join(s.categories),
                "quotes": [{"text": q.text, "by": q.attribution} for q in s.quotes],
            }
            for s in report.themes
        ],
        "demographics": [
            {
                "label": d.attribute.label,
                "rows": [[r.value, str(r.n), _percent(r.percent)] for r in d.rows],
            }
            for d in report.demographics
        ],
        "n": report.participants,
    }


def report_pdf(report: Report) -> bytes:
    return typst_pdf(TEMPLATE, data=report_data(report))


def report_docx(report: Report) -> bytes:
    data = report_data(report)
    document = docx.Document()
    document.core_properties.title = data["title"]
    document.add_heading(data["title"], level=0)
    intro = document.add_paragraph()
    intro.add_run(data["program"]).italic = True
    if data["protocol"]:
        intro.add_run(f" · protocol {data['protocol']}")
    document.add_paragraph().add_run("Research question. ").bold = True
    document.paragraphs[-1].add_run(data["question"])
    document.add_paragraph(data["summary"])

    document.add_heading("Themes", level=1)
    for theme in data["themes"]:
        document.add_heading(theme["name"], level=2)
        if theme["definition"]:
            document.add_paragraph(theme["definition"])
        facts = document.add_paragraph()
        facts.add_run(f"Present for {theme['reach']}.").bold = True
        if theme["categories"]:
            facts.add_run(f" Framework: {theme['categories']}.")
        if theme["codes"]:
            facts.add_run(f" Codes: {theme['codes']}.")
        for quote in theme["quotes"]:
            para = document.add_paragraph(style="Quote")
            para.add_run(f"“{quote['text']}”")
            para.add_run(f" — {quote['by']}").italic = True
        if not theme["quotes"]:
            document.add_paragraph("No coded segments yet.").runs[0].italic = True

    document.add_heading("Participants", level=1)
    document.add_paragraph(f"n = {data['n']}")
    for table_data in data["demographics"]:
        table = document.add_table(rows=1, cols=3)
        table.style = "Light List"
        heading = table.rows[0].cells
        for cell, text in zip(heading, [table_data["label"], "n", "%"], strict=True):
            cell.text = text
        for row in table_data["rows"]:
            cells = table.add_row().cells
            for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
                cell.text = text
                if i:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        document.add_paragraph()
    footer = document.add_paragraph()
    run = footer.add_run("Made with Hearth. Quotes are de-identified; pseudonyms only.")
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
