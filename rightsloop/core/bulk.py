"""Writing and reading millions of plain rows, the one place that knows which database it talks to.

Domain code (a consultation's import and analysis) hands rows of column values to these functions and never
learns the database: PostgreSQL takes them through COPY, about ten times the rate of INSERT batches; other
databases (SQLite, the embedded default) through executemany and ordinary UPDATEs. Table and column names
always come from the model and are quoted; every value travels as a parameter or through COPY, never in SQL text.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence

from django.db import connection, models

# SQLite allows 32,766 parameters per statement (since 3.32) and PostgreSQL 65,535: an import batch of 5,000
# keys goes in one statement, with room to spare.
IN_CHUNK = 10_000


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(model._meta.get_field(name).column) for name in names]


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence], *,
                batch: int = 5_000) -> int:
    """Insert rows of plain column values (no model instance, no signal, no per-row SQL); returns the count."""
    columns = ", ".join(_columns(model, names))
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_table(model)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {_table(model)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        for chunk in _batches(rows, batch):
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def update_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence], *,
                manager: models.Manager | None = None) -> int:
    """Set some columns of many rows; rows are (primary key, *values), one per row.

    PostgreSQL: COPY into a temporary table, then one UPDATE joined on it (a million rows in seconds, whatever the
    number of distinct values). Elsewhere: one UPDATE per distinct tuple of values and chunk of keys, which is few
    statements for the low-cardinality columns (language, stance, a group) this serves.
    """
    if connection.vendor == "postgresql":
        quoted = _columns(model, names)
        listed = ", ".join(quoted)
        count = 0
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE bulk_changes AS SELECT id, {listed} FROM {_table(model)} "  # noqa: S608
                           "WITH NO DATA")
            try:
                with cursor.cursor.copy(f"COPY bulk_changes (id, {listed}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                assignments = ", ".join(f"{name} = c.{name}" for name in quoted)
                cursor.execute(f"UPDATE {_table(model)} AS r SET {assignments} FROM bulk_changes AS c "  # noqa: S608
                               "WHERE r.id = c.id")
            finally:
                cursor.execute("DROP TABLE bulk_changes")
        return count
    manager = manager or model._default_manager
    by_values: dict[tuple, list[int]] = {}
    for pk, *values in rows:
        by_values.setdefault(tuple(values), []).append(pk)
    for values, pks in by_values.items():
        for chunk in _batches(pks, IN_CHUNK):
            manager.filter(pk__in=chunk).update(**dict(zip(names, values, strict=True)))
    return sum(len(pks) for pks in by_values.values())


def delete_in(model: type[models.Model], name: str, values: Sequence) -> int:
    """DELETE the rows whose column is one of the values, without loading them (no cascade: the caller orders).

    Returns how many rows went: fewer than asked when another process deleted some first.
    """
    column = _columns(model, [name])[0]
    deleted = 0
    with connection.cursor() as cursor:
        for chunk in _batches(values, IN_CHUNK):
            cursor.execute(f"DELETE FROM {_table(model)} WHERE {column} IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                           chunk)
            deleted += max(cursor.rowcount, 0)
    return deleted


def pairs_in(model: type[models.Model], key: str, value: str, *, where: tuple[str, object], keys: Sequence
             ) -> dict:
    """{key: value} for the rows where `where` holds and the key is one of keys, one query per chunk.

    The ORM's work per parameter is the cost when thousands of keys are looked up per batch at import.
    """
    quote_key, quote_value, quote_where = _columns(model, [key, value, where[0]])
    found = {}
    with connection.cursor() as cursor:
        for chunk in _batches(keys, IN_CHUNK):
            cursor.execute(
                f"SELECT {quote_key}, {quote_value} FROM {_table(model)} "  # noqa: S608
                f"WHERE {quote_where} = %s AND {quote_key} IN ({', '.join(['%s'] * len(chunk))})",
                [where[1], *chunk])
            found.update(cursor.fetchall())
    return found
