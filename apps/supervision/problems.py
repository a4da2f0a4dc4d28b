"""The bridge from inspection findings to the responsibility app's problem list (问题清单)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Finding

if TYPE_CHECKING:
    from apps.accounts.models import User

#: our severity -> the problem list's (same labels: 一般 / 较重 / 严重)
SEVERITY_MAP = {"minor": "general", "major": "serious", "serious": "major"}


def problem_item_for_finding(*, acting_user: User, finding: Finding) -> Any:
    """Create the ProblemItem (and its rectification) for a finding, in the caller's transaction."""
    from apps.responsibility.choices import DeadlineClass, ProblemSource
    from apps.responsibility.services import problem_create

    record = finding.record
    found_on = record.inspected_on or finding.created_at.date()
    return problem_create(
        acting_user=acting_user,
        organization=record.target,
        year=found_on.year,
        source=ProblemSource.INSPECTION,
        category=finding.category,
        description=f"{finding.description}（{record.plan.topic}）",
        severity=SEVERITY_MAP.get(finding.severity, "general"),
        found_on=min(found_on, finding.created_at.date()),
        deadline_class=DeadlineClass.BY_DATE if finding.rectify_by else DeadlineClass.IMMEDIATE,
        deadline=finding.rectify_by,
    )


def problem_item_for_observation(*, acting_user: User, finding: Any) -> Any:
    """The same bridge for a problem found on an observation visit (source 观摩)."""
    from apps.responsibility.choices import DeadlineClass, ProblemSource
    from apps.responsibility.services import problem_create

    visit = finding.visit
    found_on = min(visit.visit_on or finding.created_at.date(), finding.created_at.date())
    return problem_create(
        acting_user=acting_user,
        organization=finding.target,
        year=found_on.year,
        source=ProblemSource.OBSERVATION,
        category=finding.category,
        description=f"{finding.description}（{visit.title}）",
        severity=SEVERITY_MAP.get(finding.severity, "general"),
        found_on=found_on,
        deadline_class=DeadlineClass.BY_DATE if finding.rectify_by else DeadlineClass.IMMEDIATE,
        deadline=finding.rectify_by,
    )
