"""Every write of the notification machinery: notices (set-based), deliveries, read receipts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from apps.core.bulk import insert_ignore_returning
from apps.core.params import get_int_param, get_param

from .models import Channel, Delivery, DeliveryStatus, Notice


@dataclass(frozen=True)
class Recipient:
    user_id: int
    org_path: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class NoticeSpec:
    recipient: Recipient
    category: str
    title: str
    body: str = ""
    link: str = ""
    dedupe_key: str = ""
    #: extra SMS to people who are not users (phone, text), e.g. a member's political-birthday greeting
    extra_sms: tuple[tuple[str, str], ...] = ()


def recipients_for_orgs(org_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """Active users of each organization (one query)."""
    from apps.accounts.models import User

    out: dict[int, list[Recipient]] = {}
    ids = list(set(org_ids))
    if not ids:
        return out
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT u.id, u.organization_id, o.path, u.email, u.phone FROM accounts_user u"
                " JOIN organizations_organization o ON o.id = u.organization_id"
                " WHERE u.is_active AND u.organization_id = ANY(%s::bigint[])",
                [ids],
            )
            for uid, oid, path, email, phone in cur.fetchall():
                out.setdefault(oid, []).append(Recipient(uid, path, email or "", phone or ""))
        return out
    for i in range(0, len(ids), 500):
        rows = User.objects.filter(organization_id__in=ids[i : i + 500], is_active=True).values_list(
            "id", "organization_id", "organization__path", "email", "phone"
        )
        for uid, oid, path, email, phone in rows:
            out.setdefault(oid, []).append(Recipient(uid, path, email or "", phone or ""))
    return out


def _categories(key: str) -> set[str]:
    return {c.strip() for c in get_param(key).split(",") if c.strip()}


def notices_create(*, specs: Sequence[NoticeSpec]) -> list[int]:
    """Create notices and their deliveries in one go; a spec whose (recipient, dedupe_key) exists is skipped,
    so scheduled reminders can be rerun. Returns the new notice ids. E-mail/SMS go out after commit."""
    if not specs:
        return []
    now = timezone.now()
    with transaction.atomic():
        created = insert_ignore_returning(
            Notice,
            ["recipient", "org_path", "category", "title", "body", "link", "dedupe_key", "created_at"],
            [
                (
                    s.recipient.user_id,
                    s.recipient.org_path,
                    s.category,
                    s.title[:200],
                    s.body,
                    s.link[:255],
                    s.dedupe_key,
                    now,
                )
                for s in specs
            ],
            returning=("id", "recipient", "dedupe_key"),
        )
        by_key: dict[tuple[int, str], list[NoticeSpec]] = {}
        for spec in specs:
            by_key.setdefault((spec.recipient.user_id, spec.dedupe_key), []).append(spec)
        email_cats, sms_cats = _categories("notice_email_categories"), _categories("notice_sms_categories")
        rows: list[tuple] = []
        for nid, uid, key in created:
            spec = by_key[(uid, key)].pop(0)  # several key-less specs for one user: taken in order
            r = spec.recipient
            rows.append((nid, r.org_path, Channel.IN_APP, "", "", DeliveryStatus.SENT, 1, now, now, now))
            if r.email and spec.category in email_cats:
                rows.append((nid, r.org_path, Channel.EMAIL, r.email, "", DeliveryStatus.PENDING, 0, None, now, now))
            if r.phone and spec.category in sms_cats:
                rows.append((nid, r.org_path, Channel.SMS, r.phone, "", DeliveryStatus.PENDING, 0, None, now, now))
            for phone, text in spec.extra_sms:
                rows.append(
                    (nid, r.org_path, Channel.SMS, phone, text[:500], DeliveryStatus.PENDING, 0, None, now, now)
                )
        send_later = any(row[5] == DeliveryStatus.PENDING for row in rows)
        insert_ignore_returning(
            Delivery,
            ["notice", "org_path", "channel", "address", "text", "status", "attempts", "sent_at", "created_at",
             "updated_at"],
            rows,
        )  # fmt: skip
        if send_later:
            transaction.on_commit(_enqueue_send)
    return [c[0] for c in created]


def _enqueue_send() -> None:
    from .tasks import deliveries_send_task

    deliveries_send_task.delay()


def notify_orgs(
    *, org_ids: Iterable[int], category: str, title: str, body: str = "", link: str = "", dedupe_key: str = ""
) -> list[int]:
    """The same notice to every active user of the given organizations."""
    specs = [
        NoticeSpec(r, category, title, body, link, dedupe_key)
        for rs in recipients_for_orgs(org_ids).values()
        for r in rs
    ]
    return notices_create(specs=specs)


def _send_one(delivery: Delivery, sms_sender: Any) -> None:
    notice = delivery.notice
    text = f"{notice.title}\n\n{notice.body}".strip()
    if delivery.channel == Channel.EMAIL:
        send_mail(notice.title, delivery.text or text, None, [delivery.address], fail_silently=False)
    elif delivery.channel == Channel.SMS:
        sms_sender.send(phone=delivery.address, text=f"【党建平台】{delivery.text or notice.title}")


def deliveries_send(*, limit: int = 500) -> dict[str, int]:
    """Send due e-mail/SMS deliveries. Each row is locked while sent (skip-locked, so several workers share
    the queue); failures are recorded with the error and retried until ``notice_max_attempts``."""
    from .sms import get_sms_sender

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
                    d.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    d.status = DeliveryStatus.DEAD if d.attempts >= max_attempts else DeliveryStatus.FAILED
                    counts["dead" if d.status == DeliveryStatus.DEAD else "failed"] += 1
                else:
                    d.status, d.sent_at, d.last_error = DeliveryStatus.SENT, timezone.now(), ""
                    counts["sent"] += 1
            Delivery.objects.bulk_update(batch, ["attempts", "last_error", "status", "sent_at", "updated_at"])
            last_id = batch[-1].id
        if len(batch) < limit:
            return counts


def delivery_retry(*, acting_user: Any, delivery: Delivery) -> Delivery:
    """An admin puts a dead delivery back in the queue."""
    from apps.core.audit import audit_record
    from apps.core.scoping import ensure_perm

    ensure_perm(acting_user, "notifications.change_delivery")
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, attempts=0)
        audit_record(actor=acting_user, event="delivery.retry", obj=delivery, org_path=delivery.org_path)
        transaction.on_commit(_enqueue_send)
    delivery.refresh_from_db()
    return delivery


def notice_mark_read(*, user: Any, notice: Notice) -> Notice:
    if notice.recipient_id != user.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_mark_all_read(*, user: Any) -> int:
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
