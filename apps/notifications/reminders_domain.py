"""Reminders built on the members and responsibility models."""

from __future__ import annotations

import datetime

from django.urls import reverse

from apps.core.params import get_int_param
from apps.core.periods import Period

from .models import NoticeCategory
from .reminders import _org_specs, reminder
from .services import NoticeSpec, recipients_for_orgs


@reminder("probation_due")
def probation_due_reminders(today: datetime.date) -> list[NoticeSpec]:
    """Probationary members whose probation ends within 30 days (or has ended unconfirmed): once per member."""
    from apps.members.choices import Category, MemberStatus
    from apps.members.models import Member

    rows = [
        (org_id, f"预备党员{name}预备期{'于' if ends >= today else '已于'}{ends:%Y年%m月%d日}期满，请及时讨论转正",
         reverse("members:member_detail", args=[pk]), pk)
        for pk, org_id, name, ends in Member.objects.filter(
            status=MemberStatus.ACTIVE, category=Category.PROBATIONARY,
            probation_ends_on__lte=today + datetime.timedelta(days=30),
        ).values_list("id", "organization_id", "name", "probation_ends_on")
    ]  # fmt: skip
    by_org = recipients_for_orgs(r[0] for r in rows)
    return [
        NoticeSpec(u, NoticeCategory.PROBATION_DUE, title, "", link, f"probation:{pk}:{Period.of(today)}")
        for org_id, title, link, pk in rows
        for u in by_org.get(org_id, [])
    ]


@reminder("ledger_due")
def ledger_due_tomorrow_reminders(today: datetime.date) -> list[NoticeSpec]:
    """The day before last month's ledger is due: branches that have not submitted it."""
    from apps.organizations.choices import BRANCH_KINDS
    from apps.organizations.models import Organization
    from apps.responsibility.choices import LedgerStatus
    from apps.responsibility.models import MonthlyLedger
    from apps.responsibility.services import ledger_due_date

    prev = Period.of(today).previous()
    due = ledger_due_date(prev)
    if due != today + datetime.timedelta(days=1):
        return []
    done = set(
        MonthlyLedger.objects.filter(
            month=prev.first_day, status__in=[LedgerStatus.SUBMITTED, LedgerStatus.APPROVED]
        ).values_list("organization_id", flat=True)
    )
    branches = Organization.objects.active().filter(kind__in=BRANCH_KINDS).values_list("id", flat=True)
    link = reverse("responsibility:ledger_list")
    rows = [
        (oid, f"{prev.label}月度台账明天（{due:%m月%d日}）截止提交，请尽快填报", link)
        for oid in branches
        if oid not in done
    ]
    return _org_specs(rows, NoticeCategory.LEDGER_DUE, f"ledger_due:{prev}")


@reminder("transfer_expiring")
def transfer_expiring_reminders(today: datetime.date) -> list[NoticeSpec]:
    """Approved transfer letters not yet received, expiring within the warning window: both sides are told."""
    from apps.members.choices import TransferStatus
    from apps.members.models import Transfer

    until = today + datetime.timedelta(days=get_int_param("transfer_letter_warn_days"))
    rows = list(
        Transfer.objects.filter(
            status=TransferStatus.APPROVED, valid_until__isnull=False, valid_until__lte=until
        ).values_list("id", "from_org_id", "to_org_id", "member__name", "valid_until")
    )
    by_org = recipients_for_orgs(o for r in rows for o in r[1:3] if o)
    specs = []
    for pk, from_id, to_id, name, valid in rows:
        verb = "已于" if valid < today else "将于"
        title = f"党员{name}的组织关系介绍信{verb}{valid:%Y年%m月%d日}到期，尚未办结接收"
        link = reverse("members:transfer_detail", args=[pk])
        for org_id in {from_id, to_id} - {None}:
            specs += [
                NoticeSpec(u, NoticeCategory.TRANSFER_EXPIRING, title, "", link, f"transfer:{pk}:{valid}")
                for u in by_org.get(org_id, [])
            ]
    return specs


@reminder("political_birthday")
def political_birthday_reminders(today: datetime.date) -> list[NoticeSpec]:
    """Members joining the party on this day in an earlier year: the branch's users are told in-app and the
    member gets a greeting SMS (attached to the first branch user's notice, so it is recorded and retried)."""
    from apps.members.choices import MemberStatus
    from apps.members.models import Member

    rows = list(
        Member.objects.filter(
            status=MemberStatus.ACTIVE, joined_on__month=today.month, joined_on__day=today.day,
            joined_on__year__lt=today.year,
        ).values_list("id", "organization_id", "name", "joined_on", "phone")
    )  # fmt: skip
    by_org = recipients_for_orgs(r[1] for r in rows)
    specs = []
    for pk, org_id, name, joined, phone in rows:
        years = today.year - joined.year
        title = f"今天是{name}同志入党{years}周年的政治生日"
        greeting = f"{name}同志：今天是您入党{years}周年的政治生日，不忘初心、牢记使命，祝政治生日快乐！"
        for i, u in enumerate(by_org.get(org_id, [])):
            extra = ((phone, greeting),) if i == 0 and phone else ()
            specs.append(
                NoticeSpec(
                    u,
                    NoticeCategory.POLITICAL_BIRTHDAY,
                    title,
                    "",
                    reverse("members:member_detail", args=[pk]),
                    f"birthday:{pk}:{today.year}",
                    extra,
                )
            )
    return specs
