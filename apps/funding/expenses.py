"""The expense ledger: record an expense against an allocation (never past what is left, also under
concurrent submissions), reverse it (冲正), attach vouchers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .choices import ExpenseCategory, ExpenseStatus, ReviewAction
from .models import Allocation, Expense, ExpenseVoucher
from .rollup import Delta, rollup_apply, rollup_month
from .validators import clean_money, validate_voucher

ZERO = Decimal("0.00")


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _overdraw_error(allocation_id: int, amount: Decimal) -> ValidationError:
    left = Allocation.objects.filter(pk=allocation_id).values_list("amount", "spent", "pending").first()
    remaining = (left[0] - left[1] - left[2]) if left else ZERO
    return ValidationError(
        {"amount": _("支出金额 %(amount)s 元超过该笔经费的余额 %(left)s 元。") % {"amount": amount, "left": remaining}}
    )


def _lock(allocation_id: int) -> None:
    if connection.features.has_select_for_update:
        Allocation.objects.select_for_update().filter(pk=allocation_id).values_list("id", flat=True).first()


def _move(allocation_id: int, *, pending: Decimal = ZERO, spent: Decimal = ZERO) -> None:
    """Move ``pending`` and ``spent`` by the given amounts only if afterwards 0 ≤ pending, 0 ≤ spent and
    spent + pending ≤ amount: a conditional UPDATE after the row lock, so a second concurrent submission sees
    the first one's result (and SQLite, without row locks, still can never overdraw)."""
    _lock(allocation_id)
    qs = Allocation.objects.filter(
        pk=allocation_id,
        pending__gte=-pending,
        spent__gte=-spent,
        spent__lte=F("amount") - F("pending") - pending - spent,
    )
    if qs.update(pending=F("pending") + pending, spent=F("spent") + spent) != 1:
        raise _overdraw_error(allocation_id, pending + spent)


def _draw(allocation: Allocation, amount: Decimal) -> None:
    """Change ``spent`` directly (a reversal of an approved entry gives its money back)."""
    _move(allocation.pk, spent=amount)


def reserve(allocation: Allocation, amount: Decimal) -> None:
    """Hold money for an expense waiting for review (negative: release it)."""
    _move(allocation.pk, pending=amount)


def _clean_spent_on(value: Any, allocation: Allocation) -> datetime.date:
    if value in (None, ""):
        raise ValidationError({"spent_on": _("请填写支出日期。")})
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValidationError({"spent_on": _("支出日期格式应为 YYYY-MM-DD。")}) from exc
    if value > timezone.localdate():
        raise ValidationError({"spent_on": _("支出日期不能晚于今天。")})
    if value.year != allocation.year:
        raise ValidationError(
            {"spent_on": _("该笔经费属于%(year)s年，支出日期须在%(year)s年内。") % {"year": allocation.year}}
        )
    return value


@transaction.atomic
def expense_create(
    *, acting_user: Any, allocation: Allocation, spent_on: Any, category: str, amount: Any, payee: str,
    purpose: str, approved_by: str, vouchers: list[Any] | None = None,
) -> Expense:  # fmt: skip
    """Record (经办) an expense against an allocation of the spending organization: it waits for review by
    the level above, its money held on the allocation meanwhile. Refused past the balance."""
    ensure_perm(acting_user, "funding.add_expense")
    if allocation is None:
        raise ValidationError({"allocation": _("请选择使用的经费。")})
    ensure_org_in_scope(acting_user, allocation.organization)
    category, amount, spent_on, payee, purpose, approved_by = clean_fields(
        allocation=allocation, category=category, amount=amount, spent_on=spent_on, payee=payee, purpose=purpose,
        approved_by=approved_by,
    )  # fmt: skip
    files = list(vouchers or [])
    for f in files:
        validate_voucher(f)
    reserve(allocation, amount)
    expense = Expense.objects.create(
        organization_id=allocation.organization_id,
        org_path=allocation.org_path,
        allocation=allocation,
        source=allocation.source,
        spent_on=spent_on,
        category=category,
        amount=amount,
        payee=payee,
        purpose=purpose,
        approved_by=approved_by,
        status=ExpenseStatus.SUBMITTED,
        recorded_by=_actor(acting_user),
    )
    for f in files:
        _store_voucher(acting_user, expense, f)
    if files:
        Expense.objects.filter(pk=expense.pk).update(voucher_count=len(files))
        expense.voucher_count = len(files)
    audit_record(actor=acting_user, event="expense.create", obj=expense, after=snapshot(expense))
    from .reviews import notify_reviewers, trail_add

    trail_add(acting_user=acting_user, expense=expense, action=ReviewAction.SUBMIT)
    notify_reviewers(expense, step=1)
    return expense


