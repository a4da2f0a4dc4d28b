"""Every write of the notification machinery: notices (set-based), deliveries, read receipts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from apps.core.bulk import insert_ignore_returning
from apps.core.params import get_param

from .models import Channel, Delivery, DeliveryStatus, Notice
from .queue import enqueue_send

if TYPE_CHECKING:
    from apps.accounts.models import User


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
            transaction.on_commit(enqueue_send)
    return [c[0] for c in created]


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


def delivery_retry(*, acting_user: User, delivery: Delivery) -> Delivery:
    """An admin puts a dead delivery back in the queue."""
    from apps.core.audit import audit_record
    from apps.core.scoping import ensure_perm

    ensure_perm(acting_user, "notifications.change_delivery")
    if delivery.channel == Channel.SMS and delivery.secret is None and delivery.notice.category == "account":
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("该密码短信已失效（已发送、已放弃或已被新密码取代），请在账号页面重置密码并重新发送。"))
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, attempts=0)
        audit_record(actor=acting_user, event="delivery.retry", obj=delivery, org_path=delivery.org_path)
        transaction.on_commit(enqueue_send)
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
