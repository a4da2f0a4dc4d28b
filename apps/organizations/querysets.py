from __future__ import annotations

import datetime

from django.db import models

from apps.core.scoping import OrgScopedQuerySet

from .choices import BRANCH_KINDS


class OrganizationQuerySet(OrgScopedQuerySet):
    scope_path = "path"

    def active(self) -> OrganizationQuerySet:
        return self.filter(is_active=True)

    def branches(self) -> OrganizationQuerySet:
        return self.filter(kind__in=BRANCH_KINDS)

    def descendants_of(self, org: models.Model, include_self: bool = False) -> OrganizationQuerySet:
        qs = self.filter(path__startswith=org.path)
        return qs if include_self else qs.exclude(pk=org.pk)

    def term_due_before(self, date: datetime.date) -> OrganizationQuerySet:
        return self.filter(term_due_on__isnull=False, term_due_on__lte=date)
