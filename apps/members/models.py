from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import (
    Category,
    Discipline,
    Gender,
    LostContactReason,
    MemberStatus,
    MobileState,
    OccupationCategory,
    PartyPost,
    RecruitmentStage,
    TransferKind,
    TransferStatus,
)
from .codes import EDUCATION_CHOICES, ETHNICITY_CHOICES
from .crypto import decrypt, id_number_fields
from .querysets import MemberQuerySet, RecruitmentDocumentQuerySet, RecruitmentQuerySet, TransferQuerySet
from .validators import normalize_id_number


class EncryptedIdNumberMixin(models.Model):
    """ID number (公民身份号码) encrypted at rest, with an HMAC blind index and a stored masked form.

    ``obj.id_number`` reads (decrypts) and writes (encrypts, hashes, masks) the plain value; lists and
    masked output use ``id_masked`` and never decrypt. See crypto.py for the key handling.
    """

    id_number_enc = models.CharField(max_length=80, blank=True, editable=False)
    id_key_id = models.CharField(max_length=16, blank=True, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def id_number(self) -> str:
        cached = getattr(self, "_id_number_plain", None)
        if cached is not None:
            return cached
        plain = decrypt(self.id_key_id, self.id_number_enc) if self.id_number_enc else ""
        self._id_number_plain = plain
        return plain

    @id_number.setter
    def id_number(self, value: str) -> None:
        fields = id_number_fields(value or "")
        for name, v in fields.items():
            setattr(self, name, v)
        self._id_number_plain = normalize_id_number(value or "")


class Member(EncryptedIdNumberMixin):
    """A party member (党员) on the roster of one branch-like organization.

    ``org_path`` is a copy of ``organization.path`` (organization_move rewrites it): with the C-collated
    (org_path, id) index it makes any subtree page a single index range, without a join to Organization.
    The phone is stored in clear and masked by role on output (pages, API, exports): it is personal but not
    *sensitive* information under PIPL, branch secretaries maintain it, and imports compare it.
    """

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNICITY_CHOICES, default="01")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    education = models.CharField(_("学历"), max_length=2, choices=EDUCATION_CHOICES, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    occupation_category = models.CharField(
        _("工作岗位类别"), max_length=24, choices=OccupationCategory.choices, blank=True
    )
    category = models.CharField(_("人员类别"), max_length=12, choices=Category.choices, default=Category.FULL)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    probation_ends_on = models.DateField(_("预备期满日期"), null=True, blank=True, db_index=True)

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("所在党支部"), on_delete=models.PROTECT, related_name="members"
    )
    party_group = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所在党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
    )
    org_path = models.CharField(max_length=255, editable=False)
    party_post = models.CharField(_("党内职务"), max_length=20, choices=PartyPost.choices, blank=True)
    status = models.CharField(_("党籍状态"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)

    mobile_state = models.CharField(_("流动党员"), max_length=8, choices=MobileState.choices, blank=True)
    mobile_place = models.CharField(_("流出/流入地"), max_length=100, blank=True)
    mobile_since = models.DateField(_("流动开始日期"), null=True, blank=True)
    mobile_contact = models.CharField(_("流动期间联系方式"), max_length=100, blank=True)

    lost_contact = models.BooleanField(_("失联党员"), default=False)
    lost_contact_since = models.DateField(_("失联日期"), null=True, blank=True)
    lost_contact_reason = models.CharField(_("失联原因"), max_length=16, choices=LostContactReason.choices, blank=True)

    points = models.IntegerField(_("积分"), default=0)
    discipline = models.CharField(_("党纪处分"), max_length=16, choices=Discipline.choices, blank=True)
    discipline_until = models.DateField(_("处分期满日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # organization_dissolve refuses while any row matches.
    ORG_DISSOLVE_BLOCKING = Q(status=MemberStatus.ACTIVE)
    AUDIT_EXCLUDE = ("id_number_enc", "id_key_id", "id_hash", "id_masked", "org_path")
    AUDIT_EXTRA = {"id_number": "id_masked"}
    AUDIT_MASKED_FIELDS = {"id_number": "id_number", "phone": "phone"}

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["org_path", "id"]
        permissions = [
            ("view_full_id_number", "查看完整身份证号"),
            ("change_member_contact", "修改党员联系信息（电话、单位、职务、党小组）"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=Q(status="active") & ~Q(id_hash=""),
                name="member_active_id_unique",
                violation_error_message=_("身份证号已存在于在册党员中。"),
            ),
            models.CheckConstraint(
                condition=Q(points__gte=-100000),
                name="member_points_sane",
            ),
        ]
        # The subtree index (org_path COLLATE "C", id) and the name-prefix index are created in migration
        # 0002 on PostgreSQL only: SQLite has no "C" collation and sorts bytewise anyway.
        indexes = [
            models.Index(fields=["organization", "status"], name="member_org_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:member_detail", args=[self.pk])

    def party_standing_on(self, date: datetime.date) -> int | None:
        """党龄 in whole years, counted from the confirmation date (domain.md §3)."""
        if not self.confirmed_on or self.confirmed_on > date:
            return None
        c = self.confirmed_on
        return date.year - c.year - ((date.month, date.day) < (c.month, c.day))

    @property
    def party_standing(self) -> int | None:
        from django.utils import timezone

        return self.party_standing_on(timezone.localdate())

    def under_probation_discipline(self, on: datetime.date) -> bool:
        return self.discipline == Discipline.PROBATION and (
            self.discipline_until is None or self.discipline_until >= on
        )

    def age_on(self, date: datetime.date) -> int | None:
        if not self.birth_date:
            return None
        b = self.birth_date
        return date.year - b.year - ((date.month, date.day) < (b.month, b.day))


class Recruitment(EncryptedIdNumberMixin):
    """One person's way through 发展党员: applicant → activist → candidate → probationary → full member.

    Dates of every step live here; the interval checks between them come from ``RecruitmentRule`` rows.
    ``member`` is set on admission (branch vote), when the person becomes a probationary member.
    """

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNICITY_CHOICES, default="01")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=2, choices=EDUCATION_CHOICES, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    is_league_member = models.BooleanField(_("共青团员"), default=False)
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="recruitments"
    )
    stage = models.CharField(
        _("阶段"), max_length=16, choices=RecruitmentStage.choices, default=RecruitmentStage.APPLICANT
    )

    # 1. application
    applied_on = models.DateField(_("递交入党申请书日期"))
    talked_on = models.DateField(_("谈话日期"), null=True, blank=True)
    talked_by = models.CharField(_("谈话人"), max_length=50, blank=True)
    # 2. activist
    activist_on = models.DateField(_("确定为入党积极分子日期"), null=True, blank=True)
    activist_filed_on = models.DateField(_("积极分子报上级备案日期"), null=True, blank=True)
    league_recommended = models.BooleanField(_("团组织推优"), default=False)
    contacts = models.ManyToManyField(Member, verbose_name=_("培养联系人"), blank=True, related_name="+")
    # 3. candidate
    candidate_on = models.DateField(_("确定为发展对象日期"), null=True, blank=True)
    candidate_filed_on = models.DateField(_("发展对象报上级备案日期"), null=True, blank=True)
    introducers = models.ManyToManyField(Member, verbose_name=_("入党介绍人"), blank=True, related_name="+")
    political_review_on = models.DateField(_("政治审查结论日期"), null=True, blank=True)
    political_review_conclusion = models.CharField(_("政审结论"), max_length=200, blank=True)
    training_start = models.DateField(_("集中培训开始"), null=True, blank=True)
    training_end = models.DateField(_("集中培训结束"), null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(_("培训学时"), null=True, blank=True)
    # 4. admission
    committee_review_on = models.DateField(_("支委会审查日期"), null=True, blank=True)
    pre_review_on = models.DateField(_("上级预审日期"), null=True, blank=True)
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("公示结束"), null=True, blank=True)
    branch_vote_on = models.DateField(_("支部大会讨论接收日期"), null=True, blank=True)
    approved_on = models.DateField(_("上级党委审批日期"), null=True, blank=True)
    approval_delay_reason = models.CharField(_("审批超过三个月的原因"), max_length=200, blank=True)
    # 5. probation
    oath_on = models.DateField(_("入党宣誓日期"), null=True, blank=True)
    probation_extended_months = models.PositiveSmallIntegerField(_("延长预备期（月）"), null=True, blank=True)
    probation_ends_on = models.DateField(_("预备期满日期"), null=True, blank=True, db_index=True)
    confirmation_applied_on = models.DateField(_("转正申请日期"), null=True, blank=True)
    confirmation_vote_on = models.DateField(_("支部大会讨论转正日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    member = models.OneToOneField(
        Member, verbose_name=_("党员档案"), null=True, blank=True, on_delete=models.SET_NULL, related_name="recruitment"
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RecruitmentQuerySet.as_manager()

    AUDIT_EXCLUDE = ("id_number_enc", "id_key_id", "id_hash", "id_masked")
    AUDIT_EXTRA = {"id_number": "id_masked"}
    AUDIT_MASKED_FIELDS = {"id_number": "id_number", "phone": "phone"}

    class Meta:
        verbose_name = _("发展党员")
        verbose_name_plural = _("发展党员")
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["organization", "stage"], name="recruit_org_stage_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:recruitment_detail", args=[self.pk])


def recruitment_document_path(instance: RecruitmentDocument, filename: str) -> str:
    return f"recruitment/{instance.recruitment_id}/{filename}"


class RecruitmentDocument(models.Model):
    """A document of one recruitment step (申请书, 志愿书, 政审材料, 公示, 会议记录 …)."""

    recruitment = models.ForeignKey(Recruitment, on_delete=models.CASCADE, related_name="documents")
    stage = models.CharField(_("阶段"), max_length=16, choices=RecruitmentStage.choices)
    title = models.CharField(_("材料名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to=recruitment_document_path, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = RecruitmentDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("发展党员材料")
        verbose_name_plural = _("发展党员材料")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class RecruitmentRule(models.Model):
    """An interval rule between two recruitment dates, as data (a province may adjust them).

    Refused when ``to`` is earlier than ``from`` + min interval, or later than ``from`` + max interval.
    ``waived_by`` names a Recruitment field that, when filled, waives this rule (e.g. a recorded reason
    for approval between 3 and 6 months).
    """

    code = models.SlugField(_("规则代码"), max_length=50, unique=True)
    from_field = models.CharField(_("起始日期字段"), max_length=40)
    to_field = models.CharField(_("终止日期字段"), max_length=40)
    min_months = models.PositiveSmallIntegerField(_("最短间隔（月）"), null=True, blank=True)
    min_days = models.PositiveSmallIntegerField(_("最短间隔（天）"), null=True, blank=True)
    max_months = models.PositiveSmallIntegerField(_("最长间隔（月）"), null=True, blank=True)
    max_days = models.PositiveSmallIntegerField(_("最长间隔（天）"), null=True, blank=True)
    waived_by = models.CharField(_("填写后可豁免的字段"), max_length=40, blank=True)
    message = models.CharField(_("提示信息（含依据）"), max_length=200)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("发展党员时间规则")
        verbose_name_plural = _("发展党员时间规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.message


class Transfer(models.Model):
    """组织关系转接: requested by the sending side, approved there, then received (or returned) by the receiver.

    Until receipt the sending organization still manages the member (党员教育管理工作条例). A transfer to
    outside the system is finished when the sending side issues the letter (number, valid until).
    """

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("转接类型"), max_length=10, choices=TransferKind.choices, default=TransferKind.INTERNAL)
    from_org = models.ForeignKey(
        "organizations.Organization", verbose_name=_("转出党组织"), on_delete=models.PROTECT, related_name="+"
    )
    to_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("转入党组织"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    outside_destination = models.CharField(_("转往单位（系统外）"), max_length=200, blank=True)
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    letter_number = models.CharField(_("介绍信编号"), max_length=50, blank=True)
    valid_until = models.DateField(_("介绍信有效期至"), null=True, blank=True, db_index=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("接收/退回时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["requested", "approved"]),
                name="transfer_one_pending_per_member",
                violation_error_message=_("该党员已有一项正在办理的组织关系转接。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("members:transfer_detail", args=[self.pk])

    @property
    def org_path(self) -> str:
        return self.from_org.path


from .appraisal_models import (  # noqa: E402, F401
    Appraisal,
    AppraisalEntry,
    CardCategory,
    CardCount,
    MemberCard,
    PointEntry,
    PointRule,
    UnqualifiedHandling,
)
from .contact_models import ActivistReview, BranchVote, ContactReview, MemberContact, MobileRecord  # noqa: E402, F401
from .dues_models import (  # noqa: E402, F401
    DuesArrearsNote,
    DuesBase,
    DuesBracket,
    DuesHandover,
    DuesMonthStats,
    DuesPayment,
    DuesStatsRun,
)
from .roster_import.models import MemberImportJob  # noqa: E402, F401
