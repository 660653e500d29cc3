"""The `hearth` console command: `hearth demo` serves a seeded demo on 127.0.0.1:8000."""

from __future__ import annotations

import os
import sys
from pathlib import Path

USAGE = "usage: hearth demo [--port PORT]  |  hearth manage <django command> ..."


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in {"demo", "manage"}:
        print(USAGE, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if args[0] == "manage":
        execute_from_command_line(["hearth", *args[1:]])
        return 0
    port = "8000"
    if "--port" in args:
        port = args[args.index("--port") + 1]
    demo_db = Path.cwd() / "hearth-demo.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{demo_db}")
    os.environ.setdefault("DEBUG", "true")
    execute_from_command_line(["hearth", "migrate", "--no-input", "--verbosity", "0"])
    execute_from_command_line(["hearth", "seed_demo"])
    print(f"\nHearth demo: open http://127.0.0.1:{port}/ and sign in with an account above.")
    print("Stop it with Ctrl+C.\n", flush=True)
    execute_from_command_line(["hearth", "runserver", f"127.0.0.1:{port}", "--noreload"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
