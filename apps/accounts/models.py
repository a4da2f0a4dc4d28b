from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    ORG_STAFF = "org_staff", _("组织部工作人员")
    COMMITTEE_STAFF = "committee_staff", _("党委/党工委工作人员")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    INSPECTOR = "inspector", _("督查员")
    LEADER = "leader", _("领导（只读）")
    ROSTER_ADMIN = "roster_admin", _("党员信息管理员")


class UserQuerySet(OrgScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who logs in. Belongs to one organization; sees that organization and its subtree."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("所属党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("对应党员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("按花名册开通的书记账号对应的党员；书记更换后据此提示"),
    )
    provisioned_in = models.ForeignKey(
        "ProvisioningBatch",
        verbose_name=_("批量开通记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    created_by = models.ForeignKey(
        "self", verbose_name=_("开通人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [("view_full_pii", _("查看完整身份证号和手机号"))]

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self._revoke_tokens_on_save = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if getattr(self, "_revoke_tokens_on_save", False):
            # A new password ends every API token (sessions end through Django's session auth hash).
            from .authentication import revoke_tokens

            revoke_tokens(self)
            self._revoke_tokens_on_save = False

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name() or self.username

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:user_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.get_full_name()


class UserSessionQuerySet(OrgScopedQuerySet):
    scope_path = "user__organization__path"


class UserSession(models.Model):
    """One logged-in browser session of a user, so they can see where they are logged in and end the others."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip_address = models.CharField(_("IP地址"), max_length=45, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class ProvisioningBatchQuerySet(OrgScopedQuerySet):
    pass


class ProvisioningBatch(models.Model):
    """Accounts opened in one go for branch secretaries. The initial passwords are kept encrypted until the
    list is downloaded once, then erased: the organization hands the printed list out."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("开通范围"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(User, verbose_name=_("开通人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("开通时间"), auto_now_add=True)
    account_count = models.PositiveIntegerField(_("账号数"), default=0)
    sms_count = models.PositiveIntegerField(_("短信发送初始密码的账号数"), default=0)
    secret = models.BinaryField(_("初始密码（加密）"), null=True, blank=True, editable=False)
    downloaded_at = models.DateTimeField(_("下载时间"), null=True, blank=True)
    downloaded_by = models.ForeignKey(
        User, verbose_name=_("下载人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    AUDIT_EXCLUDE = ("secret",)
    objects = ProvisioningBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("批量开通记录")
        verbose_name_plural = _("批量开通记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization} {self.created_at:%Y-%m-%d %H:%M}（{self.account_count}个账号）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:provisioning_detail", args=[self.pk])
