"""Issuing task, problem and duty items down the tree (set-based copies, one audit row per issuance)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import OrgKind
from apps.organizations.models import Organization

from ..choices import (
    DeadlineClass,
    DutyPost,
    ItemType,
    ProblemSource,
    RectificationStatus,
    Severity,
    TaskStatus,
)
from ..models import (
    DutyItem,
    Issuance,
    ProblemItem,
    Rectification,
    TaskItem,
)
from .common import (
    _actor,
    _check_deadline,
    _resolve_due,
    _year_ok,
)

# ---------------------------------------------------------------- issuing down the tree


def issue_targets(
    *,
    issuer: Organization,
    roots: Iterable[Organization] = (),
    kinds: Iterable[str] = (),
    sectors: Iterable[str] = (),
) -> Any:
    """The organizations an issuance reaches: below the issuer, within the chosen subtrees, kinds, sectors."""
    from django.db.models import Q

    roots, kinds, sectors = list(roots), list(kinds), list(sectors)
    qs = Organization.objects.filter(path__startswith=issuer.path, is_active=True).exclude(pk=issuer.pk)
    qs = qs.exclude(kind=OrgKind.PARTY_GROUP) if OrgKind.PARTY_GROUP not in kinds else qs
    if roots:
        cond = Q()
        for root in roots:
            cond |= Q(path__startswith=root.path)
        qs = qs.filter(cond)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if sectors:
        qs = qs.filter(sector__in=sectors)
    return qs


def _insert_select(table: str, values: list[tuple[str, str, Any]], source: Any, where: str = "") -> None:
    """INSERT INTO table (...) SELECT ... FROM (source queryset) AS src: one statement, no rows in Python.

    ``values``: (column, SQL expression over ``src`` or "%s", parameter or None).
    """
    from django.db import connection

    src_sql, src_params = source.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(c) for c, _e, _p in values)
    exprs = ", ".join(e for _c, e, _p in values)
    params = [p for _c, e, p in values if "%s" in e]
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) SELECT {exprs} FROM ({src_sql}) src {where}"
    with connection.cursor() as cur:
        cur.execute(sql, [*params, *src_params])


def _insert_copies(*, issuance: Issuance, targets: Any, payload: dict[str, Any], due_quarter: int | None) -> None:
    """Each target organization's own copy, written set-based (a province is ~100,000 rows)."""
    now = timezone.now()
    # explicit aliases: subquery column names are then the same on every backend
    src = targets.values(o_id=F("id"), o_path=F("path"), o_sec=F("secretary_name"))
    common = [
        ("organization_id", "src.o_id", None),
        ("org_path", "src.o_path", None),
        ("created_at", "%s", now),
        ("updated_at", "%s", now),
        ("year", "%s", issuance.year),
        ("issuance_id", "%s", issuance.pk),
    ]
    if issuance.item_type == ItemType.TASK:
        _insert_select(
            TaskItem._meta.db_table,
            [
                *common,
                ("content", "%s", payload["content"]),
                ("target", "%s", payload.get("target", "")),
                ("issued_on", "%s", issuance.issued_on),
                ("due_date", "%s", issuance.due_date),
                ("due_quarter", "%s", due_quarter or None),
                ("status", "%s", TaskStatus.PENDING),
                ("evidence", "%s", ""),
            ],
            src,
        )
    elif issuance.item_type == ItemType.DUTY:
        pending = _("（待明确）")
        person = (
            ("person_name", "CASE WHEN src.o_sec = '' THEN %s ELSE src.o_sec END", pending)
            if payload["post"] == DutyPost.SECRETARY
            else ("person_name", "%s", pending)
        )
        _insert_select(
            DutyItem._meta.db_table,
            [*common, person, ("post", "%s", payload["post"]), ("duties", "%s", payload["duties"])],
            src,
        )
    else:
        _insert_select(
            ProblemItem._meta.db_table,
            [
                *common,
                ("source", "%s", payload["source"]),
                ("category", "%s", payload["category"]),
                ("description", "%s", payload["description"]),
                ("severity", "%s", payload["severity"]),
                ("found_on", "%s", issuance.issued_on),
            ],
            src,
        )
        problems = ProblemItem.objects.filter(issuance=issuance).values(
            p_id=F("id"),
            p_org=F("organization_id"),
            p_path=F("org_path"),
            o_sec=F("organization__secretary_name"),
            o_name=F("organization__name"),
        )
        _insert_select(
            Rectification._meta.db_table,
            [
                ("organization_id", "src.p_org", None),
                ("org_path", "src.p_path", None),
                ("created_at", "%s", now),
                ("updated_at", "%s", now),
                ("problem_id", "src.p_id", None),
                ("measures", "%s", payload.get("measures", "")),
                ("responsible_person", "src.o_sec", None),
                ("responsible_unit", "src.o_name", None),
                ("deadline_class", "%s", payload["deadline_class"]),
                ("deadline", "%s", issuance.due_date),
                ("status", "%s", RectificationStatus.OPEN),
                ("signoff_comment", "%s", ""),
                ("recheck_note", "%s", ""),
                ("reopen_count", "%s", 0),
            ],
            problems,
        )


