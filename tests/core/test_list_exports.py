"""Every list page exports what it shows (docs/ui.md, Tables): the lists that had no 导出Excel — issuance
records, observation visits, assessment plans, appeals, duty reports, appraisals, branch votes, lost-contact
reviews and mobile members — offer it, with the page's scope."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.organizations.models import Organization

pytestmark = pytest.mark.django_db

LISTS = {
    "responsibility:issuance_list": ["标题", "清单类型", "年度", "下发组织", "下发日期", "完成时限", "下发组织数"],
    "supervision:observation_list": ["观摩主题", "组织单位", "月份", "观摩日期"],
    "assessment:plan_list": ["考核年度", "方案名称", "考核单位", "状态"],
    "assessment:appeal_list": ["党组织", "考核方案", "申诉指标", "状态", "申诉时间"],
    "assessment:dutyreport_list": ["年度", "党组织", "述职人", "状态", "评议等次"],
    "members:appraisal_list": ["年度", "党支部", "状态", "支委会提出评定意见日期", "党员大会评定日期"],
    "members:contact_review_list": ["党员", "身份证号", "联系电话", "党支部", "类型", "提出日期", "最后联系/活动日期",
                                    "失联原因", "决定", "支委会/支部大会研究日期", "说明"],
    "members:mobility_list": ["党员", "身份证号", "联系电话", "所在党支部", "流向", "流出/流入地", "流入地党组织",
                              "外出/流入日期", "预计返回/期满日期", "结束日期", "流动党员活动证编号"],
    "members:vote_list": ["表决日期", "党支部", "表决类别", "表决事项", "有表决权的正式党员", "到会有表决权党员",
                          "赞成", "反对", "弃权", "结果"],
}  # fmt: skip


def _rows(resp) -> list[tuple]:
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    content = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_page_offers_export_and_the_workbook_has_the_page_columns(users, tree, client_for, name):
    client = client_for(users.city_staff)
    html = client.get(reverse(name)).content.decode()
    assert "导出Excel" in html and "export=xlsx" in html
    rows = _rows(client.get(reverse(name) + "?export=xlsx"))
    headers = [h for h in rows[0] if h]
    assert all(len(h) > 1 for h in headers)  # real field names, not codes
    assert headers == LISTS[name]


def test_issuance_and_plan_exports_hold_the_rows_of_the_scope(users, tree, client_for):
    from apps.assessment.services import plan_start_scoring
    from apps.responsibility import services
    from tests.factories.assessment import make_simple_plan
    from tests.factories.responsibility import system_user

    today = datetime.date.today()
    services.items_issue(
        acting_user=system_user(), issuer=tree.district_a, item_type="task", year=today.year, title="开展主题党日",
        payload={}, due_date=today + datetime.timedelta(days=30),
    )  # fmt: skip
    plan, _inds = make_simple_plan(users.city_staff, Organization.objects.get(pk=tree.city.pk), title="年度考核")
    plan_start_scoring(acting_user=users.city_staff, plan=plan)

    rows = _rows(client_for(users.district_staff).get(reverse("responsibility:issuance_list") + "?export=xlsx"))
    assert rows[1][0] == "开展主题党日" and rows[1][1] == "任务清单" and rows[1][3] == tree.district_a.name
    sibling = _rows(client_for(users.district_b_staff).get(reverse("responsibility:issuance_list") + "?export=xlsx"))
    assert [r[0] for r in sibling[1:]] == []
    rows = _rows(client_for(users.city_staff).get(reverse("assessment:plan_list") + "?export=xlsx"))
    assert [r[1] for r in rows[1:]] == ["年度考核"] and rows[1][3] == "评分中"
