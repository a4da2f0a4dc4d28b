"""The SMS channel for secrets (initial passwords), registered in ``apps.core.secret_sms`` from ready().

A secret message is one notice in the account's own inbox (without the secret) plus one SMS delivery whose
text is sealed until it is sent once; the delivery row shows only the redacted wording. A newer secret for the
same account cancels an older one still waiting (its password no longer works)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.pii import mask_phone
from apps.core.sealed import seal
from apps.core.secret_sms import SecretSms, SecretSmsStatus

from .models import SECRET_PURPOSE, Channel, Delivery, DeliveryStatus, Notice, NoticeCategory
from .queue import enqueue_send
from .sms import sms_backend_delivers


class NotificationsSecretSmsChannel:
    def available(self) -> bool:
        return sms_backend_delivers()

    def send(self, messages: Sequence[SecretSms]) -> None:
        if not messages:
            return
        now = timezone.now()
        with transaction.atomic():
            user_ids = {m.user_id for m in messages}
            Delivery.objects.filter(
                notice__recipient_id__in=user_ids,
                notice__category=NoticeCategory.ACCOUNT,
                channel=Channel.SMS,
                status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
            ).update(status=DeliveryStatus.SKIPPED, secret=None, last_error=_("已被新的密码短信取代"), updated_at=now)
            notices = Notice.objects.bulk_create(
                [
                    Notice(
                        recipient_id=m.user_id,
                        org_path=m.org_path,
                        category=NoticeCategory.ACCOUNT,
                        title=m.title[:200],
                        body=_("已通过短信发送至 %(p)s。登录后须修改密码；如非本人操作，请联系管理员。")
                        % {"p": mask_phone(m.phone)},
                    )
                    for m in messages
                ]
            )
            rows = []
            for notice, m in zip(notices, messages, strict=True):
                rows.append(Delivery(notice=notice, org_path=m.org_path, channel=Channel.IN_APP,
                                     status=DeliveryStatus.SENT, attempts=1, sent_at=now))  # fmt: skip
                rows.append(
                    Delivery(
                        notice=notice,
                        org_path=m.org_path,
                        channel=Channel.SMS,
                        address=m.phone,
                        text=m.redacted[:500],
                        secret=seal(SECRET_PURPOSE, m.text),
                        status=DeliveryStatus.PENDING,
                    )
                )
            Delivery.objects.bulk_create(rows)
            transaction.on_commit(enqueue_send)

    def status(self, user_ids: Iterable[int]) -> dict[int, SecretSmsStatus]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = (
            Delivery.objects.filter(
                notice__recipient_id__in=ids, notice__category=NoticeCategory.ACCOUNT, channel=Channel.SMS
            )
            .order_by("notice__recipient_id", "-id")
            .values_list("notice__recipient_id", "status", "address", "attempts", "last_error", "created_at", "sent_at")
        )
        labels = dict(DeliveryStatus.choices)
        out: dict[int, SecretSmsStatus] = {}
        for uid, status, address, attempts, error, created_at, sent_at in rows:
            if uid not in out:
                out[uid] = SecretSmsStatus(
                    status, str(labels[status]), mask_phone(address), attempts, error, created_at, sent_at
                )
        return out
