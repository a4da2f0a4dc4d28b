"""Reads of notices and deliveries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Delivery, Notice


def unread_notice_count(*, user: Any) -> int:
    """The header bell: one indexed COUNT over the partial unread index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notice_list(*, user: Any) -> QuerySet[Notice]:
    return Notice.objects.visible_to(user)


def delivery_list(*, user: Any) -> QuerySet[Delivery]:
    return Delivery.objects.visible_to(user).select_related("notice", "notice__recipient")


def page_context(user: Any) -> dict[str, Any]:
    """What every page shows of the inbox (registered with ``apps.core.context_processors``)."""
    return {"unread_notice_count": unread_notice_count(user=user)}
