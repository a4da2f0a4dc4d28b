"""Every write of the responsibility app. Keyword-only, atomic, scope-checked, audited."""

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
from apps.core.params import get_int_param
from apps.core.periods import Period
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import BRANCH_KINDS, OrgKind
from apps.organizations.models import Organization

from .choices import (
    DeadlineClass,
    DutyPost,
    ItemType,
    LedgerStatus,
    MeetingKind,
    ProblemSource,
    RectificationStatus,
    Severity,
    TaskStatus,
)
from .models import (
    DutyItem,
    Issuance,
    Meeting,
    MeetingAttachment,
    MonthlyLedger,
    ProblemItem,
    Rectification,
    RectificationProgress,
    TaskItem,
)
from .validators import validate_attachment

BULK_BATCH = 5000


# ---------------------------------------------------------------- helpers


def is_above(user: Any, organization: Organization) -> bool:
    """True when the user's organization is a proper ancestor of ``organization`` (or a tree-wide admin)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    own = getattr(user, "organization", None)
    if own is None:
        return bool(user.is_superuser)
    return own.pk != organization.pk and organization.path.startswith(own.path)


def _ensure_above(user: Any, organization: Organization, *, field: str, what: str) -> None:
    if not is_above(user, organization):
        raise ValidationError(
            {field: _("%(what)s只能由「%(org)s」的上级党组织人员进行。") % {"what": what, "org": organization.name}}
        )


def _actor(user: Any) -> Any:
    """The acting user as a row to point at (system jobs act without a saved user)."""
    return user if getattr(user, "pk", None) else None


def _refresh_stats(organization_id: int, period: Period) -> None:
    from .tasks import schedule_stats_refresh

    schedule_stats_refresh(organization_id, period)


def quarter_end(year: int, quarter: int) -> datetime.date:
    return Period(year, quarter * 3).last_day


def _resolve_due(
    *, year: int, due_date: datetime.date | None, due_quarter: int | None, issued_on: datetime.date
) -> datetime.date:
    if due_date is None and due_quarter:
        if not 1 <= int(due_quarter) <= 4:
            raise ValidationError({"due_quarter": _("完成季度应为1至4。")})
        due_date = quarter_end(year, int(due_quarter))
    if due_date is None:
        raise ValidationError({"due_date": _("请填写完成时限（日期或季度）。")})
    if due_date < issued_on:
        raise ValidationError(
            {
                "due_date": _("完成时限（%(due)s）不能早于下发日期（%(issued)s）。")
                % {"due": due_date, "issued": issued_on}
            }
        )
    return due_date


def _check_deadline(
    *, deadline_class: str, deadline: datetime.date | None, not_before: datetime.date
) -> datetime.date | None:
    if deadline_class not in DeadlineClass.values:
        raise ValidationError({"deadline_class": _("整改时限类别无效。")})
    if deadline_class == DeadlineClass.LONG_TERM:
        return deadline
    if deadline is None:
        if deadline_class == DeadlineClass.IMMEDIATE:
            return not_before
        raise ValidationError({"deadline": _("限期整改须填写整改期限。")})
    if deadline < not_before:
        raise ValidationError(
            {"deadline": _("整改期限（%(d)s）不能早于问题发现或下发日期（%(n)s）。") % {"d": deadline, "n": not_before}}
        )
    return deadline


def _year_ok(year: int) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": _("年度应为四位数字。")}) from exc
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在2000至2100之间。")})
    return year


# ---------------------------------------------------------------- task items

TASK_FIELDS = ("content", "target", "due_date", "due_quarter", "year", "issued_on")


@transaction.atomic
def task_create(
    *,
    acting_user: Any,
    organization: Organization,
    year: int,
    content: str,
    target: str = "",
    due_date: datetime.date | None = None,
    due_quarter: int | None = None,
    issued_on: datetime.date | None = None,
) -> TaskItem:
    ensure_org_in_scope(acting_user, organization)
    ensure_perm(acting_user, "responsibility.add_taskitem")
    year = _year_ok(year)
    issued_on = issued_on or timezone.localdate()
    if not content.strip():
        raise ValidationError({"content": _("请填写任务内容。")})
    due = _resolve_due(year=year, due_date=due_date, due_quarter=due_quarter, issued_on=issued_on)
    task = TaskItem.objects.create(
        organization=organization,
        org_path=organization.path,
        year=year,
        content=content.strip(),
        target=target,
        issued_on=issued_on,
        due_date=due,
        due_quarter=due_quarter or None,
    )
    audit_record(actor=acting_user, event="taskitem.create", obj=task, after=snapshot(task))
    return task


@transaction.atomic
def task_update(*, acting_user: Any, task: TaskItem, **fields: Any) -> TaskItem:
    ensure_org_in_scope(acting_user, task.organization)
    ensure_perm(acting_user, "responsibility.change_taskitem")
    # What a task asks and by when is set by the organization that assigned it, not by the assignee.
    _ensure_above(acting_user, task.organization, field="content", what=_("修改任务内容和时限"))
    task = TaskItem.objects.select_for_update().get(pk=task.pk)
    before = snapshot(task)
    for key, value in fields.items():
        if key not in ("content", "target", "due_date", "due_quarter"):
            raise ValidationError({key: _("该字段不能在此修改。")})
        setattr(task, key, value)
    task.due_date = _resolve_due(
        year=task.year,
        due_date=fields.get("due_date", task.due_date if "due_quarter" not in fields else None),
        due_quarter=task.due_quarter,
        issued_on=task.issued_on,
    )
    task.save()
    audit_record(actor=acting_user, event="taskitem.update", obj=task, before=before, after=snapshot(task))
    return task


@transaction.atomic
def task_progress_update(
    *,
    acting_user: Any,
    task: TaskItem,
    status: str,
    evidence: str = "",
    completed_on: datetime.date | None = None,
) -> TaskItem:
    """The assignee reports progress: status, evidence, completion date."""
    ensure_org_in_scope(acting_user, task.organization)
    ensure_perm(acting_user, "responsibility.change_taskitem")
    task = TaskItem.objects.select_for_update().get(pk=task.pk)
    before = snapshot(task)
    if status not in TaskStatus.values:
        raise ValidationError({"status": _("状态无效。")})
    today = timezone.localdate()
    if status == TaskStatus.DONE:
        completed_on = completed_on or today
        if completed_on > today:
            raise ValidationError({"completed_on": _("完成日期不能晚于今天。")})
        if completed_on < task.issued_on:
            raise ValidationError({"completed_on": _("完成日期不能早于任务下达日期。")})
        if not (evidence or task.evidence).strip():
            raise ValidationError({"evidence": _("标记为已完成时请填写完成佐证。")})
    else:
        completed_on = None
    task.status = status
    task.completed_on = completed_on
    if evidence:
        task.evidence = evidence
    task.save()
    audit_record(actor=acting_user, event="taskitem.progress", obj=task, before=before, after=snapshot(task))
    _refresh_stats(task.organization_id, Period.of(task.due_date))
    return task


@transaction.atomic
def task_delete(*, acting_user: Any, task: TaskItem) -> None:
    ensure_org_in_scope(acting_user, task.organization)
    ensure_perm(acting_user, "responsibility.delete_taskitem")
    audit_record(actor=acting_user, event="taskitem.delete", obj=task, before=snapshot(task))
    task.delete()


# ---------------------------------------------------------------- problem items and rectifications


@transaction.atomic
def problem_create(
    *,
    acting_user: Any,
    organization: Organization,
    year: int,
    source: str,
    category: str,
    description: str,
    severity: str = Severity.GENERAL,
    found_on: datetime.date | None = None,
    deadline_class: str = DeadlineClass.BY_DATE,
    deadline: datetime.date | None = None,
    measures: str = "",
    responsible_person: str = "",
    responsible_unit: str = "",
) -> ProblemItem:
    """Record a problem and open its rectification in one step (every problem gets one)."""
    ensure_org_in_scope(acting_user, organization)
    ensure_perm(acting_user, "responsibility.add_problemitem")
    year = _year_ok(year)
    found_on = found_on or timezone.localdate()
    if source not in ProblemSource.values:
        raise ValidationError({"source": _("问题来源无效。")})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("严重程度无效。")})
    if not description.strip():
        raise ValidationError({"description": _("请填写问题描述。")})
    if found_on > timezone.localdate():
        raise ValidationError({"found_on": _("发现日期不能晚于今天。")})
    deadline = _check_deadline(deadline_class=deadline_class, deadline=deadline, not_before=found_on)
    problem = ProblemItem.objects.create(
        organization=organization,
        org_path=organization.path,
        year=year,
        source=source,
        category=category.strip(),
        description=description.strip(),
        severity=severity,
        found_on=found_on,
    )
    rect = Rectification.objects.create(
        organization=organization,
        org_path=organization.path,
        problem=problem,
        measures=measures,
        responsible_person=responsible_person or organization.secretary_name,
        responsible_unit=responsible_unit or organization.name,
        deadline_class=deadline_class,
        deadline=deadline,
    )
    audit_record(actor=acting_user, event="problemitem.create", obj=problem, after=snapshot(problem))
    audit_record(actor=acting_user, event="rectification.create", obj=rect, after=snapshot(rect))
    return problem


@transaction.atomic
def problem_update(*, acting_user: Any, problem: ProblemItem, **fields: Any) -> ProblemItem:
    ensure_org_in_scope(acting_user, problem.organization)
    ensure_perm(acting_user, "responsibility.change_problemitem")
    problem = ProblemItem.objects.select_for_update().get(pk=problem.pk)
    before = snapshot(problem)
    for key, value in fields.items():
        if key not in ("source", "category", "description", "severity", "found_on"):
            raise ValidationError({key: _("该字段不能在此修改。")})
        setattr(problem, key, value)
    if problem.found_on > timezone.localdate():
        raise ValidationError({"found_on": _("发现日期不能晚于今天。")})
    problem.save()
    audit_record(actor=acting_user, event="problemitem.update", obj=problem, before=before, after=snapshot(problem))
    return problem


def _lock_rect(rect: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("organization", "problem").get(pk=rect.pk)


@transaction.atomic
def rectification_update(
    *,
    acting_user: Any,
    rectification: Rectification,
    measures: str,
    responsible_person: str,
    responsible_unit: str,
    deadline_class: str,
    deadline: datetime.date | None,
) -> Rectification:
    ensure_org_in_scope(acting_user, rectification.organization)
    ensure_perm(acting_user, "responsibility.change_rectification")
    rect = _lock_rect(rectification)
    if rect.status == RectificationStatus.SIGNED_OFF:
        raise ValidationError({"__all__": _("该整改已销号，不能再修改；如需重新整改，请由上级在“回头看”中重新打开。")})
    before = snapshot(rect)
    if (deadline_class, deadline) != (rect.deadline_class, rect.deadline) and not is_above(
        acting_user, rect.organization
    ):
        raise ValidationError({"deadline": _("整改时限由上级党组织确定，责任单位不能自行修改。")})
    rect.deadline = _check_deadline(deadline_class=deadline_class, deadline=deadline, not_before=rect.problem.found_on)
    rect.deadline_class = deadline_class
    rect.measures = measures
    rect.responsible_person = responsible_person
    rect.responsible_unit = responsible_unit
    rect.save()
    audit_record(actor=acting_user, event="rectification.update", obj=rect, before=before, after=snapshot(rect))
    return rect


@transaction.atomic
def rectification_progress_add(
    *, acting_user: Any, rectification: Rectification, month: Period | str, content: str
) -> RectificationProgress:
    ensure_org_in_scope(acting_user, rectification.organization)
    ensure_perm(acting_user, "responsibility.add_rectificationprogress")
    rect = _lock_rect(rectification)
    period = Period.parse(month)
    if period > Period.of(timezone.localdate()):
        raise ValidationError({"month": _("不能填报未来月份的整改进展。")})
    if not content.strip():
        raise ValidationError({"content": _("请填写进展情况。")})
    if rect.status == RectificationStatus.SIGNED_OFF:
        raise ValidationError({"content": _("该整改已销号，无需再填报进展。")})
    entry = RectificationProgress.objects.create(
        rectification=rect, month=period.first_day, content=content.strip(), created_by=_actor(acting_user)
    )
    if rect.status == RectificationStatus.OPEN:
        before = snapshot(rect, ["status"])
        rect.status = RectificationStatus.IN_PROGRESS
        rect.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=acting_user, event="rectification.progress", obj=rect, before=before, after=snapshot(rect, ["status"])
        )
    else:
        audit_record(actor=acting_user, event="rectification.progress", obj=rect, note=content[:200])
    return entry


@transaction.atomic
def rectification_complete(
    *, acting_user: Any, rectification: Rectification, completed_on: datetime.date | None = None, note: str = ""
) -> Rectification:
    """The owner reports the rectification done; it then awaits sign-off from above."""
    ensure_org_in_scope(acting_user, rectification.organization)
    ensure_perm(acting_user, "responsibility.change_rectification")
    rect = _lock_rect(rectification)
    if rect.status not in (RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS):
        raise ValidationError({"__all__": _("当前状态（%(s)s）不能申请销号。") % {"s": rect.get_status_display()}})
    if not rect.measures.strip():
        raise ValidationError({"measures": _("请先填写整改措施，再申请销号。")})
    completed_on = completed_on or timezone.localdate()
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("完成日期不能晚于今天。")})
    before = snapshot(rect, ["status", "completed_on"])
    rect.status = RectificationStatus.AWAITING_SIGNOFF
    rect.completed_on = completed_on
    rect.save(update_fields=["status", "completed_on", "updated_at"])
    audit_record(
        actor=acting_user,
        event="rectification.complete",
        obj=rect,
        before=before,
        after=snapshot(rect, ["status", "completed_on"]),
        note=note,
    )
    _refresh_stats(rect.organization_id, Period.current())
    return rect


@transaction.atomic
def rectification_signoff(
    *, acting_user: Any, rectification: Rectification, approve: bool, comment: str
) -> Rectification:
    """销号: only a user of an organization above the owner; refusing sends it back to in progress."""
    ensure_org_in_scope(acting_user, rectification.organization)
    ensure_perm(acting_user, "responsibility.signoff_rectification")
    rect = _lock_rect(rectification)
    _ensure_above(acting_user, rect.organization, field="comment", what=_("整改销号"))
    if rect.status != RectificationStatus.AWAITING_SIGNOFF:
        raise ValidationError(
            {"comment": _("只有“已完成待销号”的整改才能销号，当前状态：%(s)s。") % {"s": rect.get_status_display()}}
        )
    if not comment.strip():
        raise ValidationError({"comment": _("请填写销号意见。")})
    fields = ["status", "signed_off_at", "signed_off_by", "signoff_comment"]
    before = snapshot(rect, fields)
    if approve:
        rect.status = RectificationStatus.SIGNED_OFF
        rect.signed_off_at = timezone.now()
        rect.signed_off_by = _actor(acting_user)
    else:
        rect.status = RectificationStatus.IN_PROGRESS
    rect.signoff_comment = comment.strip()
    rect.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=acting_user,
        event="rectification.signoff" if approve else "rectification.signoff_refused",
        obj=rect,
        before=before,
        after=snapshot(rect, fields),
        note=comment,
    )
    _refresh_stats(rect.organization_id, Period.current())
    return rect


@transaction.atomic
def rectification_recheck(*, acting_user: Any, rectification: Rectification, note: str, reopen: bool) -> Rectification:
    """回头看: the organization above re-checks a signed-off rectification; it may reopen it."""
    ensure_org_in_scope(acting_user, rectification.organization)
    ensure_perm(acting_user, "responsibility.signoff_rectification")
    rect = _lock_rect(rectification)
    _ensure_above(acting_user, rect.organization, field="note", what=_("回头看"))
    if rect.status != RectificationStatus.SIGNED_OFF:
        raise ValidationError({"note": _("只有已销号的整改才能进行回头看。")})
    if not note.strip():
        raise ValidationError({"note": _("请填写回头看情况。")})
    fields = ["status", "rechecked_at", "recheck_note", "reopen_count", "signed_off_at"]
    before = snapshot(rect, fields)
    rect.rechecked_at = timezone.now()
    rect.recheck_note = note.strip()
    if reopen:
        rect.status = RectificationStatus.IN_PROGRESS
        rect.reopen_count += 1
        rect.signed_off_at = None
        rect.signed_off_by = None
        rect.completed_on = None
    rect.save()
    audit_record(
        actor=acting_user,
        event="rectification.reopen" if reopen else "rectification.recheck",
        obj=rect,
        before=before,
        after=snapshot(rect, fields),
        note=note,
    )
    _refresh_stats(rect.organization_id, Period.current())
    return rect


# ---------------------------------------------------------------- duty items


@transaction.atomic
def duty_create(
    *, acting_user: Any, organization: Organization, year: int, person_name: str, post: str, duties: str
) -> DutyItem:
    ensure_org_in_scope(acting_user, organization)
    ensure_perm(acting_user, "responsibility.add_dutyitem")
    if post not in DutyPost.values:
        raise ValidationError({"post": _("职务无效。")})
    if not person_name.strip():
        raise ValidationError({"person_name": _("请填写责任人。")})
    if not duties.strip():
        raise ValidationError({"duties": _("请填写责任内容。")})
    duty = DutyItem.objects.create(
        organization=organization,
        org_path=organization.path,
        year=_year_ok(year),
        person_name=person_name.strip(),
        post=post,
        duties=duties.strip(),
    )
    audit_record(actor=acting_user, event="dutyitem.create", obj=duty, after=snapshot(duty))
    return duty


@transaction.atomic
def duty_update(*, acting_user: Any, duty: DutyItem, **fields: Any) -> DutyItem:
    ensure_org_in_scope(acting_user, duty.organization)
    ensure_perm(acting_user, "responsibility.change_dutyitem")
    duty = DutyItem.objects.select_for_update().get(pk=duty.pk)
    before = snapshot(duty)
    for key, value in fields.items():
        if key not in ("person_name", "post", "duties"):
            raise ValidationError({key: _("该字段不能在此修改。")})
        setattr(duty, key, value)
    if duty.post not in DutyPost.values:
        raise ValidationError({"post": _("职务无效。")})
    duty.save()
    audit_record(actor=acting_user, event="dutyitem.update", obj=duty, before=before, after=snapshot(duty))
    return duty


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


# ---------------------------------------------------------------- monthly ledger


def ledger_due_date(period: Period) -> datetime.date:
    """The submission deadline of a month's ledger: day N (parameter ledger_due_day) of the next month."""
    nxt = period.next()
    day = min(max(get_int_param("ledger_due_day"), 1), nxt.last_day.day)
    return nxt.first_day.replace(day=day)


