"""Roster import, step 3: ``member_import``, the service behind the import page, the Celery task and
``manage.py import_members``: clean every row, match against the roster in bulk (by the ID number's HMAC),
and write with COPY / set-based UPDATE (PostgreSQL) or bulk_create / bulk_update inside one transaction."""

from __future__ import annotations

import datetime
import gc
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.params import get_int_param
from apps.core.scoping import ensure_perm, user_scope_path

from .. import normalize as nz
from ..choices import Category, MemberStatus
from .columns import _FIELD_FOR_KEY, COLUMN_BY_KEY, MEMBER_FIELDS
from .files import (
    CHUNK_ROWS,
    HEADER_SCAN_ROWS,
    ImportRefused,
    check_file,
    find_header,
    read_table,
)
from .rows import RowContext, RowError, clean_member_rows


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    committed: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "errors": [e.as_dict() for e in self.errors],
        }


class _Row:
    """A cleaned row, kept compact (keys tuple shared by all rows of the same shape + a values tuple):
    100k rows as dicts would cost ~100 MB more."""

    __slots__ = ("changes", "data", "existing_id", "hash", "keys", "number")

    def __init__(self, number: int, values: dict[str, Any], key_pool: dict[tuple[str, ...], tuple[str, ...]]) -> None:
        keys = tuple(values)
        self.keys = key_pool.setdefault(keys, keys)
        self.data = tuple(values.values())
        self.number = number
        self.hash = ""
        self.existing_id: int | None = None
        self.changes: dict[str, Any] | None = None

    @property
    def values(self) -> dict[str, Any]:
        return dict(zip(self.keys, self.data, strict=True))


def _column_label(key: str, header_names: dict[str, str]) -> str:
    return header_names.get(key) or COLUMN_BY_KEY[key].headers[0] if key in COLUMN_BY_KEY else key


def member_import(
    *,
    acting_user: Any,
    path: str | Path,
    file_name: str,
    commit: bool,
    progress: Callable[[int, int], None] | None = None,
    today: datetime.date | None = None,
) -> ImportResult:
    """Validate a roster file and, with ``commit``, write it atomically (all valid rows or nothing).

    Rows are matched by ID number: a new number is a new member; a known one in the same organization is
    updated (or unchanged). Duplicates inside the file, numbers held by a member outside the importer's
    scope or in another organization, and a known number under another name are reported, never merged.
    """
    # A 100k-row file makes millions of long-lived small objects: with the default thresholds the cyclic GC
    # rescans them over and over. Collect the young generation rarely instead (not never: Django's
    # ValidationError is a reference cycle, error_list = [self], and would otherwise keep its frames alive).
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, 50, 1_000)
    try:
        return _member_import(
            acting_user=acting_user, path=path, file_name=file_name, commit=commit, progress=progress, today=today
        )
    finally:
        gc.set_threshold(*thresholds)


