from typing import Any

from django.core.management.base import BaseCommand

from apps.core.periods import Period
from apps.responsibility.stats import stats_refresh


class Command(BaseCommand):
    help = "刷新责任清单与台账的月度统计（汇总页数据）。默认刷新本月和上月。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("periods", nargs="*", help="月份 YYYY-MM，可多个")

    def handle(self, *args: Any, periods: list[str], **opts: Any) -> None:
        wanted = [Period.parse(p) for p in periods] or [Period.current().previous(), Period.current()]
        for period in wanted:
            rows = stats_refresh(period=period)
            self.stdout.write(f"{period}: {rows} 行")
