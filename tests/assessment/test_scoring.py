import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.assessment import services
from apps.assessment.models import AssessmentResult, ItemScore
from apps.assessment.rules import combine_raters, rule_points
from apps.assessment.scoring import evidence_for
from apps.organizations.models import Organization
from tests.factories.accounts import make_user
from tests.factories.assessment import add, make_plan, make_simple_plan
from tests.factories.organizations import make_org

pytestmark = pytest.mark.django_db
D = Decimal


def _start(user, plan):
    return services.plan_start_scoring(acting_user=user, plan=plan)


def _result(plan, org):
    return AssessmentResult.objects.get(plan=plan, organization=org)


def _rate_all(user, plan, ind, points_by_org, raters=None):
    raters = raters or [user]
    for org, pts in points_by_org.items():
        for rater in raters:
            services.rater_score_set(acting_user=rater, result=_result(plan, org), indicator=ind, points=D(pts))


def _compute(user, plan):
    return services.plan_compute(acting_user=user, plan=plan)


def test_plan_must_sum_to_100_before_scoring(tree, users):
    plan = make_plan(users.district_staff, tree.district_a)
    group = add(users.district_staff, plan, "组织建设", "group", 100)
    add(users.district_staff, plan, "阵地建设", "standard", 60, parent=group, method="raters")
    with pytest.raises(ValidationError) as exc:
        _start(users.district_staff, plan)
    assert "应为100分" in str(exc.value)
    add(users.district_staff, plan, "特色工作", "standard", 40, parent=group, method="manual")
    plan = _start(users.district_staff, plan)
    assert plan.status == "scoring"
    assert set(AssessmentResult.objects.filter(plan=plan).values_list("organization", flat=True)) == {
        tree.branch_a.pk,
        tree.branch_b.pk,
    }


def test_group_points_must_equal_its_items(tree, users):
    plan = make_plan(users.district_staff, tree.district_a)
    g1 = add(users.district_staff, plan, "甲", "group", 50)
    g2 = add(users.district_staff, plan, "乙", "group", 50)
    add(users.district_staff, plan, "甲1", "standard", 60, parent=g1, method="manual")
    add(users.district_staff, plan, "乙1", "standard", 40, parent=g2, method="manual")
    with pytest.raises(ValidationError) as exc:
        _start(users.district_staff, plan)
    assert "「甲」" in str(exc.value)


def test_system_item_needs_a_registered_metric_and_rule(tree, users):
    plan = make_plan(users.district_staff, tree.district_a)
    group = add(users.district_staff, plan, "组织建设", "group", 100)
    with pytest.raises(ValidationError) as exc:
        add(users.district_staff, plan, "台账", "standard", 40, parent=group, method="system", metric_name="no.such")
    assert "metric_name" in exc.value.message_dict


def test_total_is_sum_of_items_with_bonus_and_deduction_caps(tree, users):
    staff = users.district_staff
    plan, ind = make_simple_plan(staff, tree.district_a, bonus_cap=D("5"), deduction_cap=D("6"))
    _start(staff, plan)
    a, b = _result(plan, tree.branch_a), _result(plan, tree.branch_b)
    _rate_all(staff, plan, ind["raters"], {tree.branch_a: 50, tree.branch_b: 40})
    for r, pts in ((a, 30), (b, 35)):
        services.item_score_set(acting_user=staff, result=r, indicator=ind["manual"], points=D(pts))
    # a: bonus 3 + 3 = 6, capped at 5; deduction 8 capped by the item at 8, then by the plan at 6
    services.item_score_set(acting_user=staff, result=a, indicator=ind["bonus"], points=D(3), evidence="创新")
    services.item_score_set(acting_user=staff, result=a, indicator=ind["bonus2"], points=D(3), evidence="表彰")
    services.item_score_set(acting_user=staff, result=a, indicator=ind["deduction"], points=D(8), evidence="通报")
    with pytest.raises(ValidationError):
        services.item_score_set(acting_user=staff, result=b, indicator=ind["deduction"], points=D(9), evidence="x")
    services.item_score_set(acting_user=staff, result=b, indicator=ind["deduction"], points=D(2), evidence="通报")
    _compute(staff, plan)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.base_points, a.bonus_points, a.deduction_points, a.total) == (D(80), D(5), D(6), D(79))
    assert (b.base_points, b.bonus_points, b.deduction_points, b.total) == (D(75), D(0), D(2), D(73))
    assert sum(s.points for s in ItemScore.objects.filter(result=b, category="standard")) == b.base_points


