"""Backup and restore: every record of every model comes back exactly, and so do the files."""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from hearth.communities.models import Relationship
from hearth.meetings import services as meetings
from hearth.meetings.models import Note, NoteVisibility
from hearth.people.models import Person
from hearth.recognition import services as recognition
from hearth.recognition.models import ThankYouNote
from hearth.stewardship.backup import (
    PGDUMP_MAGIC,
    SQLITE_MAGIC,
    BackupError,
    _sqlite_copy,
    _stage_media,
)
from hearth.studies import transcripts
from hearth.studies.models import Source
from hearth.studies.tests.speech import tone_wav
from hearth.studies.tests.world import build_world
from hearth.testing import School

Snapshot = dict[str, list[tuple[Any, ...]]]
ON_SQLITE = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite round trip runs when tests use SQLite"
)
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL round trip runs when DATABASE_URL is a PostgreSQL database",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # noqa: ANN001 - pytest-django's settings
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.MEDIA_ROOT


def _seed(school: School) -> None:
    """Records in several apps, through their services: studies, meetings, recognition."""
    world = build_world(school)
    relationship = Relationship.objects.get(mentor=school.mentor_a1, mentee=school.learner_a1)
    meeting = meetings.meeting_create(
        organiser=school.mentor_a1,
        relationship=relationship,
        title="Check-in",
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=30,
        agenda=["Step 1 results"],
    )
    meetings.note_save(
        meeting=meeting, author=school.mentor_a1, visibility=NoteVisibility.SHARED, body="Plan"
    )
    meetings.note_save(
        meeting=meeting, author=school.mentor_a1, visibility=NoteVisibility.PRIVATE, body="Mine"
    )
    recognition.note_send(author=school.learner_a1, mentor=school.mentor_a1, body="Thank you!")
    transcripts.recording_upload(
        study=world.study,
        by=world.lead,
        upload=SimpleUploadedFile("interview.wav", tone_wav(0.2)),
        title="Recorded interview",
        enqueue=False,
    )


