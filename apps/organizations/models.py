from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.periods import add_years
from apps.core.scoping import path_in_subtree

from .choices import ConsolidationStatus, Grade, OrgKind, Sector
from .querysets import OrganizationQuerySet


class Organization(models.Model):
    """A party organization in the tree. ``path`` ("/1/7/42/") makes subtree queries one prefix filter."""

    name = models.CharField(_("名称"), max_length=100, db_index=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    doc_prefix = models.CharField(
        _("发文机关代字"),
        max_length=20,
        blank=True,
        help_text=_("公文文号的机关代字，如“东组”，函件文号即为“东组函〔2026〕3号”；不填则文号只有年份和序号。"),
    )
    code = models.CharField(
        _("组织代码"), max_length=32, unique=True, error_messages={"unique": _("该组织代码已被其他党组织使用。")}
    )
    kind = models.CharField(_("组织类别"), max_length=20, choices=OrgKind.choices)
    sector = models.CharField(_("所属领域"), max_length=24, choices=Sector.choices, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级党组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # Denormalized so tree pages show subtree sizes without counting (kept by services).
    descendant_count = models.PositiveIntegerField(_("下级组织数"), default=0, editable=False)

    secretary_name = models.CharField(_("书记"), max_length=50, blank=True)
    secretary_member = models.ForeignKey(
        "members.Member",
        verbose_name=_("书记（党员档案）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("从本组织党员中选择；选择后书记姓名随之更新"),
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    term_started_on = models.DateField(_("本届任期开始"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(
        _("任期年限"), null=True, blank=True, choices=[(3, _("3年")), (5, _("5年"))]
    )
    term_due_on = models.DateField(_("换届到期日"), null=True, blank=True, db_index=True, editable=False)

    star_rating = models.PositiveSmallIntegerField(
        _("星级"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    grade = models.CharField(_("分类定级"), max_length=12, choices=Grade.choices, blank=True)
    is_weak = models.BooleanField(_("软弱涣散"), default=False)
    consolidation_status = models.CharField(
        _("整顿状态"), max_length=16, choices=ConsolidationStatus.choices, blank=True, default=""
    )
    is_demonstration = models.BooleanField(_("示范点"), default=False)
    demonstration_year = models.PositiveSmallIntegerField(_("示范点年度"), null=True, blank=True)
    venue_address = models.CharField(_("活动阵地地址"), max_length=200, blank=True)
    venue_area = models.DecimalField(
        _("阵地面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    first_secretary = models.CharField(_("第一书记"), max_length=50, blank=True)
    contact_leader = models.CharField(_("联系领导"), max_length=50, blank=True)
    is_active = models.BooleanField(_("正常（未撤销）"), default=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    AUDIT_EXCLUDE = ("path", "depth", "descendant_count", "term_due_on")

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(star_rating__isnull=True) | models.Q(star_rating__gte=1, star_rating__lte=5),
                name="org_star_rating_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "name"], name="org_parent_name_idx"),
            models.Index(fields=["depth", "name", "id"], name="org_depth_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:organization_detail", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    def is_descendant_of(self, other: Organization, *, include_self: bool = False) -> bool:
        """Is this organization below ``other`` in the tree (or ``other`` itself with ``include_self``)?"""
        return path_in_subtree(self.path, other.path, strict=not include_self)

    def compute_term_due(self) -> datetime.date | None:
        if self.term_started_on and self.term_years:
            return add_years(self.term_started_on, self.term_years)
        return None

    # Cheap labels for list pages: get_FOO_display() re-hashes the whole choices list on every call.
    @property
    def kind_label(self) -> str:
        return str(OrgKind(self.kind).label) if self.kind else ""

    @property
    def sector_label(self) -> str:
        return str(Sector(self.sector).label) if self.sector else ""

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label) if self.grade else ""

    @property
    def is_branch_like(self) -> bool:
        from .choices import BRANCH_KINDS

        return self.kind in BRANCH_KINDS
