from __future__ import annotations

import datetime

from django.db import models

from apps.core.scoping import OrgScopedQuerySet

from .choices import Category, MemberStatus, MobileState, RecruitmentStage, TransferStatus


class MemberQuerySet(OrgScopedQuerySet):
    # The path is copied onto each member row and indexed with the id: subtree pages are one index range.
    scope_path = "org_path"

    def active(self) -> MemberQuerySet:
        return self.filter(status=MemberStatus.ACTIVE)

    def probationary(self) -> MemberQuerySet:
        return self.filter(category=Category.PROBATIONARY)

    def full(self) -> MemberQuerySet:
        return self.filter(category=Category.FULL)

    def voting(self, on: datetime.date | None = None) -> MemberQuerySet:
        """Members with a vote: active full members not under 留党察看 (domain.md §2)."""
        from django.utils import timezone

        on = on or timezone.localdate()
        under = models.Q(discipline="probation") & (
            models.Q(discipline_until__isnull=True) | models.Q(discipline_until__gte=on)
        )
        return self.active().full().exclude(under)

    def hosted_by(self, branch_id: int, start: datetime.date, end: datetime.date) -> MemberQuerySet:
        """Inflow members (流入党员) taking part in ``branch_id``'s party life at some time in [start, end]:
        an open or overlapping mobility record naming the branch as the host organization (domain.md §4)."""
        from .contact_models import MobileRecord

        hosted = MobileRecord.objects.filter(
            member_id=models.OuterRef("pk"), host_org_id=branch_id, starts_on__lte=end
        ).filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=start))
        return self.active().exclude(organization_id=branch_id).filter(models.Exists(hosted))

    def standing_between(self, on: datetime.date, min_years: int | None, max_years: int | None) -> MemberQuerySet:
        """党龄 (from the confirmation date) between min and max whole years as of ``on``."""
        from apps.core.periods import add_years

        qs = self
        if min_years is not None:
            qs = qs.filter(confirmed_on__lte=add_years(on, -min_years))
        if max_years is not None:
            qs = qs.filter(confirmed_on__gt=add_years(on, -(max_years + 1)))
        return qs

    def mobile(self) -> MemberQuerySet:
        return self.exclude(mobile_state=MobileState.NONE)

    def by_id_number(self, value: str) -> MemberQuerySet:
        from .crypto import blind_index
        from .validators import normalize_id_number

        return self.filter(id_hash=blind_index(normalize_id_number(value)))

    def probation_due_by(self, date: datetime.date) -> MemberQuerySet:
        """The one rule "probation ending": members in good standing still probationary, ending by ``date``."""
        return self.active().probationary().filter(probation_ends_on__isnull=False, probation_ends_on__lte=date)


class RecruitmentQuerySet(OrgScopedQuerySet):
    scope_path = "organization__path"

    def open(self) -> RecruitmentQuerySet:
        return self.exclude(stage__in=[RecruitmentStage.FULL, RecruitmentStage.CANCELLED, RecruitmentStage.WITHDRAWN])


class RecruitmentDocumentQuerySet(OrgScopedQuerySet):
    scope_path = "recruitment__organization__path"


class TransferQuerySet(OrgScopedQuerySet):
    """A transfer is visible to the sending side always and to the receiving side once approved."""

    scope_path = "from_org__path"

    def visible_to(self, user):  # type: ignore[override]
        from apps.core.scoping import user_scope_path

        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        receiving = models.Q(to_org__path__startswith=prefix) & ~models.Q(
            status__in=[TransferStatus.REQUESTED, TransferStatus.CANCELLED]
        )
        return self.filter(models.Q(from_org__path__startswith=prefix) | receiving)

    def pending(self) -> TransferQuerySet:
        return self.filter(status__in=[TransferStatus.REQUESTED, TransferStatus.APPROVED])

    def letter_expiring_by(self, date: datetime.date) -> TransferQuerySet:
        """The one rule "transfer letter expiring": approved, not yet received, valid until ``date`` or before."""
        return self.filter(status=TransferStatus.APPROVED, valid_until__isnull=False, valid_until__lte=date)
