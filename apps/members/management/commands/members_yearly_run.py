from django.core.management.base import BaseCommand

from apps.members.yearly_jobs import members_daily, members_monthly


class Command(BaseCommand):
    help = (
        "党员年度工作的定时任务：--daily 失联检查和党费统计；--monthly 积分采集和六色卡评定（可重复执行，不会重复记录）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--daily", action="store_true")
        parser.add_argument("--monthly", action="store_true")
        parser.add_argument("--period", default="", help="月份 YYYY-MM（--monthly，默认本月）")
        parser.add_argument("--day", default="", help="日期 YYYY-MM-DD（--daily，默认今天）")

    def handle(self, *args, **opts):
        if not (opts["daily"] or opts["monthly"]):
            opts["daily"] = opts["monthly"] = True
        if opts["daily"]:
            self.stdout.write(str(members_daily(day=opts["day"] or None)))
        if opts["monthly"]:
            self.stdout.write(str(members_monthly(period=opts["period"] or None)))
