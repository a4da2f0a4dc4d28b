import importlib

import pytest


@pytest.fixture(autouse=True)
def _seeded_rules(db):
    """The point rules and card categories come from a data migration; a browser (transactional) test run
    earlier on the same worker flushes them, so put them back (idempotent)."""
    from django.apps import apps

    importlib.import_module("apps.members.migrations.0008_point_rules_and_cards").seed(apps, None)
