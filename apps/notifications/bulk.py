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
    prepped = [[_prep(f, v) for f, v in zip(field_objs, row, strict=True)] for row in rows]
    out: list[tuple] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            casts = ", ".join(f"%s::{_pg_array_type(f)}" for f in field_objs)
            sql = f"INSERT INTO {table} ({cols}) SELECT * FROM unnest({casts}) ON CONFLICT DO NOTHING RETURNING {ret}"
            for i in range(0, len(prepped), _PG_CHUNK):
                chunk = prepped[i : i + _PG_CHUNK]
                cur.execute(sql, [list(col) for col in zip(*chunk, strict=True)])
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
