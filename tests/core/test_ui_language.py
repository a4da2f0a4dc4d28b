"""The design language's shared pieces: Chinese audit sentences, 请选择…, breadcrumbs, chips, page jump, exports."""

from __future__ import annotations

import io
import re

import pytest
from django import forms
from django.urls import reverse

from apps.core.audit import audit_record, snapshot
from apps.core.audit_labels import event_label, register_event_labels
from apps.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_registered_event_reads_as_chinese_verb_phrase():
    assert event_label("monthlyledger.submit") == "提交了月度台账"


def test_unregistered_event_reads_as_generic_verb_and_model_name():
    assert event_label("budget.approve", "预算") == "审核通过了预算"
    register_event_labels({"budget.approve": "批准了预算"})
    assert event_label("budget.approve", "预算") == "批准了预算"


def test_history_shows_sentence_not_event_code(tree, users, client_for):
    from apps.organizations import services

    services.organization_update(acting_user=users.city_staff, organization=tree.branch_a, secretary_name="王五")
    html = client_for(users.city_staff).get(tree.branch_a.get_absolute_url()).content.decode()
    assert "修改了党组织信息" in html and "organization.update" not in html


def test_audit_log_page_hides_internal_fields_and_codes(tree, users, client_for):
    audit_record(
        actor=users.city_staff,
        event="organization.move",
        obj=tree.branch_a,
        before={"path": "/1/", "name": "甲"},
        after={"path": "/2/", "name": "乙"},
    )
    html = client_for(users.city_staff).get(reverse("core:auditlog_list")).content.decode()
    assert "调整了党组织的上级" in html
    assert "organization.move" not in html and "/2/" not in html


def test_json_list_values_are_never_python_reprs(tree, users):
    entry = audit_record(
        actor=users.city_staff, event="x.update", obj=tree.branch_a, before={"name": ["a", "b"]}, after={"name": None}
    )
    assert entry.display_changes() == [("名称", "a、b", "（空）")]


def test_select_empty_choice_reads_please_choose():
    class F(forms.Form):
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)

    html = str(F()["kind"])
    assert "请选择…" in html and "---------" not in html


def test_every_page_has_breadcrumbs_from_the_nav(users, client_for):
    html = client_for(users.city_staff).get(reverse("members:transfer_list")).content.decode()
    assert 'class="page-breadcrumb"' in html and "组织关系转接" in html