def _member_import(
    *,
    acting_user: Any,
    path: str | Path,
    file_name: str,
    commit: bool,
    progress: Callable[[int, int], None] | None,
    today: datetime.date | None,
) -> ImportResult:
    ensure_perm(acting_user, "members.add_member")
    ensure_perm(acting_user, "members.change_member")
    scope_path = user_scope_path(acting_user)
    if scope_path is None:
        raise ImportRefused(_("您没有所属党组织，不能导入党员。"))
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    kind = check_file(path, file_name)
    table = read_table(path, kind)
    head = list(itertools.islice(table.rows, HEADER_SCAN_ROWS))
    header_index, mapping, unknown = find_header([cells for _n, cells in head])
    header_row = head[header_index][1]
    header_names = {key: nz.clean_text(header_row[col]) for col, key in mapping.items()}
    items = list(mapping.items())
    max_rows = get_int_param("member_import_max_rows")
    estimated = max(table.estimated_rows - header_index - 1, 0)
    result = ImportResult(ignored_headers=unknown, timings=timings)
    ctx = RowContext(scope_path=scope_path, today=today)
    good: list[_Row] = []
    bad_rows: set[int] = set()
    pending: list[tuple[int, dict[str, Any]]] = []
    key_pool: dict[tuple[str, ...], tuple[str, ...]] = {}

    def clean_pending() -> None:
        # Organizations named in this chunk are fetched in one go, then every row is cleaned.
        ctx.resolver.prepare(raw.get("organization") for _n, raw in pending)
        cleaned = clean_member_rows([raw for _n, raw in pending], ctx)
        for (number, _raw), (values, errors) in zip(pending, cleaned, strict=True):
            if errors:
                bad_rows.add(number)
                result.errors.extend(RowError(number, _column_label(k, header_names), m) for k, m in errors)
            else:
                good.append(_Row(number, values, key_pool))
        pending.clear()
        if progress:
            progress(result.total, max(estimated, result.total))

    for number, row in itertools.chain(head[header_index + 1 :], table.rows):
        width = len(row)
        raw = {key: row[col] if col < width else "" for col, key in items}
        filled = [v for v in raw.values() if v != "" and v is not None]
        # Blank rows (trailing or in between) are not data; nor is a one-cell footnote such as 制表人：…
        if not filled or (len(filled) == 1 and not raw.get("id_number") and not raw.get("name")):
            continue
        pending.append((number, raw))
        result.total += 1
        if result.total > max_rows:
            raise ImportRefused(_("数据超过%(m)s行，请拆分后分批导入（或使用命令行导入）。") % {"m": max_rows})
        if len(pending) >= CHUNK_ROWS:
            clean_pending()
    clean_pending()
    del head, table
    if not result.total:
        raise ImportRefused(_("表头下面没有数据行。"))
    timings["read_and_clean"] = time.perf_counter() - clock

    clock = time.perf_counter()
    _match(good, result, bad_rows, acting_user, scope_path, header_names, set(mapping.values()))
    timings["match"] = time.perf_counter() - clock
    result.invalid = len(bad_rows)
    result.errors.sort(key=lambda e: e.row)
    todo = [r for r in good if r.number not in bad_rows]
    new_rows = [r for r in todo if r.existing_id is None]
    changed = [r for r in todo if r.existing_id is not None and r.changes]
    result.new, result.updated = len(new_rows), len(changed)
    result.unchanged = len(todo) - len(new_rows) - len(changed)
    if progress:
        progress(result.total, result.total)
    if commit and (new_rows or changed):
        clock = time.perf_counter()
        _write(new_rows, changed)
        timings["write"] = time.perf_counter() - clock
        result.committed = True
    return result


def _match(
    rows: list[_Row],
    result: ImportResult,
    bad_rows: set[int],
    user: Any,
    scope_path: str,
    header_names: dict[str, str],
    present: set[str],
) -> None:
    from ..crypto import blind_index
    from ..models import Member

    id_label = _column_label("id_number", header_names)
    by_hash: dict[str, list[_Row]] = {}
    for row in rows:
        row.hash = blind_index(row.data[row.keys.index("id_number")])
        by_hash.setdefault(row.hash, []).append(row)
    for same in by_hash.values():
        if len(same) > 1:
            numbers = [r.number for r in same]
            for row in same:
                others = "、".join(str(n) for n in numbers if n != row.number)
                result.errors.append(
                    RowError(
                        row.number, id_label, _("身份证号与文件中第%(o)s行重复，请核对后只保留一行。") % {"o": others}
                    )
                )
                bad_rows.add(row.number)

    hashes = list(by_hash)
    compared = [
        f
        for f in MEMBER_FIELDS
        if f in ("gender", "birth_date", "name", "organization_id")
        or ("party_group" if f == "party_group_id" else f) in present
    ]
    wanted = tuple(dict.fromkeys(("id", "id_hash", "org_path", "status", *compared)))
    # The roster is read in chunks of hashes and compared at once, so a 100k re-import never holds 100k
    # members in memory.
    for start in range(0, len(hashes), 5000):
        existing: dict[str, list[dict[str, Any]]] = {}
        for found in _by_hashes(Member, hashes[start : start + 5000]).values(*wanted):
            existing.setdefault(found["id_hash"], []).append(found)
        for row_hash, candidates in existing.items():
            for row in by_hash[row_hash]:
                if row.number not in bad_rows:
                    _compare(row, candidates, result, bad_rows, scope_path, present, id_label)