def clean_fields(
    *, allocation: Allocation, category: str, amount: Any, spent_on: Any, payee: str, purpose: str, approved_by: str
) -> tuple[str, Decimal, datetime.date, str, str, str]:
    """The checked fields of an entry (also for a resubmission), each error naming its field."""
    if category not in ExpenseCategory.values:
        raise ValidationError({"category": _("请选择支出类别。")})
    amount = clean_money(amount, field="amount", label=_("支出金额"))
    spent_on = _clean_spent_on(spent_on, allocation)
    for name, value, label in (
        ("payee", payee, _("收款方")),
        ("purpose", purpose, _("用途")),
        ("approved_by", approved_by, _("审批人")),
    ):
        if not (value or "").strip():
            raise ValidationError({name: _("请填写%(label)s。") % {"label": label}})
    return category, amount, spent_on, payee.strip()[:100], purpose.strip()[:300], approved_by.strip()[:50]


@transaction.atomic
def expense_reverse(*, acting_user: Any, expense: Expense, reason: str) -> Expense:
    """Correct a posted entry with a reversal entry (negative amount, same allocation and category); the
    original is never edited except for being marked reversed. The money returns to the allocation."""
    ensure_perm(acting_user, "funding.add_expense")
    ensure_org_in_scope(acting_user, expense.organization)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写冲正原因。")})
    # Lock the original so two reversals of one entry cannot both pass.
    original = Expense.objects.select_for_update().get(pk=expense.pk)
    if original.is_reversal:
        raise ValidationError(_("冲正记录本身不能再冲正。"))
    if original.status == ExpenseStatus.REVERSED:
        raise ValidationError(_("该支出已冲正，不能重复冲正。"))
    if original.status != ExpenseStatus.POSTED:
        raise ValidationError(
            _("只有审核通过（已入账）的支出才能冲正；待审核或已退回的支出请由审核人退回或修改后重新提交。")
        )
    allocation = original.allocation
    _draw(allocation, -original.amount)
    today = timezone.localdate()
    spent_on = today if today.year == allocation.year else original.spent_on
    reversal = Expense.objects.create(
        organization_id=original.organization_id,
        org_path=original.org_path,
        allocation=allocation,
        source=original.source,
        spent_on=spent_on,
        category=original.category,
        amount=-original.amount,
        payee=original.payee,
        purpose=(_("冲正：%(reason)s") % {"reason": reason})[:300],
        approved_by=original.approved_by,
        status=ExpenseStatus.REVERSAL,
        reverses=original,
        recorded_by=_actor(acting_user),
    )
    Expense.objects.filter(pk=original.pk).update(status=ExpenseStatus.REVERSED)
    y = allocation.year
    rollup_apply(
        [
            Delta(
                reversal.org_path,
                y,
                rollup_month(y, spent_on),
                reversal.source,
                reversal.category,
                ZERO,
                reversal.amount,
            )
        ]
    )
    audit_record(
        actor=acting_user,
        event="expense.reverse",
        obj=original,
        before={"status": str(ExpenseStatus.POSTED.label)},
        after={"status": str(ExpenseStatus.REVERSED.label)},
        note=reason,
    )
    audit_record(actor=acting_user, event="expense.create", obj=reversal, after=snapshot(reversal), note=reason)
    original.status = ExpenseStatus.REVERSED
    return reversal


def _store_voucher(acting_user: Any, expense: Expense, file: Any) -> ExpenseVoucher:
    voucher = ExpenseVoucher(
        expense=expense, name=file.name[:200], size=file.size or 0, uploaded_by=_actor(acting_user)
    )
    voucher.file.save(file.name, file, save=False)
    voucher.save()
    audit_record(
        actor=acting_user, event="expensevoucher.create", obj=voucher, org_path=expense.org_path, note=voucher.name
    )
    return voucher


@transaction.atomic
def voucher_add(*, acting_user: Any, expense: Expense, file: Any) -> ExpenseVoucher:
    """Add a voucher to an entry (adding evidence is not editing the entry)."""
    ensure_perm(acting_user, "funding.add_expensevoucher")
    ensure_org_in_scope(acting_user, expense.organization)
    if expense.is_reversal:
        raise ValidationError({"vouchers": _("冲正记录不需要上传凭证。")})
    if file is None:
        raise ValidationError({"vouchers": _("请选择凭证文件。")})
    validate_voucher(file)
    voucher = _store_voucher(acting_user, expense, file)
    Expense.objects.filter(pk=expense.pk).update(voucher_count=F("voucher_count") + 1)
    return voucher
