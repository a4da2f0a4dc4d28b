"""A month of dues payments from one .xlsx, set-based (a county's ≈ 30k rows in one request).

1. One Python pass over the cells: the ID number's blind index, and each cell parsed once per distinct value
   (a month's file has a handful of distinct months, amounts, methods and dates), errors named by row and column.
2. The rows go into a temporary staging table in one COPY (PostgreSQL) or one executemany (SQLite).
3. A few UPDATE … FROM statements resolve the members (by ID number, or by a name unique in the uploader's
   scope — the scope is ``Member.objects.visible_to(user)``'s own SQL) and the amount owed from the year's base.
4. One SELECT returns only the rows that break a rule (unknown member, name mismatch, duplicate, before the
   branch vote, less than owed), formatted in Python with their row and column.
5. No error: one INSERT … SELECT … ON CONFLICT (member, month) DO UPDATE from the staging table.
All inside the caller's transaction: any error saves nothing.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.periods import Period

from .choices import MemberStatus
from .dues_collection import _amount
from .dues_models import DuesBase, DuesPayment, PaymentMethod, ReductionKind
from .models import Member

STAGE_COLUMNS = (
    ("row_no", "integer"),
    ("id_hash", "varchar(64)"),
    ("name", "varchar(100)"),
    ("ok", "boolean"),
    ("month", "date"),
    ("month_last", "date"),
    ("year", "integer"),
    ("amount", "numeric(10, 2)"),
    ("method", "varchar(10)"),
    ("paid_on", "date"),
)
RESOLVED_COLUMNS = (
    ("member_id", "integer"),
    ("m_name", "varchar(100)"),
    ("organization_id", "integer"),
    ("org_path", "varchar(255)"),
    ("joined_on", "date"),
    ("name_n", "integer"),
    ("owed", "numeric(10, 2)"),
)


def _method_table() -> dict[str, str]:
    table = {"微信": "online", "支付宝": "online", "网上": "online", "银行转账": "transfer", "银行": "transfer"}
    for code, label in PaymentMethod.choices:
        table[code] = code
        table[str(label)] = code
    return table


class _Cells:
    """Each cell kind parsed once per distinct raw value (memoised result or error message)."""

    def __init__(self, period: Period | None, today: datetime.date) -> None:
        from .dues_import import _date, _period

        self.period, self.today = period, today
        self.methods = _method_table()
        self._date, self._period = _date, _period
        self.memo: dict[tuple[str, Any], tuple[Any, str]] = {}

    def _once(self, kind: str, value: Any, fn: Any) -> tuple[Any, str]:
        key = (kind, value if isinstance(value, (str, int, float, datetime.date, type(None))) else str(value))
        hit = self.memo.get(key)
        if hit is None:
            try:
                hit = (fn(value), "")
            except ValueError as exc:
                hit = (None, str(exc))
            self.memo[key] = hit
        return hit

    def month(self, value: Any) -> tuple[Period | None, str]:
        def parse(v: Any) -> Period:
            month = self._period(v) if v not in (None, "") else self.period
            if month is None:
                raise ValueError(_("请填写月份，或在上传时选择月份"))
            if month.first_day > self.today:
                raise ValueError(_("不能登记尚未到来的月份"))
            return month

        return self._once("month", value, parse)

    def amount(self, value: Any) -> tuple[Decimal | None, str]:
        return self._once("amount", value, _amount)

    def method(self, value: Any) -> tuple[str | None, str]:
        def parse(v: Any) -> str:
            code = self.methods.get(str(v or "").strip())
            if code is None:
                raise ValueError(_("交纳方式应为：现金、转账、线上"))
            return code

        return self._once("method", value, parse)

    def paid_on(self, value: Any) -> tuple[datetime.date | None, str]:
        def parse(v: Any) -> datetime.date:
            day = self._date(v)
            if day > self.today:
                raise ValueError(_("不能晚于今天"))
            return day

        return self._once("paid_on", value, parse)


def stage_rows(records: list[dict[str, Any]], period: Period | None, errors: list) -> list[tuple]:
    """The one Python pass: a staging tuple per row that names a member; cell errors appended to ``errors``."""
    from .dues_import import RowError

    cells = _Cells(period, timezone.localdate())
    out = []
    for rec in records:
        n = rec["_row"]
        ok = True
        values: dict[str, Any] = {}
        for col, key, fn in (
            ("月份", "month", cells.month),
            ("金额", "amount", cells.amount),
            ("交纳方式", "method", cells.method),
            ("交纳日期", "paid_on", cells.paid_on),
        ):
            values[key], message = fn(rec.get(col))
            if message:
                errors.append(RowError(n, col, message))
                ok = False
        h = rec.get("_hash") or ""  # the blind index, computed once by dues_import._records
        month = values["month"]
        out.append(
            (
                n,
                h,
                rec.get("姓名") or "",
                ok,
                month.first_day if month else None,
                month.last_day if month else None,
                month.year if month else None,
                values["amount"],
                values["method"],
                values["paid_on"],
            )
        )
    return out


def _create_stage(cursor: Any, table: str) -> None:
    cols = ", ".join(f"{c} {t}" for c, t in STAGE_COLUMNS + RESOLVED_COLUMNS)
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({cols}) ON COMMIT DROP")
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({cols})")


def _load_stage(cursor: Any, table: str, rows: list[tuple]) -> None:
    names = ", ".join(c for c, _t in STAGE_COLUMNS)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # a temporary table has no statistics until analysed: without them the planner hashes all the members
        # (a 3M-row scan, 6.6 s) instead of looking the 30k ID numbers up in the index
        cursor.execute(f"ANALYZE {table}")
        # the few thousand rows are looked up by index in the members' and bases' tables (cached), not by
        # hashing those tables whole (3M rows each at full size): the planner's disk-read cost says otherwise
        cursor.execute("SET LOCAL random_page_cost = 1.1")
    else:
        marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _resolve(cursor: Any, table: str, user: Any) -> None:
    """Members by ID number, then by a name unique in scope; then the amount owed for the month's year."""
    scope_sql, scope_params = (
        Member.objects.visible_to(user)
        .filter(status=MemberStatus.ACTIVE)
        .values("id", "id_hash", "name", "organization_id", "org_path", "joined_on")
        .query.sql_with_params()
    )
    cursor.execute(
        f"UPDATE {table} SET member_id = v.id, m_name = v.name, organization_id = v.organization_id, "
        f"org_path = v.org_path, joined_on = v.joined_on FROM ({scope_sql}) v "
        f"WHERE {table}.id_hash <> '' AND v.id_hash = {table}.id_hash",
        scope_params,
    )
    cursor.execute(
        f"UPDATE {table} SET name_n = v.n, member_id = CASE WHEN v.n = 1 THEN v.id END, m_name = v.name, "
        f"organization_id = v.organization_id, org_path = v.org_path, joined_on = v.joined_on "
        f"FROM (SELECT name, COUNT(*) AS n, MIN(id) AS id, MIN(organization_id) AS organization_id, "
        f"MIN(org_path) AS org_path, MIN(joined_on) AS joined_on FROM ({scope_sql}) w "
        f"WHERE w.name IN (SELECT name FROM {table} WHERE id_hash = '') GROUP BY name) v "
        f"WHERE {table}.id_hash = '' AND v.name = {table}.name",
        scope_params,
    )
    base = DuesBase._meta.db_table
    cursor.execute(
        f"UPDATE {table} SET owed = CASE WHEN b.reduction = %s THEN 0 "
        f"WHEN b.reduction = %s AND b.reduced_amount IS NOT NULL THEN b.reduced_amount ELSE b.monthly_amount END "
        f"FROM {base} b WHERE {table}.ok AND b.member_id = {table}.member_id AND b.year = {table}.year",
        [ReductionKind.EXEMPT, ReductionKind.REDUCED],
    )


