"""Helpers shared by the responsibility services: who is above whom, deadlines, years."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.core.periods import Period
from apps.organizations.models import Organization

from ..choices import (
    DeadlineClass,
)

BULK_BATCH = 5000


def is_above(user: Any, organization: Organization) -> bool:
    """True when the user's organization is a proper ancestor of ``organization`` (or a tree-wide admin)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    own = getattr(user, "organization", None)
    if own is None:
        return bool(user.is_superuser)
    return own.pk != organization.pk and organization.path.startswith(own.path)


def _ensure_above(user: Any, organization: Organization, *, field: str, what: str) -> None:
    if not is_above(user, organization):
        raise ValidationError(
            {field: _("%(what)s只能由「%(org)s」的上级党组织人员进行。") % {"what": what, "org": organization.name}}
        )


def _actor(user: Any) -> Any:
    """The acting user as a row to point at (system jobs act without a saved user)."""
    return user if getattr(user, "pk", None) else None


def _refresh_stats(organization_id: int, period: Period) -> None:
    from ..tasks import schedule_stats_refresh

    schedule_stats_refresh(organization_id, period)


def quarter_end(year: int, quarter: int) -> datetime.date:
    return Period(year, quarter * 3).last_day


def _resolve_due(
    *, year: int, due_date: datetime.date | None, due_quarter: int | None, issued_on: datetime.date
) -> datetime.date:
    if due_date is None and due_quarter:
        if not 1 <= int(due_quarter) <= 4:
            raise ValidationError({"due_quarter": _("完成季度应为1至4。")})
        due_date = quarter_end(year, int(due_quarter))
    if due_date is None:
        raise ValidationError({"due_date": _("请填写完成时限（日期或季度）。")})
    if due_date < issued_on:
        raise ValidationError(
            {
                "due_date": _("完成时限（%(due)s）不能早于下发日期（%(issued)s）。")
                % {"due": due_date, "issued": issued_on}
            }
        )
    return due_date


def _check_deadline(
    *, deadline_class: str, deadline: datetime.date | None, not_before: datetime.date
) -> datetime.date | None:
    if deadline_class not in DeadlineClass.values:
        raise ValidationError({"deadline_class": _("整改时限类别无效。")})
    if deadline_class == DeadlineClass.LONG_TERM:
        return deadline
    if deadline is None:
        if deadline_class == DeadlineClass.IMMEDIATE:
            return not_before
        raise ValidationError({"deadline": _("限期整改须填写整改期限。")})
    if deadline < not_before:
        raise ValidationError(
            {"deadline": _("整改期限（%(d)s）不能早于问题发现或下发日期（%(n)s）。") % {"d": deadline, "n": not_before}}
        )
    return deadline


def _year_ok(year: int) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": _("年度应为四位数字。")}) from exc
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在2000至2100之间。")})
    return year
