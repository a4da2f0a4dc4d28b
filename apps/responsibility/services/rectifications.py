"""Problem items and their rectifications: register, progress, complete, sign off, recheck."""

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
    DeadlineClass,
    ProblemSource,
    RectificationStatus,
    Severity,
)
from ..models import (
    ProblemItem,
    Rectification,
    RectificationProgress,
)
from .common import (
    _actor,
    _check_deadline,
    _ensure_above,
    _refresh_stats,
    _year_ok,
    is_above,
)

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
