"""The navigation bar, grouped into menus. Entries whose URL does not exist (an app still to come) or that
the user's role may not see are skipped; a menu with no entries left disappears."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (label, icon, url name, permission needed or None)
Entry = tuple[Any, str, str, str | None]

NAV: list[tuple[Any, str, list[Entry]]] = [
    (_("首页"), "house", [(_("首页"), "house", "core:home", None)]),
    (
        _("党组织"),
        "diagram-3",
        [
            (_("党组织树"), "diagram-3", "organizations:organization_tree", "organizations.view_organization"),
            (_("党组织列表"), "table", "organizations:organization_list", "organizations.view_organization"),
        ],
    ),
    (
        _("党员"),
        "people",
        [
            (_("党员花名册"), "people", "members:member_list", "members.view_member"),
            (_("发展党员"), "person-plus", "members:recruitment_list", "members.view_recruitment"),
            (_("组织关系转接"), "arrow-left-right", "members:transfer_list", "members.view_transfer"),
            (_("花名册导入"), "file-earmark-spreadsheet", "members:import_list", "members.add_member"),
            (_("党费收缴"), "cash-coin", "members:dues_month", "members.view_duespayment"),
            (_("民主评议"), "clipboard-check", "members:appraisal_list", "members.view_appraisal"),
            (_("支部大会表决"), "check2-square", "members:vote_list", "members.view_branchvote"),
            (_("积分与六色卡"), "award", "members:points_ranking", "members.view_pointentry"),
            (_("失联党员"), "person-exclamation", "members:contact_review_list", "members.view_contactreview"),
            (_("流动党员"), "geo-alt", "members:mobility_list", "members.view_mobilerecord"),
        ],
    ),
    (
        _("责任与台账"),
        "list-check",
        [
            (_("清单管理"), "list-check", "responsibility:item_list", "responsibility.view_taskitem"),
            (_("整改台账"), "tools", "responsibility:rectification_list", "responsibility.view_rectification"),
            (_("月度台账"), "journal-text", "responsibility:ledger_list", "responsibility.view_monthlyledger"),
            (_("统计汇总"), "bar-chart", "responsibility:rollup", "responsibility.view_taskitem"),
        ],
    ),
    (
        _("督查与三函"),
        "envelope-paper",
        [
            (_("督查"), "search", "supervision:inspection_list", "supervision.view_inspectionplan"),
            (_("三函"), "envelope-paper", "supervision:letter_list", "supervision.view_letter"),
            (_("问责"), "exclamation-octagon", "supervision:accountability_list", "supervision.view_accountability"),
            (_("月通报"), "megaphone", "supervision:bulletin", "supervision.view_letter"),
        ],
    ),
    (
        _("经费"),
        "cash-coin",
        [
            (_("经费执行"), "graph-up", "funding:execution", "funding.view_allocation"),
            (_("经费标准"), "rulers", "funding:standard_list", "funding.view_fundingstandard"),
            (_("经费下拨"), "send", "funding:allocation_list", "funding.view_allocation"),
            (_("经费支出"), "receipt", "funding:expense_list", "funding.view_expense"),
        ],
    ),
    (
        _("为民服务"),
        "people-fill",
        [
            (_("民情流水线"), "inboxes", "service_requests:request_list", "service_requests.view_servicerequest"),
            (_("服务统计"), "speedometer2", "service_requests:stats", "service_requests.view_servicerequest"),
            (_("微心愿"), "gift", "service_requests:wish_list", "service_requests.view_microwish"),
            (
                _("双报到"),
                "person-check",
                "service_requests:registration_list",
                "service_requests.view_communityregistration",
            ),
        ],
    ),
    (
        _("考核"),
        "award",
        [
            (_("考核方案"), "award", "assessment:plan_list", "assessment.view_assessmentplan"),
            (_("述职评议"), "mic", "assessment:dutyreport_list", "assessment.view_dutyreport"),
        ],
    ),
    (
        _("数据看板"),
        "pie-chart",
        [
            (_("数据看板"), "pie-chart", "dashboards:dashboard", "dashboards.view_dashboard"),
            (_("党内统计"), "table", "dashboards:party_stats", "dashboards.view_dashboard"),
            (_("大屏"), "display", "dashboards:screen", "dashboards.view_dashboard"),
        ],
    ),
    (_("操作日志"), "clock-history", [(_("操作日志"), "clock-history", "core:auditlog_list", "core.view_auditlog")]),
]


# Pages of the account menu (and the bell): not in the top bar, but a page of theirs still says where it is
# (首页 › 账号管理), rather than a bare 首页. Only for the breadcrumbs; the pages check their own permissions.
ACCOUNT_PAGES: list[tuple[Any, str]] = [
    (_("我的通知"), "notifications:notice_list"),
    (_("我的账号"), "accounts:my_account"),
    (_("修改密码"), "accounts:password_change"),
    (_("账号管理"), "accounts:user_list"),
    (_("本单位设置"), "core:org_settings"),
    (_("我的导出"), "core:export_job_list"),
]


def _entries(user: Any, entries: list[Entry], current_path: str) -> list[dict[str, Any]]:
    items = []
    for label, icon, name, perm in entries:
        if perm and not user.has_perm(perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": label, "icon": icon, "url": url, "active": active})
    return items


def nav_items(user: Any, current_path: str) -> list[dict[str, Any]]:
    menus = []
    for label, icon, entries in NAV:
        children = _entries(user, entries, current_path)
        if not children:
            continue
        if len(children) == 1:
            menus.append({**children[0], "label": label, "children": []})
        else:
            menus.append(
                {
                    "label": label,
                    "icon": icon,
                    "url": children[0]["url"],
                    "children": children,
                    "active": any(c["active"] for c in children),
                }
            )
    return menus


def breadcrumb_trail(user: Any, current_path: str) -> list[dict[str, Any]]:
    """首页 › menu › entry for the page being shown: the nav entry whose URL is the longest prefix of the path.

    Every page gets it from base.html; a detail page adds its own last crumb (block ``breadcrumb_tail``).
    The entry is marked ``current`` when the page *is* that entry (no link to itself)."""
    home = reverse("core:home")
    if current_path == home:
        return []
    best: tuple[int, Any, dict[str, Any]] | None = None
    for label, _icon, entries in NAV:
        for item in _entries(user, entries, current_path):
            prefix = item["url"] != home and current_path.startswith(item["url"])
            if prefix and (best is None or len(item["url"]) > best[0]):
                best = (len(item["url"]), label, item)
    if best is None:
        for label, name in ACCOUNT_PAGES:
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            if current_path.startswith(url) and (best is None or len(url) > best[0]):
                best = (len(url), label, {"label": label, "url": url})
    trail = [{"label": _("首页"), "url": home}]
    if best is not None:
        _len, menu_label, item = best
        if str(menu_label) != str(item["label"]):
            trail.append({"label": menu_label, "url": None})
        trail.append({"label": item["label"], "url": item["url"], "current": item["url"] == current_path})
    return trail
