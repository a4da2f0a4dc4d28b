import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.periods import Period
from apps.core.spreadsheets import safe_cell
from apps.supervision import services
from apps.supervision.models import Finding, InspectionPlan, InspectionRecord
from apps.supervision.selectors import monthly_bulletin, observation_ranking
from tests.factories.supervision import make_letter

pytestmark = pytest.mark.django_db


def test_plan_creates_one_record_per_target_by_kind(tree, users):
    plan = services.inspection_plan_create(
        acting_user=users.district_staff, organization=tree.district_a, topic="三会一课落实情况", period="2026-11",
        target_root=tree.street_a, target_kinds=["branch"], inspectors=[users.district_staff],
    )  # fmt: skip
    assert set(InspectionRecord.objects.filter(plan=plan).values_list("target_id", flat=True)) == {
        tree.branch_a.pk,
        tree.branch_b.pk,
    }
    assert plan.inspectors.count() == 1


def test_plan_without_method_is_refused_on_the_form(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("supervision:inspection_create"),
        {"target_root": tree.street_a.code, "topic": "专项督查", "period": "2026-11"},
    )
    assert resp.status_code == 200
    assert "请至少选择一种督查方式" in resp.content.decode()
    assert not InspectionPlan.objects.exists()


def test_plan_form_with_bad_period_shows_error(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("supervision:inspection_create"),
        {"target_root": tree.street_a.code, "topic": "专项督查", "period": "2026年13", "method_reports": "on"},
    )
    assert "请选择有效的月份" in resp.content.decode()


def test_plan_page_flow_creates_records(tree, users, client_for):
    resp = client_for(users.district_staff).post(
        reverse("supervision:inspection_create"),
        {"target_root": tree.street_a.code, "topic": "专项督查", "period": "2026-11", "method_reports": "on",
         "target_kinds": ["branch"]},
    )  # fmt: skip
    assert resp.status_code == 302
    assert InspectionRecord.objects.count() == 2


def test_record_and_finding_through_the_page(tree, users, client_for):
    plan = services.inspection_plan_create(
        acting_user=users.district_staff, organization=tree.district_a, topic="督查", period="2026-11",
        target_root=tree.street_a, target_kinds=["branch"],
    )  # fmt: skip
    record = plan.records.get(target=tree.branch_a)
    client = client_for(users.district_staff)
    url = reverse("supervision:record_detail", args=[record.pk])
    assert client.post(url, {"form": "record", "summary": "", "inspected_on": "2026-11-20"}).status_code == 200
    resp = client.post(url, {"form": "record", "summary": "台账规范", "inspected_on": "2026-11-20", "score": "92"})
    assert resp.status_code == 302
    assert "督查情况已保存" in client.get(url).content.decode()
    resp = client.post(url, {"form": "finding", "category": "组织生活", "description": "10月未开展主题党日",
                             "severity": "major", "rectify_by": "2026-12-31"})  # fmt: skip
    assert resp.status_code == 302
    assert "已登记问题，并列入问题清单" in client.get(url).content.decode()  # the verb, not a generic 已保存
    record.refresh_from_db()
    assert record.status == "done" and record.score == Decimal("92")
    f = Finding.objects.get()
    assert f.org_path == tree.branch_a.path and f.rectify_by == datetime.date(2026, 12, 31)


