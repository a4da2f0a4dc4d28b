"""Dues (党费) records: the bracket table by year, each member's yearly base, payments, reasons for arrears,
amounts handed up (上缴) and the pre-aggregated monthly collection figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet

ORG = "organizations.Organization"
MONEY = {"max_digits": 14, "decimal_places": 2}


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", _("在岗职工")
    RETIREE = "retiree", _("离退休")
    FARMER = "farmer", _("农民")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("下岗失业")
    LOW_INCOME = "low_income", _("低保、抚恤救济")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    TRANSFER = "transfer", _("转账")
    ONLINE = "online", _("线上")


class ReductionKind(models.TextChoices):
    NONE = "", _("无")
    REDUCED = "reduced", _("减交")
    EXEMPT = "exempt", _("免交")


class DuesBracket(models.Model):
    """One row of the dues table in force from ``year`` (a province may issue its own table for a year).

    A row applies to a category: a percentage of the base up to ``upper_bound`` (inclusive; empty = no
    upper bound), or a fixed monthly amount. The rows of the latest year ≤ the asked year are used.
    """

    year = models.PositiveSmallIntegerField(_("执行年度"))
    category = models.CharField(_("党员类别"), max_length=16, choices=DuesCategory.choices)
    upper_bound = models.DecimalField(_("基数上限（含）"), null=True, blank=True, **MONEY)
    rate_percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    fixed_amount = models.DecimalField(_("每月固定金额"), null=True, blank=True, **MONEY)
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("党费交纳标准")
        verbose_name_plural = _("党费交纳标准")
        ordering = ["-year", "category", "upper_bound"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_percent__isnull=False) | Q(fixed_amount__isnull=False),
                name="dues_bracket_rate_or_fixed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_category_display()}"


class DuesBaseQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class DuesBase(models.Model):
    """A member's dues category and declared base for one year, and the monthly amount that follows.

    A reduction or exemption (减交/免交) counts only with the branch committee's decision date and the
    approval of the level above recorded; until then the computed amount applies.
    """

    member = models.ForeignKey("members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(ORG, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("党员类别"), max_length=16, choices=DuesCategory.choices)
    base = models.DecimalField(_("交纳基数（月税后工资）"), **MONEY)
    monthly_amount = models.DecimalField(_("按标准每月应交"), **MONEY)
    reduction = models.CharField(_("减免"), max_length=8, choices=ReductionKind.choices, blank=True)
    reduced_amount = models.DecimalField(_("减交后每月金额"), null=True, blank=True, **MONEY)
    reduction_reason = models.CharField(_("减免原因"), max_length=200, blank=True)
    committee_decided_on = models.DateField(_("支委会决定日期"), null=True, blank=True)
    approved_on = models.DateField(_("上级党组织批准日期"), null=True, blank=True)
    approved_by_org = models.CharField(_("批准的上级党组织"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DuesBaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费基数")
        verbose_name_plural = _("党费基数")
        ordering = ["org_path", "member_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="dues_base_member_year"),
            models.CheckConstraint(condition=Q(base__gte=0), name="dues_base_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "year"], name="dues_base_org_year_idx")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.member}"

    @property
    def effective_amount(self):
        """What the member owes a month: exempt → 0, an approved reduction → the reduced amount."""
        if self.reduction == ReductionKind.EXEMPT:
            return type(self.monthly_amount)("0.00")
        if self.reduction == ReductionKind.REDUCED and self.reduced_amount is not None:
            return self.reduced_amount
        return self.monthly_amount


class DuesPaymentQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class DuesPayment(models.Model):
    """One month's dues of one member (``month`` is the first day of the month paid for)."""

    # No single-column indexes on member and organization: the unique (member, month) and the (organization,
    # month) indexes lead with them, and a county's month import writes 30k rows through every index.
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organization = models.ForeignKey(
        ORG, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField(_("所属月份"))
    amount = models.DecimalField(_("金额"), **MONEY)
    method = models.CharField(_("交纳方式"), max_length=10, choices=PaymentMethod.choices)
    paid_on = models.DateField(_("交纳日期"))
    receipt_no = models.CharField(_("收据编号"), max_length=30, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = DuesPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费交纳记录")
        verbose_name_plural = _("党费交纳记录")
        ordering = ["-month", "org_path", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_payment_member_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_payment_not_negative"),
        ]
        indexes = [
            models.Index(fields=["organization", "month"], name="dues_pay_org_month_idx"),
            models.Index(fields=["month", "org_path"], name="dues_pay_month_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y年%m月}"

    def get_absolute_url(self) -> str:
        return reverse("members:dues_receipt", args=[self.pk])


class DuesArrearsNoteQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class ArrearsOutcome(models.TextChoices):
    REASON = "reason", _("已谈话，记录原因")
    REPAID = "repaid", _("已补交")
    LEFT = "left", _("支部决定按自行脱党处理")


class DuesArrearsNote(models.Model):
    """What the branch recorded about a member's long arrears (the talk, the reason, or its decision)."""

    member = models.ForeignKey("members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(ORG, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    recorded_on = models.DateField(_("记录日期"))
    outcome = models.CharField(_("处理情况"), max_length=10, choices=ArrearsOutcome.choices)
    reason = models.CharField(_("原因说明"), max_length=300)
    decided_on = models.DateField(_("支部大会决定日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DuesArrearsNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("欠交党费情况记录")
        verbose_name_plural = _("欠交党费情况记录")
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_outcome_display()}"


class DuesHandoverQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class DuesHandover(models.Model):
    """Dues an organization handed up (上缴) to the level above for a month."""

    organization = models.ForeignKey(ORG, verbose_name=_("上缴党组织"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField(_("所属月份"))
    amount = models.DecimalField(_("上缴金额"), **MONEY)
    handed_on = models.DateField(_("上缴日期"))
    receiver = models.CharField(_("接收单位"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DuesHandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费上缴记录")
        verbose_name_plural = _("党费上缴记录")
        ordering = ["-month", "org_path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="dues_handover_org_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_handover_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.month:%Y年%m月}"


class DuesMonthStatsQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class DuesMonthStats(models.Model):
    """Pre-aggregated dues figures of one organization's whole subtree for one month (refreshed set-based).

    ``liable``: members who owe dues that month; ``paid``: of them, those with a payment for the month.
    """

    organization = models.ForeignKey(ORG, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField()
    liable = models.PositiveIntegerField(default=0)
    paid = models.PositiveIntegerField(default=0)
    expected_amount = models.DecimalField(default=0, **MONEY)
    paid_amount = models.DecimalField(default=0, **MONEY)
    handed_up = models.DecimalField(default=0, **MONEY)
    own_liable = models.PositiveIntegerField(default=0)
    own_paid = models.PositiveIntegerField(default=0)
    own_expected_amount = models.DecimalField(default=0, **MONEY)
    own_paid_amount = models.DecimalField(default=0, **MONEY)
    refreshed_at = models.DateTimeField(auto_now=True)

    objects = DuesMonthStatsQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费收缴统计")
        verbose_name_plural = _("党费收缴统计")
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="dues_stats_org_month")]
        indexes = [models.Index(fields=["month", "org_path"], name="dues_stats_month_path_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m}"

    @property
    def rate(self):
        from decimal import Decimal

        if not self.liable:
            return None
        return (Decimal(self.paid) * 100 / Decimal(self.liable)).quantize(Decimal("0.1"))


class DuesStatsRun(models.Model):
    """A month's figures were refreshed for every organization under ``root_path`` (by ``dues_stats_refresh``):
    readers may take that month from ``DuesMonthStats`` for that subtree instead of counting members again."""

    root_path = models.CharField(max_length=255)
    month = models.DateField()
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党费统计刷新记录")
        verbose_name_plural = _("党费统计刷新记录")
        constraints = [models.UniqueConstraint(fields=["root_path", "month"], name="dues_stats_run_path_month")]

    def __str__(self) -> str:
        return f"{self.root_path} {self.month:%Y-%m}"
