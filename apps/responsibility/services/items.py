"""Task items and duty items: create, edit, progress, delete."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.periods import Period
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.models import Organization

from ..choices import (
    DutyPost,
    TaskStatus,
)
from ..models import (
    DutyItem,
    TaskItem,
)
from .common import (
    _ensure_above,
    _refresh_stats,
    _resolve_due,
    _year_ok,
)

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