@transaction.atomic
def items_issue(
    *,
    acting_user: Any,
    issuer: Organization,
    item_type: str,
    year: int,
    title: str,
    payload: dict[str, Any],
    due_date: datetime.date | None = None,
    due_quarter: int | None = None,
    roots: Iterable[Organization] = (),
    kinds: Iterable[str] = (),
    sectors: Iterable[str] = (),
    issued_on: datetime.date | None = None,
) -> Issuance:
    """Write an item once and give every chosen organization below its own copy (set-based: bulk inserts).

    The issuer's roll-up (done / in progress / overdue by organization) reads the copies via ``issuance``.
    """
    ensure_org_in_scope(acting_user, issuer)
    roots = list(roots)
    for root in roots:
        ensure_org_in_scope(acting_user, root)
        if not root.path.startswith(issuer.path):
            raise ValidationError({"roots": _("下发范围「%(n)s」不在下发组织之下。") % {"n": root.name}})
    if item_type not in ItemType.values:
        raise ValidationError({"item_type": _("清单类型无效。")})
    ensure_perm(acting_user, f"responsibility.add_{item_type}item")
    year = _year_ok(year)
    issued_on = issued_on or timezone.localdate()
    if not title.strip():
        raise ValidationError({"title": _("请填写标题。")})
    payload = dict(payload)
    if item_type == ItemType.TASK:
        due_date = _resolve_due(year=year, due_date=due_date, due_quarter=due_quarter, issued_on=issued_on)
        payload.setdefault("content", title)
    elif item_type == ItemType.PROBLEM:
        deadline_class = payload.get("deadline_class") or DeadlineClass.BY_DATE
        due_date = _check_deadline(deadline_class=deadline_class, deadline=due_date, not_before=issued_on)
        payload["deadline_class"] = deadline_class
        if payload.get("source") not in ProblemSource.values:
            raise ValidationError({"source": _("问题来源无效。")})
        payload.setdefault("description", title)
        payload.setdefault("category", _("其他"))
        payload.setdefault("severity", Severity.GENERAL)
    else:
        if payload.get("post") not in DutyPost.values:
            raise ValidationError({"post": _("职务无效。")})
        payload.setdefault("duties", title)
    targets = issue_targets(issuer=issuer, roots=roots, kinds=kinds, sectors=sectors)
    count = targets.count()
    if not count:
        raise ValidationError({"roots": _("所选范围内没有符合条件的下级党组织。")})
    issuance = Issuance.objects.create(
        issuer=issuer,
        org_path=issuer.path,
        item_type=item_type,
        year=year,
        title=title.strip(),
        payload=payload,
        due_date=due_date,
        issued_on=issued_on,
        selection={
            "roots": [r.pk for r in roots],
            "kinds": list(kinds),
            "sectors": list(sectors),
            "due_quarter": due_quarter,
        },
        assignee_count=count,
        issued_by=_actor(acting_user),
    )
    _insert_copies(issuance=issuance, targets=targets, payload=payload, due_quarter=due_quarter)
    audit_record(
        actor=acting_user,
        event="issuance.create",
        obj=issuance,
        after=snapshot(issuance),
        note=_("下发至%(n)d个党组织") % {"n": count},
    )
    return issuance
