"""The in-app inbox and the per-channel deliveries behind it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import OrgScopedQuerySet, user_scope_path

#: the purpose a secret SMS (an initial password) is sealed under (apps.core.sealed)
SECRET_PURPOSE = "notifications.secret_sms"


class NoticeCategory(models.TextChoices):
    LETTER = "letter", _("三函")
    TERM_DUE = "term_due", _("换届提醒")
    PROBATION_DUE = "probation_due", _("预备党员转正提醒")
    LEDGER_DUE = "ledger_due", _("月度台账提醒")
    TRANSFER_EXPIRING = "transfer_expiring", _("介绍信即将到期")
    POLITICAL_BIRTHDAY = "political_birthday", _("政治生日")
    INSPECTION = "inspection", _("督查")
    LIFE_DAY = "life_day", _("组织生活日提醒")
    ACCOUNT = "account", _("账号安全")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败（将重试）")
    DEAD = "dead", _("发送失败（已停止重试）")
    SKIPPED = "skipped", _("无需发送")


class NoticeQuerySet(OrgScopedQuerySet):
    """A notice is personal: everyone sees only their own inbox, whatever their scope."""

    scope_path = "org_path"

    def visible_to(self, user: Any) -> NoticeQuerySet:
        if user_scope_path(user) is None:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """One message in one user's inbox. Deliveries carry it to e-mail and SMS."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notices"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    category = models.CharField(_("类别"), max_length=24, choices=NoticeCategory.choices, default="other")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    #: makes scheduled reminders idempotent: one notice per recipient and key
    dedupe_key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notice_dedupe_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notice_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notice_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"

    def due(self) -> DeliveryQuerySet:
        return self.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])


class Delivery(models.Model):
    """A notice on one channel: status, attempts and the last error are kept, so nothing is lost silently."""

    notice = models.ForeignKey(Notice, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="deliveries")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254, blank=True)
    #: the message on this channel when it differs from the notice (a greeting SMS to a member)
    text = models.CharField(_("短信/邮件内容"), max_length=500, blank=True)
    #: a message carrying a secret (an initial password): sealed here until sent once, then erased; ``text``
    #: holds the redacted wording the pages show
    secret = models.BinaryField(null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    AUDIT_EXCLUDE = ("secret",)
    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel", "address"], name="delivery_notice_channel_uniq")
        ]
        indexes = [
            models.Index(
                fields=["status"],
                condition=models.Q(status__in=["pending", "failed"]),
                name="delivery_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.notice_id}"