def _tables() -> dict[str, tuple[str, str]]:
    """Every model's table (many-to-many tables too) and its primary key column."""
    return {
        model._meta.label: (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _snapshot(cursor: Any) -> Snapshot:
    rows = {}
    for label, (table, pk) in _tables().items():
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"')  # noqa: S608 - our names
        rows[label] = [tuple(row) for row in cursor.fetchall()]
    return rows


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _assert_seeded(before: Snapshot, files: dict[str, bytes]) -> None:
    filled = {label for label, rows in before.items() if rows}
    assert {label.split(".")[0] for label in filled} >= {
        "people",
        "communities",
        "meetings",
        "recognition",
        "studies",
        "contenttypes",
    }
    assert len(filled) > 25
    assert any(name.startswith("studies/audio/") for name in files)


def _assert_same(before: Snapshot, after: Snapshot) -> None:
    assert after.keys() == before.keys()
    for label in before:
        assert len(after[label]) == len(before[label]), label
        assert after[label] == before[label], label


def _damage_media(media: Path) -> None:
    for path in media.rglob("*.wav"):
        path.unlink()
    (media / "stray.txt").write_text("written after the backup")


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@ON_SQLITE
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_every_record_and_file(school, media, tmp_path):
    _seed(school)
    # The site's database: a file, as in production (the test database lives in memory).
    site = tmp_path / "site.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(site) as copy:
        connection.connection.backup(copy)
    env = {
        "DATABASE_URL": f"sqlite:///{site}",
        "MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }

    def snapshot() -> Snapshot:
        with sqlite3.connect(site) as db:
            return _snapshot(db.cursor())

    before, files = snapshot(), _files(media)
    _assert_seeded(before, files)

    backup = _manage("backup", env=env)
    assert backup.returncode == 0, backup.stderr
    written = [line.split(" (")[0].removeprefix("Wrote ") for line in backup.stdout.splitlines()]
    assert len(written) == 2
    database_file, media_file = (Path(p) for p in written)
    assert database_file.parent == tmp_path / "backups" and database_file.suffix == ".sqlite3"
    assert media_file.name == database_file.stem + ".media.tar"
    assert database_file.read_bytes().startswith(SQLITE_MAGIC)

    # After the backup: whole tables lost, people renamed, uploaded files lost and added.
    with sqlite3.connect(site) as db:
        for table in ("meetings_note", "studies_source", "recognition_thankyounote"):
            db.execute(f'DELETE FROM "{table}"')  # noqa: S608
        db.execute("UPDATE people_person SET display_name = 'Changed'")
    _damage_media(media)
    damaged = snapshot()
    assert damaged != before

    refused = _manage("restore", str(database_file), env=env)
    assert refused.returncode != 0
    assert f"would replace every record in the SQLite database {site}" in refused.stderr
    assert "--yes" in refused.stderr
    assert snapshot() == damaged

    restored = _manage("restore", str(database_file), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    _assert_same(before, snapshot())
    assert _files(media) == files


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_every_record_and_file(school, media, tmp_path):
    # pytest-django's own database, never anything else: pg_restore --clean drops tables.
    assert connection.settings_dict["NAME"].startswith("test_")
    _seed(school)
    before, files = _snapshot(connection.cursor()), _files(media)
    _assert_seeded(before, files)

    out = StringIO()
    call_command("backup", str(tmp_path / "nightly.dump"), stdout=out)
    assert f"Wrote {tmp_path / 'nightly.dump'} (" in out.getvalue()
    assert f"Wrote {tmp_path / 'nightly.media.tar'} (" in out.getvalue()
    assert (tmp_path / "nightly.dump").read_bytes().startswith(PGDUMP_MAGIC)

    Source.objects.all().delete()
    Note.objects.all().delete()
    ThankYouNote.objects.all().delete()
    Person.objects.update(display_name="Changed")
    _damage_media(media)
    assert _snapshot(connection.cursor()) != before

    with pytest.raises(CommandError, match="would replace every record in the PostgreSQL"):
        call_command("restore", str(tmp_path / "nightly.dump"))
    assert Person.objects.filter(display_name="Changed").exists()

    call_command("restore", str(tmp_path / "nightly.dump"), "--yes", stdout=StringIO())
    _assert_same(before, _snapshot(connection.cursor()))
    assert _files(media) == files


def _other_kind() -> bytes:
    return (PGDUMP_MAGIC if connection.vendor == "sqlite" else SQLITE_MAGIC) + b"\0" * 64


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_other_kind, "but this site's database is"),
        (lambda: b"name,email\nLena,lena@example.edu\n", "is not a Hearth backup"),
    ],
)
def test_restore_refuses_a_file_of_the_wrong_kind(
    tmp_path, media, content: Callable[[], bytes], message: str
):
    (media / "keep.txt").parent.mkdir(parents=True)
    (media / "keep.txt").write_text("still here")
    wrong = tmp_path / "backup.sqlite3"
    wrong.write_bytes(content())
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(wrong), "--yes")
    assert (media / "keep.txt").read_text() == "still here"


def test_restore_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="There is no backup file at .*missing.dump"):
        call_command("restore", str(tmp_path / "missing.dump"), "--yes")


@ON_SQLITE
def test_an_in_memory_database_has_nothing_to_back_up(tmp_path, db):
    with pytest.raises(CommandError, match="The database is in memory"):
        call_command("backup", str(tmp_path / "x.sqlite3"))
    assert not list(tmp_path.glob("*.sqlite3")) and not list(tmp_path.glob("*.tar"))


def test_a_sqlite_backup_taken_while_the_site_writes_holds_only_committed_rows(tmp_path):
    site, copy = tmp_path / "site.sqlite3", tmp_path / "copy.sqlite3"
    writer = sqlite3.connect(site, isolation_level=None)
    writer.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY)")
    writer.execute("INSERT INTO visit VALUES (1)")
    writer.execute("BEGIN IMMEDIATE")  # the site is halfway through a write
    writer.execute("INSERT INTO visit VALUES (2)")
    _sqlite_copy(site, copy)
    writer.execute("COMMIT")
    writer.close()
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT id FROM visit").fetchall() == [(1,)]


@pytest.mark.parametrize("name", ["../escape.txt", "elsewhere/file.txt", "/etc/cron.d/job"])
def test_a_media_archive_reaching_outside_its_folder_is_refused(tmp_path, media, name):
    media.mkdir()
    (media / "keep.txt").write_text("still here")
    archive = tmp_path / "backup.media.tar"
    with tarfile.open(archive, "w") as tar:
        data = b"surprise"
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="outside its media folder"):
        _stage_media(archive, media)
    assert _files(media) == {"keep.txt": b"still here"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.media.tar", "media"]
