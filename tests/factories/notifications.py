from __future__ import annotations

from apps.notifications.models import Notice
from apps.notifications.services import NoticeSpec, Recipient, notices_create


def make_notice(user, *, title: str = "测试通知", category: str = "other", link: str = "", key: str = "") -> Notice:
    org_path = user.organization.path if user.organization_id else "/"
    ids = notices_create(
        specs=[
            NoticeSpec(Recipient(user.pk, org_path, user.email or "", user.phone or ""), category, title, "", link, key)
        ]
    )
    return Notice.objects.get(pk=ids[0])