def _by_hashes(model: Any, hashes: list[str]) -> Any:
    if connection.vendor == "postgresql":
        # One array parameter instead of 5,000 placeholders: less to send, parse and plan.
        table = model._meta.db_table
        return model.objects.extra(where=[f'"{table}"."id_hash" = ANY(%s)'], params=[hashes])
    return model.objects.filter(id_hash__in=hashes)


def _compare(
    row: _Row,
    candidates: list[dict[str, Any]],
    result: ImportResult,
    bad_rows: set[int],
    scope_path: str,
    present: set[str],
    id_label: str,
) -> None:
    values = row.values
    match, message = roster_conflict(candidates, values, scope_path)
    if message:
        result.errors.append(RowError(row.number, id_label, message))
        bad_rows.add(row.number)
        return
    if match is None:
        return
    row.existing_id = match["id"]
    changes = {}
    for key, value in values.items():
        field_name = _FIELD_FOR_KEY.get(key, key)
        if field_name in ("organization_id", "id_number") or field_name not in match:
            continue
        column = "party_group" if key == "party_group_id" else key
        if column not in present and key not in ("gender", "birth_date"):
            continue  # a default for new members (category, status), not something the file says
        if match[field_name] != value:
            changes[field_name] = value
    if "category" in changes or "joined_on" in changes:
        changes["probation_ends_on"] = _probation_end({**match, **values})
    row.changes = changes or None


def roster_conflict(
    candidates: list[dict[str, Any]], values: dict[str, Any], scope_path: str
) -> tuple[dict[str, Any] | None, str | None]:
    """Which roster row a file row updates (None: a new member), or why it must not be merged.

    ``candidates`` are the members with the row's ID hash (dicts with id, name, org_path, status,
    organization_id). A match is an active member, else a former member of the same organization.
    """
    org = values["organization"]
    active = [c for c in candidates if c["status"] == MemberStatus.ACTIVE]
    same_org = [c for c in candidates if c["organization_id"] == org.pk]
    match = active[0] if active else (max(same_org, key=lambda c: c["id"]) if same_org else None)
    if match is None:
        return None, None  # only former members elsewhere: this is a new active member
    if not (match["org_path"] or "").startswith(scope_path):
        return match, _("该身份证号已登记在您管理范围以外的党组织，不能导入；如需转入请办理组织关系转接。")
    if match["organization_id"] != org.pk:
        from apps.organizations.models import Organization

        name = Organization.objects.filter(pk=match["organization_id"]).values_list("name", flat=True).first()
        return match, _("该党员已在“%(o)s”的名册中；更换党组织请办理组织关系转接，不能通过导入修改。") % {"o": name}
    if match["name"] != values["name"]:
        return match, _("身份证号与名册中已有党员的姓名（%(n)s）不一致，请核对。") % {"n": match["name"]}
    if "status" in values and values["status"] != match["status"]:
        return match, _("党籍状态变更（停止党籍、出党、恢复党籍等）请在党员详情页办理，不能通过导入修改。")
    return match, None


def _member_columns() -> list[Any]:
    from ..models import Member

    return [f for f in Member._meta.concrete_fields if f.attname != "id"]


