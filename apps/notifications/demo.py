"""Demo notices: the scheduled reminders of today, and the older notices marked read."""

from __future__ import annotations

import datetime

from django.utils import timezone

from apps.core.demo import DemoContext

from .models import Notice
from .reminders import reminders_run


def seed(ctx: DemoContext) -> None:
    if ctx.scale:
        return
    counts = reminders_run(today=ctx.today)
    cutoff = timezone.now() - datetime.timedelta(days=0)
    old = Notice.objects.filter(created_at__lt=cutoff, title__contains="函")
    ids = list(old.values_list("id", flat=True))
    ctx.rng.shuffle(ids)
    Notice.objects.filter(id__in=ids[: len(ids) // 2]).update(read_at=timezone.now())
    ctx.log(f"  通知：{Notice.objects.count()} 条（今日提醒 {sum(counts.values())} 条）")
