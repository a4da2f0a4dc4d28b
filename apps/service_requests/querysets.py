"""Scoping for the service pipeline. Each queryset is an OrgScopedQuerySet; the two that are visible from
two places (a request also to the organization that registered it; a 双报到 registration also to the
member's own organization) OR two path prefixes inside ``visible_to`` — still the one mechanism."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q

from apps.core.scoping import OrgScopedQuerySet, user_scope_path

from .choices import OPEN_STATUSES, UNANSWERED_STATUSES


def ancestor_paths(path: str) -> list[str]:
    """ "/1/7/42/" -> ["/1/", "/1/7/", "/1/7/42/"]."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class CategoryQuerySet(OrgScopedQuerySet):
    """A category defined by a region applies to everything below it: visible down the subtree *and* to
    users below (the ancestors' categories)."""

    scope_path = "org_path"

    def visible_to(self, user: Any) -> CategoryQuerySet:
        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(Q(org_path__startswith=prefix) | Q(org_path__in=ancestor_paths(prefix)))

    def usable_at(self, path: str) -> CategoryQuerySet:
        return self.filter(org_path__in=ancestor_paths(path), is_active=True)

    def listed_at(self, organization: Any) -> CategoryQuerySet:
        """What 本单位设置 › 服务类别 lists for an organization: its own (active or not) and the active ones
        of the organizations above it (they apply too, read only)."""
        return self.filter(
            Q(org_path__in=ancestor_paths(organization.path), is_active=True) | Q(organization=organization)
        )


class ServiceRequestQuerySet(OrgScopedQuerySet):
    """Visible to the handling organization's subtree and to the subtree of the organization that
    registered it (so a community still follows what it escalated); acting needs the handling one."""

    scope_path = "org_path"

    def visible_to(self, user: Any) -> ServiceRequestQuerySet:
        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(Q(org_path__startswith=prefix) | Q(origin_path__startswith=prefix))

    def unanswered(self) -> ServiceRequestQuerySet:
        return self.filter(status__in=UNANSWERED_STATUSES)

    @staticmethod
    def overdue_q(date: datetime.date) -> Q:
        """THE definition of an overdue request: the clock runs (not suspended, not 办结) and due_on < date."""
        return Q(status__in=OPEN_STATUSES, due_on__lt=date)

    def overdue(self, date: datetime.date) -> ServiceRequestQuerySet:
        return self.filter(self.overdue_q(date))

    def due_on_day(self, date: datetime.date) -> ServiceRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES, due_on=date)


class StepQuerySet(OrgScopedQuerySet):
    scope_path = "request__org_path"

    def visible_to(self, user: Any) -> StepQuerySet:
        from .models import ServiceRequest

        if user_scope_path(user) is None:
            return self.none()
        return self.filter(request__in=ServiceRequest.objects.visible_to(user).values("id"))


class StatQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class WishQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class RegistrationQuerySet(OrgScopedQuerySet):
    """A 双报到 registration is the community's and the member's own organization's: visible to both
    subtrees (two path prefixes ORed)."""

    scope_path = "org_path"

    def visible_to(self, user: Any) -> RegistrationQuerySet:
        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(Q(org_path__startswith=prefix) | Q(home_path__startswith=prefix))


class ServicePostQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class RecordQuerySet(OrgScopedQuerySet):
    scope_path = "registration__org_path"

    def visible_to(self, user: Any) -> RecordQuerySet:
        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(Q(registration__org_path__startswith=prefix) | Q(registration__home_path__startswith=prefix))
