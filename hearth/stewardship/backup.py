"""Backups of the database and the uploaded files, and restoring them.

A backup is two files side by side, each readable with standard tools alone: the database
(`NAME.sqlite3`, a plain SQLite file, or `NAME.dump`, pg_dump's custom format) and
`NAME.media.tar`, the contents of MEDIA_ROOT (study recordings, photos).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from django.conf import settings
from django.db import connections
from django.db.backends.postgresql.client import DatabaseClient
from django.utils import timezone

Engine = Literal["sqlite", "postgresql"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
EXTENSIONS: dict[Engine, str] = {"sqlite": ".sqlite3", "postgresql": ".dump"}
DESCRIPTIONS: dict[Engine, str] = {
    "sqlite": "a SQLite database file",
    "postgresql": "a pg_dump custom-format archive",
}
MEDIA_DIR = "media"  # the one top-level folder of a media archive


class BackupError(Exception):
    """A backup or restore that was refused or failed; nothing was changed."""


@dataclass(frozen=True)
class Written:
    path: Path
    size: int


def engine_of(using: str = "default") -> Engine:
    vendor = connections[using].vendor
    if vendor in ("sqlite", "postgresql"):
        return vendor  # type: ignore[return-value]
    raise BackupError(f"Hearth backs up SQLite and PostgreSQL databases, not {vendor}.")


def file_kind(path: Path) -> Engine | None:
    """What a backup file holds, from its first bytes (the name may have been changed)."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def media_archive_of(database_file: Path) -> Path:
    return database_file.with_name(database_file.stem + ".media.tar")


def default_backup_path(engine: Engine, now: dt.datetime | None = None) -> Path:
    stamp = (now or timezone.now()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BACKUP_DIR) / f"hearth-{stamp}{EXTENSIONS[engine]}"


def human_size(size: int) -> str:
    value, unit = float(size), "bytes"
    for larger in ("KB", "MB", "GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, larger
    return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"


def _sqlite_file(using: str) -> Path:
    name = str(connections[using].settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("The database is in memory: there is no file to back up or restore.")
    return Path(name).resolve()


def _sqlite_connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    uri = path.as_uri() + ("?mode=ro" if read_only else "")
    # Wait for a writer to finish rather than fail at once.
    return sqlite3.connect(uri, uri=True, timeout=30)


def _sqlite_copy(source: Path, destination: Path) -> None:
    """Copy with the online backup API: a consistent snapshot even while the site writes."""
    src = _sqlite_connect(source, read_only=True)
    dest = _sqlite_connect(destination, read_only=False)
    try:
        src.backup(dest)
    finally:
        dest.close()
        src.close()


def _pg_command(program: str, using: str) -> tuple[list[str], dict[str, str]]:
    """Connection flags and environment (password in PGPASSWORD, never on the command line)."""
    settings_dict = connections[using].settings_dict
    psql_args, extra_env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    flags = psql_args[1:]
    if flags and flags[-1] == settings_dict.get("NAME"):
        flags = flags[:-1]  # each caller names the database its own way
    args = [program, "--no-password", *flags]
    env = {**os.environ, **(extra_env or {})}
    return args, env


def _pg_run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            f"{args[0]} is not installed on this machine; install the PostgreSQL "
            "client programs of the server's version."
        ) from error
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-3:]
        raise BackupError(f"{what} failed: " + " ".join(detail))


def _partial(path: Path) -> Path:
    # Written under a temporary name and renamed: a half-written backup never looks complete.
    return path.with_name(f".{path.name}.partial")