def _ensure_editable(ledger: MonthlyLedger) -> None:
    if ledger.is_locked:
        raise ValidationError(
            {
                "__all__": _("%(p)s月度台账已提交（已锁定），不能再修改；如需修改，请由上级党组织退回后再改。")
                % {"p": ledger.period.label}
            }
        )


def _lock_ledger(ledger: MonthlyLedger) -> MonthlyLedger:
    return MonthlyLedger.objects.select_for_update().select_related("organization").get(pk=ledger.pk)


@transaction.atomic
def ledger_open(*, acting_user: Any, branch: Organization, period: Period | str) -> MonthlyLedger:
    """The month's ledger of a branch, created (as a draft) when first opened."""
    ensure_org_in_scope(acting_user, branch)
    ensure_perm(acting_user, "responsibility.add_monthlyledger")
    period = Period.parse(period)
    if branch.kind not in BRANCH_KINDS:
        raise ValidationError({"organization": _("月度台账由党支部填报，「%(n)s」不是党支部。") % {"n": branch.name}})
    if not branch.is_active:
        raise ValidationError({"organization": _("该党支部已撤销。")})
    if period > Period.of(timezone.localdate()):
        raise ValidationError({"period": _("不能填报未来月份（%(p)s）的台账。") % {"p": period.label}})
    ledger, created = MonthlyLedger.objects.get_or_create(
        organization=branch,
        month=period.first_day,
        defaults={"org_path": branch.path, "due_date": ledger_due_date(period)},
    )
    if created:
        audit_record(actor=acting_user, event="monthlyledger.create", obj=ledger, after=snapshot(ledger))
    return ledger


