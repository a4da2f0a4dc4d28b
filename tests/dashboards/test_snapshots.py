"""Every stored figure equals a recount from the source rows, for several scopes incl. the sibling."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from apps.core.metrics import metric_values, metrics
from apps.dashboards.models import MemberStatsSnapshot, MetricSnapshot, RefreshRun
from apps.dashboards.refresh import stats_refresh
from apps.organizations.models import Organization

from .conftest import SCOPES, recount

pytestmark = pytest.mark.django_db


def _nonzero(counts):
    return {k: v for k, v in counts.items() if v}


@pytest.mark.parametrize("scope", SCOPES)
def test_member_snapshot_equals_recount_from_member_rows(tree, refreshed, scope):
    org = getattr(tree, scope)
    snap = MemberStatsSnapshot.objects.get(organization=org, as_of=refreshed.today)
    assert _nonzero(snap.counts) == _nonzero(recount(org.path, refreshed.today))


def test_sibling_branch_members_are_not_counted_in_branch_a(tree, refreshed):
    a = MemberStatsSnapshot.objects.get(organization=tree.branch_a, as_of=refreshed.today)
    b = MemberStatsSnapshot.objects.get(organization=tree.branch_b, as_of=refreshed.today)
    street = MemberStatsSnapshot.objects.get(organization=tree.street_a, as_of=refreshed.today)
    assert a.count("total") == 6  # the deceased member is not in good standing
    assert b.count("total") == 2
    assert street.count("total") == 8
    assert MemberStatsSnapshot.objects.get(organization=tree.city, as_of=refreshed.today).count("total") == 11


def test_age_band_boundary_thirty_is_in_the_youngest_band(tree, refreshed):
    a = MemberStatsSnapshot.objects.get(organization=tree.branch_a, as_of=refreshed.today)
    assert a.count("age:le30") == 2
    assert a.count("age:31_35") == 1
    assert a.count("age:ge71") == 1
    assert a.count("age:unknown") == 1


@pytest.mark.parametrize("scope", SCOPES)
def test_metric_snapshot_equals_live_registry_value(tree, refreshed, scope):
    org = getattr(tree, scope)
    snap = MetricSnapshot.objects.get(organization=org, kind="current", period=refreshed.today)
    start, end = datetime.date(refreshed.today.year, 1, 1), refreshed.today
    for name in metrics():
        live = metric_values(name, organizations=[org], start=start, end=end)[org.pk]
        stored = snap.values.get(name, [0, 0])
        assert [float(stored[0]), float(stored[1])] == [float(live.numerator), float(live.denominator)], name


@pytest.mark.parametrize("scope", SCOPES)
def test_organization_kind_counts_equal_recount(tree, refreshed, scope):
    org = getattr(tree, scope)
    snap = MetricSnapshot.objects.get(organization=org, kind="current", period=refreshed.today)
    subtree = Organization.objects.filter(path__startswith=org.path, is_active=True)
    for kind in ("committee", "working_committee", "branch", "party_group"):
        assert snap.values.get(f"organizations.kind.{kind}", [0, 0])[0] == subtree.filter(kind=kind).count()


@pytest.mark.parametrize("scope", SCOPES)
def test_recruitment_funnel_equals_recount(tree, refreshed, scope):
    from apps.members.models import Recruitment

    org = getattr(tree, scope)
    snap = MetricSnapshot.objects.get(organization=org, kind="current", period=refreshed.today)
    for stage in ("applicant", "activist", "candidate"):
        expected = Recruitment.objects.filter(organization__path__startswith=org.path, stage=stage).count()
        assert snap.values.get(f"members.recruitment.{stage}", [0, 0])[0] == expected


def test_refresh_is_idempotent_and_records_its_run(tree, refreshed):
    before = MemberStatsSnapshot.objects.count(), MetricSnapshot.objects.count()
    run = stats_refresh()
    assert (MemberStatsSnapshot.objects.count(), MetricSnapshot.objects.count()) == before
    assert run.finished_at is not None and run.member_rows > 0 and run.metric_rows > 0
    assert RefreshRun.objects.count() == 2


def test_management_command_refreshes_for_a_given_date(tree, world, capsys):
    from django.core.management import call_command

    call_command("refresh_dashboard_stats", "--as-of", "2026-06-30", "--months", "2")
    assert MemberStatsSnapshot.objects.filter(as_of=datetime.date(2026, 6, 30)).exists()
    assert "党员统计" in capsys.readouterr().out


def test_responsibility_metrics_own_figures_roll_back_up_to_the_stats_table(tree, world):
    """The source turns OrgMonthStats subtree rows into own figures; the registry's roll-up gives them back."""
    from apps.core.periods import Period
    from apps.responsibility.models import OrgMonthStats
    from apps.responsibility.stats import stats_refresh as resp_refresh
    from tests.factories.responsibility import make_ledger, make_problem

    period = Period.current().previous()
    make_ledger(tree.branch_a, period)
    make_problem(tree.branch_b)
    resp_refresh(period=period)
    orgs = list(Organization.objects.all())
    values = metric_values(
        "responsibility.ledger_submission_rate", organizations=orgs, start=period.first_day, end=period.last_day
    )
    for row in OrgMonthStats.objects.filter(month=period.first_day):
        v = values[row.organization_id]
        assert (v.numerator, v.denominator) == (row.ledgers_submitted, row.ledgers_required)


