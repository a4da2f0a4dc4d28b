"""党费收缴: a month's payments for a whole branch on one page, "paid up to" and arrears per member, the
branch's record of long arrears, receipts and the amounts handed up (上缴).

Probationary members pay from the branch vote date (their 入党日期, ``joined_on``); the month of that date
is their first month. Arrears count the months from the first month tracked (the member's first dues
year, or the first month after joining) up to the last closed month.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.periods import Period
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .choices import MemberStatus
from .dues_models import ArrearsOutcome, DuesArrearsNote, DuesBase, DuesHandover, DuesPayment, PaymentMethod
from .models import Member


def months_between(first: Period, last: Period) -> list[Period]:
    out, p = [], first
    while p <= last:
        out.append(p)
        p = p.next()
    return out


def liable_from(member: Any) -> Period | None:
    """The first month a member owes dues: the month of the branch vote (入党日期)."""
    return Period.of(member.joined_on) if member.joined_on else None


@dataclass
class DuesStatus:
    """A member's dues position as of a month."""

    start: Period | None
    paid_up_to: Period | None
    arrears_months: list[Period] = field(default_factory=list)
    arrears_amount: Decimal = Decimal("0.00")
    unknown_amount_months: int = 0  # unpaid months of a year with no base recorded

    @property
    def arrears_count(self) -> int:
        return len(self.arrears_months)


def dues_status_for(
    members: list[Any], *, as_of: Period | None = None, bases: dict | None = None, paid: dict | None = None
) -> dict[int, DuesStatus]:
    """Paid-up-to and arrears for a handful of members (a branch page): two queries for all of them."""
    as_of = as_of or Period.current()
    last_closed = as_of.previous()
    ids = [m.pk for m in members]
    if bases is None:
        bases = defaultdict(dict)
        for b in DuesBase.objects.filter(member_id__in=ids, year__lte=as_of.year):
            bases[b.member_id][b.year] = b
    if paid is None:
        paid = defaultdict(set)
        for mid, month in DuesPayment.objects.filter(member_id__in=ids).values_list("member_id", "month"):
            paid[mid].add(Period.of(month))
    out: dict[int, DuesStatus] = {}
    for m in members:
        joined = liable_from(m)
        years = sorted(bases.get(m.pk, {}))
        first_tracked = Period(years[0], 1) if years else Period(as_of.year, 1)
        start = max(p for p in (joined, first_tracked) if p is not None)
        status = DuesStatus(start=start, paid_up_to=None)
        months = paid.get(m.pk, set())
        p = start
        while p in months:
            status.paid_up_to = p
            p = p.next()
        for month in months_between(start, last_closed):
            if month in months:
                continue
            base = bases.get(m.pk, {}).get(month.year)
            if base is None:
                status.unknown_amount_months += 1
                status.arrears_months.append(month)
            elif base.effective_amount > 0:
                status.arrears_months.append(month)
                status.arrears_amount += base.effective_amount
        out[m.pk] = status
    return out


@dataclass
class SheetRow:
    member: Any
    base: Any
    expected: Decimal | None
    payment: Any
    liable: bool
    note: str = ""


