"""Totals over a queryset's rows that the ORM cannot group: aggregates of aggregates."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import QuerySet


def grouped(rows: QuerySet[Any], *, by: str, totals: str) -> list[tuple[Any, ...]]:
    """`SELECT by, totals FROM (rows) GROUP BY by`, in one query.

    `rows` is a values() or values_list() queryset whose columns may themselves be aggregates
    (a relationship's meetings counted, say); `by` names one by its alias, and `totals` is
    portable SQL over the aliases, quoted. The database does the second grouping and returns
    one row per group instead of every row."""
    sql, params = rows.order_by().query.sql_with_params()
    connection = connections[rows.db]
    column = f"inner_rows.{connection.ops.quote_name(by)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}, {totals} FROM ({sql}) inner_rows GROUP BY {column}", params
        )
        return cursor.fetchall()
