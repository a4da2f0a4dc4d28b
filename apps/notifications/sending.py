"""Sending: the worker side of deliveries. Due e-mail/SMS rows are locked, sent, and their outcome recorded."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from apps.core.params import get_int_param
from apps.core.sealed import unseal

from .models import SECRET_PURPOSE, Channel, Delivery, DeliveryStatus
from .sms import SmsGatewayError, get_sms_sender

SMS_SIGNATURE = "【党建平台】"


def _send_one(delivery: Delivery, sms_sender: Any) -> None:
    notice = delivery.notice
    text = f"{notice.title}\n\n{notice.body}".strip()
    if delivery.channel == Channel.EMAIL:
        send_mail(notice.title, delivery.text or text, None, [delivery.address], fail_silently=False)
    elif delivery.channel == Channel.SMS:
        if delivery.secret is not None:
            secret_text = unseal(SECRET_PURPOSE, delivery.secret)
            sms_sender.send(phone=delivery.address, text=f"{SMS_SIGNATURE}{secret_text}", sensitive=True)
        else:
            sms_sender.send(phone=delivery.address, text=f"{SMS_SIGNATURE}{delivery.text or notice.title}")


def deliveries_send(*, limit: int = 500) -> dict[str, int]:
    """Send due e-mail/SMS deliveries. Each row is locked while sent (skip-locked, so several workers share
    the queue); failures are recorded with the error and retried until ``notice_max_attempts``. A sealed
    secret is erased once sent or given up, so it never outlives its one delivery."""
    max_attempts = get_int_param("notice_max_attempts")
    sms_sender = get_sms_sender()
    counts = {"sent": 0, "failed": 0, "dead": 0}
    skip_locked = connection.features.has_select_for_update_skip_locked
    last_id = 0
    while True:
        with transaction.atomic():
            # id > last_id: a row that failed in this run waits for the next run (the beat retries every 10 min)
            qs = Delivery.objects.due().filter(id__gt=last_id).select_related("notice").order_by("id")
            if connection.features.has_select_for_update:
                qs = qs.select_for_update(skip_locked=skip_locked, of=("self",))
            batch = list(qs[:limit])
            if not batch:
                return counts
            for d in batch:
                d.attempts += 1
                try:
                    _send_one(d, sms_sender)
                except Exception as exc:  # any gateway error: record and retry later
                    error = str(exc) if isinstance(exc, SmsGatewayError) else f"{type(exc).__name__}: {exc}"
                    d.last_error = error[:2000]
                    d.status = DeliveryStatus.DEAD if d.attempts >= max_attempts else DeliveryStatus.FAILED
                    counts["dead" if d.status == DeliveryStatus.DEAD else "failed"] += 1
                else:
                    d.status, d.sent_at, d.last_error = DeliveryStatus.SENT, timezone.now(), ""
                    counts["sent"] += 1
                if d.status in (DeliveryStatus.SENT, DeliveryStatus.DEAD):
                    d.secret = None
            Delivery.objects.bulk_update(batch, ["attempts", "last_error", "status", "sent_at", "updated_at", "secret"])
            last_id = batch[-1].id
        if len(batch) < limit:
            return counts