def _rule_errors(cursor: Any, table: str, errors: list) -> None:
    """The rows breaking a rule, in one SELECT (a window finds the first row of each member and month)."""
    from .dues_import import RowError

    cursor.execute(
        f"SELECT row_no, id_hash, name, m_name, name_n, member_id, ok, first_row, "
        f"CASE WHEN joined_on > month_last THEN 1 ELSE 0 END, CASE WHEN amount < owed THEN owed END FROM ("
        f"SELECT s.*, MIN(row_no) OVER (PARTITION BY member_id, month) AS first_row FROM {table} s) t "
        f"WHERE member_id IS NULL OR (id_hash <> '' AND name <> '' AND name <> m_name) "
        f"OR (ok AND (row_no <> first_row OR joined_on > month_last OR amount < owed)) ORDER BY row_no"
    )
    for row_no, h, name, m_name, name_n, member_id, ok, first_row, early, owed in cursor.fetchall():
        if member_id is None:
            if h:
                errors.append(RowError(row_no, "身份证号", _("在您管理范围内的在册党员中找不到该身份证号")))
            elif name_n:
                errors.append(RowError(row_no, "身份证号", _("有同名党员，请填写身份证号")))
            else:
                errors.append(RowError(row_no, "姓名", _("找不到该党员")))
        elif h and name and name != m_name:
            errors.append(RowError(row_no, "姓名", _("与身份证号对应的党员姓名（%(n)s）不一致") % {"n": m_name}))
        elif not ok:
            continue
        elif row_no != first_row:
            errors.append(RowError(row_no, "月份", _("与第%(r)d行重复（同一党员同一月份）") % {"r": first_row}))
        elif early:
            errors.append(
                RowError(row_no, "月份", _("在入党（支部大会通过）之前，预备党员从支部大会通过之日起交纳党费"))
            )
        elif owed is not None:
            errors.append(
                RowError(row_no, "金额", _("少于应交的%(a)s元") % {"a": Decimal(owed).quantize(Decimal("0.01"))})
            )


