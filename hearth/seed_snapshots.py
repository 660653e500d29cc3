"""Seed once per test process, copy the rows back in after.

Seeding the whole demo through the services takes tens of seconds, and a dozen tests start
from it. The first test to ask seeds it for real (and so still tests the seeding); the rows
that seeding added, changed or removed are kept, and each later test, which starts from the
same rolled-back database, gets them written back in one go.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")
Row = tuple[Any, ...]
JSON_OIDS = {114: "json", 3802: "jsonb"}  # PostgreSQL's type ids


@dataclass
class Table:
    name: str
    columns: list[str]
    key: int  # the primary key's position in columns
    json_columns: dict[int, str]  # position: PostgreSQL type
    rows: dict[Any, Row]


@dataclass
class Changes:
    """What seeding did to one table: rows to delete by key, and rows to insert whole."""

    table: Table
    gone: list[Any]
    new: list[Row]


@dataclass
class Snapshot:
    before: dict[str, Table]
    changes: list[Changes]
    result: Any


_snapshots: dict[tuple[str, tuple], Snapshot] = {}


def seeded(seed: Callable[..., T], **kwargs: Any) -> T:
    """What seed(**kwargs) returns, with its rows in the database, seeding at most once."""
    # Inside the test's transaction: a test run's rollback leaves the database as before.
    key = (f"{seed.__module__}.{seed.__qualname__}", tuple(sorted(kwargs.items())))
    before = _read_tables()
    snapshot = _snapshots.get(key)
    if snapshot is None or _contents(snapshot.before) != _contents(before):
        # First use, or a transactional test changed the base rows since (new content-type ids).
        result = seed(**kwargs)
        changes = _changes(before, _read_tables())
        _snapshots[key] = Snapshot(before=before, changes=changes, result=result)
        return copy.deepcopy(result)
    _write_changes(snapshot.changes)
    return copy.deepcopy(snapshot.result)


def _contents(tables: dict[str, Table]) -> dict[str, dict[Any, Row]]:
    return {name: table.rows for name, table in tables.items()}


def _read_tables() -> dict[str, Table]:
    tables = {}
    with connection.cursor() as cursor:
        for name in connection.introspection.table_names(cursor):
            key_column = connection.introspection.get_primary_key_column(cursor, name)
            if key_column is None:
                raise ValueError(f"table {name} has no primary key to compare its rows by")
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")
            columns = [column[0] for column in cursor.description]
            key = columns.index(key_column)
            tables[name] = Table(
                name=name,
                columns=columns,
                key=key,
                json_columns={
                    i: JSON_OIDS[c[1]]
                    for i, c in enumerate(cursor.description)
                    if c[1] in JSON_OIDS
                },
                rows={row[key]: tuple(row) for row in cursor.fetchall()},
            )
    return tables


def _writable(row: Row) -> Row:
    if connection.vendor != "sqlite":
        return row
    # Django's SQLite backend parses dates and times as it reads them (a datetime as UTC) and
    # stores them as text, a datetime without its offset.
    return tuple(_sqlite_text(v) if isinstance(v, dt.date | dt.time) else v for v in row)


def _sqlite_text(value: dt.date | dt.time) -> str:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


def _changes(before: dict[str, Table], after: dict[str, Table]) -> list[Changes]:
    changes = []
    for name, table in after.items():
        old = before[name].rows if name in before else {}
        gone = [pk for pk, row in old.items() if table.rows.get(pk) != row]
        new = [_writable(row) for pk, row in table.rows.items() if old.get(pk) != row]
        if gone or new:
            changes.append(Changes(table, gone, new))
    return changes


def _write_changes(changes: list[Changes]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for change in changes:
            after = change.table
            table, key_column = quote(after.name), after.columns[after.key]
            if change.gone:
                cursor.executemany(
                    f"DELETE FROM {table} WHERE {quote(key_column)} = %s",
                    [(pk,) for pk in change.gone],
                )
            if not change.new:
                continue
            columns = ", ".join(quote(column) for column in after.columns)
            # JSON comes back as its text (Django parses it), so it goes in as text cast to JSON.
            marks = ", ".join(
                f"%s::{after.json_columns[i]}" if i in after.json_columns else "%s"
                for i in range(len(after.columns))
            )
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", change.new)
            if connection.vendor == "postgresql":
                # The rows came back with their ids; the next id a test creates must follow them.
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [after.name, key_column])
                (sequence,) = cursor.fetchone()
                if sequence:
                    cursor.execute(
                        f"SELECT setval(%s, MAX({quote(key_column)})) FROM {table}", [sequence]
                    )
    connection.check_constraints()
