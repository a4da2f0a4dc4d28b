"""组织生活日: the fixed monthly day of an organization's organizational life (主题党日), inherited down the tree."""

from __future__ import annotations

import calendar
import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet

WEEKDAYS = [(0, _("星期一")), (1, _("星期二")), (2, _("星期三")), (3, _("星期四")), (4, _("星期五")),
            (5, _("星期六")), (6, _("星期日"))]  # fmt: skip
WEEKS = [(1, _("第一个")), (2, _("第二个")), (3, _("第三个")), (4, _("第四个")), (5, _("最后一个"))]


class LifeDayRule(models.TextChoices):
    WEEKDAY = "weekday", _("每月第几个星期几")
    MONTHDAY = "monthday", _("每月固定日期")


class OrgLifeDay(models.Model):
    """An organization's own 组织生活日. Organizations below without their own inherit the nearest one above."""

    organization = models.OneToOneField(
        "organizations.Organization", verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="life_day"
    )
    rule = models.CharField(_("规则"), max_length=10, choices=LifeDayRule.choices, default=LifeDayRule.WEEKDAY)
    week = models.PositiveSmallIntegerField(_("第几个"), choices=WEEKS, null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(_("星期几"), choices=WEEKDAYS, null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("每月几日"), null=True, blank=True)
    postpone_on_holiday = models.BooleanField(_("遇法定节假日顺延至下一个工作日"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织生活日")
        verbose_name_plural = _("组织生活日")

    def __str__(self) -> str:
        return f"{self.organization}：{self.describe()}"

    def describe(self) -> str:
        if self.rule == LifeDayRule.MONTHDAY:
            return f"每月{self.day}日"
        return f"每月{dict(WEEKS)[self.week]}{dict(WEEKDAYS)[self.weekday]}"

    def nominal_date(self, year: int, month: int) -> datetime.date:
        """The day the rule names in that month, before any holiday shift."""
        if self.rule == LifeDayRule.MONTHDAY:
            return datetime.date(year, month, self.day)
        days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1)
                if datetime.date(year, month, d).weekday() == self.weekday]  # fmt: skip
        return datetime.date(year, month, days[-1] if self.week == 5 else days[self.week - 1])
