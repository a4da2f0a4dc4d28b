from __future__ import annotations

import datetime

from django.db.models import Q

from apps.core.scoping import OrgScopedQuerySet

from .choices import LedgerStatus, RectificationStatus, TaskStatus


class PathScopedQuerySet(OrgScopedQuerySet):
    # The owner's path is copied onto each row: subtree pages and roll-ups need no join to Organization.
    scope_path = "org_path"


class IssuanceQuerySet(PathScopedQuerySet):
    pass


class TaskItemQuerySet(PathScopedQuerySet):
    def open(self) -> TaskItemQuerySet:
        return self.exclude(status=TaskStatus.DONE)

    @staticmethod
    def overdue_q(date: datetime.date, prefix: str = "") -> Q:
        """THE definition of an overdue task (lists, counts, roll-ups and stats all use it): not done, past due."""
        return ~Q(**{f"{prefix}status": TaskStatus.DONE}) & Q(**{f"{prefix}due_date__lt": date})

    def overdue(self, date: datetime.date) -> TaskItemQuerySet:
        return self.filter(self.overdue_q(date))

    def due_between(self, start: datetime.date, end: datetime.date) -> TaskItemQuerySet:
        return self.filter(due_date__gte=start, due_date__lte=end)


class ProblemItemQuerySet(PathScopedQuerySet):
    pass


class DutyItemQuerySet(PathScopedQuerySet):
    pass


class RectificationQuerySet(PathScopedQuerySet):
    def not_done(self) -> RectificationQuerySet:
        return self.filter(status__in=[RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS])

    @staticmethod
    def overdue_q(date: datetime.date) -> Q:
        """THE definition of an overdue rectification: past the deadline and not yet finished (awaiting
        sign-off counts as finished by the owner)."""
        return Q(
            status__in=[RectificationStatus.OPEN, RectificationStatus.IN_PROGRESS],
            deadline__isnull=False,
            deadline__lt=date,
        )

    def overdue(self, date: datetime.date) -> RectificationQuerySet:
        return self.filter(self.overdue_q(date))


class RectificationProgressQuerySet(OrgScopedQuerySet):
    scope_path = "rectification__org_path"


class MonthlyLedgerQuerySet(PathScopedQuerySet):
    def locked(self) -> MonthlyLedgerQuerySet:
        return self.filter(status__in=[LedgerStatus.SUBMITTED, LedgerStatus.APPROVED])

    def submitted_on_time(self) -> MonthlyLedgerQuerySet:
        return self.filter(submitted_at__isnull=False).filter(Q(submitted_on_time=True))


class MeetingQuerySet(PathScopedQuerySet):
    pass


class MeetingAttachmentQuerySet(OrgScopedQuerySet):
    scope_path = "meeting__org_path"


class MeetingAttendanceQuerySet(OrgScopedQuerySet):
    scope_path = "meeting__org_path"


class OrgMonthStatsQuerySet(PathScopedQuerySet):
    pass
