"""The monthly ledger: open, edit, submit, review (approve / return)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.params import get_int_param
from apps.core.periods import Period
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.choices import BRANCH_KINDS
from apps.organizations.models import Organization

from ..choices import (
    LedgerStatus,
)
from ..models import (
    MonthlyLedger,
)
from .common import (
    _actor,
    _ensure_above,
    _refresh_stats,
)

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
