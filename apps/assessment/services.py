"""Every write in assessment, split by workflow: plans.py (plan and indicator tree), scoring.py (computing
and entering scores), results.py (publish, appeals, consolidation), duty_reports.py (述职评议)."""

from .duty_reports import duty_report_review, duty_report_save
from .plans import indicator_delete, indicator_save, plan_copy, plan_create, plan_start_scoring, plan_update
from .results import appeal_answer, appeal_submit, plan_publish, result_mark_consolidation
from .scoring import item_score_set, plan_compute, rater_score_set, veto_set, vote_tally_set
from .tasks import plan_compute_start

__all__ = [
    "appeal_answer",
    "appeal_submit",
    "duty_report_review",
    "duty_report_save",
    "indicator_delete",
    "indicator_save",
    "item_score_set",
    "plan_compute",
    "plan_compute_start",
    "plan_copy",
    "plan_create",
    "plan_publish",
    "plan_start_scoring",
    "plan_update",
    "rater_score_set",
    "result_mark_consolidation",
    "veto_set",
    "vote_tally_set",
]