def _member_records(rows: list[_Row], now: datetime.datetime) -> Iterator[list[Any]]:
    """Every column of each new member row, in ``_member_columns()`` order: defaults, the row's values, the
    ID number's ciphertext/key id/HMAC/mask, the organization's path, probation end, timestamps."""
    from apps.core.pii import mask_id_number

    from ..crypto import encrypt

    fields = _member_columns()
    index = {f.attname: i for i, f in enumerate(fields)}
    base = [f.get_default() for f in fields]
    base[index["created_at"]] = base[index["updated_at"]] = now
    i_org, i_path, i_hash, i_masked = index["organization_id"], index["org_path"], index["id_hash"], index["id_masked"]
    i_enc, i_key, i_probation = index["id_number_enc"], index["id_key_id"], index["probation_ends_on"]
    i_category, i_joined = index["category"], index["joined_on"]
    for row in rows:
        record = base.copy()
        for key, value in zip(row.keys, row.data, strict=True):
            position = index.get(key)
            if position is not None:
                record[position] = value
        values = dict(zip(row.keys, row.data, strict=True))
        org, number = values["organization"], values["id_number"]
        record[i_key], record[i_enc] = encrypt(number)
        record[i_org], record[i_path] = org.pk, org.path
        record[i_hash], record[i_masked] = row.hash, mask_id_number(number)
        if record[i_category] == Category.PROBATIONARY and record[i_joined]:
            record[i_probation] = _probation_end(values)
        yield record


def _probation_end(values: dict[str, Any]) -> datetime.date | None:
    from apps.organizations.models import add_years

    if values.get("category") == Category.PROBATIONARY and values.get("joined_on"):
        return add_years(values["joined_on"], 1)
    return None


@transaction.atomic
def _write(new_rows: list[_Row], changed: list[_Row]) -> None:
    from ..models import Member

    now = timezone.now()
    records = _member_records(new_rows, now)
    if connection.vendor == "postgresql":
        _pg_insert(records)
        _pg_update(changed, now)
    else:
        attnames = [f.attname for f in _member_columns()]
        Member.objects.bulk_create(
            (Member(**dict(zip(attnames, rec, strict=True))) for rec in records), batch_size=1000
        )
        current = {}
        for ids in chunks([r.existing_id for r in changed], 2000):
            current.update(Member.objects.in_bulk(ids))
        fields: set[str] = set()
        objs = []
        for row in changed:
            obj = current[row.existing_id]
            for name, value in row.changes.items():
                setattr(obj, name, value)
            obj.updated_at = now
            fields.update(row.changes)
            objs.append(obj)
        if objs:
            Member.objects.bulk_update(objs, [*sorted(fields), "updated_at"], batch_size=500)


def _pg_insert(records: Iterator[list[Any]]) -> None:
    from ..models import Member

    table = Member._meta.db_table
    cols = ", ".join(f'"{f.column}"' for f in _member_columns())
    with connection.cursor() as cursor, cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        write = copy.write_row
        for record in records:
            write(record)


def _pg_update(rows: list[_Row], now: datetime.datetime) -> None:
    if not rows:
        return
    from ..models import Member

    table = Member._meta.db_table
    fields = sorted({f for r in rows for f in r.changes})
    meta = {f.attname: f for f in Member._meta.concrete_fields}
    cols = ["id", *fields]
    # Each row sets only the fields it changes: the others are copied back from the member itself.
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE _member_import ON COMMIT DROP AS SELECT {", ".join(cols)} FROM "{table}" WITH NO DATA'
        )
        cursor.execute("ALTER TABLE _member_import ADD COLUMN _set text[]")
        with cursor.cursor.copy(f"COPY _member_import ({', '.join(cols)}, _set) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.existing_id, *[row.changes.get(f) for f in fields], list(row.changes)])
        assignments = ", ".join(
            f"{meta[f].column} = CASE WHEN '{f}' = ANY(t._set) THEN t.{meta[f].column} ELSE m.{meta[f].column} END"
            for f in fields
        )
        cursor.execute(
            f'UPDATE "{table}" m SET {assignments}, updated_at = %s FROM _member_import t WHERE m.id = t.id',
            [now],
        )


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
