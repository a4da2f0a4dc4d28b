"""党费交纳标准 on a page: root administrators see the table in force with its source and add a province's table
for a year (validated, audited, editable until used); the stored amounts of a year are recomputed after a
preview."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.models import AuditLog
from apps.members.dues import dues_base_set, dues_monthly_amount
from apps.members.dues_brackets import bracket_table_save, dues_recompute, dues_recompute_preview
from apps.members.dues_models import DuesBase, DuesBracket, DuesPayment
from tests.factories.accounts import make_user
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year + 1


def _form(**rows: str) -> dict[str, str]:
    data = {"year": str(YEAR), "category": "employed", "note": "《某省党费收缴管理办法》第三条"}
    data.update(rows)
    return data


GOOD = {"upper_bound_1": "4000", "rate_percent_1": "0.5", "upper_bound_2": "", "rate_percent_2": "1"}


def test_root_admin_sees_the_2008_table_with_its_regulation_and_article(client_for, users):
    html = client_for(users.admin).get(reverse("members:dues_bracket_settings"), {"year": YEAR}).content.decode()
    assert "《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号)第二条" in html
    assert "(中组发〔2008〕3号)第五条" in html  # retirees
    assert "3000元以上至5000元（含）" in html and "1.5%" in html and "每月0.20元" in html


def test_settings_hub_links_the_dues_table_and_the_calendar_for_root_admins_only(client_for, users):
    root = client_for(users.admin).get(reverse("core:org_settings")).content.decode()
    assert "党费交纳标准" in root and "工作日历" in root
    staff = client_for(users.district_staff).get(reverse("core:org_settings")).content.decode()
    assert "党费交纳标准" not in staff and "工作日历" not in staff


def test_pages_refuse_non_root_staff_and_a_district_system_admin(client_for, tree, users):
    district_admin = make_user(tree.district_b, "system_admin", username="district_b_admin")
    urls = [
        reverse("members:dues_bracket_settings"),
        reverse("members:dues_bracket_add"),
        reverse("members:dues_recompute"),
    ]
    for user in (users.city_staff, users.district_staff, users.secretary_a, district_admin):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(reverse("members:dues_bracket_add"), _form(**GOOD)).status_code == 403
        assert client.post(reverse("members:dues_recompute"), {"year": YEAR}).status_code == 403
    assert not DuesBracket.objects.filter(year=YEAR).exists()
    with pytest.raises(PermissionDenied):
        bracket_table_save(acting_user=district_admin, year=YEAR, category="farmer", rows=[], note="x")


def test_root_admin_adds_a_province_table_used_for_that_year_and_audited(client_for, users):
    client = client_for(users.admin)
    resp = client.post(reverse("members:dues_bracket_add"), _form(**GOOD))
    assert resp.status_code == 302 and reverse("members:dues_recompute") in resp["Location"]
    rows = DuesBracket.objects.filter(year=YEAR, category="employed")
    assert sorted((r.upper_bound, r.rate_percent) for r in rows if r.upper_bound) == [(Decimal("4000"), Decimal("0.5"))]
    assert dues_monthly_amount(category="employed", base=Decimal("4000"), year=YEAR) == Decimal("20.00")
    assert dues_monthly_amount(category="employed", base=Decimal("4000.01"), year=YEAR) == Decimal("40.00")
    assert dues_monthly_amount(category="employed", base=Decimal("4000"), year=YEAR - 1) == Decimal("40.00")
    log = AuditLog.objects.get(event="duesbracket.create")
    assert "4000元以下（含） 0.5%" in log.changes["标准"][1] and log.changes["党员类别"][1] == "在岗职工"
    html = client.get(reverse("members:dues_bracket_settings"), {"year": YEAR}).content.decode()
    assert "《某省党费收缴管理办法》第三条" in html and "4000元以上" in html
    # edit before it is used: replaces the rows, audited as an update
    edit = reverse("members:dues_bracket_edit", args=[YEAR, "employed"])
    assert client.get(edit).status_code == 200
    changed = {"upper_bound_1": "5000", "rate_percent_1": "0.5", "rate_percent_2": "1.5"}
    assert client.post(edit, _form(**changed)).status_code == 302
    assert dues_monthly_amount(category="employed", base=Decimal("6000"), year=YEAR) == Decimal("90.00")
    assert AuditLog.objects.filter(event="duesbracket.update").exists()


@pytest.mark.parametrize(
    ("rows", "field", "words"),
    [
        ({"upper_bound_1": "4000", "rate_percent_1": "1", "upper_bound_2": "3000", "rate_percent_2": "1.5",
          "rate_percent_3": "2"}, "upper_bound_2", "第2档基数上限：应高于上一档的4000元"),  # overlap
        ({"upper_bound_1": "4000", "rate_percent_1": "1", "rate_percent_2": "1.5", "rate_percent_3": "2"},
         "upper_bound_2", "只有最后一档可以不设上限"),  # a gap-free chain needs every upper bound but the last
        ({"upper_bound_1": "4000", "rate_percent_1": "1", "upper_bound_2": "9000", "rate_percent_2": "2"},
         "upper_bound_2", "最后一档应不设上限"),  # bases above 9000 would be uncovered
        ({"upper_bound_1": "4000", "rate_percent_1": "1", "fixed_amount_1": "2", "rate_percent_2": "2"},
         "fixed_amount_1", "比例和固定金额只能填一项"),
        ({"upper_bound_1": "4000", "rate_percent_1": "12", "rate_percent_2": "20"}, "rate_percent_1", "不超过10%"),
        ({"upper_bound_1": "4000", "rate_percent_1": "2", "rate_percent_2": "1"}, "rate_percent_2", "比例不应越低"),
        ({"upper_bound_1": "4000", "rate_percent_1": "0.555", "rate_percent_2": "1"}, "rate_percent_1",
         "第1档比例（%）：最多保留两位小数"),
        ({"upper_bound_1": "四千", "rate_percent_1": "1", "rate_percent_2": "2"}, "upper_bound_1",
         "第1档基数上限（元，含）：请填写数字"),
        ({"upper_bound_1": "4000", "rate_percent_1": "百分之一", "rate_percent_2": "2"}, "rate_percent_1",
         "第1档比例（%）：请填写数字"),
        ({}, "upper_bound_1", "至少填写一档"),
    ],
)  # fmt: skip
def test_bad_tables_are_refused_on_the_field_naming_it(client_for, users, rows, field, words):
    resp = client_for(users.admin).post(reverse("members:dues_bracket_add"), _form(**rows))
    assert resp.status_code == 200
    errors = resp.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert not DuesBracket.objects.filter(year=YEAR).exists()
    assert not AuditLog.objects.filter(event__startswith="duesbracket.").exists()


def test_the_2008_table_and_a_missing_source_are_refused(client_for, users):
    client = client_for(users.admin)
    resp = client.post(reverse("members:dues_bracket_add"), {**_form(**GOOD), "year": "2008"})
    assert "全国统一规定" in " ".join(resp.context["form"].errors["year"])
    resp = client.post(reverse("members:dues_bracket_add"), {**_form(**GOOD), "note": ""})
    assert "依据：" in " ".join(resp.context["form"].errors["note"])


def test_a_table_in_use_can_no_longer_be_changed_or_removed(client_for, tree, users):
    client = client_for(users.admin)
    assert client.post(reverse("members:dues_bracket_add"), _form(**GOOD)).status_code == 302
    m = make_member(tree.branch_a)
    DuesPayment.objects.create(
        member=m, organization=tree.branch_a, org_path=tree.branch_a.path, month=datetime.date(YEAR, 1, 1),
        amount=Decimal("20"), method="cash", paid_on=datetime.date(YEAR, 1, 5),
    )  # fmt: skip
    resp = client.post(reverse("members:dues_bracket_edit", args=[YEAR, "employed"]), _form(**GOOD))
    assert resp.status_code == 200 and "已有党费交纳记录" in " ".join(resp.context["form"].errors["year"])
    client.post(reverse("members:dues_bracket_delete", args=[YEAR, "employed"]))
    assert DuesBracket.objects.filter(year=YEAR, category="employed").count() == 2
    assert not AuditLog.objects.filter(event="duesbracket.delete").exists()


def test_root_admin_removes_an_unused_table_and_the_earlier_one_applies_again(client_for, users):
    client = client_for(users.admin)
    client.post(reverse("members:dues_bracket_add"), _form(**GOOD))
    assert client.get(reverse("members:dues_bracket_delete", args=[YEAR, "employed"])).status_code == 200
    assert client.post(reverse("members:dues_bracket_delete", args=[YEAR, "employed"])).status_code == 302
    assert not DuesBracket.objects.filter(year=YEAR).exists()
    assert dues_monthly_amount(category="employed", base=Decimal("4000"), year=YEAR) == Decimal("40.00")
    assert AuditLog.objects.filter(event="duesbracket.delete").exists()


def test_recompute_previews_the_count_then_updates_the_stored_amounts(client_for, tree, users):
    members = [make_member(tree.branch_a) for _ in range(3)]
    for m, base in zip(members, ("3500", "8000", "2000"), strict=True):
        dues_base_set(acting_user=users.admin, member=m, year=YEAR, category="employed", base=Decimal(base))
    other_year = dues_base_set(
        acting_user=users.admin, member=members[0], year=YEAR - 1, category="employed", base=Decimal("3500")
    )
    assert DuesBase.objects.get(member=members[0], year=YEAR).monthly_amount == Decimal("35.00")
    client = client_for(users.admin)
    client.post(reverse("members:dues_bracket_add"), _form(**GOOD))  # ≤4000 → 0.5%, above → 1%
    # 3500: 35.00 → 17.50; 8000: 120.00 → 80.00; 2000: 10.00 unchanged
    plan = dues_recompute_preview(acting_user=users.admin, year=YEAR)
    assert (plan.total, len(plan.changes)) == (3, 2)
    page = client.get(reverse("members:dues_recompute"), {"year": YEAR})
    assert page.context["changed"] == 2 and "<strong>2</strong>人" in page.content.decode()
    assert DuesBase.objects.get(member=members[0], year=YEAR).monthly_amount == Decimal("35.00")  # preview only
    assert client.post(reverse("members:dues_recompute"), {"year": YEAR}).status_code == 302
    amounts = {b.member_id: b.monthly_amount for b in DuesBase.objects.filter(year=YEAR)}
    assert [amounts[m.pk] for m in members] == [Decimal("17.50"), Decimal("80.00"), Decimal("10.00")]
    other_year.refresh_from_db()
    assert other_year.monthly_amount == Decimal("35.00")  # another year keeps its table
    log = AuditLog.objects.get(event="dues_base.recompute")
    assert "2人" in log.note
    assert dues_recompute_preview(acting_user=users.admin, year=YEAR).changes == []


def test_recompute_is_refused_below_the_root(tree, users):
    with pytest.raises(PermissionDenied):
        dues_recompute(acting_user=users.district_staff, year=YEAR)


def test_service_refuses_an_overlapping_table_directly(users):
    with pytest.raises(ValidationError) as exc:
        bracket_table_save(
            acting_user=users.admin,
            year=YEAR,
            category="retiree",
            rows=[{"upper_bound": Decimal("5000"), "rate_percent": Decimal("0.5")},
                  {"upper_bound": Decimal("5000"), "rate_percent": Decimal("1")},
                  {"upper_bound": None, "rate_percent": Decimal("1")}],
            note="某省规定",
        )  # fmt: skip
    assert "不能重叠" in exc.value.message_dict["upper_bound_2"][0]


def test_the_admin_only_reads_the_dues_table(rf, users):
    from django.contrib import admin

    request = rf.get("/")
    request.user = users.admin
    model_admin = admin.site._registry[DuesBracket]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