def _crumbs(html: str) -> list[str]:
    nav = re.search(r'<nav class="page-breadcrumb".*?</nav>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)]


@pytest.mark.parametrize(
    ("path", "trail"),
    [
        ("/accounts/users/", ["首页", "账号管理"]),
        ("/accounts/me/", ["首页", "我的账号"]),
        ("/notifications/", ["首页", "我的通知"]),
        ("/settings/", ["首页", "本单位设置"]),
        ("/supervision/settings/letter-rule/", ["首页", "本单位设置", "三函规则"]),
        ("/settings/work-calendar/", ["首页", "本单位设置", "工作日历"]),
    ],
)
def test_account_menu_pages_say_where_they_are(users, client_for, path, trail):
    """Pages of the account menu are not in the top bar; their breadcrumbs read 首页 › 账号管理, not a bare 首页,
    and a settings page's own trail starts at 首页 like every other page's."""
    html = client_for(users.admin).get(path).content.decode()
    assert _crumbs(html) == trail


def test_active_filter_shows_as_removable_chip(users, client_for):
    html = client_for(users.city_staff).get(reverse("core:auditlog_list") + "?action=update").content.decode()
    assert 'class="filter-chip"' in html and "操作类别：修改" in html


def test_pagination_offers_page_jump(tree, users, client_for):
    for i in range(30):
        audit_record(actor=users.city_staff, event="organization.update", obj=tree.branch_a, after={"name": str(i)})
    html = client_for(users.city_staff).get(reverse("core:auditlog_list")).content.decode()
    assert 'class="d-flex align-items-center gap-1 page-jump"' in html and "跳转" in html


def test_api_docs_linked_only_for_system_admin(users, client_for):
    assert "接口文档" not in client_for(users.secretary_a).get("/").content.decode()
    assert "接口文档" in client_for(users.admin).get("/").content.decode()


@pytest.mark.parametrize(
    ("url_name", "sheet"),
    [
        ("core:auditlog_list", "操作日志"),
        ("supervision:letter_list", "三函"),
        ("supervision:inspection_list", "督查计划"),
        ("supervision:accountability_list", "问责"),
        ("organizations:organization_list", "党组织"),
        ("members:recruitment_list", "发展党员"),
        ("members:transfer_list", "组织关系转接"),
    ],
)
def test_list_pages_export_with_chinese_sheet_and_frozen_header(users, client_for, url_name, sheet):
    from openpyxl import load_workbook

    resp = client_for(users.city_staff).get(reverse(url_name) + "?export=xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb.worksheets[0]
    assert ws.title == sheet and ws.freeze_panes == "A2"
    assert all(c.value and not str(c.value).isascii() for c in ws[1])


def test_organization_export_applies_the_page_filters(tree, users, client_for):
    from openpyxl import load_workbook

    resp = client_for(users.city_staff).get(reverse("organizations:organization_list") + "?kind=branch&export=xlsx")
    rows = list(load_workbook(io.BytesIO(resp.content)).worksheets[0].iter_rows(values_only=True))[1:]
    assert rows and all(r[2] == "党支部" for r in rows)


def test_audit_export_is_scoped(tree, users, client_for):
    from openpyxl import load_workbook

    audit_record(actor=users.secretary_b, event="organization.update", obj=tree.branch_b, after=snapshot(tree.branch_b))
    resp = client_for(users.secretary_a).get(reverse("core:auditlog_list") + "?export=xlsx")
    rows = list(load_workbook(io.BytesIO(resp.content)).worksheets[0].iter_rows(values_only=True))[1:]
    assert all("乙支部" not in str(r[3]) for r in rows)
    assert AuditLog.objects.filter(object_repr__contains="乙支部").exists()


def test_bad_month_filter_is_a_chinese_error_on_the_field_not_an_empty_list(users, client_for):
    html = client_for(users.street_staff).get(reverse("responsibility:ledger_list") + "?month=2026-13").content.decode()
    assert "不是有效的月份" in html and "月份：" in html
    assert 'type="month"' in html


def test_responsibility_list_export_sheet_is_named_in_chinese(users, client_for):
    from openpyxl import load_workbook

    resp = client_for(users.city_staff).get(reverse("responsibility:ledger_list") + "?export=xlsx")
    assert load_workbook(io.BytesIO(resp.content)).worksheets[0].title == "月度台账"


def test_months_read_as_year_and_month():
    """docs/ui.md: months read 2026年11月 in tables; the letter, inspection and accountability lists printed the
    stored 2026-11."""
    import datetime

    from apps.core.templatetags.dangjian import month_label

    assert month_label("2026-11") == "2026年11月" and month_label("2026-01") == "2026年1月"
    assert month_label(datetime.date(2026, 3, 9)) == "2026年3月"
    assert month_label("") == "—" and month_label("其他") == "其他"


def test_letter_list_shows_the_month_in_chinese(tree, users, client_for):
    from tests.factories.supervision import make_letter

    make_letter(tree.street_a, tree.branch_a, period="2026-11")
    html = client_for(users.street_staff).get(reverse("supervision:letter_list")).content.decode()
    assert "<td>2026年11月</td>" in html and "<td>2026-11</td>" not in html


def test_detail_pages_end_their_breadcrumbs_with_the_object(tree, users, client_for):
    """docs/ui.md: a detail page adds its own last crumb; 党员, 三函 and the other details stopped at the list."""
    from tests.factories.responsibility import make_member
    from tests.factories.supervision import make_letter

    member = make_member(tree.branch_a, "赵一")
    letter = make_letter(tree.street_a, tree.branch_a)
    client = client_for(users.city_staff)
    assert _crumbs(client.get(f"/members/{member.pk}/").content.decode()) == ["首页", "党员", "党员花名册", "赵一"]
    assert _crumbs(client.get(f"/organizations/{tree.branch_a.pk}/").content.decode())[-1] == tree.branch_a.name
    assert _crumbs(client.get(letter.get_absolute_url()).content.decode())[-1] == str(letter)


def test_history_shows_amounts_grouped_and_months_in_chinese(tree, users):
    """The change history read 金额（元）：200000.00 and 月份：2026-11 (docs/ui.md: 200,000.00, 2026年11月); the
    stored values stay as they were logged."""
    from apps.supervision.models import ObservationVisit
    from tests.funding.helpers import allocate

    allocation = allocate(users.street_staff, tree.street_a, tree.branch_a, "3000.00")
    entry = audit_record(
        actor=users.city_staff,
        event="x.update",
        obj=allocation,
        before={"amount": "3000.00"},
        after={"amount": "200000.00"},
    )
    assert ("金额（元）", "3,000.00", "200,000.00") in entry.display_changes()
    assert entry.changes["amount"] == ["3000.00", "200000.00"]
    visit = ObservationVisit.objects.create(organization=tree.street_a, title="观摩", period="2026-11")
    entry = audit_record(
        actor=users.city_staff, event="x.update", obj=visit, before={"period": "2026-10"}, after={"period": "2026-11"}
    )
    assert ("月份", "2026年10月", "2026年11月") in entry.display_changes()