def test_bonus_and_deduction_need_a_reason(tree, users):
    staff = users.district_staff
    plan, ind = make_simple_plan(staff, tree.district_a)
    _start(staff, plan)
    with pytest.raises(ValidationError) as exc:
        services.item_score_set(acting_user=staff, result=_result(plan, tree.branch_a), indicator=ind["bonus"],
                                points=D(2))  # fmt: skip
    assert "evidence" in exc.value.message_dict


def _many_branches(tree, n):
    return [make_org(tree.street_a, kind="branch", name=f"考核支部{i}") for i in range(n)]


def test_vetoed_org_is_lagging_and_ranked_after_every_non_vetoed(tree, users):
    staff = users.district_staff
    plan, ind = make_simple_plan(staff, tree.district_a, grading_method="thresholds")
    _start(staff, plan)
    _rate_all(staff, plan, ind["raters"], {tree.branch_a: 60, tree.branch_b: 10})
    a = _result(plan, tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        services.veto_set(acting_user=staff, result=a, indicator=ind["veto"], vetoed=True, reason="")
    assert "reason" in exc.value.message_dict
    services.veto_set(acting_user=staff, result=a, indicator=ind["veto"], vetoed=True, reason="发生严重违纪问题")
    _compute(staff, plan)
    a.refresh_from_db()
    b = _result(plan, tree.branch_b)
    assert a.total > b.total
    assert a.vetoed and a.veto_reason == "发生严重违纪问题"
    assert a.grade == "lagging"
    assert a.rank > b.rank


def test_system_veto_item_vetoes_orgs_with_occurrences(tree, users, problem_metric):
    from apps.responsibility.services import problem_create

    staff = users.district_staff
    plan, _ind = make_simple_plan(staff, tree.district_a, year=datetime.date.today().year)
    veto = add(staff, plan, "问责事件", "veto", 0, method="system", metric_name="test.problems")
    _start(staff, plan)
    problem_create(acting_user=staff, organization=tree.branch_b, year=plan.year, source="inspection",
                   category="纪律", description="问题", deadline_class="immediate")  # fmt: skip
    _compute(staff, plan)
    b = _result(plan, tree.branch_b)
    assert b.vetoed and "发现问题数：1条" in b.veto_reason
    assert not _result(plan, tree.branch_a).vetoed
    assert ItemScore.objects.filter(indicator=veto).count() == 2


def test_ties_share_a_rank(tree, users):
    staff = users.district_staff
    extra = _many_branches(tree, 2)
    plan, ind = make_simple_plan(staff, tree.district_a)
    _start(staff, plan)
    _rate_all(staff, plan, ind["raters"], {tree.branch_a: 50, tree.branch_b: 50, extra[0]: 55, extra[1]: 40})
    _compute(staff, plan)
    ranks = dict(AssessmentResult.objects.filter(plan=plan).values_list("organization_id", "rank"))
    assert ranks[extra[0].pk] == 1
    assert ranks[tree.branch_a.pk] == ranks[tree.branch_b.pk] == 2
    assert ranks[extra[1].pk] == 4


def test_quotas_make_top_20_percent_advanced_and_bottom_10_percent_lagging(tree, users):
    staff = users.district_staff
    extra = _many_branches(tree, 8)  # 10 branches in all
    plan, ind = make_simple_plan(staff, tree.district_a, advanced_quota_percent=20, lagging_quota_percent=10)
    _start(staff, plan)
    orgs = [tree.branch_a, tree.branch_b, *extra]
    _rate_all(staff, plan, ind["raters"], {org: 60 - i * 5 for i, org in enumerate(orgs)})
    _compute(staff, plan)
    grades = dict(AssessmentResult.objects.filter(plan=plan).values_list("organization_id", "grade"))
    assert [grades[o.pk] for o in orgs] == ["advanced"] * 2 + ["standard"] * 7 + ["lagging"]


def test_thresholds_grade_by_score_lines_and_stars(tree, users):
    staff = users.district_staff
    plan, ind = make_simple_plan(
        staff, tree.district_a, grading_method="thresholds", advanced_min_score=D(50), lagging_below_score=D(20),
        star_thresholds=[90, 50, 30, 20],
    )  # fmt: skip
    _start(staff, plan)
    _rate_all(staff, plan, ind["raters"], {tree.branch_a: 55, tree.branch_b: 10})
    _compute(staff, plan)
    a, b = _result(plan, tree.branch_a), _result(plan, tree.branch_b)
    assert (a.grade, a.star_rating) == ("advanced", 4)
    assert (b.grade, b.star_rating) == ("lagging", 1)


@pytest.mark.parametrize(
    ("how", "values", "expected"),
    [("mean", [10, 20, 60], D("30.00")), ("trimmed", [10, 20, 60], D("20.00")), ("trimmed", [10, 20], D("15.00")),
     ("trimmed", [10, 20, 30, 100], D("25.00"))],
)  # fmt: skip
def test_rater_combination_rules(how, values, expected):
    assert combine_raters([D(v) for v in values], how) == expected


def test_three_raters_trimmed_mean_feeds_the_item(tree, users):
    staff = users.district_staff
    raters = [staff, users.city_staff, make_user(tree.district_a, "org_staff")]
    plan, ind = make_simple_plan(staff, tree.district_a, rater_combine="trimmed")
    _start(staff, plan)
    for rater, pts in zip(raters, (30, 45, 58), strict=True):
        services.rater_score_set(acting_user=rater, result=_result(plan, tree.branch_a), indicator=ind["raters"],
                                 points=D(pts), evidence="实地查看")  # fmt: skip
    _compute(staff, plan)
    score = ItemScore.objects.get(result__organization=tree.branch_a, indicator=ind["raters"])
    assert score.points == D(45) and "3位评委" in score.evidence


def test_system_metric_points_match_a_recount_of_the_source(tree, users, problem_metric):
    from apps.responsibility.models import ProblemItem
    from apps.responsibility.services import problem_create

    staff = users.district_staff
    year = datetime.date.today().year
    plan = make_plan(staff, tree.district_a, year=year)
    group = add(staff, plan, "问题整改", "group", 100)
    ind = add(staff, plan, "问题数量", "standard", 100, parent=group, method="system", metric_name="test.problems",
              rule={"kind": "per_occurrence", "each": 15})  # fmt: skip
    _start(staff, plan)
    for org, n in ((tree.branch_a, 2), (tree.group_a, 1), (tree.branch_b, 0)):
        for i in range(n):
            problem_create(acting_user=staff, organization=org, year=year, source="inspection", category="c",
                           description=f"问题{i}", deadline_class="immediate")  # fmt: skip
    _compute(staff, plan)
    for org in (tree.branch_a, tree.branch_b):
        recount = ProblemItem.objects.filter(org_path__startswith=org.path, found_on__year=year).count()
        score = ItemScore.objects.get(indicator=ind, result__organization=org)
        assert score.figure == recount
        assert score.points == max(D(100) - 15 * recount, D(0))
        evidence = evidence_for(plan=plan, indicator=ind, score=score)
        assert f"{recount}条" in evidence and f"{year}年" in evidence
    assert ItemScore.objects.get(indicator=ind, result__organization=tree.branch_a).figure == 3  # subtree


def test_rate_metric_linear_rule_and_empty_base(tree, users, rate_metric):
    staff = users.district_staff
    plan = make_plan(staff, tree.district_a)
    group = add(staff, plan, "台账", "group", 100)
    ind = add(staff, plan, "按时提交率", "standard", 100, parent=group, method="system", metric_name="test.rate",
              rule={"kind": "linear", "low": 50, "high": 100})  # fmt: skip
    rate_metric[tree.branch_a.path] = (3, 4)
    _start(staff, plan)
    _compute(staff, plan)
    a = ItemScore.objects.get(indicator=ind, result__organization=tree.branch_a)
    b = ItemScore.objects.get(indicator=ind, result__organization=tree.branch_b)
    assert (a.figure, a.points) == (D(75), D(50))
    assert b.figure is None and b.points == D(100)
    assert "无应办事项" in evidence_for(plan=plan, indicator=ind, score=b)


def test_rules_thresholds_and_per_occurrence_on_bonus():
    steps = {"kind": "thresholds", "steps": [[95, 1], [80, 0.6]]}
    assert rule_points(rule=steps, points=D(10), figure=D(96), category="standard") == D(10)
    assert rule_points(rule=steps, points=D(10), figure=D(85), category="standard") == D(6)
    assert rule_points(rule=steps, points=D(10), figure=D(70), category="standard") == D(0)
    lower = {"kind": "thresholds", "steps": [[0, 1], [2, 0.5]], "lower_is_better": True}
    assert rule_points(rule=lower, points=D(10), figure=D(1), category="standard") == D(5)
    each = {"kind": "per_occurrence", "each": 2}
    assert rule_points(rule=each, points=D(5), figure=D(4), category="bonus") == D(5)
    assert rule_points(rule=each, points=D(5), figure=D(1), category="deduction") == D(2)


def test_recompute_replaces_scores_without_duplicates(tree, users, rate_metric):
    staff = users.district_staff
    plan = make_plan(staff, tree.district_a)
    group = add(staff, plan, "台账", "group", 100)
    ind = add(staff, plan, "按时提交率", "standard", 100, parent=group, method="system", metric_name="test.rate",
              rule={"kind": "linear", "low": 0, "high": 100})  # fmt: skip
    _start(staff, plan)
    rate_metric[tree.branch_a.path] = (1, 4)
    _compute(staff, plan)
    rate_metric[tree.branch_a.path] = (4, 4)
    _compute(staff, plan)
    assert ItemScore.objects.filter(indicator=ind).count() == 2
    assert ItemScore.objects.get(indicator=ind, result__organization=tree.branch_a).points == D(100)


def test_democratic_votes_become_points_with_weights(tree, users):
    staff = users.district_staff
    plan = make_plan(staff, tree.district_a)
    group = add(staff, plan, "民主测评", "group", 100)
    ind = add(staff, plan, "群众满意度", "standard", 100, parent=group, method="democratic",
              rule={"weights": {"good": 1, "fair": 0.8, "average": 0.5, "poor": 0}})  # fmt: skip
    _start(staff, plan)
    services.vote_tally_set(acting_user=staff, result=_result(plan, tree.branch_a), indicator=ind, good=6, fair=2,
                            average=2, poor=0)  # fmt: skip
    _compute(staff, plan)
    # (6*1 + 2*0.8 + 2*0.5) / 10 = 0.86
    assert ItemScore.objects.get(indicator=ind, result__organization=tree.branch_a).points == D("86.00")


def test_duty_review_feeds_an_indicator(tree, users):
    staff = users.district_staff
    year = datetime.date.today().year
    plan = make_plan(staff, tree.district_a, year=year)
    group = add(staff, plan, "述职评议", "group", 100)
    ind = add(staff, plan, "书记述职", "standard", 100, parent=group, method="duty_review")
    _start(staff, plan)
    report = services.duty_report_save(acting_user=users.secretary_a, organization=tree.branch_a, year=year,
                                       reporter_name="张三", title="述职报告", text="一年来抓党建工作的情况" * 5,
                                       submit=True)  # fmt: skip
    with pytest.raises((ValidationError, PermissionDenied)):
        services.duty_report_review(acting_user=users.secretary_a, report=report, good=1, fair=0, average=0, poor=0)
    report = services.duty_report_review(acting_user=staff, report=report, good=8, fair=2, average=0, poor=0)
    assert report.rating == "good"
    _compute(staff, plan)
    assert ItemScore.objects.get(indicator=ind, result__organization=tree.branch_a).points == D("96.00")


def _published(staff, tree, *, appeal_days=7):
    plan, ind = make_simple_plan(staff, tree.district_a, appeal_days=appeal_days, grading_method="thresholds",
                                 advanced_min_score=D(60), lagging_below_score=D(30))  # fmt: skip
    _start(staff, plan)
    _rate_all(staff, plan, ind["raters"], {tree.branch_a: 55, tree.branch_b: 20})
    _compute(staff, plan)
    plan = services.plan_publish(acting_user=staff, plan=plan)
    return plan, ind


def test_publish_freezes_scores(tree, users):
    staff = users.district_staff
    plan, ind = _published(staff, tree)
    a = _result(plan, tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        services.rater_score_set(acting_user=staff, result=a, indicator=ind["raters"], points=D(1))
    assert "冻结" in str(exc.value)
    with pytest.raises(ValidationError):
        services.plan_compute(acting_user=staff, plan=plan)
    with pytest.raises(ValidationError):
        services.plan_update(acting_user=staff, plan=plan, title="改名")
    with pytest.raises(ValidationError):
        services.indicator_save(acting_user=staff, plan=plan, indicator=ind["raters"], points=D(1))


def test_publish_writes_grades_to_orgs_and_lagging_gets_a_problem_item(tree, users):
    from apps.core.models import AuditLog
    from apps.responsibility.models import ProblemItem

    staff = users.district_staff
    plan, _ind = _published(staff, tree)
    a, b = Organization.objects.get(pk=tree.branch_a.pk), Organization.objects.get(pk=tree.branch_b.pk)
    assert a.grade == "standard" and b.grade == "lagging"
    assert AuditLog.objects.filter(event="organization.update", object_id=str(b.pk)).exists()
    problem = ProblemItem.objects.get(organization=b, source="assessment")
    assert plan.title in problem.description
    result_b = _result(plan, tree.branch_b)
    assert result_b.problem_ref == f"responsibility.problemitem:{problem.pk}"
    services.result_mark_consolidation(acting_user=staff, result=result_b)
    b.refresh_from_db()
    assert b.is_weak and b.consolidation_status == "in_progress"
    with pytest.raises(ValidationError):
        services.result_mark_consolidation(acting_user=staff, result=_result(plan, tree.branch_a))


def test_appeal_accepted_corrects_the_item_and_regrades(tree, users):
    staff = users.district_staff
    plan, ind = _published(staff, tree)
    b = _result(plan, tree.branch_b)
    appeal = services.appeal_submit(acting_user=users.secretary_b, result=b, indicator=ind["raters"],
                                    reason="阵地建设已完成，评分有误")  # fmt: skip
    with pytest.raises((ValidationError, PermissionDenied)):
        services.appeal_answer(acting_user=users.secretary_b, appeal=appeal, accept=True, answer="x")
    services.appeal_answer(acting_user=staff, appeal=appeal, accept=True, answer="经核实", new_points=D(58))
    b.refresh_from_db()
    appeal.refresh_from_db()
    assert (appeal.points_before, appeal.points_after, appeal.status) == (D(20), D(58), "accepted")
    assert b.total == D(58) and b.rank == 1
    assert Organization.objects.get(pk=tree.branch_b.pk).grade == "standard"


def test_appeal_refused_outside_the_window_and_for_sibling(tree, users):
    staff = users.district_staff
    plan, _ind = _published(staff, tree, appeal_days=0)
    a = _result(plan, tree.branch_a)
    with pytest.raises(PermissionDenied):
        services.appeal_submit(acting_user=users.secretary_b, result=a, reason="不服")
    type(plan).objects.filter(pk=plan.pk).update(appeal_deadline=datetime.date.today() - datetime.timedelta(days=1))
    a = _result(plan, tree.branch_a)
    with pytest.raises(ValidationError) as exc:
        services.appeal_submit(acting_user=users.secretary_a, result=a, reason="不服")
    assert "申诉期" in str(exc.value)


def test_copy_plan_from_last_year_copies_the_tree(tree, users):
    staff = users.district_staff
    plan, _ind = make_simple_plan(staff, tree.district_a, year=2024, title="2024年度基层党建考核")
    copy = services.plan_copy(acting_user=staff, source=plan, year=2025)
    assert copy.title == "2025年度基层党建考核" and copy.status == "draft" and copy.copied_from == plan
    names = sorted(copy.indicators.values_list("name", "category", "points"))
    assert names == sorted(plan.indicators.values_list("name", "category", "points"))
    child = copy.indicators.get(name="阵地建设")
    assert child.parent.plan_id == copy.pk and child.parent.name == "组织建设"


def test_observation_ranking_feeds_an_indicator(tree, users):
    from apps.supervision import observation_scoring as obs
    from apps.supervision.models import ObservationVisit

    staff = users.district_staff
    visit = ObservationVisit.objects.create(organization=tree.district_a, title="逐社观摩", period="2025-11")
    obs.observation_targets_set(acting_user=staff, visit=visit, organizations=[tree.branch_a, tree.branch_b])
    dims = list(visit.dimensions.all())
    for target, v in ((tree.branch_a, 18), (tree.branch_b, 14)):
        obs.observation_rating_set(acting_user=staff, visit=visit, target=target, points={d.pk: D(v) for d in dims})
    plan = make_plan(staff, tree.district_a)
    group = add(staff, plan, "观摩", "group", 100)
    ind = add(staff, plan, "观摩评比", "standard", 100, parent=group, method="observation", rule={"visit": visit.pk})
    _start(staff, plan)
    _compute(staff, plan)
    a = ItemScore.objects.get(indicator=ind, result__organization=tree.branch_a)
    b = ItemScore.objects.get(indicator=ind, result__organization=tree.branch_b)
    assert (a.points, b.points) == (D(90), D(70))
    assert "第1名" in a.evidence and "第2名" in b.evidence
