"""Scoping for assessment rows.

Plans are issued from above: besides the issuer's own subtree, the assessed organizations below it see a
plan once it is out of draft (their own result, duty report and appeals stay scoped to their subtree).
Result rows of a *published* plan (total, rank, grade) are visible to everyone who can see the plan;
before publishing, only to the organization's own subtree and those above it, so siblings never see each
other's scores early. Item scores stay in the organization's subtree always.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from apps.core.scoping import OrgScopedQuerySet, user_scope_path


def _ancestor_ids(user: Any) -> list[int]:
    org = getattr(user, "organization", None)
    if org is None:
        return []
    return [int(p) for p in org.path.strip("/").split("/") if p]


class AssessmentPlanQuerySet(OrgScopedQuerySet):
    scope_path = "organization__path"

    def visible_to(self, user: Any) -> AssessmentPlanQuerySet:
        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(
            Q(organization__path__startswith=prefix) | (Q(organization_id__in=_ancestor_ids(user)) & ~Q(status="draft"))
        )


class ResultQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"

    def visible_to(self, user: Any) -> ResultQuerySet:
        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(
            Q(org_path__startswith=prefix)
            | (Q(plan__status="published") & Q(plan__organization_id__in=_ancestor_ids(user)))
        )

    def ranking_for(self, user: Any, plan: Any) -> ResultQuerySet:
        """The plan's rows the user may see. When the issuer is in the user's subtree every row is (results lie
        under the issuer), so the filter reduces to the plan and the (plan, rank, id) index serves the page."""
        prefix = user_scope_path(user)
        if prefix is not None and plan.organization.path.startswith(prefix):
            return self.filter(plan=plan)
        return self.visible_to(user).filter(plan=plan)


class PathScopedQuerySet(OrgScopedQuerySet):
    """Rows that copy the assessed organization's path (item scores, rater scores, appeals, duty reports)."""

    scope_path = "org_path"


class PlanChildQuerySet(OrgScopedQuerySet):
    """Rows that belong to a plan (indicators): visible where the plan is."""

    scope_path = "plan__organization__path"

    def visible_to(self, user: Any) -> PlanChildQuerySet:
        from .models import AssessmentPlan

        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(plan__in=AssessmentPlan.objects.visible_to(user).values("pk"))
