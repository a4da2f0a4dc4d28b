"""Every write of the responsibility app, one module per workflow. Keyword-only, atomic, scope-checked, audited.

Callers use ``from apps.responsibility import services`` and ``services.<name>``; the workflow modules are
``items`` (tasks, duties), ``rectifications`` (problems and their rectification), ``issuance`` (issuing down
the tree), ``ledgers`` (monthly ledger) and ``meetings`` (meetings and attachments of a ledger).
"""

from .common import BULK_BATCH, is_above, quarter_end
from .issuance import issue_targets, items_issue
from .items import TASK_FIELDS, duty_create, duty_update, task_create, task_delete, task_progress_update, task_update
from .ledgers import (
    ledger_approve,
    ledger_due_date,
    ledger_open,
    ledger_return,
    ledger_review,
    ledger_submit,
    ledger_update,
)
from .meetings import attachment_add, attachment_delete, meeting_create, meeting_delete, meeting_update
from .rectifications import (
    problem_create,
    problem_update,
    rectification_complete,
    rectification_progress_add,
    rectification_recheck,
    rectification_signoff,
    rectification_update,
)

__all__ = [
    "BULK_BATCH",
    "TASK_FIELDS",
    "attachment_add",
    "attachment_delete",
    "duty_create",
    "duty_update",
    "is_above",
    "issue_targets",
    "items_issue",
    "ledger_approve",
    "ledger_due_date",
    "ledger_open",
    "ledger_return",
    "ledger_review",
    "ledger_submit",
    "ledger_update",
    "meeting_create",
    "meeting_delete",
    "meeting_update",
    "problem_create",
    "problem_update",
    "quarter_end",
    "rectification_complete",
    "rectification_progress_add",
    "rectification_recheck",
    "rectification_signoff",
    "rectification_update",
    "task_create",
    "task_delete",
    "task_progress_update",
    "task_update",
]
