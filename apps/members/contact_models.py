"""Lost-contact reviews, recorded contacts, mobile members (流动党员), activists' half-yearly reviews and
branch votes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet, user_scope_path

from .choices import LostContactReason

ORG = "organizations.Organization"


class PathScoped(OrgScopedQuerySet):
    scope_path = "org_path"


class MemberContact(models.Model):
    """A recorded contact with a member (phone, visit, letter, online), which resets the lost-contact clock."""

    member = models.ForeignKey("members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    contacted_on = models.DateField(_("联系日期"))
    method = models.CharField(_("联系方式"), max_length=30)
    note = models.CharField(_("情况"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("党员联系记录")
        verbose_name_plural = _("党员联系记录")
        ordering = ["-contacted_on", "-id"]
        indexes = [models.Index(fields=["member", "contacted_on"], name="member_contact_date_idx")]

    def __str__(self) -> str:
        return f"{self.member} {self.contacted_on}"


class ReviewKind(models.TextChoices):
    LOST_CONTACT = "lost_contact", _("失联党员认定")
    REMOVAL = "removal", _("停止党籍满两年处置")


class ReviewDecision(models.TextChoices):
    NONE = "", _("待研究")
    MEMBERSHIP_STOPPED = "membership_stopped", _("停止党籍")
    RESTORED = "restored", _("已恢复联系")
    REMOVED = "removed", _("除名")


class ContactReview(models.Model):
    """A review the branch must decide: a member without contact, party life or dues for 6 months
    (失联), or still lost 2 years after 停止党籍. Nothing about the member changes until it is decided."""

    member = models.ForeignKey("members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(ORG, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("类型"), max_length=14, choices=ReviewKind.choices)
    opened_on = models.DateField(_("提出日期"))
    last_activity_on = models.DateField(_("最后联系/活动日期"), null=True, blank=True)
    reason = models.CharField(_("失联原因"), max_length=16, choices=LostContactReason.choices, blank=True)
    decision = models.CharField(_("决定"), max_length=20, choices=ReviewDecision.choices, blank=True)
    committee_on = models.DateField(_("支委会/支部大会研究日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("失联党员审查")
        verbose_name_plural = _("失联党员审查")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"], condition=Q(decision=""), name="contact_review_open_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()}"


class MobileDirection(models.TextChoices):
    OUTFLOW = "outflow", _("流出")
    INFLOW = "inflow", _("流入")


class MobileRecordQuerySet(OrgScopedQuerySet):
    """Visible to the member's own side and to the host organization inside the system."""

    scope_path = "org_path"

    def visible_to(self, user):  # type: ignore[override]
        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(Q(org_path__startswith=prefix) | Q(host_org__path__startswith=prefix))


class MobileRecord(models.Model):
    """A period of a member's mobility: where, from when to when, the 流动党员活动证 and the host organization."""

    member = models.ForeignKey("members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(ORG, verbose_name=_("所在党支部"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    direction = models.CharField(_("流向"), max_length=8, choices=MobileDirection.choices)
    place = models.CharField(_("流出/流入地"), max_length=100)
    host_org = models.ForeignKey(
        ORG,
        verbose_name=_("流入地党组织（系统内）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    host_name = models.CharField(_("流入地党组织（系统外）"), max_length=100, blank=True)
    starts_on = models.DateField(_("外出/流入日期"))
    ends_on = models.DateField(_("预计返回/期满日期"), null=True, blank=True)
    certificate_no = models.CharField(_("流动党员活动证编号"), max_length=40, blank=True)
    contact = models.CharField(_("流动期间联系方式"), max_length=100, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MobileRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("流动党员登记")
        verbose_name_plural = _("流动党员登记")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True), name="mobile_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_direction_display()} {self.place}"


class ActivistReview(models.Model):
    """培养考察: the branch's half-yearly review of an activist (入党积极分子)."""

    recruitment = models.ForeignKey("members.Recruitment", on_delete=models.CASCADE, related_name="reviews")
    org_path = models.CharField(max_length=255, editable=False)
    reviewed_on = models.DateField(_("考察日期"))
    conclusion = models.CharField(_("考察意见"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("积极分子考察记录")
        verbose_name_plural = _("积极分子考察记录")
        ordering = ["reviewed_on", "id"]

    def __str__(self) -> str:
        return f"{self.recruitment} {self.reviewed_on}"


class VoteKind(models.TextChoices):
    ADMISSION = "admission", _("接收预备党员")
    CONFIRMATION = "confirmation", _("预备党员转正")
    APPRAISAL = "appraisal", _("民主评议党员评定结果")
    RESOLUTION = "resolution", _("其他决议")


class BranchVote(models.Model):
    """A vote at the branch general meeting (admission, confirmation, the appraisal's ratings, a resolution):
    who could vote, who came, for/against/abstain, and whether it passed (yes > half of the voting full
    members)."""

    organization = models.ForeignKey(ORG, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("表决类别"), max_length=12, choices=VoteKind.choices, default=VoteKind.RESOLUTION)
    subject = models.CharField(_("表决事项"), max_length=200)
    recruitment = models.ForeignKey(
        "members.Recruitment",
        verbose_name=_("发展党员记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="votes",
    )
    appraisal = models.ForeignKey(
        "members.Appraisal",
        verbose_name=_("民主评议党员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="votes",
    )
    held_on = models.DateField(_("表决日期"))
    eligible = models.PositiveIntegerField(_("有表决权的正式党员"))
    present = models.PositiveIntegerField(_("到会有表决权党员"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    abstentions = models.PositiveIntegerField(_("弃权"))
    quorum_met = models.BooleanField(_("到会人数符合规定"))
    passed = models.BooleanField(_("通过"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PathScoped.as_manager()

    class Meta:
        verbose_name = _("支部大会表决")
        verbose_name_plural = _("支部大会表决")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.subject
