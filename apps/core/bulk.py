"""Set-based insert that skips conflicts and reports the rows it created.

``bulk_create(ignore_conflicts=True)`` does not return the ids of the rows it inserted; the monthly jobs need
them (items, notices and deliveries hang off the new rows) and must not touch rows a previous run made.
``INSERT … ON CONFLICT DO NOTHING RETURNING`` gives exactly that. On PostgreSQL each batch is one statement
over ``unnest`` arrays (a handful of parameters, whatever the batch size); elsewhere a multi-row VALUES.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

_PG_CHUNK = 20000
_NATIVE_PG = (
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.DateField,
    models.BooleanField,
    models.ForeignKey,
)


def insert_ignore_returning(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], returning: Sequence[str] = ("id",)
) -> list[tuple]:
    """Insert ``rows`` (tuples in ``fields`` order); conflicting rows are skipped. Returns the inserted rows'
    ``returning`` columns. Call inside a transaction when the caller needs all-or-nothing."""
    if not rows:
        return []
    opts = model._meta
    field_objs = [opts.get_field(f) for f in fields]
    # Columns left out get their model default (raw SQL would otherwise insert NULL).
    extra = [
        f for f in opts.concrete_fields
        if f not in field_objs and not f.primary_key and (f.has_default() or not f.null)
    ]  # fmt: skip
    if extra:
        now = timezone.now()
        field_objs += extra
        tail = tuple(now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
                     for f in extra)  # fmt: skip
        rows = [(*row, *tail) for row in rows]
    cols = ", ".join(connection.ops.quote_name(f.column) for f in field_objs)
    ret = ", ".join(connection.ops.quote_name(opts.get_field(f).column) for f in returning)
    table = connection.ops.quote_name(opts.db_table)
    if connection.vendor == "postgresql":
        # psycopg adapts ints, strings, dates, datetimes and bools itself; prepare only the other columns
        slow = [i for i, f in enumerate(field_objs) if not isinstance(f, _NATIVE_PG)]
        prepped = [list(row) for row in rows]
        for row in prepped:
            for i in slow:
                row[i] = _prep(field_objs[i], row[i])
    else:
        prepped = [[_prep(f, v) for f, v in zip(field_objs, row, strict=True)] for row in rows]
    out: list[tuple] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Each column travels as ONE text parameter split on the server (string_to_array): adapting
            # 100,000-element Python lists costs more than the INSERT itself.
            casts = ", ".join(f"string_to_array(%s, E'\\x1f', E'\\x1e')::{_pg_array_type(f)}" for f in field_objs)
            tail = f"ON CONFLICT DO NOTHING RETURNING {ret}"
            sql = f"INSERT INTO {table} ({cols}) SELECT * FROM unnest({casts}) {tail}"
            array_casts = ", ".join(f"%s::{_pg_array_type(f)}" for f in field_objs)
            array_sql = f"INSERT INTO {table} ({cols}) SELECT * FROM unnest({array_casts}) {tail}"
            for i in range(0, len(prepped), _PG_CHUNK):
                chunk = prepped[i : i + _PG_CHUNK]
                columns = list(zip(*chunk, strict=True))
                joined = [_join(col) for col in columns]
                if all(j is not None for j in joined):
                    cur.execute(sql, joined)
                else:  # a value holds a separator character: adapt the lists instead
                    cur.execute(array_sql, [list(col) for col in columns])
                out.extend(cur.fetchall())
        else:
            per = max(1, 30000 // len(field_objs) - 1)
            one = "(" + ", ".join(["%s"] * len(field_objs)) + ")"
            for i in range(0, len(prepped), per):
                chunk = prepped[i : i + per]
                sql = (
                    f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(chunk))} "
                    f"ON CONFLICT DO NOTHING RETURNING {ret}"
                )
                cur.execute(sql, [v for row in chunk for v in row])
                out.extend(cur.fetchall())
    return out


_SEP, _NULL = "\x1f", "\x1e"


def _join(column: Sequence[Any]) -> str | None:
    parts = [_NULL if v is None else str(v) for v in column]
    if parts == [""]:  # string_to_array('') is an empty array, not {''}
        return None
    text = _SEP.join(parts)
    if text.count(_SEP) != len(parts) - 1 or any(_NULL in p for p in parts if p != _NULL):
        return None
    return text


def _prep(field: models.Field, value: Any) -> Any:
    if value is None or (isinstance(value, (int, str)) and not isinstance(value, bool)):
        return value
    return field.get_db_prep_save(value, connection)


def _pg_array_type(field: models.Field) -> str:
    db_type = field.db_type(connection) or "text"
    if db_type.startswith("varchar") or db_type == "text":
        db_type = "text"
    elif db_type in ("serial", "integer") or "integer" in db_type:
        db_type = "integer"
    elif db_type in ("bigserial", "bigint"):
        db_type = "bigint"
    return f"{db_type}[]"