def _backup_database(engine: Engine, out: Path, using: str) -> None:
    partial = _partial(out)
    partial.unlink(missing_ok=True)
    try:
        if engine == "sqlite":
            _sqlite_copy(_sqlite_file(using), partial)
        else:
            args, env = _pg_command("pg_dump", using)
            name = str(connections[using].settings_dict["NAME"])
            _pg_run([*args, "--format=custom", f"--file={partial}", name], env, "pg_dump")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def _backup_media(out: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    partial = _partial(out)
    try:
        with tarfile.open(partial, "w") as tar:
            if media_root.is_dir():
                tar.add(media_root, arcname=MEDIA_DIR)
            else:
                tar.addfile(_empty_dir_info())
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def _empty_dir_info() -> tarfile.TarInfo:
    info = tarfile.TarInfo(MEDIA_DIR)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    return info


def backup_create(*, out: Path | None = None, using: str = "default") -> list[Written]:
    """Write the database and MEDIA_ROOT to a backup pair; returns what was written."""
    engine = engine_of(using)
    if out is not None and out.is_dir():
        out = out / default_backup_path(engine).name
    out = (out or default_backup_path(engine)).resolve()
    media_out = media_archive_of(out)
    for path in (out, media_out):
        if path.exists():
            raise BackupError(
                f"{path} already exists: choose another name (backups are never overwritten)."
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    _backup_database(engine, out, using)
    try:
        _backup_media(media_out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return [Written(out, out.stat().st_size), Written(media_out, media_out.stat().st_size)]


@dataclass(frozen=True)
class RestorePlan:
    engine: Engine
    database_file: Path
    media_archive: Path | None
    target: str
    media_root: Path

    def describe(self) -> str:
        what = f"every record in {self.target} with the contents of {self.database_file}"
        if self.media_archive is None:
            return (
                f"{what}; there is no {self.database_file.stem}.media.tar beside it, so the "
                f"uploaded files in {self.media_root} stay as they are"
            )
        return what + f", and every uploaded file in {self.media_root} with {self.media_archive}"


def restore_plan(*, path: Path, using: str = "default") -> RestorePlan:
    """Check that `path` is a backup this site can restore, and say what it would replace."""
    engine = engine_of(using)
    path = path.resolve()
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    kind = file_kind(path)
    if kind is None:
        raise BackupError(
            f"{path} is not a Hearth backup: it is neither "
            f"{DESCRIPTIONS['sqlite']} nor {DESCRIPTIONS['postgresql']}."
        )
    if kind != engine:
        raise BackupError(
            f"{path} is {DESCRIPTIONS[kind]}, but this site's database is "
            f"{'PostgreSQL' if engine == 'postgresql' else 'SQLite'}: it needs "
            f"{DESCRIPTIONS[engine]} (a {EXTENSIONS[engine]} backup)."
        )
    settings_dict = connections[using].settings_dict
    if engine == "sqlite":
        _check_sqlite_backup(path)
        target = f"the SQLite database {_sqlite_file(using)}"
    else:
        target = f"the PostgreSQL database {settings_dict['NAME']}"
    media = media_archive_of(path)
    return RestorePlan(
        engine=engine,
        database_file=path,
        media_archive=media if media.is_file() else None,
        target=target,
        media_root=Path(settings.MEDIA_ROOT).resolve(),
    )


def _check_sqlite_backup(path: Path) -> None:
    try:
        conn = _sqlite_connect(path, read_only=True)
        try:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}.") from error
    if not found:
        raise BackupError(f"{path} is a SQLite database but not a Hearth one (no migrations).")


def _stage_media(archive: Path, media_root: Path) -> Path:
    """Unpack the archive beside MEDIA_ROOT, so swapping it in is a rename."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}.restoring-", dir=media_root.parent))
    try:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                top = PurePosixPath(member.name).parts[:1]
                if top != (MEDIA_DIR,):
                    raise BackupError(
                        f"{archive} holds {member.name!r}, outside its media folder: "
                        "it is not a Hearth media archive."
                    )
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            tar.extractall(staging, filter="data")
    except (tarfile.TarError, OSError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"{archive} could not be read: {error}.") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not (staging / MEDIA_DIR).is_dir():
        (staging / MEDIA_DIR).mkdir()
    return staging


def _swap_media(staging: Path, media_root: Path) -> None:
    # Move the contents, not the folder: MEDIA_ROOT may be a mount point that cannot be renamed.
    media_root.mkdir(parents=True, exist_ok=True)
    replaced = staging / "replaced"
    replaced.mkdir()
    for child in media_root.iterdir():
        shutil.move(child, replaced / child.name)
    for child in (staging / MEDIA_DIR).iterdir():
        shutil.move(child, media_root / child.name)
    shutil.rmtree(staging)


def backup_restore(*, plan: RestorePlan, using: str = "default") -> None:
    """Replace the database (and MEDIA_ROOT, when the backup has it) with the backup's."""
    # Unpack the media first: a broken archive stops the restore before anything changes.
    staging = _stage_media(plan.media_archive, plan.media_root) if plan.media_archive else None
    try:
        connections[using].close()
        if plan.engine == "sqlite":
            # The backup API writes the destination in one transaction: all or nothing.
            _sqlite_copy(plan.database_file, _sqlite_file(using))
        else:
            args, env = _pg_command("pg_restore", using)
            name = str(connections[using].settings_dict["NAME"])
            _pg_run(
                [
                    *args,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={name}",
                    str(plan.database_file),
                ],
                env,
                "pg_restore",
            )
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    if staging is not None:
        _swap_media(staging, plan.media_root)


def describe_written(written: list[Written]) -> list[str]:
    return [f"Wrote {w.path} ({human_size(w.size)})" for w in written]
