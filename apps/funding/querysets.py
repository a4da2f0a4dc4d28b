from __future__ import annotations

from apps.core.scoping import OrgScopedQuerySet

from .choices import ExpenseStatus


class PathScopedQuerySet(OrgScopedQuerySet):
    # The owner's path is copied onto each row: subtree pages and roll-ups need no join to Organization.
    scope_path = "org_path"


class FundingStandardQuerySet(PathScopedQuerySet):
    pass


class BudgetQuerySet(PathScopedQuerySet):
    pass


class AllocationNoticeQuerySet(OrgScopedQuerySet):
    # A notice is seen by the issuing organization's subtree (its recipients see their allocations instead).
    scope_path = "issuer__path"


class AllocationQuerySet(PathScopedQuerySet):
    pass


class ExpenseQuerySet(PathScopedQuerySet):
    def without_voucher(self) -> ExpenseQuerySet:
        return self.filter(status=ExpenseStatus.POSTED, voucher_count=0)


class ExpenseReviewQuerySet(PathScopedQuerySet):
    pass


class ExpenseVoucherQuerySet(OrgScopedQuerySet):
    scope_path = "expense__org_path"


class FundingRollupQuerySet(PathScopedQuerySet):
    pass
