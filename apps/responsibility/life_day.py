"""组织生活日 (the fixed organizational-life day): where it is set, which day it falls on, and what is due from it.

An organization's own setting applies to it and to every organization below that has none of its own (the
nearest one above wins). The day of a month is the rule's day, moved to the next working day when it falls on a
public holiday (``apps.core.workdays``) if the rule says so. Used by:

- the daily reminder ``life_day`` (``life_day_remind_days`` days before: "明天是组织生活日");
- the letters' source ``responsibility.life_day``: a branch whose day has passed this month with no 主题党日
  recorded (supervision letter mid-month, warning letter at month end).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.due_items import DueItem
from apps.core.params import get_int_param
from apps.core.periods import Period
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.core.workdays import is_workday
from apps.organizations.choices import BRANCH_KINDS
from apps.organizations.models import Organization

from .choices import MeetingKind
from .life_day_models import LifeDayRule, OrgLifeDay
from .models import Meeting

if TYPE_CHECKING:
    from apps.accounts.models import User

FIELDS = ["rule", "week", "weekday", "day", "postpone_on_holiday"]
WEEKDAY_NAMES = "一二三四五六日"


def date_in(setting: OrgLifeDay, period: Period) -> datetime.date:
    day = setting.nominal_date(period.year, period.month)
    if setting.postpone_on_holiday:
        for _i in range(31):
            if is_workday(day):
                break
            day += datetime.timedelta(days=1)
    return day


def label(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日（星期{WEEKDAY_NAMES[day.weekday()]}）"


def _ancestor_paths(path: str) -> list[str]:
    """'/1/7/70/' -> ['/1/7/70/', '/1/7/', '/1/'] (deepest first)."""
    ids = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(ids[:n]) + "/" for n in range(len(ids), 0, -1)]


def effective_for(organization: Organization) -> tuple[OrgLifeDay | None, bool]:
    """(the setting that applies, whether it is the organization's own)."""
    paths = _ancestor_paths(organization.path)
    rows = {s.organization.path: s for s in OrgLifeDay.objects.filter(organization__path__in=paths)
            .select_related("organization")}  # fmt: skip
    for path in paths:
        if path in rows:
            return rows[path], path == organization.path
    return None, False


def branch_days(*, period: Period, root_path: str = "/") -> dict[int, datetime.date]:
    """The 组织生活日 of every active branch under ``root_path`` in ``period`` (branches with none set: absent).
    Two queries whatever the size: the settings (a small table) and the branches."""
    settings_by_path = {s.organization.path: s for s in OrgLifeDay.objects.select_related("organization")}
    if not settings_by_path:
        return {}
    dates = {path: date_in(s, period) for path, s in settings_by_path.items()}
    branches = Organization.objects.filter(path__startswith=root_path, kind__in=BRANCH_KINDS, is_active=True)
    out: dict[int, datetime.date] = {}
    for bid, path in branches.values_list("id", "path").iterator(chunk_size=5000):
        for ancestor in _ancestor_paths(path):
            if ancestor in dates:
                out[bid] = dates[ancestor]
                break
    return out


def _theme_days_held(period: Period, root_path: str) -> set[int]:
    qs = Meeting.objects.filter(
        kind=MeetingKind.THEME_DAY, held_on__gte=period.first_day, held_on__lte=period.last_day,
        org_path__startswith=root_path,
    ).exclude(quorum_met=False)  # fmt: skip
    return set(qs.values_list("organization_id", flat=True).distinct())


def life_day_due_items(*, period: Period, stage: str, root_path: str = "/") -> list[DueItem]:
    """Branches whose 组织生活日 has passed this month with no 主题党日 recorded."""
    if stage == "reminder":
        return []
    cutoff = period.last_day + datetime.timedelta(days=1)
    if stage == "supervision":
        cutoff = min(timezone.localdate(), cutoff)
    days = {bid: d for bid, d in branch_days(period=period, root_path=root_path).items() if d < cutoff}
    if not days:
        return []
    held = _theme_days_held(period, root_path)
    return [
        DueItem(
            organization_id=bid,
            kind="life_day_missed",
            due_date=day,
            title=_("%(d)s组织生活日已过，未见主题党日活动记录") % {"d": label(day)},
        )
        for bid, day in sorted(days.items())
        if bid not in held
    ]


def life_day_reminders(today: datetime.date) -> list[DueItem]:
    """Daily: ``life_day_remind_days`` days before a branch's 组织生活日 (0 turns the reminder off)."""
    ahead = get_int_param("life_day_remind_days")
    if ahead <= 0:
        return []
    target = today + datetime.timedelta(days=ahead)
    days = branch_days(period=Period.of(target))
    if target not in days.values():
        return []
    from django.urls import reverse

    link = reverse("responsibility:ledger_list")
    title = _("%(d)s是本支部的组织生活日，请按时开展主题党日活动，并在月度台账中记录") % {"d": label(target)}
    return [
        DueItem(
            organization_id=bid,
            kind="life_day",
            title=title,
            due_date=target,
            link=link,
            dedupe_key=f"life_day:{target:%Y-%m-%d}:{bid}",
        )
        for bid, day in sorted(days.items())
        if day == target
    ]


def _validate(data: dict[str, Any]) -> dict[str, Any]:
    rule = data.get("rule")
    if rule not in LifeDayRule.values:
        raise ValidationError({"rule": _("请选择组织生活日的规则。")})
    clean = {"rule": rule, "postpone_on_holiday": bool(data.get("postpone_on_holiday")), "week": None,
             "weekday": None, "day": None}  # fmt: skip
    if rule == LifeDayRule.WEEKDAY:
        week, weekday = data.get("week"), data.get("weekday")
        if week in (None, "") or not 1 <= int(week) <= 5:
            raise ValidationError({"week": _("请选择第几个（第一个至第四个，或最后一个）。")})
        if weekday in (None, "") or not 0 <= int(weekday) <= 6:
            raise ValidationError({"weekday": _("请选择星期几。")})
        clean.update(week=int(week), weekday=int(weekday))
    else:
        day = data.get("day")
        if day in (None, "") or not 1 <= int(day) <= 28:
            raise ValidationError({"day": _("每月几日请填写1至28之间的数（每个月都有的日期）。")})
        clean["day"] = int(day)
    return clean


@transaction.atomic
def life_day_set(*, acting_user: User, organization: Organization, data: dict[str, Any]) -> OrgLifeDay:
    """Set the organization's own 组织生活日 (its subtree inherits it unless they set their own)."""
    ensure_org_in_scope(acting_user, organization)
    ensure_perm(acting_user, "responsibility.change_orglifeday")
    clean = _validate(data)
    setting = OrgLifeDay.objects.select_for_update().filter(organization=organization).first()
    before = snapshot(setting, FIELDS) if setting else None
    setting = setting or OrgLifeDay(organization=organization)
    for key, value in clean.items():
        setattr(setting, key, value)
    setting.save()
    audit_record(actor=acting_user, event="orglifeday.update" if before else "orglifeday.create", obj=setting,
                 before=before, after=snapshot(setting, FIELDS), org_path=organization.path)  # fmt: skip
    return setting


@transaction.atomic
def life_day_clear(*, acting_user: User, organization: Organization) -> None:
    """Drop the organization's own setting: the nearest one above applies again."""
    ensure_org_in_scope(acting_user, organization)
    ensure_perm(acting_user, "responsibility.change_orglifeday")
    setting = OrgLifeDay.objects.filter(organization=organization).first()
    if setting is None:
        return
    audit_record(actor=acting_user, event="orglifeday.delete", obj=setting, before=snapshot(setting, FIELDS),
                 org_path=organization.path)  # fmt: skip
    setting.delete()