def test_finding_without_description_is_refused(tree, users):
    plan = services.inspection_plan_create(
        acting_user=users.district_staff, organization=tree.district_a, topic="督查", period="2026-11",
        target_root=tree.branch_a,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.finding_create(
            acting_user=users.district_staff, record=plan.records.first(), category="x", description=" "
        )
    assert "description" in exc.value.message_dict


def test_observation_ranking_shares_ranks_on_ties(tree, users):
    visit = services.observation_visit_create(
        acting_user=users.street_staff,
        organization=tree.street_a,
        title="阵地建设观摩",
        period="2026-11",
        visit_on=None,
    )
    services.observation_score_set(
        acting_user=users.street_staff, visit=visit, target=tree.branch_a, score=Decimal("95")
    )
    services.observation_score_set(
        acting_user=users.street_staff, visit=visit, target=tree.branch_b, score=Decimal("95")
    )
    services.observation_score_set(
        acting_user=users.street_staff, visit=visit, target=tree.group_a, score=Decimal("80")
    )
    ranks = [(s.target_id, s.rank) for s in observation_ranking(user=users.street_staff, visit=visit)]
    assert [r for _, r in ranks] == [1, 1, 3]
    with pytest.raises(ValidationError):
        services.observation_score_set(
            acting_user=users.street_staff, visit=visit, target=tree.branch_a, score=Decimal("120")
        )


def test_monthly_bulletin_counts_and_ranks_children(tree, users):
    make_letter(tree.city, tree.branch_a, kind="reminder")
    make_letter(tree.city, tree.branch_a, kind="warning", issued_on=datetime.date(2026, 11, 30))
    make_letter(tree.city, tree.branch_c, kind="reminder", status="answered")
    b = monthly_bulletin(
        user=users.city_staff, issuer=tree.city, period=Period(2026, 11), today=datetime.date(2026, 12, 20)
    )
    assert b["kinds"]["reminder"]["sent"] == 2 and b["kinds"]["reminder"]["answered"] == 1
    assert b["kinds"]["warning"]["overdue"] == 1
    ranking = [(r["org"].name, r["rank"]) for r in b["ranking"]]
    assert ranking == [("乙区委", 1), ("甲区委", 2)]


def test_bulletin_page_and_xlsx_neutralise_formulas(tree, users, client_for):
    from apps.organizations.services import organization_update

    organization_update(acting_user=users.admin, organization=tree.district_b, name='=HYPERLINK("http://x")')
    make_letter(tree.city, tree.branch_c, kind="reminder")
    client = client_for(users.city_staff)
    assert client.get(reverse("supervision:bulletin"), {"period": "2026-11"}).status_code == 200
    resp = client.get(reverse("supervision:bulletin"), {"period": "2026-11", "format": "xlsx"})
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    names = [row[1] for row in ws.iter_rows(values_only=True) if row and len(row) > 1]
    assert '\'=HYPERLINK("http://x")' in names
    assert safe_cell("+1") == "'+1" and safe_cell("正常") == "正常" and safe_cell(3) == 3


def test_inspector_finding_becomes_a_linked_problem_item(tree, users):
    from apps.responsibility.models import ProblemItem

    plan = services.inspection_plan_create(
        acting_user=users.inspector, organization=tree.city, topic="换届专项督查", period="2026-11",
        target_root=tree.branch_a, target_kinds=["branch"],
    )  # fmt: skip
    record = plan.records.get()
    f = services.finding_create(
        acting_user=users.inspector, record=record, category="换届", description="支委会未按期换届",
        severity="serious", rectify_by=datetime.date(2027, 1, 31),
    )  # fmt: skip
    problem = ProblemItem.objects.get()
    assert f.problem == problem and f.problem_ref == f"responsibility.problemitem:{problem.pk}"
    assert problem.organization == tree.branch_a and problem.source == "inspection" and problem.severity == "major"
    assert problem.rectification.deadline == datetime.date(2027, 1, 31)
    assert list(problem.findings.all()) == [f]


def test_plan_form_takes_inspectors_from_scope_only(tree, users, client_for):
    client = client_for(users.district_staff)
    data = {"target_root": tree.street_a.code, "topic": "专项督查", "period": "2026-11", "method_reports": "on"}
    resp = client.post(reverse("supervision:inspection_create"), {**data, "inspectors": [users.district_b_staff.pk]})
    assert resp.status_code == 200 and not InspectionPlan.objects.exists()
    resp = client.post(reverse("supervision:inspection_create"), {**data, "inspectors": [users.street_staff.pk]})
    assert resp.status_code == 302
    assert list(InspectionPlan.objects.get().inspectors.all()) == [users.street_staff]


def test_bulletin_ranking_counts_everything_overdue_in_each_subtree_like_a_recount(tree, users):
    """Letters of any issuer below (not only the chosen one) and overdue tasks/rectifications count."""
    from apps.responsibility.models import Rectification, TaskItem
    from apps.supervision.models import Letter
    from tests.factories.responsibility import make_problem, make_task

    as_of = datetime.date(2026, 12, 1)
    make_letter(tree.district_a, tree.branch_a, kind="warning")  # issued by the district, not the city
    make_letter(tree.street_a, tree.branch_b, kind="supervision")
    make_problem(tree.branch_a, found_on=datetime.date(2026, 9, 1), deadline=datetime.date(2026, 9, 15))
    make_problem(tree.branch_c, found_on=datetime.date(2026, 9, 1), deadline=datetime.date(2027, 3, 1))
    make_task(tree.branch_b, issued_on=datetime.date(2026, 9, 1), due_date=datetime.date(2026, 10, 1))
    b = monthly_bulletin(
        user=users.city_staff, issuer=tree.city, period=Period(2026, 11), today=datetime.date(2026, 12, 20)
    )
    rows = {r["org"].name: r for r in b["ranking"]}
    for child in (tree.district_a, tree.district_b):
        row = rows[child.name]
        letters = Letter.objects.filter(org_path__startswith=child.path, period="2026-11")
        assert row["warning"] == letters.filter(kind="warning").count()
        assert row["supervision"] == letters.filter(kind="supervision").count()
        assert row["overdue_rectifications"] == (
            Rectification.objects.filter(org_path__startswith=child.path).overdue(as_of).count()
        )
        assert row["overdue_tasks"] == TaskItem.objects.filter(org_path__startswith=child.path).overdue(as_of).count()
    assert (rows["甲区委"]["warning"], rows["甲区委"]["overdue_rectifications"], rows["甲区委"]["overdue_tasks"]) == (
        1,
        1,
        1,
    )
    assert [(r["org"].name, r["rank"]) for r in b["ranking"]] == [("乙区委", 1), ("甲区委", 2)]