@transaction.atomic
def ledger_update(
    *, acting_user: Any, ledger: MonthlyLedger, task_progress: str, rectification_progress: str, notes: str
) -> MonthlyLedger:
    ensure_org_in_scope(acting_user, ledger.organization)
    ensure_perm(acting_user, "responsibility.change_monthlyledger")
    ledger = _lock_ledger(ledger)
    _ensure_editable(ledger)
    before = snapshot(ledger)
    ledger.task_progress, ledger.rectification_progress, ledger.notes = task_progress, rectification_progress, notes
    ledger.save()
    audit_record(actor=acting_user, event="monthlyledger.update", obj=ledger, before=before, after=snapshot(ledger))
    return ledger


def _validate_meeting(
    *, ledger: MonthlyLedger, kind: str, held_on: datetime.date, topic: str, party_group: Organization | None
) -> None:
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("会议类型无效。")})
    period = ledger.period
    if not (period.first_day <= held_on <= period.last_day):
        raise ValidationError(
            {
                "held_on": _("会议日期（%(d)s）须在台账月份（%(p)s）之内。")
                % {"d": held_on.strftime("%Y-%m-%d"), "p": period.label}
            }
        )
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("会议日期不能晚于今天。")})
    if not topic.strip():
        raise ValidationError({"topic": _("请填写会议主题。")})
    if party_group is not None and (
        party_group.parent_id != ledger.organization_id or party_group.kind != OrgKind.PARTY_GROUP
    ):
        raise ValidationError({"party_group": _("所选党小组不属于本支部。")})
    if kind == MeetingKind.GROUP_MEETING and party_group is None:
        has_groups = Organization.objects.filter(
            parent_id=ledger.organization_id, kind=OrgKind.PARTY_GROUP, is_active=True
        ).exists()
        if has_groups:
            raise ValidationError({"party_group": _("党小组会须选择召开会议的党小组。")})


