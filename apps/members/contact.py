"""失联党员: the scan that opens reviews (never changes a member), the branch's decision, and the 2-year
removal review after 停止党籍 (《党员教育管理工作条例》; domain.md §4).

"Activity" is a recorded contact, a dues payment, or anything an *activity source* reports (responsibility
registers meeting attendance): ``register_activity_source(name, fn)`` where ``fn(since=date)`` returns a
queryset of member ids with activity on or after ``since``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.due_items import DueItem
from apps.core.params import get_int_param
from apps.core.periods import Period, add_months, add_years
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .choices import LostContactReason, MemberStatus, MobileState
from .contact_models import ContactReview, MemberContact, ReviewDecision, ReviewKind
from .dues_models import DuesPayment
from .models import Member

ActivitySource = Callable[..., Any]
_ACTIVITY: dict[str, ActivitySource] = {}


def register_activity_source(name: str, fn: ActivitySource) -> None:
    _ACTIVITY[name] = fn


def _active_since(since: datetime.date) -> Q:
    """Members with any recorded activity on or after ``since`` (anti-join material)."""
    q = Q(Exists(MemberContact.objects.filter(member=OuterRef("pk"), contacted_on__gte=since)))
    q |= Q(Exists(DuesPayment.objects.filter(member=OuterRef("pk"), paid_on__gte=since)))
    for fn in _ACTIVITY.values():
        q |= Q(pk__in=fn(since=since))
    return q


@transaction.atomic
def contact_scan(*, today: datetime.date | None = None, root_path: str = "/") -> dict[str, int]:
    """Open a lost-contact review for every member in good standing with no activity for N months, and a
    removal review for every member still stopped N years after 停止党籍. Set-based; re-running opens none twice.
    """
    today = today or timezone.localdate()
    if connection.vendor == "postgresql":  # the anti-joins hash every active member id (3M at full size)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
    months = get_int_param("lost_contact_months")
    since = add_months(today, -months)
    open_lost = ContactReview.objects.filter(member=OuterRef("pk"), kind=ReviewKind.LOST_CONTACT, decision="")
    candidates = (
        Member.objects.filter(org_path__startswith=root_path, status=MemberStatus.ACTIVE)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lt=since))
        .exclude(Exists(open_lost))
        .exclude(_active_since(since))
        .values_list("id", "organization_id", "org_path", "mobile_state", "lost_contact_reason")
        .order_by()
    )
    sql, params = candidates.query.sql_with_params()
    t = ContactReview._meta.db_table
    with connection.cursor() as cursor:  # one INSERT … SELECT: no member row passes through Python
        cursor.execute(
            f"INSERT INTO {t} (member_id, organization_id, org_path, kind, opened_on, reason, decision, note) "
            "SELECT c.id, c.organization_id, c.org_path, %s, %s, CASE WHEN c.lost_contact_reason <> '' "
            "THEN c.lost_contact_reason WHEN c.mobile_state = %s THEN %s ELSE '' END, '', '' "
            f"FROM ({sql}) c WHERE TRUE ON CONFLICT DO NOTHING",
            [ReviewKind.LOST_CONTACT, today, MobileState.OUTFLOW, LostContactReason.MIGRANT_WORK, *params],
        )
        opened = cursor.rowcount
    _fill_last_activity(opened_on=today)

    years = get_int_param("lost_contact_removal_years")
    open_removal = ContactReview.objects.filter(member=OuterRef("pk"), kind=ReviewKind.REMOVAL, decision="")
    stopped = ContactReview.objects.filter(
        member=OuterRef("pk"), kind=ReviewKind.LOST_CONTACT, decision=ReviewDecision.MEMBERSHIP_STOPPED
    )
    removal = (
        Member.objects.filter(
            org_path__startswith=root_path,
            status=MemberStatus.MEMBERSHIP_STOPPED,
            status_changed_on__lte=add_years(today, -years),
        )
        .filter(Exists(stopped))
        .exclude(Exists(open_removal))
        .exclude(_active_since(add_years(today, -years)))
        .values_list("id", "organization_id", "org_path", "lost_contact_reason", "status_changed_on")
    )
    removal_rows = [
        ContactReview(
            member_id=mid,
            organization_id=oid,
            org_path=path,
            kind=ReviewKind.REMOVAL,
            opened_on=today,
            reason=reason or "",
            last_activity_on=stopped_on,
        )
        for mid, oid, path, reason, stopped_on in removal
    ]
    ContactReview.objects.bulk_create(removal_rows, ignore_conflicts=True)
    return {"lost_contact": opened, "removal": len(removal_rows)}


def _fill_last_activity(*, opened_on: datetime.date) -> None:
    """The last recorded contact or payment of the members whose review opened today (one UPDATE)."""
    t = ContactReview._meta.db_table
    new = f"SELECT member_id FROM {t} WHERE opened_on = %s AND kind = %s AND decision = '' AND last_activity_on IS NULL"
    params = [opened_on, ReviewKind.LOST_CONTACT]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {t} SET last_activity_on = x.d FROM (SELECT member_id, MAX(d) AS d FROM ("
            f"SELECT member_id, contacted_on AS d FROM {MemberContact._meta.db_table} WHERE member_id IN ({new}) "
            f"UNION ALL SELECT member_id, paid_on FROM {DuesPayment._meta.db_table} WHERE member_id IN ({new})"
            f") u GROUP BY member_id) x WHERE {t}.member_id = x.member_id AND {t}.opened_on = %s AND {t}.kind = %s "
            f"AND {t}.decision = '' AND {t}.last_activity_on IS NULL",
            [*params, *params, *params],
        )


@transaction.atomic
def member_contact_record(
    *, acting_user: Any, member: Any, contacted_on: datetime.date, method: str, note: str = ""
) -> MemberContact:
    ensure_perm(acting_user, "members.add_membercontact")
    ensure_org_in_scope(acting_user, member.organization)
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": _("联系日期不能晚于今天。")})
    if not (method or "").strip():
        raise ValidationError({"method": _("请填写联系方式，如电话、走访。")})
    obj = MemberContact.objects.create(
        member=member,
        organization=member.organization,
        org_path=member.org_path,
        contacted_on=contacted_on,
        method=method.strip(),
        note=note,
        recorded_by=acting_user,
    )
    audit_record(actor=acting_user, event="member_contact.create", obj=obj, after=snapshot(obj))
    return obj


ALLOWED = {
    ReviewKind.LOST_CONTACT: (ReviewDecision.MEMBERSHIP_STOPPED, ReviewDecision.RESTORED),
    ReviewKind.REMOVAL: (ReviewDecision.REMOVED, ReviewDecision.RESTORED),
}


@transaction.atomic
def contact_review_decide(
    *,
    acting_user: Any,
    review: ContactReview,
    decision: str,
    committee_on: datetime.date,
    reason: str = "",
    note: str = "",
) -> ContactReview:
    """Record the branch's decision; only now does the member's status change, dated by the decision."""
    ensure_perm(acting_user, "members.change_contactreview")
    ensure_org_in_scope(acting_user, review.organization)
    review = ContactReview.objects.select_for_update().select_related("member").get(pk=review.pk)
    errors = {}
    if review.decision:
        errors["decision"] = _("该审查已作出决定。")
    elif decision not in ALLOWED[review.kind]:
        errors["decision"] = _("请选择：%(c)s。") % {
            "c": "、".join(str(ReviewDecision(d).label) for d in ALLOWED[review.kind])
        }
    if not committee_on:
        errors["committee_on"] = _("请填写支部研究决定的日期。")
    elif committee_on > timezone.localdate():
        errors["committee_on"] = _("研究日期不能晚于今天。")
    elif committee_on < review.opened_on:
        errors["committee_on"] = _("研究日期不能早于审查提出日期。")
    if reason and reason not in LostContactReason.values:
        errors["reason"] = _("请选择有效的失联原因。")
    if decision == ReviewDecision.MEMBERSHIP_STOPPED and not (reason or review.reason):
        errors["reason"] = _("停止党籍须写明失联原因。")
    if errors:
        raise ValidationError(errors)
    before = snapshot(review)
    review.decision, review.committee_on, review.decided_by = decision, committee_on, acting_user
    review.reason = reason or review.reason
    review.note = note[:300]
    review.save()
    audit_record(actor=acting_user, event="contact_review.decide", obj=review, before=before, after=snapshot(review))
    member = review.member
    m_before = snapshot(
        member, ["status", "status_changed_on", "lost_contact", "lost_contact_since", "lost_contact_reason"]
    )
    changes: dict[str, Any] = {}
    if decision == ReviewDecision.MEMBERSHIP_STOPPED:
        changes = {
            "status": MemberStatus.MEMBERSHIP_STOPPED,
            "status_changed_on": committee_on,
            "lost_contact": True,
            "lost_contact_since": review.last_activity_on or review.opened_on,
            "lost_contact_reason": review.reason,
        }
    elif decision == ReviewDecision.REMOVED:
        changes = {"status": MemberStatus.REMOVED, "status_changed_on": committee_on}
    elif decision == ReviewDecision.RESTORED:
        changes = {"lost_contact": False, "lost_contact_since": None, "lost_contact_reason": ""}
        if member.status == MemberStatus.MEMBERSHIP_STOPPED:
            changes.update(status=MemberStatus.ACTIVE, status_changed_on=committee_on)
        MemberContact.objects.create(
            member=member,
            organization=member.organization,
            org_path=member.org_path,
            contacted_on=committee_on,
            method=_("恢复联系"),
            note=note[:200],
            recorded_by=acting_user,
        )
    Member.objects.filter(pk=member.pk).update(**changes)
    member.refresh_from_db()
    audit_record(
        actor=acting_user,
        event="member.status",
        obj=member,
        before=m_before,
        after=snapshot(member, list(m_before)),
        note=str(review.get_kind_display()),
    )
    return review


def contact_review_due_items(*, period: Period, stage: str, root_path: str = "/") -> Iterable[DueItem]:
    """Open reviews waiting for the branch's decision, one item per branch and kind."""
    rows = (
        ContactReview.objects.filter(org_path__startswith=root_path, decision="", opened_on__lte=period.last_day)
        .values("organization_id", "kind")
        .annotate(n=Count("id"))
        .order_by("organization_id", "kind")
    )
    titles = {
        ReviewKind.LOST_CONTACT: _("%(n)d名党员失联满%(m)d个月，待支部研究是否停止党籍"),
        ReviewKind.REMOVAL: _("%(n)d名党员停止党籍满两年仍无联系，待研究除名"),
    }
    months = get_int_param("lost_contact_months")
    return [
        DueItem(
            organization_id=r["organization_id"],
            kind=f"contact_{r['kind']}",
            title=titles[r["kind"]] % {"n": r["n"], "m": months},
            due_date=period.last_day,
        )
        for r in rows
    ]
