from types import SimpleNamespace

import pytest

from tests.factories.accounts import make_user
from tests.factories.service_requests import make_category


@pytest.fixture(autouse=True)
def _seeded_calendar(db):
    """The 2026/2027 holidays come from a data migration; a browser (transactional) test run earlier on the same
    worker flushes them, so put them back (idempotent)."""
    import importlib

    from django.apps import apps

    importlib.import_module("apps.core.migrations.0003_work_calendar_2026_2027").seed(apps, None)


@pytest.fixture(autouse=True)
def _fresh_calendar(_seeded_calendar):
    """The calendar is memoised per process; tests change it inside rolled-back transactions."""
    from apps.core.workdays import invalidate

    invalidate()
    yield
    invalidate()


@pytest.fixture
def sr(tree, users):
    """Two sibling 'communities' (branch_a, branch_b) under street_a, a worker in each, categories at the city."""
    cat = make_category(tree.city, name="民事代办", response=1, closure=5)
    return SimpleNamespace(
        cat=cat,
        sub=make_category(tree.city, name="社保", response=1, closure=3, parent=cat),
        worker_a=make_user(tree.branch_a, "committee_staff", username="worker_a"),
        worker_b=make_user(tree.branch_b, "committee_staff", username="worker_b"),
    )