def _apply_attendance(
    *,
    meeting: Meeting,
    attendees: Any,
    absentees: Any,
    attendee_count: int | None,
    absentee_count: int | None,
) -> None:
    from . import attendance

    attendance.apply(
        meeting=meeting,
        attendees=attendees,
        absentees=absentees,
        attendee_count=attendee_count,
        absentee_count=absentee_count,
    )


@transaction.atomic
def meeting_create(
    *,
    acting_user: Any,
    ledger: MonthlyLedger,
    kind: str,
    held_on: datetime.date,
    topic: str,
    place: str = "",
    minutes: str = "",
    party_group: Organization | None = None,
    attendees: Any = None,
    absentees: Any = None,
    attendee_count: int | None = None,
    absentee_count: int | None = None,
) -> Meeting:
    """Record a meeting in a ledger. ``attendees``: members present; ``absentees``: {member: reason}."""
    ensure_org_in_scope(acting_user, ledger.organization)
    ensure_perm(acting_user, "responsibility.add_meeting")
    ledger = _lock_ledger(ledger)
    _ensure_editable(ledger)
    _validate_meeting(ledger=ledger, kind=kind, held_on=held_on, topic=topic, party_group=party_group)
    meeting = Meeting.objects.create(
        ledger=ledger,
        organization_id=ledger.organization_id,
        org_path=ledger.org_path,
        party_group=party_group,
        kind=kind,
        held_on=held_on,
        place=place,
        topic=topic.strip(),
        minutes=minutes,
    )
    _apply_attendance(
        meeting=meeting,
        attendees=attendees,
        absentees=absentees,
        attendee_count=attendee_count,
        absentee_count=absentee_count,
    )
    audit_record(actor=acting_user, event="meeting.create", obj=meeting, after=snapshot(meeting))
    return meeting