PAYMENT_COLUMNS = (
    "member_id",
    "organization_id",
    "org_path",
    "month",
    "amount",
    "method",
    "paid_on",
    "receipt_no",
    "recorded_by_id",
    "recorded_at",
)


def _write(cursor: Any, table: str, user: Any) -> tuple[int, list[str], set[datetime.date]]:
    """INSERT … SELECT from the staging table, upserting on (member, month); the receipt number is kept."""
    target = DuesPayment._meta.db_table
    keep = ("member_id", "month", "receipt_no")
    update = ", ".join(f"{c} = excluded.{c}" for c in PAYMENT_COLUMNS if c not in keep)
    if connection.vendor == "postgresql":
        receipt = "to_char(month, 'YYYYMM') || '-' || member_id::text"
    else:
        receipt = "strftime('%%Y%%m', month) || '-' || CAST(member_id AS TEXT)"
    cursor.execute(
        f"INSERT INTO {target} ({', '.join(PAYMENT_COLUMNS)}) "
        f"SELECT member_id, organization_id, org_path, month, amount, method, paid_on, {receipt}, %s, %s "
        f"FROM {table} WHERE 1 = 1 ON CONFLICT (member_id, month) DO UPDATE SET {update}",
        [user.pk, timezone.now()],
    )
    saved = cursor.rowcount
    cursor.execute(f"SELECT DISTINCT org_path FROM {table}")
    paths = [p for (p,) in cursor.fetchall()]
    cursor.execute(f"SELECT DISTINCT month FROM {table}")
    months = {m if isinstance(m, datetime.date) else datetime.date.fromisoformat(m) for (m,) in cursor.fetchall()}
    return saved, paths, months


def import_payments(
    *, acting_user: Any, records: list[dict[str, Any]], period: Period | None, errors: list, dry_run: bool
) -> tuple[int, list[str], set[datetime.date]]:
    """Validate and (unless ``dry_run`` or any error) write; returns (rows saved, org paths, months)."""
    rows = stage_rows(records, period, errors)
    if not rows:
        return 0, [], set()
    table = f"dues_stage_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        # (an error raised below rolls the transaction back, and the temporary table with it)
        _create_stage(cursor, table)
        _load_stage(cursor, table, rows)
        _resolve(cursor, table, acting_user)
        _rule_errors(cursor, table, errors)
        written = (0, [], set()) if errors or dry_run else _write(cursor, table, acting_user)
        cursor.execute(f"DROP TABLE {table}")
    return written
