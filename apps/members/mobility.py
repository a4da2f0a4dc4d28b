"""流动党员: outflow/inflow periods with the 流动党员活动证, the host organization, the reminder when a
period ends and the transfer suggestion after 6 months at a fixed place (domain.md §4)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.due_items import DueItem
from apps.core.params import get_int_param
from apps.core.periods import Period, add_months
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .choices import MemberStatus
from .contact_models import MobileDirection, MobileRecord
from .models import Member


@transaction.atomic
def mobility_start(
    *,
    acting_user: Any,
    member: Any,
    direction: str,
    place: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    certificate_no: str = "",
    host_org: Any = None,
    host_name: str = "",
    contact: str = "",
) -> MobileRecord:
    ensure_perm(acting_user, "members.add_mobilerecord")
    ensure_org_in_scope(acting_user, member.organization)
    errors = {}
    if member.status != MemberStatus.ACTIVE:
        errors["member"] = _("只有党籍正常的党员可登记为流动党员。")
    if direction not in MobileDirection.values:
        errors["direction"] = _("请选择流出或流入。")
    if not (place or "").strip():
        errors["place"] = _("请填写流出/流入地。")
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = _("期满日期不能早于开始日期。")
    if starts_on > timezone.localdate():
        errors["starts_on"] = _("开始日期不能晚于今天。")
    if host_org is not None and host_org.pk == member.organization_id:
        errors["host_org"] = _("流入地党组织不能是党员所在党支部。")
    if MobileRecord.objects.filter(member=member, ended_on__isnull=True).exists():
        errors["member"] = _("该党员已有一条未结束的流动登记，请先结束。")
    if errors:
        raise ValidationError(errors)
    rec = MobileRecord.objects.create(
        member=member,
        organization=member.organization,
        org_path=member.org_path,
        direction=direction,
        place=place.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        certificate_no=certificate_no.strip(),
        host_org=host_org,
        host_name=host_name,
        contact=contact,
        recorded_by=acting_user,
    )
    Member.objects.filter(pk=member.pk).update(
        mobile_state=direction, mobile_place=rec.place, mobile_since=starts_on, mobile_contact=contact
    )
    audit_record(actor=acting_user, event="mobile_record.create", obj=rec, after=snapshot(rec))
    return rec


@transaction.atomic
def mobility_end(*, acting_user: Any, record: MobileRecord, ended_on: datetime.date) -> MobileRecord:
    ensure_perm(acting_user, "members.change_mobilerecord")
    ensure_org_in_scope(acting_user, record.organization)
    if record.ended_on:
        raise ValidationError({"ended_on": _("该流动登记已结束。")})
    if ended_on < record.starts_on or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("结束日期应在开始日期与今天之间。")})
    before = snapshot(record)
    record.ended_on = ended_on
    record.save(update_fields=["ended_on"])
    Member.objects.filter(pk=record.member_id).update(
        mobile_state="", mobile_place="", mobile_since=None, mobile_contact=""
    )
    audit_record(actor=acting_user, event="mobile_record.end", obj=record, before=before, after=snapshot(record))
    return record


def mobility_due_items(*, period: Period, stage: str, root_path: str = "/") -> Iterable[DueItem]:
    """Periods ending this month (reminder) or already over (supervision/warning); and the transfer
    suggestion for outflow members away ≥ N months at a fixed place (one GROUP BY each)."""
    base = MobileRecord.objects.filter(org_path__startswith=root_path, ended_on__isnull=True)
    if stage == "reminder":
        ending = base.filter(ends_on__gte=period.first_day, ends_on__lte=period.last_day)
        title = _("%(n)d名流动党员外出期满，请核实返回或续办流动党员活动证")
    else:
        ending = base.filter(ends_on__lt=period.first_day)
        title = _("%(n)d名流动党员外出期限已过，尚未办理返回或续期")
    items = [
        DueItem(
            organization_id=r["organization_id"],
            kind="mobile_period_end",
            title=title % {"n": r["n"]},
            due_date=period.last_day,
        )
        for r in ending.values("organization_id").annotate(n=Count("id")).order_by("organization_id")
    ]
    months = get_int_param("mobile_transfer_months")
    long_away = base.filter(direction=MobileDirection.OUTFLOW, starts_on__lte=add_months(period.first_day, -months))
    items += [
        DueItem(
            organization_id=r["organization_id"],
            kind="transfer_suggested",
            title=_("%(n)d名流动党员在外地固定居住工作满%(m)d个月，应转接组织关系") % {"n": r["n"], "m": months},
            due_date=period.last_day,
        )
        for r in long_away.values("organization_id").annotate(n=Count("id")).order_by("organization_id")
    ]
    return items


def work_unit_change_due_items(*, period: Period, stage: str, root_path: str = "/") -> Iterable[DueItem]:
    """Members whose work unit changed this month (recorded by member_update's audit row): the branch checks
    whether the change of unit requires a transfer of the organizational relationship (domain.md §4)."""
    if stage != "reminder":
        return []
    from apps.core.models import AuditLog
    from apps.organizations.models import Organization

    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.first_day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.next().first_day, datetime.time.min, tzinfo=tz)
    rows = dict(
        AuditLog.objects.filter(
            event="member.update",
            created_at__gte=start,
            created_at__lt=end,
            org_path__startswith=root_path,
            changes__has_key="work_unit",
        )
        .values_list("org_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    ids = dict(Organization.objects.filter(path__in=list(rows)).values_list("path", "id"))
    return [
        DueItem(
            organization_id=ids[path],
            kind="transfer_suggested",
            title=_("%(n)d名党员工作单位发生变化，请核实是否需要转接组织关系") % {"n": n},
            due_date=period.last_day,
        )
        for path, n in rows.items()
        if path in ids
    ]