@transaction.atomic
def meeting_update(
    *,
    acting_user: Any,
    meeting: Meeting,
    kind: str,
    held_on: datetime.date,
    topic: str,
    place: str = "",
    minutes: str = "",
    party_group: Organization | None = None,
    attendees: Any = None,
    absentees: Any = None,
    attendee_count: int | None = None,
    absentee_count: int | None = None,
) -> Meeting:
    ensure_org_in_scope(acting_user, meeting.organization)
    ensure_perm(acting_user, "responsibility.change_meeting")
    ledger = _lock_ledger(meeting.ledger)
    _ensure_editable(ledger)
    _validate_meeting(ledger=ledger, kind=kind, held_on=held_on, topic=topic, party_group=party_group)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = snapshot(meeting)
    meeting.kind, meeting.held_on, meeting.topic = kind, held_on, topic.strip()
    meeting.place, meeting.minutes, meeting.party_group = place, minutes, party_group
    meeting.save()
    _apply_attendance(
        meeting=meeting,
        attendees=attendees,
        absentees=absentees,
        attendee_count=attendee_count,
        absentee_count=absentee_count,
    )
    audit_record(actor=acting_user, event="meeting.update", obj=meeting, before=before, after=snapshot(meeting))
    return meeting


@transaction.atomic
def meeting_delete(*, acting_user: Any, meeting: Meeting) -> None:
    ensure_org_in_scope(acting_user, meeting.organization)
    ensure_perm(acting_user, "responsibility.delete_meeting")
    _ensure_editable(_lock_ledger(meeting.ledger))
    audit_record(actor=acting_user, event="meeting.delete", obj=meeting, before=snapshot(meeting))
    for att in meeting.attachments.all():
        att.file.delete(save=False)
    meeting.delete()


