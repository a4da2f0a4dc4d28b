"""为民服务: the request pipeline (民情流水线) with working-day time limits, micro-wishes and 双报到."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import querysets as qs
from .choices import (
    Channel,
    ClaimantKind,
    RecordStatus,
    RegistrationStatus,
    RequestStatus,
    Satisfaction,
    StepAction,
    WishStatus,
)

ORG = "organizations.Organization"
USER = settings.AUTH_USER_MODEL


class ServiceCategory(models.Model):
    """A kind of request with its time limits in working days; data per region (the organization that
    defines it and everything below use it). ``parent`` groups sub-kinds (社保/医保/证照 under 民事代办)."""

    organization = models.ForeignKey(ORG, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("类别名称"), max_length=50)
    response_limit_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=1)
    closure_limit_days = models.PositiveSmallIntegerField(
        _("办结时限（工作日）"), default=5, validators=[MinValueValidator(1)]
    )
    follow_up_days = models.PositiveSmallIntegerField(_("回访时限（工作日）"), default=3)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = qs.CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "parent", "name"], name="sr_category_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.parent.name}·{self.name}" if self.parent_id and self.parent else self.name


class ServiceRequest(models.Model):
    """One resident's request on its way through the pipeline. Status changes only through the services
    in ``workflow.py``; every change is a ServiceStep on the timeline and an audit row."""

    organization = models.ForeignKey(ORG, verbose_name=_("承办组织"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    origin_org = models.ForeignKey(ORG, verbose_name=_("登记组织"), on_delete=models.PROTECT, related_name="+")
    origin_path = models.CharField(max_length=255, editable=False)
    channel = models.CharField(_("受理渠道"), max_length=10, choices=Channel.choices)
    requester_name = models.CharField(_("群众姓名"), max_length=50)
    requester_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    requester_address = models.CharField(_("住址"), max_length=200, blank=True)
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField(_("诉求内容"))
    received_at = models.DateTimeField(_("登记时间"))
    #: the clock's start: the registration date, or the reopening date of a second handling (二次办理)
    clock_start = models.DateField(_("计时起点"), editable=False)
    response_due_on = models.DateField(_("受理时限"))
    due_on = models.DateField(_("办结时限"))
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REGISTERED)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    #: the follow-up window's last day (办结 date + the category's follow_up_days working days)
    follow_up_due_on = models.DateField(_("回访时限"), null=True, blank=True, editable=False)
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    assignee_org = models.ForeignKey(
        ORG, verbose_name=_("承办单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee_member = models.ForeignKey(
        "members.Member", verbose_name=_("承办党员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee_agent = models.CharField(_("代办员"), max_length=50, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    follow_up_note = models.CharField(_("回访情况"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("二次办理次数"), default=0)
    transfer_count = models.PositiveSmallIntegerField(_("转办次数"), default=0)
    escalated = models.BooleanField(_("已上报"), default=False)
    suspension_pending = models.BooleanField(_("挂起待批"), default=False)
    suspend_reason = models.CharField(_("挂起原因"), max_length=300, blank=True)
    suspended_on = models.DateField(_("挂起日期"), null=True, blank=True)
    suspended_days = models.PositiveSmallIntegerField(_("挂起工作日数"), default=0)
    status_before_suspend = models.CharField(max_length=12, blank=True, editable=False)
    responded_on_time = models.BooleanField(_("按时受理"), null=True, editable=False)
    closed_on_time = models.BooleanField(_("按时办结"), null=True, editable=False)
    workdays_to_close = models.PositiveSmallIntegerField(_("办结用时（工作日）"), null=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("疑似重复"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = qs.ServiceRequestQuerySet.as_manager()

    EXTRA_PATH_FIELDS = ("origin_path",)
    AUDIT_EXCLUDE = (
        "org_path",
        "origin_path",
        "requester_name",
        "requester_address",
        "status_before_suspend",
        "clock_start",
    )
    AUDIT_MASKED_FIELDS = {"requester_phone": "phone"}

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["-received_at", "-id"]
        permissions = [("reveal_requester_pii", _("查看群众完整联系方式"))]
        indexes = [
            models.Index(fields=["org_path", "-received_at"], name="sr_req_path_received_idx"),
            models.Index(fields=["origin_path", "-received_at"], name="sr_req_origin_received_idx"),
            models.Index(fields=["status", "due_on"], name="sr_req_status_due_idx"),
            # the list's keyset order: a backward scan finds a page of a large subtree without sorting it
            models.Index(fields=["-received_at", "-id"], name="sr_req_received_id_idx"),
            models.Index(fields=["category", "-received_at"], name="sr_req_cat_received_idx"),
            models.Index(fields=["requester_phone", "category", "received_at"], name="sr_req_dup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.content[:30]}"

    def get_absolute_url(self) -> str:
        return reverse("service_requests:request_detail", args=[self.pk])

    @property
    def code(self) -> str:
        return f"FW{self.pk:08d}" if self.pk else ""

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        from .choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES and self.due_on < timezone.localdate()


class ServiceStep(models.Model):
    """One entry of a request's timeline: who did what, when, with a note and optional evidence."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("服务事项"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("环节"), max_length=16, choices=StepAction.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=RequestStatus.choices, blank=True)
    actor = models.ForeignKey(USER, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    actor_org_name = models.CharField(_("操作人单位"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    attachment = models.FileField(_("佐证材料"), upload_to="service/%Y/%m/", blank=True)
    attachment_name = models.CharField(_("附件名"), max_length=200, blank=True)

    objects = qs.StepQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class ServiceStatMonth(models.Model):
    """Figures per organization, month (of registration) and category, kept current by every write.
    ``is_rollup`` False: the organization's own requests; True: its whole subtree (so the rates page of a
    province reads a handful of rows)."""

    organization = models.ForeignKey(ORG, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField(_("月份"))
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("服务类别"), on_delete=models.CASCADE, related_name="+"
    )
    is_rollup = models.BooleanField(_("含下级"), default=False)
    volume = models.IntegerField(_("总量"), default=0)
    responded = models.IntegerField(_("已受理"), default=0)
    responded_on_time = models.IntegerField(_("按时受理"), default=0)
    closed = models.IntegerField(_("已办结"), default=0)
    closed_on_time = models.IntegerField(_("按时办结"), default=0)
    followed_up = models.IntegerField(_("已回访"), default=0)
    satisfied = models.IntegerField(_("满意（含基本满意）"), default=0)
    reopened = models.IntegerField(_("二次办理"), default=0)
    workdays_to_close = models.IntegerField(_("办结用时合计（工作日）"), default=0)

    objects = qs.StatQuerySet.as_manager()

    COUNTERS = (
        "volume", "responded", "responded_on_time", "closed", "closed_on_time", "followed_up", "satisfied",
        "reopened", "workdays_to_close",
    )  # fmt: skip

    class Meta:
        verbose_name = _("服务统计（月）")
        verbose_name_plural = _("服务统计（月）")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "is_rollup", "month", "category"], name="sr_stat_unique_org_month_cat"
            )
        ]
        indexes = [models.Index(fields=["org_path", "month"], name="sr_stat_path_month_idx")]

    def __str__(self) -> str:
        return f"{self.org_path} {self.month:%Y-%m}"


