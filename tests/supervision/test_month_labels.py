"""An accountability case is named with the month as people read it (docs/ui.md): 甲支部（2026年11月）问责, not
the stored 2026-11 (its page title, breadcrumbs and the audit log use the name)."""

import pytest

from apps.supervision.models import Accountability

pytestmark = pytest.mark.django_db


def test_accountability_name_reads_the_month_in_chinese(tree):
    assert str(Accountability(organization=tree.branch_a, period="2026-11")) == "甲支部（2026年11月）问责"
    assert str(Accountability(organization=tree.branch_a, period="")) == "甲支部（）问责"
