"""Spreadsheet columns of the responsibility exports (the cells are guarded by ``apps.core.spreadsheets``)."""

from __future__ import annotations

from typing import Any

from .models import OrgMonthStats

RATE_HEADERS = [
    "到期任务",
    "按时完成",
    "任务按时完成率%",
    "整改总数",
    "已销号",
    "销号率%",
    "应报台账",
    "按时提交",
    "台账按时率%",
    "组织生活应达项",
    "已达项",
    "组织生活达标率%",
]


def rate_cells(s: OrgMonthStats | None) -> list[Any]:
    if s is None:
        return [0, 0, None, 0, 0, None, 0, 0, None, 0, 0, None]
    return [
        s.tasks_due,
        s.tasks_done_on_time,
        s.task_on_time_rate,
        s.rectifications,
        s.rectifications_signed_off,
        s.signoff_rate,
        s.ledgers_required,
        s.ledgers_on_time,
        s.ledger_on_time_rate,
        s.meeting_checks,
        s.meeting_checks_met,
        s.meeting_compliance_rate,
    ]