class ServiceStatDay(models.Model):
    """Subtree figures per organization, day of registration and category, kept current by the same writes
    as ServiceStatMonth. Read only for the partial months at the edges of an arbitrary date range (whole
    months come from the monthly table), so a range page reads at most two months of day rows."""

    organization = models.ForeignKey(ORG, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    day = models.DateField(_("日期"))
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("服务类别"), on_delete=models.CASCADE, related_name="+"
    )
    volume = models.IntegerField(_("总量"), default=0)
    responded = models.IntegerField(_("已受理"), default=0)
    responded_on_time = models.IntegerField(_("按时受理"), default=0)
    closed = models.IntegerField(_("已办结"), default=0)
    closed_on_time = models.IntegerField(_("按时办结"), default=0)
    followed_up = models.IntegerField(_("已回访"), default=0)
    satisfied = models.IntegerField(_("满意（含基本满意）"), default=0)
    reopened = models.IntegerField(_("二次办理"), default=0)
    workdays_to_close = models.IntegerField(_("办结用时合计（工作日）"), default=0)

    objects = qs.StatQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务统计（日）")
        verbose_name_plural = _("服务统计（日）")
        constraints = [
            models.UniqueConstraint(fields=["organization", "day", "category"], name="sr_statday_unique_org_day_cat")
        ]
        indexes = [models.Index(fields=["org_path", "day"], name="sr_statday_path_day_idx")]

    def __str__(self) -> str:
        return f"{self.org_path} {self.day:%Y-%m-%d}"


