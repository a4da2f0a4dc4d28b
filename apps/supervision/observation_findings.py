"""Problems found on the spot during an observation visit (实地查看发现的问题): recorded by a rater on the
phone page for one target, each becomes a problem item with its rectification notice in the target's problem
list — the same bridge inspection findings use (``problems.py`` → ``responsibility.problem_create``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.models import Organization

from .choices import Severity
from .models import ObservationVisit
from .observation_models import ObservationFinding


@transaction.atomic
def observation_finding_create(
    *,
    acting_user: Any,
    visit: ObservationVisit,
    target: Organization,
    category: str,
    description: str,
    severity: str = "minor",
    rectify_by: datetime.date | None = None,
) -> ObservationFinding:
    """Record a problem found at ``target``; it becomes a problem item (source 观摩) with its rectification."""
    ensure_perm(acting_user, "supervision.add_observationfinding")
    ensure_org_in_scope(acting_user, visit.organization)
    ensure_org_in_scope(acting_user, target)
    if not visit.targets.filter(organization=target).exists():
        raise ValidationError({"target": _("该组织不在本次观摩路线中。")})
    errors = {}
    if not (category or "").strip():
        errors["category"] = _("请填写问题类别。")
    if not (description or "").strip():
        errors["description"] = _("请填写问题描述。")
    if severity not in Severity.values:
        errors["severity"] = _("严重程度无效。")
    if rectify_by is not None and rectify_by < timezone.localdate():
        errors["rectify_by"] = _("整改期限不能早于今天。")
    if errors:
        raise ValidationError(errors)
    finding = ObservationFinding.objects.create(
        visit=visit,
        target=target,
        org_path=target.path,
        category=category.strip()[:50],
        description=description.strip(),
        severity=severity,
        rectify_by=rectify_by,
        created_by=acting_user if acting_user.pk else None,
    )
    from .problems import problem_item_for_observation

    problem = problem_item_for_observation(acting_user=acting_user, finding=finding)
    finding.problem, finding.problem_ref = problem, f"responsibility.problemitem:{problem.pk}"
    finding.save(update_fields=["problem", "problem_ref"])
    audit_record(actor=acting_user, event="observationfinding.create", obj=finding, after=snapshot(finding))
    return finding


def findings_for(*, user: Any, visit: ObservationVisit, target: Organization | None = None) -> list[ObservationFinding]:
    """The visit's findings the user may see (one query), optionally for one target."""
    qs = ObservationFinding.objects.visible_to(user).filter(visit=visit).select_related("target", "problem")
    if target is not None:
        qs = qs.filter(target=target)
    return list(qs)
