"""The expense review workflow (经办 → 审核): an expense recorded by the spending organization waits for
review by a user of an organization above it (``funding.review_expense``, never the person who recorded it);
the reviewer approves it (it is posted: the allocation's held money becomes spent and the roll-up moves) or
returns it with a reason (the money is released); a returned entry may be corrected and submitted again.
Every step is an ``ExpenseReview`` row and an audit record, and the other side gets a notice."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .choices import ExpenseStatus, ReviewAction
from .expenses import ZERO, _move, clean_fields
from .models import Expense, ExpenseReview
from .rollup import Delta, rollup_apply, rollup_month

REVIEW_PERM = "funding.review_expense"


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def trail_add(*, acting_user: Any, expense: Expense, action: str, comment: str = "") -> ExpenseReview:
    return ExpenseReview.objects.create(
        expense=expense,
        org_path=expense.org_path,
        action=action,
        actor=_actor(acting_user),
        actor_org_id=getattr(acting_user, "organization_id", None),
        comment=comment[:300],
    )


def review_refusal(user: Any, expense: Expense) -> str:
    """Why ``user`` may not review ``expense`` ("" when they may): the permission, an organization strictly
    above the spending one (the level above reviews), and never one's own entry."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(REVIEW_PERM):
        return _("您没有审核经费支出的权限。")
    org = getattr(user, "organization", None)
    if org is None or not expense.org_path.startswith(org.path) or expense.org_path == org.path:
        return _("经费支出由上级党组织审核，本单位的支出不能自己审核。")
    if expense.recorded_by_id is not None and expense.recorded_by_id == user.pk:
        return _("经办人不能审核自己登记的支出。")
    return ""


def reviewable(*, user: Any) -> Any:
    """Expenses waiting for this user's review: in scope, below the user's own organization."""
    org = getattr(user, "organization", None)
    qs = Expense.objects.visible_to(user).filter(status=ExpenseStatus.SUBMITTED)
    if org is None or not user.has_perm(REVIEW_PERM):
        return qs.none()
    return qs.exclude(org_path=org.path).exclude(recorded_by=user)


def _notify(expense: Expense, *, org_ids: list[int], title: str, body: str, key: str) -> None:
    from apps.notifications.models import NoticeCategory
    from apps.notifications.services import notify_orgs

    notify_orgs(
        org_ids=[i for i in org_ids if i],
        category=NoticeCategory.OTHER,
        title=title,
        body=body,
        link=expense.get_absolute_url(),
        dedupe_key=key,
    )


def notify_reviewers(expense: Expense, *, step: int) -> None:
    """The level above (the spending organization's parent) hears of a submission after commit."""
    from apps.organizations.models import Organization

    parent_id = Organization.objects.filter(pk=expense.organization_id).values_list("parent_id", flat=True).first()
    transaction.on_commit(
        lambda: _notify(
            expense,
            org_ids=[parent_id],
            title=_("经费支出待审核：%(org)s %(amount)s元")
            % {"org": expense.organization.name, "amount": expense.amount},
            body=_("%(date)s %(purpose)s，收款方 %(payee)s。")
            % {"date": expense.spent_on, "purpose": expense.purpose, "payee": expense.payee},
            key=f"funding_expense_submit:{expense.pk}:{step}",
        )
    )


@transaction.atomic
def expense_review(*, acting_user: Any, expense: Expense, approve: bool, comment: str = "") -> Expense:
    """Approve (post) or return a submitted expense. Returning needs a reason."""
    ensure_perm(acting_user, REVIEW_PERM)
    ensure_org_in_scope(acting_user, expense.organization)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("退回时请填写退回原因。")})
    current = Expense.objects.select_for_update().select_related("organization").get(pk=expense.pk)
    problem = review_refusal(acting_user, current)
    if problem:
        raise PermissionDenied(problem)
    if current.status != ExpenseStatus.SUBMITTED:
        raise ValidationError(
            _("该支出当前状态为「%(s)s」，不是待审核，不能审核。") % {"s": current.get_status_display()}
        )
    before = {"status": str(current.get_status_display())}
    allocation = current.allocation
    if approve:
        _move(allocation.pk, pending=-current.amount, spent=current.amount)
        status = ExpenseStatus.POSTED
        y = allocation.year
        rollup_apply(
            [Delta(current.org_path, y, rollup_month(y, current.spent_on), current.source, current.category, ZERO,
                   current.amount)]
        )  # fmt: skip
    else:
        _move(allocation.pk, pending=-current.amount)
        status = ExpenseStatus.RETURNED
    now = timezone.now()
    Expense.objects.filter(pk=current.pk).update(
        status=status, reviewed_by=_actor(acting_user), reviewed_at=now, review_comment=comment[:300]
    )
    current.status, current.reviewed_by, current.reviewed_at, current.review_comment = (
        status, _actor(acting_user), now, comment[:300]
    )  # fmt: skip
    action = ReviewAction.APPROVE if approve else ReviewAction.RETURN
    trail_add(acting_user=acting_user, expense=current, action=action, comment=comment)
    audit_record(
        actor=acting_user,
        event="expense.approve" if approve else "expense.return",
        obj=current,
        before=before,
        after={"status": str(current.get_status_display())},
        note=comment,
    )
    title = (
        _("经费支出已审核通过：%(amount)s元 %(purpose)s")
        if approve
        else _("经费支出被退回，请修改后重新提交：%(amount)s元 %(purpose)s")
    ) % {"amount": current.amount, "purpose": current.purpose[:40]}
    body = _("审核意见：%(c)s") % {"c": comment} if comment else ""
    key = f"funding_expense_review:{current.pk}:{now.timestamp():.0f}"
    transaction.on_commit(lambda: _notify(current, org_ids=[current.organization_id], title=title, body=body, key=key))
    return current


@transaction.atomic
def expense_resubmit(
    *, acting_user: Any, expense: Expense, spent_on: Any, category: str, amount: Any, payee: str, purpose: str,
    approved_by: str,
) -> Expense:  # fmt: skip
    """Correct a returned entry and submit it again (an entry is editable only until it is approved)."""
    ensure_perm(acting_user, "funding.add_expense")
    ensure_org_in_scope(acting_user, expense.organization)
    current = Expense.objects.select_for_update().select_related("allocation", "organization").get(pk=expense.pk)
    if current.status != ExpenseStatus.RETURNED:
        raise ValidationError(_("只有被退回的支出可以修改后重新提交。"))
    allocation = current.allocation
    category, amount, spent_on, payee, purpose, approved_by = clean_fields(
        allocation=allocation, category=category, amount=amount, spent_on=spent_on, payee=payee, purpose=purpose,
        approved_by=approved_by,
    )  # fmt: skip
    before = snapshot(current)
    _move(allocation.pk, pending=amount)
    values = {"spent_on": spent_on, "category": category, "amount": amount, "payee": payee, "purpose": purpose,
              "approved_by": approved_by, "status": ExpenseStatus.SUBMITTED}  # fmt: skip
    Expense.objects.filter(pk=current.pk).update(**values)
    for k, v in values.items():
        setattr(current, k, v)
    trail_add(acting_user=acting_user, expense=current, action=ReviewAction.RESUBMIT)
    audit_record(actor=acting_user, event="expense.resubmit", obj=current, before=before, after=snapshot(current))
    notify_reviewers(current, step=current.reviews.count())
    return current
