"""The app's figures in the metrics registry (dashboards and assessment read them from there)."""

from __future__ import annotations

import datetime
from functools import partial

from django.urls import reverse

from apps.core.metrics import Metric, register_metric

from .stats import own_figures


def _link(org: object, start: datetime.date, end: datetime.date) -> str:
    return reverse("service_requests:stats") + f"?org={getattr(org, 'code', '')}&start={start:%Y-%m}&end={end:%Y-%m}"


def register() -> None:
    for name, label, unit, kind, num, den, desc in [
        ("volume", "为民服务总量", "件", "count", "volume", None, "登记的服务事项数（按登记月份）"),
        ("on_time_closure_rate", "按时办结率", "%", "rate", "closed_on_time", "closed", "办结事项中按时办结的比例"),
        ("satisfaction_rate", "满意率", "%", "rate", "satisfied", "followed_up", "回访中满意与基本满意的比例"),
        ("response_rate", "响应率", "%", "rate", "responded_on_time", "volume", "在受理时限内受理的比例"),
    ]:
        register_metric(
            Metric(
                name=f"service_requests.{name}",
                label=label,
                unit=unit,
                kind=kind,  # type: ignore[arg-type]
                source=partial(own_figures, num=num, den=den),
                description=desc,
                link=_link,
            )
        )
