"""What is due about members — one rule each, the window a parameter — for the letters (due-item sources,
``apps.core.due_items``) and the daily reminders. Registered in ``MembersConfig.ready()``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse

from apps.core.due_items import DueItem
from apps.core.params import get_int_param
from apps.core.periods import Period
from apps.core.text import cn_date

from .choices import MemberStatus
from .models import Member, Transfer

PROBATION_WARN_DAYS = 30


# --- due-item sources (the three letters) -----------------------------------------------------------------


def probation_due_items(*, period: Period, stage: str, root_path: str = "/") -> Iterable[DueItem]:
    """预备党员预备期满待转正: due this month (reminder) or overdue and still unconfirmed (supervision/warning).

    One query for a whole province: rows come from the (probation_ends_on) index.
    """
    if stage == "reminder":
        qs = Member.objects.probation_due_by(period.last_day).filter(probation_ends_on__gte=period.first_day)
    else:
        cutoff = period.first_day + datetime.timedelta(days=14) if stage == "supervision" else period.last_day
        qs = Member.objects.probation_due_by(cutoff - datetime.timedelta(days=1))
    qs = qs.filter(org_path__startswith=root_path)
    for pk, org_id, name, ends in qs.values_list("id", "organization_id", "name", "probation_ends_on").iterator(
        chunk_size=2000
    ):
        yield DueItem(
            organization_id=org_id,
            kind="probation_due",
            title=f"预备党员{name}预备期于{cn_date(ends)}期满，应及时讨论转正",
            due_date=ends,
            object_ref=f"members.member:{pk}",
        )


def transfer_letter_due_items(*, period: Period, stage: str, root_path: str = "/") -> Iterable[DueItem]:
    """Transfer letters approved but not received, expiring within the period (both sides are told)."""
    qs = Transfer.objects.letter_expiring_by(period.last_day).filter(from_org__path__startswith=root_path)
    qs = qs.values_list("id", "from_org_id", "to_org_id", "member__name", "valid_until")
    for pk, from_id, to_id, name, until in qs.iterator(chunk_size=2000):
        title = f"党员{name}的组织关系介绍信有效期至{cn_date(until)}，尚未办结接收"
        for org_id in (from_id, to_id):
            if org_id:
                yield DueItem(org_id, "transfer_letter_expiring", title, until, f"members.transfer:{pk}")


# --- daily reminders (delivered by the notifications app) -------------------------------------------------


def probation_reminders(today: datetime.date) -> list[DueItem]:
    """Probation ending within 30 days (or ended unconfirmed): once a month per member."""
    rows = Member.objects.probation_due_by(today + datetime.timedelta(days=PROBATION_WARN_DAYS)).values_list(
        "id", "organization_id", "name", "probation_ends_on"
    )
    return [
        DueItem(
            organization_id=org_id,
            kind="probation_due",
            title=f"预备党员{name}预备期{'于' if ends >= today else '已于'}{cn_date(ends)}期满，请及时讨论转正",
            due_date=ends,
            link=reverse("members:member_detail", args=[pk]),
            dedupe_key=f"probation:{pk}:{Period.of(today)}",
        )
        for pk, org_id, name, ends in rows
    ]


def transfer_expiring_reminders(today: datetime.date) -> list[DueItem]:
    """Approved letters not yet received, expiring within the warning window: both sides are told."""
    until = today + datetime.timedelta(days=get_int_param("transfer_letter_warn_days"))
    rows = Transfer.objects.letter_expiring_by(until).values_list(
        "id", "from_org_id", "to_org_id", "member__name", "valid_until"
    )
    items = []
    for pk, from_id, to_id, name, valid in rows:
        verb = "已于" if valid < today else "将于"
        title = f"党员{name}的组织关系介绍信{verb}{cn_date(valid)}到期，尚未办结接收"
        link = reverse("members:transfer_detail", args=[pk])
        for org_id in {from_id, to_id} - {None}:
            items.append(
                DueItem(org_id, "transfer_expiring", title, valid, link=link, dedupe_key=f"transfer:{pk}:{valid}")
            )
    return items


def political_birthday_reminders(today: datetime.date) -> list[DueItem]:
    """Members who joined the party on this day in an earlier year: the branch's users are told in-app and the
    member gets a greeting SMS (sent once, with the first branch user's notice, so it is recorded and retried)."""
    rows = Member.objects.filter(
        status=MemberStatus.ACTIVE,
        joined_on__month=today.month,
        joined_on__day=today.day,
        joined_on__year__lt=today.year,
    ).values_list("id", "organization_id", "name", "joined_on", "phone")
    items = []
    for pk, org_id, name, joined, phone in rows:
        years = today.year - joined.year
        greeting = f"{name}同志：今天是您入党{years}周年的政治生日，不忘初心、牢记使命，祝政治生日快乐！"
        items.append(
            DueItem(
                organization_id=org_id,
                kind="political_birthday",
                title=f"今天是{name}同志入党{years}周年的政治生日",
                link=reverse("members:member_detail", args=[pk]),
                dedupe_key=f"birthday:{pk}:{today.year}",
                extra_sms=((phone, greeting),) if phone else (),
            )
        )
    return items
