"""Pure field rules."""

from __future__ import annotations

from typing import Any

from apps.core.params import get_int_param, get_param, register
from apps.core.uploads import check_attachment

register("ledger_due_day", "5", "月度台账提交截止日：次月几日")
register("ledger_attachment_max_mb", "10", "月度台账会议附件大小上限（MB）")
register(
    "ledger_attachment_types",
    "pdf,jpg,jpeg,png,doc,docx,xls,xlsx,wps",
    "月度台账会议附件允许的文件类型（扩展名，逗号分隔）",
)


def validate_attachment(file: Any) -> None:
    check_attachment(
        file,
        allowed_types=get_param("ledger_attachment_types").split(","),
        max_mb=get_int_param("ledger_attachment_max_mb"),
    )
