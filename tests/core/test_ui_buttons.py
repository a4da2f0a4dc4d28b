"""docs/ui.md's button hierarchy, checked on the template sources: one primary button per page, red only for
destructive or negative decisions (删除, 撤回, 退回, 立案…), never a filled red button."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Templates whose primary buttons sit in branches that never render together (a status or a role decides
# which one shows); each one of them is a page with one primary button.
EXCLUSIVE_PRIMARIES = {
    "service_requests/wish_detail.html": "认领 / 登记实现 / 社区确认: one per status",
    "assessment/plan_detail.html": "开始评分 (draft) / 计算得分 (scoring), secondary once 发布结果 shows",
    "funding/expense_detail.html": "修改后重新提交 (returned) / 审核通过 (submitted, the reviewer)",
    "responsibility/ledger_list.html": "填报本月台账 is secondary when 批量通过 shows",
    "responsibility/rectification_detail.html": "销号 (awaiting sign-off) / 回头看 (signed off)",
    "responsibility/ledger_detail.html": "提交 (the branch, draft) / 通过 (the reviewer, submitted)",
    "responsibility/issuance_form.html": "预览 is secondary once 确认下发 shows",
    "members/transfer_detail.html": "审批 (sending side) / 接收 (receiving side)",
    "funding/allocation_preview.html": "预览 is secondary once 确认下拨 shows",
}

# What a red (outline) button may do: delete, revoke, return, refuse, open a case, stop, reverse, sign out.
DESTRUCTIVE = re.compile(r"删除|撤回|撤销|退回|驳回|立案|停用|冲正|退出|整改|软弱涣散|作废|注销")
RED_BUTTON = re.compile(r'class="[^"]*\bbtn-outline-danger\b[^"]*"[^>]*>(.*?)</(?:a|button)>', re.S)


def _templates() -> list[tuple[str, str]]:
    return [(str(p.relative_to(TEMPLATES)), p.read_text(encoding="utf-8")) for p in sorted(TEMPLATES.rglob("*.html"))]


def test_no_filled_red_buttons():
    offenders = [name for name, text in _templates() if re.search(r"\bbtn-danger\b", text)]
    assert not offenders, f"filled red buttons (use btn-primary, or btn-outline-danger to destroy): {offenders}"


def test_red_outline_buttons_are_destructive_or_negative():
    offenders = []
    for name, text in _templates():
        for m in RED_BUTTON.finditer(text):
            label = re.sub(r"<[^>]+>|{%\s*(?:translate|blocktranslate)\s*|%}|[\"']", "", m.group(1)).strip()
            if not DESTRUCTIVE.search(label):
                offenders.append(f"{name}: {label}")
    assert not offenders, f"red buttons for non-destructive actions (use btn-outline-secondary): {offenders}"


def test_one_primary_button_per_page():
    """Counted with the shared pieces a page includes (the filter panel's 筛选 is secondary: the page's own
    action is the primary)."""
    sources = dict(_templates())

    def primaries(name: str, seen: frozenset[str] = frozenset()) -> int:
        text = sources.get(name, "")
        included = set(re.findall(r'{%\s*include\s+"(includes/[^"]+)"', text)) - seen - {name}
        return len(re.findall(r"\bbtn-primary\b", text)) + sum(primaries(i, seen | {name}) for i in included)

    offenders = [name for name in sources if primaries(name) > 1 and name not in EXCLUSIVE_PRIMARIES]
    assert not offenders, f"more than one primary button on a page: {offenders}"


def test_export_links_are_secondary_and_say_excel():
    """导出Excel is a secondary action everywhere (never green, never the primary), and says what it gives."""
    link = re.compile(r"<a [^>]*href=\"[^\"]*(?:format|export)=xlsx[^\"]*\"[^>]*>(.*?)</a>", re.S)
    offenders = []
    for name, text in _templates():
        for m in link.finditer(text):
            tag = m.group(0)
            label = re.sub(r"<[^>]+>|{%\s*translate\s*|%}|[\"']", "", m.group(1)).strip()
            if "btn-outline-success" in tag or "btn-primary" in tag or not label.startswith("导出") or label == "导出":
                offenders.append(f"{name}: {label}")
    assert not offenders, f"export links that are not a secondary 导出Excel: {offenders}"


def test_no_red_outline_for_ordinary_actions():
    """``btn-outline-primary`` is the party red too: 登记党费基数, 保存测评票数, 查看 and 切换 showed in red outline,
    which docs/ui.md keeps for destructive steps. Secondary actions are ``btn-outline-secondary``."""
    offenders = [name for name, text in _templates() if re.search(r"\bbtn-outline-primary\b", text)]
    assert not offenders, f"red outline on a non-destructive button (use btn-outline-secondary): {offenders}"


def test_buttons_repeated_in_a_list_are_secondary():
    """A button on every row (通知's 查看) is not the page's one primary action: it lit up every row in red."""
    loop = re.compile(r"{%\s*for\b(.*?){%\s*endfor\s*%}", re.S)
    offenders = []
    for name, text in _templates():
        for m in loop.finditer(text):
            if re.search(r"<button[^>]*\bbtn-primary\b", m.group(1)) and name not in ROW_PRIMARY_OK:
                offenders.append(name)
    assert not offenders, f"a filled primary button repeated on every row: {sorted(set(offenders))}"


# Loops whose primary button is not repeated per row (a loop over form sections, a single-row table …).
ROW_PRIMARY_OK: dict[str, str] = {}


def test_sub_navigation_is_one_style():
    """docs/ui.md: sub-navigation is always ``ul.nav.subnav`` (underlined tabs), never Bootstrap's boxed tabs or
    pills; 经费, 党费, 为民服务, 函件模板 and 数据看板 had boxed tabs that wrapped on a phone."""
    offenders = [name for name, text in _templates() if re.search(r"\bnav-(?:tabs|pills)\b", text)]
    assert not offenders, f"sub-navigation that is not .subnav: {offenders}"


def test_no_green_buttons():
    """Green is a status colour (done, on time), not a button: 发布结果 and 审核通过 were green next to a red primary,
    two filled buttons on one page. The page's main action is the primary."""
    offenders = [name for name, text in _templates() if re.search(r"\bbtn-(?:outline-)?success\b", text)]
    assert not offenders, (
        f"green buttons (use btn-primary for the main action, else btn-outline-secondary): {offenders}"
    )
