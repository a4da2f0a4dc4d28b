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

    def __str__(self) -> str:
        return self.get_full_name()