@transaction.atomic
def attachment_add(*, acting_user: Any, meeting: Meeting, file: Any) -> MeetingAttachment:
    ensure_org_in_scope(acting_user, meeting.organization)
    ensure_perm(acting_user, "responsibility.add_meetingattachment")
    _ensure_editable(_lock_ledger(meeting.ledger))
    try:
        validate_attachment(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    att = MeetingAttachment(meeting=meeting, name=file.name[:200], size=file.size, uploaded_by=_actor(acting_user))
    att.file.save(file.name, file, save=False)
    att.save()
    audit_record(actor=acting_user, event="meetingattachment.create", obj=att, org_path=meeting.org_path, note=att.name)
    return att


@transaction.atomic
def attachment_delete(*, acting_user: Any, attachment: MeetingAttachment) -> None:
    meeting = attachment.meeting
    ensure_org_in_scope(acting_user, meeting.organization)
    ensure_perm(acting_user, "responsibility.delete_meetingattachment")
    _ensure_editable(_lock_ledger(meeting.ledger))
    audit_record(
        actor=acting_user,
        event="meetingattachment.delete",
        obj=attachment,
        org_path=meeting.org_path,
        note=attachment.name,
    )
    attachment.file.delete(save=False)
    attachment.delete()


@transaction.atomic
def ledger_submit(*, acting_user: Any, ledger: MonthlyLedger) -> MonthlyLedger:
    """Submit locks the month; on time when submitted by the due date."""
    ensure_org_in_scope(acting_user, ledger.organization)
    ensure_perm(acting_user, "responsibility.submit_monthlyledger")
    ledger = _lock_ledger(ledger)
    if ledger.status not in (LedgerStatus.DRAFT, LedgerStatus.RETURNED):
        raise ValidationError({"__all__": _("该台账已提交，不能重复提交。")})
    if not ledger.meetings.exists() and not ledger.notes.strip():
        raise ValidationError({"notes": _("本月没有记录任何会议，请在“其他说明”中说明原因后再提交。")})
    fields = ["status", "submitted_at", "submitted_on_time", "submitted_by"]
    before = snapshot(ledger, fields)
    now = timezone.now()
    ledger.status = LedgerStatus.SUBMITTED
    ledger.submitted_at = now
    # A resubmission after a return keeps the first submission's punctuality unless it was never on time.
    on_time = timezone.localdate(now) <= ledger.due_date
    ledger.submitted_on_time = on_time if ledger.submitted_on_time is None else (ledger.submitted_on_time and on_time)
    ledger.submitted_by = _actor(acting_user)
    ledger.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=acting_user, event="monthlyledger.submit", obj=ledger, before=before, after=snapshot(ledger, fields)
    )
    _refresh_stats(ledger.organization_id, ledger.period)
    return ledger


