from __future__ import annotations

import random
import time
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.core.demo import DEMO_PASSWORD, SEED_ORDER, DemoContext


class Command(BaseCommand):
    help = "生成演示数据：一个城市的党组织树、各角色演示账号（及各模块的演示数据）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="生成约 N 个党组织的大树（基准测试用，最多约 100000）；省略则生成演示用的城市。",
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（结果可复现）")
        parser.add_argument("--if-empty", action="store_true", help="已有党组织时什么都不做（供一键启动脚本使用）")

    def handle(self, *args: Any, scale: int, seed: int, if_empty: bool, **opts: Any) -> None:
        from apps.organizations.models import Organization

        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("已有数据，跳过演示数据生成。")
                self._print_accounts(None)
                return
            raise CommandError("数据库中已有党组织。请在空数据库上运行（或删除 db.sqlite3 后重新 migrate）。")
        ctx = DemoContext(rng=random.Random(seed), scale=scale, stdout=self.stdout)
        started = time.monotonic()
        for app in SEED_ORDER:
            try:
                module = import_module(f"apps.{app}.demo")
            except ModuleNotFoundError:
                continue
            t0 = time.monotonic()
            with transaction.atomic():
                module.seed(ctx)
            self.stdout.write(f"  {app}: {time.monotonic() - t0:.1f}s")
        self.stdout.write(self.style.SUCCESS(f"演示数据已生成，用时 {time.monotonic() - started:.1f}s。"))
        self._print_accounts(ctx)

    def _print_accounts(self, ctx: DemoContext | None) -> None:
        from apps.accounts.models import User

        rows = (
            ctx.accounts
            if ctx
            else [
                (u.username, u.get_role_display(), str(u.organization or "—"))
                for u in User.objects.select_related("organization").order_by("id")[:20]
            ]
        )
        if not rows:
            return
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        width = max(len(r[0]) for r in rows)
        for username, role, org in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role}  {org}")
