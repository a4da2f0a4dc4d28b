from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.periods import Period
from apps.supervision.choices import LetterKind


class Command(BaseCommand):
    help = "发出某月的三函（可重复执行，不会重复发函）：issue_letters --kind reminder --period 2026-11"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", required=True, choices=LetterKind.values)
        parser.add_argument("--period", default=None, help="YYYY-MM，默认本月")
        parser.add_argument("--issuer", default=None, help="发函单位组织代码（默认全部有规则的单位）")
        parser.add_argument("--async", dest="use_async", action="store_true", help="交给 Celery 执行")
        parser.add_argument("--force", action="store_true", help="已完成的批次也重新核对（只给仍未收到函件的组织补发）")

    def handle(self, *args: Any, kind: str, period: str | None, issuer: str | None, **kw: Any) -> None:
        use_async, force = kw["use_async"], kw["force"]
        from apps.organizations.models import Organization
        from apps.supervision.letters import letters_issue_monthly
        from apps.supervision.tasks import letters_issue_monthly_task

        try:
            p = Period.parse(period) if period else Period.current()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        org = None
        if issuer:
            org = Organization.objects.filter(code=issuer).first()
            if org is None:
                raise CommandError(f"找不到组织代码 {issuer}")
        if use_async:
            res = letters_issue_monthly_task.delay(kind, str(p), org.pk if org else None, force)
            self.stdout.write(f"已提交任务 {res.id}")
            return
        started = time.monotonic()
        result = letters_issue_monthly(kind=kind, period=p, issuer=org, force=force)
        self.stdout.write(
            f"{p.label}{LetterKind(kind).label}：新发 {result.created} 份，已存在 {result.existing} 份，"
            f"发函单位 {result.issuers} 个，新增问责 {result.accountabilities} 件，"
            f"用时 {time.monotonic() - started:.2f} 秒"
        )
