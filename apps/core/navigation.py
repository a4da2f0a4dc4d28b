"""The navigation bar: entries whose URL does not exist yet (an app still to come) are simply skipped."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (label, icon, url name, permission needed or None)
NAV: list[tuple[Any, str, str, str | None]] = [
    (_("首页"), "house", "core:home", None),
    (_("党组织"), "diagram-3", "organizations:organization_tree", "organizations.view_organization"),
    (_("党员"), "people", "members:member_list", "members.view_member"),
    (_("发展党员"), "person-plus", "members:recruitment_list", "members.view_recruitment"),
    (_("组织关系转接"), "arrow-left-right", "members:transfer_list", "members.view_transfer"),
    (_("责任清单"), "list-check", "responsibility:item_list", "responsibility.view_taskitem"),
    (_("整改台账"), "tools", "responsibility:rectification_list", "responsibility.view_rectification"),
    (_("月度台账"), "journal-text", "responsibility:ledger_list", "responsibility.view_monthlyledger"),
    (_("督查"), "search", "supervision:inspection_list", "supervision.view_inspection"),
    (_("三函"), "envelope-paper", "supervision:letter_list", "supervision.view_letter"),
    (_("操作日志"), "clock-history", "core:auditlog_list", "core.view_auditlog"),
]


def nav_items(user: Any, current_path: str) -> list[dict[str, Any]]:
    items = []
    for label, icon, name, perm in NAV:
        if perm and not user.has_perm(perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": label, "icon": icon, "url": url, "active": active})
    return items
