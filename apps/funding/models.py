"""Funding (经费): standards, budgets, allocations down the tree, expenses with vouchers and the roll-up.

Money is Decimal (NUMERIC(14,2)) everywhere and summed in SQL. The expense ledger is append-only: an entry is
never edited once posted; a correction is a reversal entry (negative amount) pointing at the original.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.organizations.choices import OrgKind, Sector
from apps.organizations.models import Organization

from . import querysets as qs
from .choices import ExpenseCategory, ExpenseStatus, FundingSource, ReviewAction, StandardBasis

ZERO = Decimal("0.00")


def money(value: object) -> str:
    """An amount as people read it in a name or a choice: 3,000.00 (docs/ui.md: thousands separator)."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


def money_field(label: str, **kw) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kw)


class FundingStandard(models.Model):
    """A yearly funding standard of a region (the organization whose subtree it covers): e.g. 5000 yuan per
    community, 100 yuan per member for training, a fixed item for a demonstration site."""

    region = models.ForeignKey(
        Organization, verbose_name=_("适用地区（党组织）"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("标准名称"), max_length=100)
    basis = models.CharField(_("计算方式"), max_length=16, choices=StandardBasis.choices)
    target_kind = models.CharField(_("适用组织类别"), max_length=20, choices=OrgKind.choices, blank=True)
    target_sector = models.CharField(_("适用领域"), max_length=24, choices=Sector.choices, blank=True)
    target_parent_kind = models.CharField(
        _("上级组织类别"),
        max_length=20,
        choices=OrgKind.choices,
        blank=True,
        help_text=_("只计直属于此类组织的（如直属乡镇党委的村党支部，不含村党总支下设的支部）"),
    )
    top_level_only = models.BooleanField(
        _("不含同类下级"),
        default=True,
        help_text=_("勾选后，符合条件的组织之下的同类组织不再重复计算（如村党总支下的党支部）"),
    )
    amount = money_field(_("标准金额（元）"))
    source = models.CharField(_("经费来源"), max_length=16, choices=FundingSource.choices)
    growth_min_percent = models.DecimalField(
        _("较上年增长不低于（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    previous = models.ForeignKey(
        "self", verbose_name=_("上年标准"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("依据/说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = qs.FundingStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("经费标准")
        verbose_name_plural = _("经费标准")
        ordering = ["-year", "region_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "name"], name="funding_standard_uniq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_standard_amount_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("funding:standard_detail", args=[self.pk])

    @property
    def growth_percent(self) -> Decimal | None:
        prev = self.previous
        if prev is None or not prev.amount:
            return None
        return ((self.amount - prev.amount) * 100 / prev.amount).quantize(Decimal("0.01"))

    @property
    def growth_min_display(self) -> str:
        """ "10" for 10.00, "7.5" for 7.50 (never "1E+1")."""
        if self.growth_min_percent is None:
            return ""
        return format(self.growth_min_percent.normalize(), "f")

    @property
    def growth_warning(self) -> str:
        """Empty when the growth rule is met (or there is no rule / no previous year)."""
        if self.growth_min_percent is None or self.previous is None:
            return ""
        required = (self.previous.amount * (100 + self.growth_min_percent) / 100).quantize(Decimal("0.01"))
        if self.amount >= required:
            return ""
        return _(
            "标准金额 %(amount)s 元低于上年 %(prev)s 元增长 %(pct)s%% 后的 %(req)s 元（较上年增长 %(got)s%%）。"
        ) % {
            "amount": self.amount,
            "prev": self.previous.amount,
            "pct": self.growth_min_display,
            "req": required,
            "got": self.growth_percent,
        }


class Budget(models.Model):
    """An optional yearly budget of an organization for one source; allocations from it may not exceed it."""

    organization = models.ForeignKey(Organization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("经费来源"), max_length=16, choices=FundingSource.choices)
    amount = money_field(_("预算金额（元）"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = qs.BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("经费预算")
        verbose_name_plural = _("经费预算")
        ordering = ["-year", "organization_id", "source"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "source"], name="funding_budget_uniq"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_budget_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}{self.year}年{self.get_source_display()}预算"


class NoticeCounter(models.Model):
    """Notice numbers per issuer and year, handed out under a row lock."""

    SCOPING_EXEMPT = "internal number counter, never shown or edited through a user-facing path"

    issuer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="funding_counter_uniq")]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.year}: {self.last_number}"


class AllocationNotice(models.Model):
    """经费下拨通知: one batch of allocations from one issuer, numbered like the letters (〔2026〕3号)."""

    issuer = models.ForeignKey(Organization, verbose_name=_("下拨单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("序号"))
    prefix = models.CharField(_("发文字号前缀"), max_length=20, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    issued_on = models.DateField(_("下拨日期"))
    total = money_field(_("合计金额（元）"), default=ZERO)
    recipient_count = models.PositiveIntegerField(_("下拨单位数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = qs.AllocationNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("经费下拨通知")
        verbose_name_plural = _("经费下拨通知")
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "number"], name="funding_notice_number_uniq")]

    def __str__(self) -> str:
        return f"{self.title}（{self.number_display}）"

    def get_absolute_url(self) -> str:
        return reverse("funding:notice_detail", args=[self.pk])

    @property
    def number_display(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.number}号"


class Allocation(models.Model):
    """Money put at an organization's disposal (划拨) for a year, from one source; expenses draw on it.

    ``spent`` is the sum of the approved expenses drawn on it and ``pending`` that of the expenses waiting for
    review (their money is reserved on submission). Both are kept by the services with conditional UPDATEs
    under a row lock, so two concurrent expenses can never take ``spent + pending`` past ``amount`` (also a
    database constraint).
    """

    issuer = models.ForeignKey(Organization, verbose_name=_("下拨单位"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name=_("收款单位"), on_delete=models.PROTECT, related_name="funding_allocations"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    source = models.CharField(_("经费来源"), max_length=16, choices=FundingSource.choices)
    amount = money_field(_("金额（元）"))
    spent = money_field(_("已支出（元）"), default=ZERO, editable=False)
    pending = money_field(_("待审核支出（元）"), default=ZERO, db_default=ZERO, editable=False)
    standard = models.ForeignKey(
        FundingStandard,
        verbose_name=_("依据标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    basis = models.CharField(_("计算依据"), max_length=300, blank=True)
    notice = models.ForeignKey(
        AllocationNotice,
        verbose_name=_("下拨通知"),
        on_delete=models.PROTECT,
        related_name="allocations",
        db_index=False,  # led by funding_alloc_notice_path
    )
    allocated_on = models.DateField(_("下拨日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = qs.AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("经费下拨")
        verbose_name_plural = _("经费下拨")
        ordering = ["-allocated_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_allocation_amount_pos"),
            models.CheckConstraint(
                condition=Q(spent__gte=0) & Q(pending__gte=0) & Q(spent__lte=F("amount") - F("pending")),
                name="funding_allocation_not_overdrawn",
            ),
            models.UniqueConstraint(
                fields=["standard", "organization"],
                condition=Q(standard__isnull=False),
                name="funding_allocation_once_per_standard",
            ),
        ]
        indexes = [
            models.Index(fields=["org_path", "year"], name="funding_alloc_path_year"),
            # lists newest first (a backward scan stops after a page, also at the root of 100k branches: 0.42 s
            # -> a few ms); a notice's allocations within a subtree (the notice filter's choices)
            models.Index(fields=["allocated_on", "id"], name="funding_alloc_date_id"),
            models.Index(
                fields=["notice", "org_path"],
                name="funding_alloc_notice_path",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_source_display()}{money(self.amount)}元→{self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("funding:allocation_detail", args=[self.pk])

    @property
    def remaining(self) -> Decimal:
        """What is left to spend: the amount less approved and pending expenses."""
        return self.amount - self.spent - self.pending

    @property
    def label(self) -> str:
        what = self.standard.name if self.standard_id and self.standard else (self.basis or "")
        return f"{self.year}年 {self.get_source_display()} {what}（余额 {self.remaining} 元）"


class Expense(models.Model):
    """One ledger entry drawn on an allocation. Recorded by the spending organization (经办) it waits for
    review (审核) by the level above; a returned entry may be corrected and submitted again. Never edited once
    approved (posted): a correction is a reversal entry (``reverses`` set, negative amount) and the original is
    marked reversed. Every step is an ``ExpenseReview`` row (the workflow trail)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("支出单位"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    allocation = models.ForeignKey(
        Allocation, verbose_name=_("使用经费"), on_delete=models.PROTECT, related_name="expenses"
    )
    source = models.CharField(_("经费来源"), max_length=16, choices=FundingSource.choices, editable=False)
    spent_on = models.DateField(_("支出日期"))
    category = models.CharField(_("支出类别"), max_length=16, choices=ExpenseCategory.choices)
    amount = money_field(_("金额（元）"))
    payee = models.CharField(_("收款方"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=300)
    approved_by = models.CharField(_("审批人"), max_length=50)
    status = models.CharField(
        _("状态"), max_length=12, choices=ExpenseStatus.choices, default=ExpenseStatus.SUBMITTED, editable=False
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    review_comment = models.CharField(
        _("审核意见"), max_length=300, blank=True, default="", db_default="", editable=False
    )
    reverses = models.OneToOneField(
        "self", verbose_name=_("冲正原记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    voucher_count = models.PositiveSmallIntegerField(_("凭证数"), default=0, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = qs.ExpenseQuerySet.as_manager()

    class Meta:
        verbose_name = _("经费支出")
        verbose_name_plural = _("经费支出")
        ordering = ["-spent_on", "-id"]
        permissions = [("review_expense", _("审核下级经费支出"))]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0)) | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="funding_expense_sign",
            ),
        ]
        indexes = [
            models.Index(fields=["org_path", "spent_on"], name="funding_expense_path_date"),
            # the list newest first: at the root of 1M expenses 2.07 s -> a few ms (a backward scan, one page)
            models.Index(fields=["spent_on", "id"], name="funding_expense_date_id"),
            models.Index(fields=["status", "voucher_count"], name="funding_expense_voucher"),
            models.Index(fields=["status", "org_path"], name="funding_expense_status_path"),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on:%Y-%m-%d} {self.get_category_display()} {money(self.amount)}元"

    def get_absolute_url(self) -> str:
        return reverse("funding:expense_detail", args=[self.pk])

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class ExpenseReview(models.Model):
    """One step of an expense's review workflow (submitted, returned with a reason, resubmitted, approved):
    append-only, written only by the services, read-only everywhere else."""

    expense = models.ForeignKey(Expense, verbose_name=_("支出"), on_delete=models.CASCADE, related_name="reviews")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    action = models.CharField(_("环节"), max_length=12, choices=ReviewAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办/审核人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_org = models.ForeignKey(
        Organization, verbose_name=_("所在党组织"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.CharField(_("意见/原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = qs.ExpenseReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("支出审核记录")
        verbose_name_plural = _("支出审核记录")
        ordering = ["expense_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ExpenseVoucher(models.Model):
    """A scan, photo or PDF backing an expense; served only through the scoped download view."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="vouchers")
    file = models.FileField(_("凭证"), upload_to="funding/vouchers/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = qs.ExpenseVoucherQuerySet.as_manager()

    class Meta:
        verbose_name = _("支出凭证")
        verbose_name_plural = _("支出凭证")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:voucher_download", args=[self.pk])


class FundingRollup(models.Model):
    """Pre-aggregated figures per organization, year, month, source and category, kept by the services on
    every write. ``allocated``/``spent`` cover the organization's whole subtree; ``own_*`` its own rows only.
    Allocation rows carry category ""."""

    # No single-column indexes on organization / parent: the unique key starts with organization_id and the
    # (parent_id_copy, year) index serves the children's rows, so each roll-up write maintains fewer indexes.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    org_path = models.CharField(max_length=255, db_index=True)
    parent_id_copy = models.IntegerField(null=True)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=16, choices=FundingSource.choices)
    category = models.CharField(max_length=16, choices=ExpenseCategory.choices, blank=True)
    allocated = money_field(_("下拨"), default=ZERO)
    spent = money_field(_("支出"), default=ZERO)
    own_allocated = money_field(_("本级下拨"), default=ZERO)
    own_spent = money_field(_("本级支出"), default=ZERO)

    objects = qs.FundingRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("经费汇总")
        verbose_name_plural = _("经费汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "month", "source", "category"], name="funding_rollup_uniq"
            )
        ]
        indexes = [models.Index(fields=["parent_id_copy", "year"], name="funding_rollup_parent_year")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}-{self.month:02d} {self.source}/{self.category}"
