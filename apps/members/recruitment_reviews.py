"""Two checks around admission: the branch's half-yearly review of activists (培养考察), without which no
activist becomes a candidate, and the vote tally of a branch general meeting (表决), which passes only with
yes votes from more than half of the voting full members, a quorum of them present (domain.md §2–3)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.params import get_int_param
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .contact_models import ActivistReview

# The general meeting's votes live in votes.py (all kinds); these names stay importable from here.
from .votes import (  # noqa: F401
    VOTE_RULE,
    admission_vote_problem,
    branch_vote_record,
    vote_tally_check,
    voting_member_count,
)

REVIEW_RULE = _("党组织每半年对入党积极分子进行一次考察（《发展党员工作细则》第十二条）")


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def activist_reviews_missing(recruitment: Any, *, until: datetime.date) -> str | None:
    """The refusal message when the activist has fewer half-yearly reviews than the time since activist_on needs."""
    every = get_int_param("activist_review_months")
    if not every or not recruitment.activist_on or not recruitment.pk:
        return None
    needed = months_between(recruitment.activist_on, until) // every
    have = ActivistReview.objects.filter(
        recruitment=recruitment, reviewed_on__gte=recruitment.activist_on, reviewed_on__lte=until
    ).count()
    if have >= needed:
        return None
    return _("%(rule)s：确定为积极分子至今已满%(m)d个月，应有%(n)d次考察记录，现有%(k)d次。") % {
        "rule": REVIEW_RULE,
        "m": months_between(recruitment.activist_on, until),
        "n": needed,
        "k": have,
    }


@transaction.atomic
def activist_review_record(
    *, acting_user: Any, recruitment: Any, reviewed_on: datetime.date, conclusion: str
) -> ActivistReview:
    ensure_perm(acting_user, "members.add_activistreview")
    ensure_org_in_scope(acting_user, recruitment.organization)
    errors = {}
    if not recruitment.activist_on:
        errors["reviewed_on"] = _("尚未确定为入党积极分子，不能记录培养考察。")
    elif reviewed_on < recruitment.activist_on:
        errors["reviewed_on"] = _("考察日期不能早于确定为入党积极分子的日期。")
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = _("考察日期不能晚于今天。")
    if not (conclusion or "").strip():
        errors["conclusion"] = _("请填写考察意见。")
    if errors:
        raise ValidationError(errors)
    obj = ActivistReview.objects.create(
        recruitment=recruitment,
        org_path=recruitment.organization.path,
        reviewed_on=reviewed_on,
        conclusion=conclusion.strip(),
        recorded_by=acting_user,
    )
    audit_record(actor=acting_user, event="activist_review.create", obj=obj, after=snapshot(obj))
    return obj
