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

from .contact_models import ActivistReview, BranchVote
from .models import Member

REVIEW_RULE = _("党组织每半年对入党积极分子进行一次考察（《发展党员工作细则》第十二条）")
VOTE_RULE = _(
    "支部党员大会须有半数以上有表决权的正式党员到会，赞成人数超过应到会有表决权的正式党员的半数才能通过"
    "（《发展党员工作细则》第二十三条）"
)


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


def voting_member_count(organization: Any, on: datetime.date) -> int:
    """Full members in good standing with a vote on ``on`` (members under 留党察看 have none)."""
    return Member.objects.filter(organization=organization).voting(on).count()


def vote_tally_check(*, eligible: int, present: int, votes_for: int, against: int, abstain: int) -> tuple[bool, bool]:
    """(quorum met, passed) — pure arithmetic of the rule, refusing impossible tallies."""
    if min(eligible, present, votes_for, against, abstain) < 0:
        raise ValidationError({"votes_for": _("人数和票数不能为负数。")})
    if present > eligible:
        raise ValidationError(
            {"present": _("到会人数（%(p)d）超过有表决权的正式党员人数（%(e)d）。") % {"p": present, "e": eligible}}
        )
    if votes_for + against + abstain > present:
        raise ValidationError({"votes_for": _("赞成、反对、弃权合计超过到会人数。")})
    quorum = present * 2 > eligible
    return quorum, quorum and votes_for * 2 > eligible


@transaction.atomic
def branch_vote_record(
    *,
    acting_user: Any,
    organization: Any,
    subject: str,
    held_on: datetime.date,
    present: int,
    votes_for: int,
    against: int,
    abstain: int,
    recruitment: Any = None,
) -> BranchVote:
    """Record a general meeting vote; ``eligible`` comes from the roster as of the meeting date."""
    ensure_perm(acting_user, "members.add_branchvote")
    ensure_org_in_scope(acting_user, organization)
    if not (subject or "").strip():
        raise ValidationError({"subject": _("请填写表决事项。")})
    eligible = voting_member_count(organization, held_on)
    quorum, passed = vote_tally_check(
        eligible=eligible, present=present, votes_for=votes_for, against=against, abstain=abstain
    )
    vote = BranchVote.objects.create(
        organization=organization,
        org_path=organization.path,
        subject=subject.strip(),
        recruitment=recruitment,
        held_on=held_on,
        eligible=eligible,
        present=present,
        votes_for=votes_for,
        votes_against=against,
        abstentions=abstain,
        quorum_met=quorum,
        passed=passed,
        recorded_by=acting_user,
    )
    audit_record(actor=acting_user, event="branch_vote.create", obj=vote, after=snapshot(vote))
    return vote


def admission_vote_problem(recruitment: Any) -> str | None:
    """When an admission vote is recorded for the recruitment, it must have passed (else the rule's message)."""
    votes = list(recruitment.votes.filter(held_on=recruitment.branch_vote_on)) if recruitment.pk else []
    if votes and not any(v.passed for v in votes):
        return _("%(rule)s：本次表决未通过。") % {"rule": VOTE_RULE}
    return None