@transaction.atomic
def ledger_review(*, acting_user: Any, ledger: MonthlyLedger, approve: bool, comment: str = "") -> MonthlyLedger:
    """The organization above approves or returns a submitted ledger (a return needs a comment)."""
    ensure_org_in_scope(acting_user, ledger.organization)
    ensure_perm(acting_user, "responsibility.review_monthlyledger")
    ledger = _lock_ledger(ledger)
    _ensure_above(acting_user, ledger.organization, field="comment", what=_("月度台账审核"))
    if ledger.status != LedgerStatus.SUBMITTED:
        raise ValidationError(
            {"comment": _("只有已提交的台账才能审核，当前状态：%(s)s。") % {"s": ledger.get_status_display()}}
        )
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("退回时请填写退回原因。")})
    fields = ["status", "reviewed_at", "reviewed_by", "review_comment"]
    before = snapshot(ledger, fields)
    ledger.status = LedgerStatus.APPROVED if approve else LedgerStatus.RETURNED
    ledger.reviewed_at = timezone.now()
    ledger.reviewed_by = _actor(acting_user)
    ledger.review_comment = comment.strip()
    ledger.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=acting_user,
        event="monthlyledger.approve" if approve else "monthlyledger.return",
        obj=ledger,
        before=before,
        after=snapshot(ledger, fields),
        note=comment,
    )
    _refresh_stats(ledger.organization_id, ledger.period)
    return ledger


def ledger_approve(*, acting_user: Any, ledger: MonthlyLedger, comment: str = "") -> MonthlyLedger:
    return ledger_review(acting_user=acting_user, ledger=ledger, approve=True, comment=comment)


def ledger_return(*, acting_user: Any, ledger: MonthlyLedger, comment: str) -> MonthlyLedger:
    return ledger_review(acting_user=acting_user, ledger=ledger, approve=False, comment=comment)
