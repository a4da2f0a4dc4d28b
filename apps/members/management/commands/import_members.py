"""python manage.py import_members FILE --user USERNAME [--dry-run] [--format json]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from apps.members.roster_import.files import ImportRefused
from apps.members.roster_import.write import member_import


class Command(BaseCommand):
    help = "导入党员名册（.xlsx / .csv），与页面导入同一校验；--dry-run 只校验不写入。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="以该用户的身份和管理范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            user = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"用户不存在或已停用：{options['user']}") from exc
        as_json = options["format"] == "json"
        try:
            result = member_import(acting_user=user, path=path, file_name=path.name, commit=not options["dry_run"])
        except (ImportRefused, PermissionDenied) as exc:
            if as_json:
                # The same shape as a result; a refusal of the whole file has row 0.
                error = {"row": 0, "column": "文件", "message": str(exc)}
                payload = {"new": 0, "updated": 0, "unchanged": 0, "invalid": 0, "errors": [error]}
                self.stdout.write(json.dumps(payload, ensure_ascii=False))
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            for error in result.errors:
                self.stdout.write(f"第{error.row}行 [{error.column}] {error.message}")
            mode = "校验（未写入）" if options["dry_run"] else "导入"
            counts = f"新增 {result.new}，更新 {result.updated}，未变化 {result.unchanged}，有错误 {result.invalid}"
            self.stdout.write(f"{mode}完成：{counts}")
        if result.new + result.updated + result.unchanged == 0:
            raise SystemExit(1)  # nothing could be imported
