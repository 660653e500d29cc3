"""Notes are written in Markdown and shown as sanitised HTML."""

from __future__ import annotations

import markdown as md  # type: ignore[import-untyped]
import nh3

_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "a",
    "hr",
}


def render_markdown(text: str) -> str:
    html = md.markdown(text, extensions=["sane_lists"])
    return nh3.clean(
        html, tags=_ALLOWED_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer"
    )
