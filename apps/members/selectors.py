"""Reads of the roster, recruitment and transfers — always starting from ``visible_to(user)``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Func, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.due_items import DueItem
from apps.core.models import AuditLog
from apps.core.params import get_int_param
from apps.core.periods import Period
from apps.core.text import cn_date
from apps.organizations.models import add_years

from .choices import Category, MemberStatus, RecruitmentStage, TransferStatus
from .models import Member, Recruitment, Transfer

LIST_FIELDS = [
    "id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "phone",
    "id_masked",
    "category",
    "joined_on",
    "status",
    "mobile_state",
    "lost_contact",
    "party_post",
    "work_unit",
    "position",
    "org_path",
    "organization_id",
    "organization__name",
    "organization__code",
]


class ByteOrder(Func):
    """Order by a string in byte order: matches the C-collated indexes on PostgreSQL (see migration 0002)."""

    template = "%(expressions)s"
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template='%(expressions)s COLLATE "C"', **extra)


def roster_order(qs: QuerySet, *, name_search: bool = False) -> QuerySet:
    """Subtree pages walk (org_path, id); a name search walks (name, org_path, id). Both index-ordered."""
    if name_search:
        return qs.order_by(ByteOrder(F("name")).asc(), ByteOrder(F("org_path")).asc(), "id")
    return qs.order_by(ByteOrder(F("org_path")).asc(), "id")


def _labels(choices: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in choices}


def roster_rows(members: Iterable[Member], *, user: Any) -> list[dict[str, Any]]:
    """Plain display rows for the list page: labels and masking resolved once per page, not per cell
    through the template engine (that was most of the page's cost)."""
    from django.urls import reverse

    from apps.core.pii import can_see_full_pii, mask_phone

    from .choices import Gender, MemberStatus, MobileState, PartyPost

    full = can_see_full_pii(user)
    detail = reverse("members:member_detail", args=[0])[:-2]  # "/members/"; one reverse per page, not per row
    gender, category = _labels(Gender.choices), _labels(Category.choices)
    status, mobile, post = _labels(MemberStatus.choices), _labels(MobileState.choices), _labels(PartyPost.choices)
    rows = []
    for m in members:
        rows.append(
            {
                "url": f"{detail}{m.pk}/",
                "name": m.name,
                "gender": gender.get(m.gender, ""),
                "birth_date": m.birth_date.isoformat() if m.birth_date else "—",
                "id_masked": m.id_masked,
                "phone": (m.phone if full else mask_phone(m.phone)) or "—",
                "category": category.get(m.category, ""),
                "joined_on": m.joined_on.isoformat() if m.joined_on else "—",
                "organization": m.organization.name,
                "status": status.get(m.status, ""),
                "post": post.get(m.party_post, "") if m.party_post else "",
                "mobile": mobile.get(m.mobile_state, "") if m.mobile_state else "",
                "lost_contact": m.lost_contact,
            }
        )
    return rows


def member_list(*, user: Any) -> QuerySet[Member]:
    """The roster rows a list page / API / export starts from (filters are applied by MemberFilterSet)."""
    return Member.objects.visible_to(user).select_related("organization").only(*LIST_FIELDS)


def member_list_filtered(*, user: Any, data: Any, request: Any = None) -> tuple[QuerySet[Member], Any]:
    from .filters import MemberFilterSet

    fs = MemberFilterSet(data or None, queryset=member_list(user=user), request=request)
    qs = fs.qs if fs.is_bound and fs.is_valid() else fs.queryset
    return roster_order(qs, name_search=getattr(fs, "name_search", False)), fs


def member_detail_queryset(*, user: Any) -> QuerySet[Member]:
    return Member.objects.visible_to(user).select_related("organization", "party_group")


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime | datetime.date
    kind: str  # "audit" | "transfer" | "recruitment"
    title: str
    detail: str = ""


def _as_datetime(value: datetime.date | datetime.datetime) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


EVENT_LABELS = {
    "member.create": "登记入册",
    "member.update": "修改信息",
    "member.status": "变更党籍状态",
    "member.view_pii": "查看完整身份证号",
    "member.transfer_in": "组织关系转入",
    "member.transfer_out": "组织关系转出系统外",
    "member.delete": "删除",
    "member.import": "批量导入",
}


def member_timeline(*, user: Any, member: Member, limit: int = 100) -> list[TimelineEntry]:
    """History, transfers and recruitment steps of one member, newest first (a fixed number of queries)."""
    entries: list[TimelineEntry] = []
    for log in AuditLog.objects.visible_to(user).for_object(member).select_related("actor")[:limit]:
        label = EVENT_LABELS.get(log.event, log.event)
        entries.append(TimelineEntry(log.created_at, "audit", f"{log.actor_name}：{label}", log.note))
    transfers = Transfer.objects.visible_to(user).filter(member=member).select_related("from_org", "to_org")
    for t in transfers:
        target = t.to_org.name if t.to_org else t.outside_destination
        entries.append(
            TimelineEntry(t.requested_at, "transfer", f"申请转接：{t.from_org.name} → {target}", t.get_status_display())
        )
        if t.closed_at:
            entries.append(TimelineEntry(t.closed_at, "transfer", f"转接{t.get_status_display()}", t.return_reason))
    rec = Recruitment.objects.filter(member=member).first()
    if rec is not None:
        for field, label in (
            ("applied_on", "递交入党申请书"),
            ("activist_on", "确定为入党积极分子"),
            ("candidate_on", "确定为发展对象"),
            ("branch_vote_on", "支部大会接收为预备党员"),
            ("approved_on", "上级党委审批"),
            ("confirmed_on", "转为正式党员"),
        ):
            if value := getattr(rec, field):
                entries.append(TimelineEntry(value, "recruitment", label))
    entries.sort(key=lambda e: _as_datetime(e.when), reverse=True)
    return entries


# --- upcoming deadlines -------------------------------------------------------------------------------


def probation_due(*, user: Any, within_days: int = 30, today: datetime.date | None = None) -> QuerySet[Member]:
    """Probationary members whose probation ends within N days (or has ended without confirmation)."""
    today = today or timezone.localdate()
    return (
        Member.objects.visible_to(user)
        .probation_due_by(today + datetime.timedelta(days=within_days))
        .select_related("organization")
        .order_by("probation_ends_on", "id")
    )


def activist_year_completed(
    *, user: Any, within_days: int = 30, today: datetime.date | None = None
) -> QuerySet[Recruitment]:
    """Activists who have completed (or will within N days) the year of training before becoming candidates."""
    today = today or timezone.localdate()
    cutoff = add_years(today + datetime.timedelta(days=within_days), -1)
    return (
        Recruitment.objects.visible_to(user)
        .filter(stage=RecruitmentStage.ACTIVIST, activist_on__lte=cutoff)
        .select_related("organization")
        .order_by("activist_on", "id")
    )


def transfer_letters_expiring(
    *, user: Any, within_days: int | None = None, today: datetime.date | None = None
) -> QuerySet[Transfer]:
    """Approved transfers not yet received whose letter expires within N days, or already expired."""
    today = today or timezone.localdate()
    days = within_days if within_days is not None else get_int_param("transfer_letter_warn_days")
    return (
        Transfer.objects.visible_to(user)
        .filter(status=TransferStatus.APPROVED, valid_until__lte=today + datetime.timedelta(days=days))
        .select_related("member", "from_org", "to_org")
        .order_by("valid_until", "id")
    )


@dataclass
class DeadlineRow:
    url: str
    name: str
    organization: str
    date: datetime.date
    since: datetime.date | None = None


@dataclass
class DeadlineList:
    """One list of the deadlines page: the heading says the window, ``date_label`` what ``row.date`` is."""

    key: str
    title: str
    date_label: str
    rows: list[DeadlineRow]
    since_label: str = ""
    overdue: bool = False


def deadline_lists(
    *, user: Any, within_days: int = 60, today: datetime.date | None = None, limit: int = 100
) -> list[DeadlineList]:
    """Each list holds only what falls in its window; rows carry the date the list names (oldest first)."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=within_days)
    letter_days = get_int_param("transfer_letter_warn_days")
    probationary = Member.objects.visible_to(user).active().probationary().select_related("organization")
    probation_soon = probationary.filter(probation_ends_on__gte=today, probation_ends_on__lte=until)
    probation_over = probationary.filter(probation_ends_on__lt=today)
    activists = (
        Recruitment.objects.visible_to(user)
        .filter(stage=RecruitmentStage.ACTIVIST, activist_on__isnull=False)
        .select_related("organization")
    )
    activists_soon = activists.filter(activist_on__gte=add_years(today, -1), activist_on__lte=add_years(until, -1))
    activists_over = activists.filter(activist_on__lt=add_years(today, -1))
    letters = (
        Transfer.objects.visible_to(user)
        .filter(status=TransferStatus.APPROVED)
        .select_related("member", "from_org", "to_org")
    )
    letters_soon = letters.filter(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=letter_days))
    letters_over = letters.filter(valid_until__lt=today)

    def members(qs: QuerySet[Member]) -> list[DeadlineRow]:
        return [
            DeadlineRow(m.get_absolute_url(), m.name, m.organization.name, m.probation_ends_on, m.joined_on)
            for m in qs.order_by("probation_ends_on", "id")[:limit]
        ]

    def recruits(qs: QuerySet[Recruitment]) -> list[DeadlineRow]:
        return [
            DeadlineRow(r.get_absolute_url(), r.name, r.organization.name, add_years(r.activist_on, 1), r.activist_on)
            for r in qs.order_by("activist_on", "id")[:limit]
        ]

    def transfers(qs: QuerySet[Transfer]) -> list[DeadlineRow]:
        return [
            DeadlineRow(t.get_absolute_url(), t.member.name, f"{t.from_org.name} → {t.to_org.name}", t.valid_until)
            for t in qs.order_by("valid_until", "id")[:limit]
        ]

    days = {"n": within_days}
    return [
        DeadlineList(
            "probation_soon",
            _("预备期将在%(n)s天内期满") % days,
            _("预备期满日期"),
            members(probation_soon),
            since_label=_("入党日期"),
        ),
        DeadlineList(
            "probation_over",
            _("预备期已满、尚未转正"),
            _("预备期满日期"),
            members(probation_over),
            since_label=_("入党日期"),
            overdue=True,
        ),
        DeadlineList(
            "activists_soon",
            _("入党积极分子将在%(n)s天内培养满一年") % days,
            _("满一年日期"),
            recruits(activists_soon),
            since_label=_("确定为积极分子日期"),
        ),
        DeadlineList(
            "activists_over",
            _("积极分子已培养满一年、尚未确定为发展对象"),
            _("满一年日期"),
            recruits(activists_over),
            since_label=_("确定为积极分子日期"),
            overdue=True,
        ),
        DeadlineList(
            "letters_soon", _("介绍信将在%(n)s天内到期") % {"n": letter_days}, _("有效期至"), transfers(letters_soon)
        ),
        DeadlineList("letters_over", _("介绍信已过期、尚未报到"), _("有效期至"), transfers(letters_over), overdue=True),
    ]


def pending_transfers_in(*, user: Any) -> QuerySet[Transfer]:
    org = getattr(user, "organization", None)
    qs = Transfer.objects.visible_to(user).filter(status=TransferStatus.APPROVED)
    return qs.filter(to_org__path__startswith=org.path) if org is not None else qs


def member_stats(*, user: Any) -> dict[str, int]:
    qs = Member.objects.visible_to(user).active()
    return {
        "total": qs.count(),
        "probationary": qs.filter(category=Category.PROBATIONARY).count(),
        "mobile": qs.exclude(mobile_state="").count(),
        "lost_contact": qs.filter(lost_contact=True).count(),
    }


# --- due-item sources (apps.core.due_items) -----------------------------------------------------------


def probation_due_items(*, period: Period, stage: str, root_path: str = "/") -> Iterable[DueItem]:
    """预备党员预备期满待转正: due this month (reminder) or overdue and still unconfirmed (supervision/warning).

    One query for a whole province: rows come from the (probation_ends_on) index.
    """
    if stage == "reminder":
        qs = Member.objects.filter(probation_ends_on__gte=period.first_day, probation_ends_on__lte=period.last_day)
    else:
        cutoff = period.first_day + datetime.timedelta(days=14) if stage == "supervision" else period.last_day
        qs = Member.objects.filter(probation_ends_on__lt=cutoff)
    qs = qs.filter(
        status=MemberStatus.ACTIVE, category=Category.PROBATIONARY, org_path__startswith=root_path
    ).values_list("id", "organization_id", "name", "probation_ends_on")
    for pk, org_id, name, ends in qs.iterator(chunk_size=2000):
        yield DueItem(
            organization_id=org_id,
            kind="probation_due",
            title=f"预备党员{name}预备期于{cn_date(ends)}期满，应及时讨论转正",
            due_date=ends,
            object_ref=f"members.member:{pk}",
        )


def transfer_letter_due_items(*, period: Period, stage: str, root_path: str = "/") -> Iterable[DueItem]:
    """Transfer letters approved but not received, expiring within the period (both sides are told)."""
    qs = Transfer.objects.filter(
        status=TransferStatus.APPROVED, valid_until__lte=period.last_day, from_org__path__startswith=root_path
    ).values_list("id", "from_org_id", "to_org_id", "member__name", "valid_until")
    for pk, from_id, to_id, name, until in qs.iterator(chunk_size=2000):
        title = f"党员{name}的组织关系介绍信有效期至{until:%Y年%m月%d日}，尚未办结接收"
        for org_id in (from_id, to_id):
            if org_id:
                yield DueItem(org_id, "transfer_letter_expiring", title, until, f"members.transfer:{pk}")
