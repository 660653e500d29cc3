"""PDF documents from Typst templates: data goes in as JSON, never spliced into markup."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import typst


def typst_pdf(
    template: Path, *, data: dict[str, Any], files: dict[str, bytes] | None = None
) -> bytes:
    """Compile `template` with `data` readable as `json(bytes(sys.inputs.data))`.

    `files` (name → bytes, for example SVG charts) are placed beside the template so it can
    `image("name.svg")` them. Only the bundled fonts are used, so the same data gives the
    same bytes on every machine.
    """
    with tempfile.TemporaryDirectory() as root:
        main = Path(root) / "main.typ"
        main.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        for name, content in (files or {}).items():
            (Path(root) / Path(name).name).write_bytes(content)
        return typst.compile(
            str(main),
            root=root,
            sys_inputs={"data": json.dumps(data, default=str)},
            ignore_system_fonts=True,
        )
