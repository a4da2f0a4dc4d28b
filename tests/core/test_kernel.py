import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from apps.core.pagination import CappedPaginator
from apps.core.periods import Period
from apps.core.pii import mask_id_number, mask_phone
from apps.core.scoping import OrgScopedQuerySet
from apps.organizations.models import Organization


def _reaches_organization(model) -> bool:
    for field in model._meta.concrete_fields:
        if field.name == "org_path":
            return True
        if field.is_relation and field.related_model is Organization and not field.name.startswith("target"):
            return True
    return False


def test_every_model_that_belongs_to_an_organization_has_a_scoped_manager():
    unscoped = []
    for model in apps.get_models():
        if not model.__module__.startswith("apps.") or getattr(model, "SCOPING_EXEMPT", ""):
            # SCOPING_EXEMPT = "why": internal rows never shown or changed through a user-facing path.
            continue
        if model is Organization or _reaches_organization(model):
            qs = model._default_manager.get_queryset()
            if not isinstance(qs, OrgScopedQuerySet):
                unscoped.append(model.__name__)
    assert unscoped == []


def test_mask_id_number_keeps_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("") == ""


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"


def test_period_parse_and_bounds():
    p = Period.parse("2026-02")
    assert p.first_day == datetime.date(2026, 2, 1)
    assert p.last_day == datetime.date(2026, 2, 28)
    assert Period.parse("2026年11月") == Period(2026, 11)
    assert p.shift(-3) == Period(2025, 11)
    assert str(Period(2026, 1).previous()) == "2025-12"


def test_period_parse_rejects_garbage_with_chinese_message():
    with pytest.raises(ValidationError) as exc:
        Period.parse("2026-13")
    assert "月份格式" in str(exc.value)


@pytest.mark.django_db
def test_capped_paginator_counts_at_most_the_cap(tree):
    paginator = CappedPaginator(Organization.objects.all(), 2)
    paginator.count_cap = 3
    assert paginator.count_is_capped
    assert paginator.page(50).number == 50  # no exact last page past the cap
    exact = CappedPaginator(Organization.objects.all(), 2)
    assert not exact.count_is_capped and exact.count == 8
