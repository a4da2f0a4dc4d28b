"""Migration 0003 backfills the daily roll-up and the follow-up windows from historical models and plain SQL
only: rolled back and applied again on a database that already holds requests, it gives the same figures as
the app's own rebuild, and it does not import the app's code."""

import datetime
import importlib
import inspect

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.core.workdays import add_working_days
from apps.service_requests.models import ServiceRequest, ServiceStatDay
from apps.service_requests.stats import stats_rebuild
from tests.factories.service_requests import make_request

APP = "service_requests"
BEFORE, TARGET = (APP, "0002_path_pattern_indexes"), (APP, "0003_stat_day_follow_up_window")


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if not isinstance(target, list) else target)


def _day_rows() -> set[tuple]:
    return set(
        ServiceStatDay.objects.values_list(
            "organization_id", "org_path", "day", "category_id", "volume", "responded", "closed", "satisfied",
            "reopened", "workdays_to_close",
        )
    )  # fmt: skip


def test_migration_imports_no_app_code():
    source = inspect.getsource(importlib.import_module(f"apps.{APP}.migrations.0003_stat_day_follow_up_window"))
    assert "from apps." not in source and "import apps." not in source


@pytest.mark.django_db(transaction=True)
def test_backfill_on_existing_requests(tree, sr):
    received = timezone.make_aware(datetime.datetime(2026, 9, 29, 10, 0))  # the week before 国庆
    reqs = [make_request(sr.worker_a, tree.branch_a, sr.sub, received_at=received) for _ in range(3)]
    reqs.append(make_request(sr.worker_b, tree.branch_b, sr.cat, phone="13900002222", received_at=received))
    answered = timezone.make_aware(datetime.datetime(2026, 9, 30, 16, 0))
    ServiceRequest.objects.filter(pk=reqs[0].pk).update(status="answered", answered_at=answered, workdays_to_close=1)
    stats_rebuild(root_path="/")
    expected = _day_rows()
    assert expected
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        _migrate(BEFORE)
        _migrate(TARGET)
        assert _day_rows() == expected
        answered_row = ServiceRequest.objects.get(pk=reqs[0].pk)
        # 3 working days after 30 September across the 国庆 holiday week
        assert answered_row.follow_up_due_on == add_working_days(datetime.date(2026, 9, 30), sr.sub.follow_up_days)
        assert answered_row.follow_up_due_on > datetime.date(2026, 10, 8)
        assert ServiceRequest.objects.filter(follow_up_due_on__isnull=False).count() == 1
    finally:
        _migrate(leaf)
