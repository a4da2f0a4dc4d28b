"""Item scores carry no database FK constraints (migration 0003: two deferred checks per row cost as much as a
plan's 2M-row insert). The code keeps them consistent; these tests recount it."""

from decimal import Decimal

import pytest
from django.db import connection

from apps.assessment import services
from apps.assessment.models import AssessmentPlan, AssessmentResult, Indicator, ItemScore
from tests.factories.assessment import make_simple_plan

pytestmark = pytest.mark.django_db


def _orphans() -> int:
    """Item scores whose result or indicator is gone, or whose result and indicator belong to different plans."""
    items, results = ItemScore._meta.db_table, AssessmentResult._meta.db_table
    indicators = Indicator._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT COUNT(*) FROM {items} s
                LEFT JOIN {results} r ON r.id = s.result_id
                LEFT JOIN {indicators} i ON i.id = s.indicator_id
                WHERE r.id IS NULL OR i.id IS NULL OR r.plan_id <> i.plan_id OR r.org_path <> s.org_path
                   OR i.category <> s.category"""
        )
        return cur.fetchone()[0]


def _computed_plan(tree, users, rate_metric):
    staff = users.district_staff
    plan, inds = make_simple_plan(staff, tree.district_a, metric="test.rate")
    services.plan_start_scoring(acting_user=staff, plan=plan)
    rate_metric[tree.branch_a.path] = (3, 4)
    result = AssessmentResult.objects.get(plan=plan, organization=tree.branch_a)
    services.rater_score_set(acting_user=staff, result=result, indicator=inds["raters"], points=Decimal(50))
    services.plan_compute(acting_user=staff, plan=plan)
    return plan, inds


def test_every_item_score_points_at_its_own_plans_result_and_indicator(tree, users, rate_metric):
    plan, inds = _computed_plan(tree, users, rate_metric)
    results = AssessmentResult.objects.filter(plan=plan).count()
    assert ItemScore.objects.filter(indicator=inds["system"]).count() == results
    assert _orphans() == 0
    services.plan_compute(acting_user=users.district_staff, plan=plan)  # a recompute keeps it so
    assert ItemScore.objects.filter(indicator=inds["system"]).count() == results
    assert _orphans() == 0


def test_deleting_a_plan_or_an_indicator_leaves_no_orphan_item_scores(tree, users, rate_metric):
    plan, inds = _computed_plan(tree, users, rate_metric)
    assert ItemScore.objects.exists()
    Indicator.objects.filter(pk=inds["raters"].pk).delete()  # the ORM cascades (no database constraint does)
    assert _orphans() == 0
    AssessmentPlan.objects.filter(pk=plan.pk).delete()
    assert not ItemScore.objects.exists()
    assert _orphans() == 0