class MicroWish(models.Model):
    """微心愿: a resident's small wish posted by a community, claimed by a member or a unit, fulfilled with
    evidence and confirmed by the community."""

    organization = models.ForeignKey(ORG, verbose_name=_("发布社区"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(_("心愿"), max_length=100)
    content = models.TextField(_("心愿详情"), blank=True)
    beneficiary = models.CharField(_("心愿人"), max_length=50, blank=True)
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2, default=0)
    deadline = models.DateField(_("期望实现日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=WishStatus.choices, default=WishStatus.OPEN)
    claimant_kind = models.CharField(_("认领方类型"), max_length=8, choices=ClaimantKind.choices, blank=True)
    claimant_name = models.CharField(_("认领人/单位"), max_length=100, blank=True)
    claimant_member = models.ForeignKey(
        "members.Member", verbose_name=_("认领党员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimant_org = models.ForeignKey(
        ORG, verbose_name=_("认领单位党组织"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("实现时间"), null=True, blank=True)
    fulfil_note = models.TextField(_("实现情况"), blank=True)
    evidence = models.FileField(_("佐证照片"), upload_to="wishes/%Y/%m/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    posted_by = models.ForeignKey(
        USER, verbose_name=_("发布人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = qs.WishQuerySet.as_manager()
    AUDIT_EXCLUDE = ("org_path", "evidence")

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("service_requests:wish_detail", args=[self.pk])


class ServicePost(models.Model):
    """公益性岗位 a community offers to registered in-service members."""

    organization = models.ForeignKey(ORG, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    name = models.CharField(_("岗位名称"), max_length=100)
    description = models.CharField(_("岗位说明"), max_length=300, blank=True)
    capacity = models.PositiveSmallIntegerField(_("需要人数"), default=5)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = qs.ServicePostQuerySet.as_manager()

    class Meta:
        verbose_name = _("公益性岗位")
        verbose_name_plural = _("公益性岗位")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CommunityRegistration(models.Model):
    """在职党员双报到: an in-service member (or a unit's party organization) registers with a community.
    Visible to the community's subtree and to the home organization's subtree."""

    organization = models.ForeignKey(ORG, verbose_name=_("报到社区"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    home_org = models.ForeignKey(ORG, verbose_name=_("所在党组织"), on_delete=models.PROTECT, related_name="+")
    home_path = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("报到类型"), max_length=8, choices=ClaimantKind.choices)
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        ServicePost, verbose_name=_("认领岗位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_on = models.DateField(_("报到日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    confirmed_at = models.DateTimeField(_("社区确认时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = qs.RegistrationQuerySet.as_manager()

    EXTRA_PATH_FIELDS = ("home_path",)
    AUDIT_EXCLUDE = ("org_path", "home_path")

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "member"], condition=models.Q(member__isnull=False), name="sr_reg_member_once"
            ),
            models.UniqueConstraint(
                fields=["organization", "home_org"], condition=models.Q(kind="unit"), name="sr_reg_unit_once"
            ),
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id and self.member else self.home_org.name
        return f"{who} → {self.organization.name}"

    def get_absolute_url(self) -> str:
        return reverse("service_requests:registration_detail", args=[self.pk])


class ServiceRecord(models.Model):
    """One service by a registered member or unit, confirmed by the community."""

    registration = models.ForeignKey(
        CommunityRegistration, verbose_name=_("报到"), on_delete=models.CASCADE, related_name="records"
    )
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=6, decimal_places=1, default=0)
    people_served = models.PositiveIntegerField(_("服务群众（人次）"), default=0)
    disputes_resolved = models.PositiveIntegerField(_("化解矛盾纠纷（起）"), default=0)
    content = models.CharField(_("服务内容"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.PENDING)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = qs.RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return f"{self.served_on:%Y-%m-%d} {self.content[:20]}"
