"""Votes of the branch general meeting (支部党员大会表决): admission of a probationary member, confirmation
(转正), the appraisal's ratings (民主评议党员评定结果) and any other resolution.

Only full members not under 留党察看 vote (domain.md §2); the meeting needs more than half of them present and
a resolution passes only with yes votes from more than half of them (《中国共产党发展党员工作细则》(2014)
第二十条: quorum; 第二十一条: yes votes; 第三十三条: the same for confirmation; 《中国共产党支部工作条例（试行）》
第十一条 for the meeting's other resolutions). A confirmation is discussed once the probation has ended
(第三十二条). The workflows that a vote decides (recruitment advance, appraisal decision) refuse to go on after
a failed vote.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .contact_models import BranchVote, VoteKind
from .models import Member

VOTE_RULE = _(
    "支部党员大会须有半数以上有表决权的正式党员到会，赞成人数超过应到会有表决权的正式党员的半数才能通过"
    "（《发展党员工作细则》第二十条、第二十一条，转正同第三十三条；《中国共产党支部工作条例（试行）》第十一条）"
)


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


def _subject(kind: str, subject: str, recruitment: Any, appraisal: Any, organization: Any) -> str:
    """Check the vote's target for its kind; return the subject (given, or derived from the target)."""
    from apps.members.choices import RecruitmentStage

    if kind not in VoteKind.values:
        raise ValidationError({"kind": _("请选择表决类别。")})
    if kind in (VoteKind.ADMISSION, VoteKind.CONFIRMATION):
        stage = RecruitmentStage.CANDIDATE if kind == VoteKind.ADMISSION else RecruitmentStage.PROBATIONARY
        if recruitment is None:
            raise ValidationError({"recruitment": _("请选择表决涉及的发展党员记录。")})
        if recruitment.organization_id != organization.pk:
            raise ValidationError({"recruitment": _("该发展党员记录不属于本党支部。")})
        if recruitment.stage != stage:
            raise ValidationError(
                {
                    "recruitment": _("「%(k)s」表决只适用于处在「%(s)s」阶段的人员。")
                    % {"k": VoteKind(kind).label, "s": RecruitmentStage(stage).label}
                }
            )
        verb = _("接收%(n)s为预备党员") if kind == VoteKind.ADMISSION else _("%(n)s预备党员转为正式党员")
        return subject or verb % {"n": recruitment.name}
    if kind == VoteKind.APPRAISAL:
        if appraisal is None:
            raise ValidationError({"appraisal": _("请选择表决涉及的民主评议。")})
        if appraisal.organization_id != organization.pk:
            raise ValidationError({"appraisal": _("该民主评议不属于本党支部。")})
        return subject or _("%(y)d年民主评议党员评定结果") % {"y": appraisal.year}
    if not subject:
        raise ValidationError({"subject": _("请填写表决事项。")})
    return subject


@transaction.atomic
def branch_vote_record(
    *,
    acting_user: Any,
    organization: Any,
    held_on: datetime.date,
    present: int,
    votes_for: int,
    against: int,
    abstain: int,
    kind: str = "",
    subject: str = "",
    recruitment: Any = None,
    appraisal: Any = None,
) -> BranchVote:
    """Record a general meeting vote; ``eligible`` comes from the roster as of the meeting date."""
    ensure_perm(acting_user, "members.add_branchvote")
    ensure_org_in_scope(acting_user, organization)
    kind = kind or (VoteKind.ADMISSION if recruitment is not None else VoteKind.RESOLUTION)
    subject = _subject(kind, (subject or "").strip(), recruitment, appraisal, organization)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("表决日期不能晚于今天。")})
    if kind == VoteKind.CONFIRMATION and recruitment.probation_ends_on and held_on < recruitment.probation_ends_on:
        raise ValidationError(
            {
                "held_on": _("预备期满（%(d)s）后才能讨论转正（《发展党员工作细则》第三十二条）。")
                % {"d": recruitment.probation_ends_on.isoformat()}
            }
        )
    if kind == VoteKind.APPRAISAL and appraisal.committee_on and held_on < appraisal.committee_on:
        raise ValidationError({"held_on": _("党员大会表决日期不能早于支委会提出评定意见的日期。")})
    eligible = voting_member_count(organization, held_on)
    quorum, passed = vote_tally_check(
        eligible=eligible, present=present, votes_for=votes_for, against=against, abstain=abstain
    )
    vote = BranchVote.objects.create(
        organization=organization,
        org_path=organization.path,
        kind=kind,
        subject=subject[:200],
        recruitment=recruitment if kind in (VoteKind.ADMISSION, VoteKind.CONFIRMATION) else None,
        appraisal=appraisal if kind == VoteKind.APPRAISAL else None,
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


def _failed(votes: list[BranchVote]) -> str | None:
    if votes and not any(v.passed for v in votes):
        return _("%(rule)s：本次表决未通过。") % {"rule": VOTE_RULE}
    return None


def admission_vote_problem(recruitment: Any) -> str | None:
    """When an admission vote is recorded for the branch vote date, it must have passed (else the rule)."""
    if not recruitment.pk:
        return None
    return _failed(list(recruitment.votes.filter(kind=VoteKind.ADMISSION, held_on=recruitment.branch_vote_on)))


def confirmation_vote_problem(recruitment: Any) -> str | None:
    """When confirmation votes are recorded, the latest meeting's must have passed."""
    if not recruitment.pk:
        return None
    votes = list(recruitment.votes.filter(kind=VoteKind.CONFIRMATION).order_by("-held_on", "-id"))
    return _failed([v for v in votes if v.held_on == votes[0].held_on]) if votes else None


def appraisal_vote_problem(appraisal: Any, meeting_on: datetime.date) -> str | None:
    """When a vote on the appraisal's ratings is recorded for the meeting date, it must have passed."""
    return _failed(list(appraisal.votes.filter(kind=VoteKind.APPRAISAL, held_on=meeting_on)))
