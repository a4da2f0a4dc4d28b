from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.db import transaction

from apps.core import due_items
from apps.core.due_items import DueItem
from apps.core.periods import Period
from apps.supervision.letters import _insert_letters, letter_template
from apps.supervision.models import InspectionPlan, InspectionRecord, Letter


def make_letter(
    issuer,
    addressee,
    *,
    kind: str = "reminder",
    period: str = "2026-11",
    issued_on: datetime.date | None = None,
    response_days: int = 7,
    items: list[str] | None = None,
    status: str | None = None,
) -> Letter:
    """A letter made the way the monthly run makes it (numbered under the counter lock)."""
    issued_on = issued_on or Period.parse(period).first_day
    due = [DueItem(addressee.pk, "manual", t) for t in (items or ["测试事项"])]
    with transaction.atomic():
        ids, _ = _insert_letters(
            issuer=issuer,
            kind=kind,
            period=Period.parse(period),
            issued_on=issued_on,
            deadline=issued_on + datetime.timedelta(days=response_days),
            by_addressee={addressee.pk: due},
            paths={addressee.pk: addressee.path},
            names={addressee.pk: addressee.name},
            template=letter_template(issuer.pk, kind),
        )
    letter = Letter.objects.get(pk=ids[0])
    if status:
        Letter.objects.filter(pk=letter.pk).update(status=status)
        letter.refresh_from_db()
    return letter


def make_plan(org, target_root, *, topic: str = "基层党建专项督查", period: str = "2026-11") -> InspectionPlan:
    plan = InspectionPlan.objects.create(organization=org, topic=topic, period=period, target_root=target_root)
    InspectionRecord.objects.create(plan=plan, target=target_root, org_path=target_root.path)
    return plan


@contextmanager
def fake_due_source(items_by_stage: dict[str, list[DueItem]]):
    """Register a due-item source returning exactly these items (filtered to the subtree asked for)."""
    from apps.organizations.models import Organization

    def source(*, period, stage, root_path):
        items = items_by_stage.get(stage, [])
        paths = dict(Organization.objects.filter(id__in=[i.organization_id for i in items]).values_list("id", "path"))
        return [i for i in items if paths.get(i.organization_id, "").startswith(root_path)]

    saved = dict(due_items._SOURCES)
    due_items._SOURCES.clear()
    due_items.register_source("tests.fake", source)
    try:
        yield
    finally:
        due_items._SOURCES.clear()
        due_items._SOURCES.update(saved)
