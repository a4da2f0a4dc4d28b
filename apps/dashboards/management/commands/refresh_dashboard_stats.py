from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "重新计算数据看板与党内统计的预汇总数据（通常每晚自动运行）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", help="统计日期 YYYY-MM-DD（默认今天；年报用上年12月31日）")
        parser.add_argument("--months", type=int, default=2, help="重算最近几个月的趋势（更早且已有的月份不重算）")

    def handle(self, *args: Any, **options: Any) -> None:
        from apps.dashboards.refresh import stats_refresh

        as_of = None
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("统计日期格式应为 YYYY-MM-DD") from exc
        run = stats_refresh(as_of=as_of, months=options["months"])
        self.stdout.write(
            f"统计日期 {run.as_of}：党员统计 {run.member_rows} 行，指标 {run.metric_rows} 行，耗时 {run.seconds:.2f} 秒"
        )
