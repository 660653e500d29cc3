"""Hearth's own guides as Markdown files with a short header; pure Python, no Django, so the
data migration that loads them never depends on the models of the day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GUIDES_V1 = Path(__file__).parent / "fixtures" / "guides_v1"
HEADER_FIELDS = frozenset({"title", "summary", "domains", "reviewed", "author"})


@dataclass(frozen=True)
class GuideText:
    slug: str
    title: str
    summary: str
    domains: tuple[str, ...]
    reviewed_on: dt.date
    author_name: str
    body: str


def parse_guide(slug: str, text: str) -> GuideText:
    """One guide: a header between two lines of three dashes, then the Markdown body.
    A ValueError names the file's problem."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError(f"guide {slug}: must start with a --- header")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ValueError(f"guide {slug}: the header is not closed with ---") from None
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        name, sep, value = line.partition(":")
        name = name.strip()
        if not sep or name not in HEADER_FIELDS:
            raise ValueError(f"guide {slug}: unknown header line {line!r}")
        fields[name] = value.strip()
    missing = sorted({"title", "summary", "domains", "reviewed"} - fields.keys())
    if missing:
        raise ValueError(f"guide {slug}: header lacks {', '.join(missing)}")
    body = "\n".join(lines[end + 1 :]).strip() + "\n"
    return GuideText(
        slug=slug,
        title=fields["title"],
        summary=fields["summary"],
        domains=tuple(d.strip() for d in fields["domains"].split(",") if d.strip()),
        reviewed_on=dt.date.fromisoformat(fields["reviewed"]),
        author_name=fields.get("author", "Hearth"),
        body=body,
    )


def read_guides(folder: Path = GUIDES_V1) -> list[GuideText]:
    """Every guide in the folder, by file name; the slug is the file name without .md."""
    return [
        parse_guide(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.md"))
    ]


def upsert_guides(guide_model: Any, folder: Path = GUIDES_V1) -> int:
    """Create or update Hearth's guides (program None) from the folder; safe to run again.
    Takes the model class, so the data migration can pass its historical model."""
    guides = read_guides(folder)
    for text in guides:
        fields = {
            "title": text.title,
            "summary": text.summary,
            "body": text.body,
            "domains": list(text.domains),
            "author_name": text.author_name,
            "reviewed_on": text.reviewed_on,
        }
        # program is NULL, which a unique constraint does not guard on every database: match
        # by slug explicitly so a second run updates rather than duplicates.
        existing = guide_model.objects.filter(program__isnull=True, slug=text.slug).first()
        if existing is None:
            guide_model.objects.create(program=None, slug=text.slug, **fields)
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
    return len(guides)