def dues_month_sheet(*, user: Any, organization: Any, period: Period) -> list[SheetRow]:
    """One row per member of the branch for the month: expected amount, existing payment (3 queries)."""
    ensure_org_in_scope(user, organization)
    members = list(
        Member.objects.visible_to(user)
        .filter(organization=organization, status=MemberStatus.ACTIVE)
        .only("id", "name", "category", "joined_on", "organization_id", "org_path")
        .order_by("id")
    )
    ids = [m.pk for m in members]
    bases = {b.member_id: b for b in DuesBase.objects.filter(member_id__in=ids, year=period.year)}
    payments = {p.member_id: p for p in DuesPayment.objects.filter(member_id__in=ids, month=period.first_day)}
    rows = []
    for m in members:
        base = bases.get(m.pk)
        liable = m.joined_on is None or m.joined_on <= period.last_day
        expected = base.effective_amount if base else None
        note = ""
        if not liable:
            note = _("入党（支部大会通过）前，无需交纳")
        elif base is None:
            note = _("未登记%(y)d年党费基数") % {"y": period.year}
        elif base.reduction == "exempt":
            note = _("经批准免交")
        rows.append(
            SheetRow(member=m, base=base, expected=expected, payment=payments.get(m.pk), liable=liable, note=note)
        )
    return rows


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("元", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(_("应为金额（元），例如 30.00")) from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError(_("应为不小于0的金额"))
    if amount.as_tuple().exponent < -2:
        raise ValueError(_("金额最多保留两位小数"))
    return amount.quantize(Decimal("0.01"))


def _method(value: Any) -> str:
    text = str(value or "").strip()
    for code, label in PaymentMethod.choices:
        if text in (code, str(label)):
            return code
    aliases = {"微信": "online", "支付宝": "online", "网上": "online", "银行转账": "transfer", "银行": "transfer"}
    if text in aliases:
        return aliases[text]
    raise ValueError(_("交纳方式应为：现金、转账、线上"))


@dataclass
class PaymentInput:
    member_id: int
    amount: Any
    method: Any
    paid_on: Any
    label: str = ""  # how the row is named in errors ("张三" or "第3行")


def _check_payment(
    item: PaymentInput, *, member: Any, period: Period, base: Any, today: datetime.date
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values["amount"] = _amount(item.amount)
    except ValueError as exc:
        errors["amount"] = str(exc)
    try:
        values["method"] = _method(item.method)
    except ValueError as exc:
        errors["method"] = str(exc)
    paid_on = item.paid_on
    if isinstance(paid_on, datetime.datetime):
        paid_on = paid_on.date()
    if isinstance(paid_on, str):
        try:
            paid_on = datetime.date.fromisoformat(paid_on.strip().replace("/", "-"))
        except ValueError:
            paid_on = None
    if not isinstance(paid_on, datetime.date):
        errors["paid_on"] = _("交纳日期应为日期，例如 2026-11-05")
    elif paid_on > today:
        errors["paid_on"] = _("交纳日期不能晚于今天")
    else:
        values["paid_on"] = paid_on
    if member.joined_on and member.joined_on > period.last_day:
        errors["month"] = _("%(p)s在入党（支部大会通过）之前，预备党员从支部大会通过之日起交纳党费") % {
            "p": period.label
        }
    if "amount" in values and base is not None and values["amount"] < base.effective_amount:
        errors["amount"] = _("少于应交的%(a)s元（如需减交，请先经支委会研究并报上级批准）") % {
            "a": base.effective_amount
        }
    return values, errors


FIELD_LABELS = {"amount": _("金额"), "method": _("交纳方式"), "paid_on": _("交纳日期"), "month": _("月份")}


def _receipt_no(period: Period, member_id: int) -> str:
    return f"{period.year}{period.month:02d}-{member_id}"


@transaction.atomic
def dues_record_month(
    *, acting_user: Any, organization: Any, period: Period, payments: list[PaymentInput], unpaid: list[int] = ()
) -> dict[str, int]:
    """Record a month for a branch in one step: ``payments`` are created or corrected, members in ``unpaid``
    lose a payment recorded by mistake. All or nothing: any bad row refuses the whole submission."""
    ensure_perm(acting_user, "members.add_duespayment")
    ensure_org_in_scope(acting_user, organization)
    today = timezone.localdate()
    if period.first_day > today:
        raise ValidationError({"month": _("不能登记尚未到来的月份。")})
    ids = [p.member_id for p in payments] + list(unpaid)
    members = {
        m.pk: m
        for m in Member.objects.filter(pk__in=ids, organization=organization).only(
            "id", "name", "joined_on", "organization_id", "org_path"
        )
    }
    bases = {b.member_id: b for b in DuesBase.objects.filter(member_id__in=ids, year=period.year)}
    errors: dict[str, list[str]] = defaultdict(list)
    rows = []
    for item in payments:
        member = members.get(item.member_id)
        if member is None:
            errors["__all__"].append(_("%(l)s：不是本支部的党员") % {"l": item.label or item.member_id})
            continue
        values, row_errors = _check_payment(item, member=member, period=period, base=bases.get(member.pk), today=today)
        for key, msg in row_errors.items():
            errors[key].append(f"{item.label or member.name}「{FIELD_LABELS[key]}」：{msg}")
        if not row_errors:
            rows.append(
                DuesPayment(
                    member=member,
                    organization=organization,
                    org_path=organization.path,
                    month=period.first_day,
                    receipt_no=_receipt_no(period, member.pk),
                    recorded_by=acting_user,
                    **values,
                )
            )
    if errors:
        raise ValidationError(dict(errors))
    DuesPayment.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["member", "month"],
        update_fields=["amount", "method", "paid_on", "recorded_by", "organization", "org_path"],
    )
    removed, _detail = DuesPayment.objects.filter(
        member_id__in=[i for i in unpaid if i in members], month=period.first_day
    ).delete()
    audit_record(
        actor=acting_user,
        event="dues_payment.month",
        obj=organization,
        note=_("%(p)s党费：登记%(n)d人，撤销%(r)d人") % {"p": period.label, "n": len(rows), "r": removed},
    )
    transaction.on_commit(lambda: _refresh_after(organization, period))
    return {"recorded": len(rows), "removed": removed}


def _refresh_after(organization: Any, period: Period) -> None:
    from .dues_stats import dues_stats_refresh_branch

    dues_stats_refresh_branch(organization=organization, period=period)


@transaction.atomic
def dues_arrears_note_record(
    *,
    acting_user: Any,
    member: Any,
    outcome: str,
    reason: str,
    recorded_on: datetime.date,
    decided_on: datetime.date | None = None,
) -> DuesArrearsNote:
    """The branch records the talk about long arrears; 自行脱党 only with the general meeting's decision date."""
    ensure_perm(acting_user, "members.add_duesarrearsnote")
    ensure_org_in_scope(acting_user, member.organization)
    errors = {}
    if outcome not in ArrearsOutcome.values:
        errors["outcome"] = _("请选择处理情况。")
    if not (reason or "").strip():
        errors["reason"] = _("请写明原因或谈话情况。")
    if recorded_on > timezone.localdate():
        errors["recorded_on"] = _("记录日期不能晚于今天。")
    if outcome == ArrearsOutcome.LEFT and not decided_on:
        errors["decided_on"] = _("按自行脱党处理须经支部大会讨论决定，请填写决定日期（《中国共产党章程》第九条）。")
    if errors:
        raise ValidationError(errors)
    note = DuesArrearsNote.objects.create(
        member=member,
        organization=member.organization,
        org_path=member.organization.path,
        outcome=outcome,
        reason=reason.strip(),
        recorded_on=recorded_on,
        decided_on=decided_on,
        recorded_by=acting_user,
    )
    audit_record(actor=acting_user, event="dues_arrears_note.create", obj=note, after=snapshot(note))
    if outcome == ArrearsOutcome.LEFT:
        from .services import member_change_status

        member_change_status(
            acting_user=acting_user, member=member, status=MemberStatus.LEFT, on=decided_on, note=reason[:200]
        )
    return note


@transaction.atomic
def dues_handover_record(
    *, acting_user: Any, organization: Any, period: Period, amount: Any, handed_on: datetime.date, receiver: str = ""
) -> DuesHandover:
    """The amount an organization handed up (上缴) for a month (one record per organization and month)."""
    ensure_perm(acting_user, "members.add_duespayment")
    ensure_org_in_scope(acting_user, organization)
    try:
        value = _amount(amount)
    except ValueError as exc:
        raise ValidationError({"amount": str(exc)}) from exc
    if handed_on > timezone.localdate():
        raise ValidationError({"handed_on": _("上缴日期不能晚于今天。")})
    obj, created = DuesHandover.objects.update_or_create(
        organization=organization,
        month=period.first_day,
        defaults={
            "org_path": organization.path,
            "amount": value,
            "handed_on": handed_on,
            "receiver": receiver,
            "recorded_by": acting_user,
        },
    )
    audit_record(
        actor=acting_user,
        event="dues_handover.create" if created else "dues_handover.update",
        obj=obj,
        after=snapshot(obj),
    )
    transaction.on_commit(lambda: _refresh_after(organization, period))
    return obj


def long_arrears_q(*, period: Period, months: int) -> tuple[Q, datetime.date, datetime.date]:
    """Members who owe every one of the ``months`` closed months before ``period`` and paid none of them."""
    first = period.shift(-months).first_day
    last = period.previous().last_day
    return Q(status=MemberStatus.ACTIVE) & Q(joined_on__lt=first), first, last