def test_nightly_task_builds_todays_snapshots(tree, world):
    from apps.dashboards.tasks import dashboard_stats_refresh_task

    rows = dashboard_stats_refresh_task.delay().get()
    assert rows == MemberStatsSnapshot.objects.count() + MetricSnapshot.objects.count()
    assert MemberStatsSnapshot.objects.filter(organization=tree.city, as_of=world.today).exists()


def test_old_trend_months_are_kept_and_only_recent_ones_recomputed(tree, world):
    stats_refresh()
    oldest = MetricSnapshot.objects.filter(kind="month").order_by("period").first()
    MetricSnapshot.objects.filter(pk=oldest.pk).update(values={"marker": [1, 1]})
    stats_refresh()
    assert MetricSnapshot.objects.get(pk=oldest.pk).values == {"marker": [1, 1]}
    assert MetricSnapshot.objects.filter(kind="month").values("period").distinct().count() == 12


def test_vendored_echarts_matches_the_recorded_checksum():
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    lines = [ln.split() for ln in (root / "static/vendor/VERSIONS").read_text().splitlines() if ln and ln[0] != "#"]
    entry = next(parts for parts in lines if parts[0] == "echarts")
    assert hashlib.sha256((root / entry[3]).read_bytes()).hexdigest() == entry[2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass SQL forms are PostgreSQL's")
def test_conditional_counts_equal_grouping_sets_and_fall_back_on_an_unknown_value(tree, world):
    """The member breakdowns' two PostgreSQL forms give the same counts; a value the choices do not know
    (an education code starting with 5) sends the pass to the GROUPING SETS form, which names it."""
    from apps.members import breakdowns as bd
    from apps.members import stats_metrics as sm
    from apps.members.models import Member

    base = Member.objects.filter(sm.good_standing(world.today), org_path__startswith="/")
    exprs = sm.dimension_expressions(world.today)
    filtered = bd._filtered_counts(base, exprs)
    assert filtered is not None and filtered == bd._grouping_sets(base, exprs)
    assert filtered[tree.branch_a.path]["education:9"] == 1 and "education:5" not in filtered[tree.branch_a.path]

    Member.objects.filter(pk=world.b[0].pk).update(education="51")
    assert bd._filtered_counts(base, exprs) is None
    counts = bd.member_breakdowns(root_path="/", as_of=world.today)
    assert counts[tree.branch_b.path]["education:5"] == 1
    assert sum(n for k, n in counts[tree.branch_b.path].items() if k.startswith("education:")) == 2
