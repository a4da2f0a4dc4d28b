from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from apps.core.scoping import OrgScopedQuerySet


class IssuerScopedQuerySet(OrgScopedQuerySet):
    scope_path = "issuer__path"


class LetterQuerySet(OrgScopedQuerySet):
    # The addressee's path is copied onto the letter: its users and everyone above it see the letter
    # (the issuer is always an ancestor of the addressee).
    scope_path = "org_path"

    def open(self) -> LetterQuerySet:
        return self.filter(status__in=["sent", "read"])

    def overdue(self, today: datetime.date | None = None) -> LetterQuerySet:
        return self.open().filter(response_deadline__lt=today or timezone.localdate())

    def answered(self) -> LetterQuerySet:
        return self.filter(status__in=["answered", "closed"])

    def for_period(self, period: str) -> LetterQuerySet:
        return self.filter(period=str(period))


class LetterItemQuerySet(OrgScopedQuerySet):
    scope_path = "letter__org_path"


class LetterAttachmentQuerySet(OrgScopedQuerySet):
    scope_path = "letter__org_path"


class PathScopedQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"


class InspectionPlanQuerySet(OrgScopedQuerySet):
    scope_path = "organization__path"


class FindingQuerySet(OrgScopedQuerySet):
    scope_path = "org_path"

    def open(self) -> FindingQuerySet:
        return self.filter(~Q(status="rectified"))
