from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from apps.service_requests.models import ServiceCategory
from apps.service_requests.services import request_register


def make_category(
    org: Any, *, name: str = "民事代办", response: int = 1, closure: int = 5, parent: Any = None
) -> ServiceCategory:
    return ServiceCategory.objects.create(
        organization=org, org_path=org.path, name=name, response_limit_days=response, closure_limit_days=closure,
        parent=parent,
    )  # fmt: skip


def make_request(user: Any, org: Any, category: ServiceCategory, *, phone: str = "13800001111", **kw: Any) -> Any:
    received = kw.pop("received_at", None)
    if isinstance(received, datetime.date) and not isinstance(received, datetime.datetime):
        # 9:00 on that day, but never later than now (just after midnight in Asia/Shanghai, today's 9:00 is
        # still ahead and registering would be refused as a future time)
        received = min(timezone.make_aware(datetime.datetime.combine(received, datetime.time(9, 0))), timezone.now())
    return request_register(
        acting_user=user, organization=org, channel=kw.pop("channel", "window"),
        requester_name=kw.pop("requester_name", "王秀英"), requester_phone=phone,
        requester_address=kw.pop("requester_address", "春华小区3栋2单元401"), category=category,
        content=kw.pop("content", "代办社保卡补办"), received_at=received, **kw,
    )  # fmt: skip
