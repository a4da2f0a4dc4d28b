"""Every write of the funding app, split by workflow; import from here."""

from .allocations import allocation_commit, allocation_create, allocation_preview  # noqa: F401
from .expenses import expense_create, expense_reverse, voucher_add  # noqa: F401
from .reviews import expense_resubmit, expense_review  # noqa: F401
from .standards import budget_set, standard_copy_forward, standard_create, standard_update  # noqa: F401
