"""Supervision: the three letters (三函), accountability, inspections (督查) and observation visits (观摩)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet

from .choices import (
    AccountabilityKind,
    AccountabilityStatus,
    InspectionStatus,
    LetterKind,
    LetterStatus,
    RecordStatus,
    Severity,
)
from .querysets import (
    FindingQuerySet,
    InspectionPlanQuerySet,
    IssuerScopedQuerySet,
    LetterAttachmentQuerySet,
    LetterItemQuerySet,
    LetterQuerySet,
    PathScopedQuerySet,
)
from .refs import object_ref_url

Org = "organizations.Organization"
User = settings.AUTH_USER_MODEL


class LetterRule(models.Model):
    """The monthly three-letter rule of one issuing organization (local practice, so data)."""

    issuer = models.OneToOneField(Org, verbose_name=_("发函单位"), on_delete=models.CASCADE, related_name="letter_rule")
    is_active = models.BooleanField(_("启用"), default=True)
    reminder_enabled = models.BooleanField(_("发提示函"), default=True)
    reminder_day = models.PositiveSmallIntegerField(_("提示函日期（每月几日）"), default=1)
    supervision_enabled = models.BooleanField(_("发督办函"), default=True)
    supervision_day = models.PositiveSmallIntegerField(_("督办函日期（每月几日）"), default=15)
    warning_enabled = models.BooleanField(_("发预警函"), default=True)
    warning_day = models.PositiveSmallIntegerField(_("预警函日期（每月几日，0=月末）"), default=0)
    response_days = models.PositiveSmallIntegerField(_("答复期限（天）"), default=7)
    warning_requires_supervision = models.BooleanField(_("预警函仅发给本月已收督办函的组织"), default=True)
    warning_threshold = models.PositiveSmallIntegerField(_("问责：预警次数"), default=2)
    warning_window_months = models.PositiveSmallIntegerField(_("问责：统计月数"), default=3)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssuerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("三函规则")
        verbose_name_plural = _("三函规则")

    def __str__(self) -> str:
        return f"{self.issuer}的三函规则"

    def enabled(self, kind: str) -> bool:
        return self.is_active and getattr(self, f"{kind}_enabled")

    def day(self, kind: str) -> int:
        return getattr(self, f"{kind}_day")


class LetterTemplateQuerySet(OrgScopedQuerySet):
    scope_path = "issuer__path"


class LetterTemplate(models.Model):
    """Title and body of a letter kind; an issuer may override the default (issuer empty). Placeholders:
    {addressee} {issuer} {period_label} {issue_date} {deadline} {number}."""

    issuer = models.ForeignKey(
        Org, verbose_name=_("发函单位（空=默认）"), null=True, blank=True, on_delete=models.CASCADE
    )
    kind = models.CharField(_("函件类别"), max_length=12, choices=LetterKind.choices)
    title = models.CharField(_("标题模板"), max_length=200)
    body = models.TextField(_("正文模板"))

    objects = LetterTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("函件模板")
        verbose_name_plural = _("函件模板")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kind"], name="letter_template_issuer_kind_uniq"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(issuer__isnull=True), name="letter_template_default_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}模板"


class LetterCounter(models.Model):
    """Numbers per issuer and year. The row is locked (SELECT … FOR UPDATE) while numbers are handed out."""

    SCOPING_EXEMPT = "internal number counter, never shown or edited through a user-facing path"

    issuer = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="letter_counter_uniq")]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.year}: {self.last_number}"


class LetterRun(models.Model):
    """One monthly run of one kind for one issuer: what it created, and whether it finished. A finished run
    is not redone unless forced (``issue_letters --force``); an unfinished one (a crash) is resumed."""

    issuer = models.ForeignKey(Org, verbose_name=_("发函单位"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("函件类别"), max_length=12, choices=LetterKind.choices)
    period = models.CharField(_("月份"), max_length=7)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created = models.PositiveIntegerField(_("新发函件"), default=0)
    existing = models.PositiveIntegerField(_("已有函件"), default=0)

    objects = IssuerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("三函批次")
        verbose_name_plural = _("三函批次")
        constraints = [models.UniqueConstraint(fields=["issuer", "kind", "period"], name="letter_run_uniq")]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.kind} {self.period}"


class Letter(models.Model):
    """A reminder, supervision or warning letter from an organization to one below it."""

    kind = models.CharField(_("函件类别"), max_length=12, choices=LetterKind.choices)
    # FK indexes left out where a composite index below starts with the column (fewer indexes to maintain
    # when a monthly run inserts 100,000 letters).
    issuer = models.ForeignKey(
        Org, verbose_name=_("发函单位"), on_delete=models.PROTECT, related_name="letters_sent", db_index=False
    )
    addressee = models.ForeignKey(
        Org, verbose_name=_("收函单位"), on_delete=models.PROTECT, related_name="letters_received", db_index=False
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    period = models.CharField(_("月份"), max_length=7)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    issued_on = models.DateField(_("发函日期"))
    response_deadline = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.SENT)
    is_manual = models.BooleanField(_("人工发函"), default=False)
    item_count = models.PositiveIntegerField(_("事项数"), default=0)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    read_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    read_by = models.ForeignKey(
        User,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    close_note = models.CharField(_("办结意见"), max_length=500, blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("三函")
        verbose_name_plural = _("三函")
        ordering = ["-issued_on", "-id"]
        permissions = [
            ("issue_letter", _("发出三函")),
            ("answer_letter", _("答复三函")),
            ("close_letter", _("办结三函")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "addressee", "kind", "period"], name="letter_once_per_period"),
            models.UniqueConstraint(fields=["issuer", "year", "number"], name="letter_number_uniq"),
        ]
        indexes = [
            models.Index(fields=["issuer", "kind", "period"], name="letter_issuer_kind_period_idx"),
            models.Index(fields=["addressee", "kind", "period"], name="letter_addressee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.number_display}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:letter_detail", args=[self.pk])

    @property
    def addressee_line(self) -> str:
        """主送机关 (the body's first line when it ends with a colon), shown flush left in the document."""
        first = (self.body or "").split("\n", 1)[0].strip()
        return first if first.endswith(("：", ":")) else ""

    @property
    def body_paragraphs(self) -> list[str]:
        lines = [line.strip() for line in (self.body or "").splitlines() if line.strip()]
        return lines[1:] if self.addressee_line else lines

    #: the document-kind character after the issuer's prefix (东组 + 函 + 〔2026〕3号)
    DOC_KIND = "函"

    @property
    def number_display(self) -> str:
        """发文字号 per GB/T 9704: issuer's abbreviation + kind + 〔year〕 + number, e.g. 东组函〔2026〕3号."""
        prefix = self.issuer.doc_prefix if self.issuer_id and self.issuer.doc_prefix else ""
        return f"{prefix}{self.DOC_KIND if prefix else ''}〔{self.year}〕{self.number}号"

    def is_overdue(self, today=None) -> bool:
        return self.status in (LetterStatus.SENT, LetterStatus.READ) and self.response_deadline < (
            today or timezone.localdate()
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()


class LetterItem(models.Model):
    """One thing a letter is about; ``object_ref`` ("app.model:pk") links back to the task, ledger, etc."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="items", db_index=False)
    seq = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("事项类别"), max_length=40)
    title = models.CharField(_("事项"), max_length=300)
    due_date = models.DateField(_("期限"), null=True, blank=True)
    object_ref = models.CharField(_("关联对象"), max_length=80, blank=True)

    objects = LetterItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("函件事项")
        verbose_name_plural = _("函件事项")
        ordering = ["letter", "seq"]
        constraints = [models.UniqueConstraint(fields=["letter", "seq"], name="letter_item_seq_uniq")]
        indexes = [models.Index(fields=["object_ref"], name="letter_item_ref_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def target_url(self) -> str:
        return object_ref_url(self.object_ref)


class LetterAttachment(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="letters/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = LetterAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("答复附件")
        verbose_name_plural = _("答复附件")

    def __str__(self) -> str:
        return self.name


class Accountability(models.Model):
    """An accountability case (问责) opened after repeated warnings or by hand; the department decides."""

    issuer = models.ForeignKey(Org, verbose_name=_("问责单位"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Org, verbose_name=_("被问责组织"), on_delete=models.PROTECT, related_name="accountabilities"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    period = models.CharField(_("月份"), max_length=7)
    kind = models.CharField(
        _("问责方式"), max_length=20, choices=AccountabilityKind.choices, default=AccountabilityKind.PENDING
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=AccountabilityStatus.choices, default=AccountabilityStatus.OPEN
    )
    basis = models.TextField(_("问责依据"), blank=True)
    letters = models.ManyToManyField(Letter, verbose_name=_("相关预警函"), blank=True, related_name="accountabilities")
    decision = models.TextField(_("处理决定"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    is_automatic = models.BooleanField(_("自动立案"), default=False)
    created_at = models.DateTimeField(_("立案时间"), default=timezone.now)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("问责")
        verbose_name_plural = _("问责")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "organization", "period"],
                condition=models.Q(is_automatic=True),
                name="accountability_auto_once",
            )
        ]

    def __str__(self) -> str:
        from apps.core.periods import Period

        try:
            month = Period.parse(self.period).label  # 2026年11月, as months read (docs/ui.md)
        except Exception:
            month = self.period
        return f"{self.organization}（{month}）问责"

    def get_absolute_url(self) -> str:
        return reverse("supervision:accountability_detail", args=[self.pk])


class InspectionPlan(models.Model):
    """An inspection (督查): topic, month, inspecting group, targets by subtree/kind/sector, methods."""

    organization = models.ForeignKey(Org, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("督查主题"), max_length=200)
    period = models.CharField(_("月份"), max_length=7)
    start_on = models.DateField(_("开始日期"), null=True, blank=True)
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    inspectors = models.ManyToManyField(User, verbose_name=_("督查组成员"), blank=True, related_name="+")
    target_root = models.ForeignKey(
        Org, verbose_name=_("督查范围（含下级）"), on_delete=models.PROTECT, related_name="+"
    )
    target_kinds = models.JSONField(_("组织类别"), default=list, blank=True)
    target_sectors = models.JSONField(_("所属领域"), default=list, blank=True)
    method_reports = models.BooleanField(_("听取汇报"), default=True)
    method_documents = models.BooleanField(_("查阅资料"), default=True)
    method_site_visit = models.BooleanField(_("实地查看"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查计划")
        verbose_name_plural = _("督查计划")
        ordering = ["-period", "-id"]
        # the nav bar (apps/core/navigation.py) shows 督查 to holders of supervision.view_inspection
        permissions = [("view_inspection", _("查看督查（导航）"))]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("supervision:inspection_detail", args=[self.pk])

    @property
    def methods_display(self) -> str:
        names = [
            (self.method_reports, "听取汇报"),
            (self.method_documents, "查阅资料"),
            (self.method_site_visit, "实地查看"),
        ]
        return "、".join(n for on, n in names if on)

    @property
    def target_kinds_display(self) -> str:
        from apps.organizations.choices import OrgKind

        labels = dict(OrgKind.choices)
        return "、".join(str(labels.get(k, k)) for k in self.target_kinds or [])

    @property
    def target_sectors_display(self) -> str:
        from apps.organizations.choices import Sector

        labels = dict(Sector.choices)
        return "、".join(str(labels.get(k, k)) for k in self.target_sectors or [])

    @classmethod
    def audit_display_value(cls, name: str, value: object) -> str | None:
        """变更历史 shows the organization kinds and sectors by their Chinese names."""
        from apps.organizations.choices import OrgKind, Sector

        choices = {"target_kinds": OrgKind, "target_sectors": Sector}.get(name)
        if choices is None or not isinstance(value, list):
            return None
        labels = dict(choices.choices)
        return "、".join(str(labels.get(v, v)) for v in value)


class InspectionRecord(models.Model):
    """The inspection of one target organization."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="records")
    target = models.ForeignKey(Org, verbose_name=_("被督查组织"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.PENDING)
    inspected_on = models.DateField(_("督查日期"), null=True, blank=True)
    inspector = models.ForeignKey(User, verbose_name=_("督查人"), null=True, blank=True, on_delete=models.SET_NULL)
    summary = models.TextField(_("督查情况"), blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        ordering = ["org_path"]
        constraints = [models.UniqueConstraint(fields=["plan", "target"], name="inspection_record_uniq")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.target}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:record_detail", args=[self.pk])


class Finding(models.Model):
    """A problem found in an inspection. It becomes a problem item in the target's problem list."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="findings")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    category = models.CharField(_("问题类别"), max_length=50)
    description = models.TextField(_("问题描述"))
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=[("open", _("待整改")), ("rectified", _("已整改"))], default="open"
    )
    problem = models.ForeignKey(
        "responsibility.ProblemItem",
        verbose_name=_("问题清单条目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    #: "responsibility.problemitem:<pk>", the same link as text (for letters and exports)
    problem_ref = models.CharField(_("问题清单条目"), max_length=80, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查发现问题")
        verbose_name_plural = _("督查发现问题")
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return self.description[:40]


class ObservationVisit(models.Model):
    """An observation visit (观摩): organizations visited, scored and ranked."""

    organization = models.ForeignKey(Org, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("观摩主题"), max_length=200)
    period = models.CharField(_("月份"), max_length=7)
    visit_on = models.DateField(_("观摩日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩活动")
        verbose_name_plural = _("观摩活动")
        ordering = ["-period", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("supervision:observation_detail", args=[self.pk])


class ObservationScore(models.Model):
    visit = models.ForeignKey(ObservationVisit, on_delete=models.CASCADE, related_name="scores")
    target = models.ForeignKey(Org, verbose_name=_("被观摩组织"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    comment = models.CharField(_("评语"), max_length=300, blank=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("观摩评分")
        verbose_name_plural = _("观摩评分")
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["visit", "target"], name="observation_score_uniq")]

    def __str__(self) -> str:
        return f"{self.target}: {self.score}"


from .observation_models import (  # noqa: E402,F401  (observation scoring lives in its own module)
    ObservationDimension,
    ObservationFinding,
    ObservationRating,
    ObservationSheet,
    ObservationTarget,
)
