"""Demo data: the branch general meetings' votes (支部党员大会表决) of the last year, all four kinds — admission
of this year's probationary members (at their 入党日期, the branch vote), confirmation of those confirmed in
the last twelve months (at their 转正日期), last year's appraisal ratings (at the December meeting) and a few
other resolutions — with tallies that follow the rule (vote_tally_check), one of them failing."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q

from .appraisal_models import Appraisal
from .contact_models import BranchVote, VoteKind
from .models import Member
from .votes import vote_tally_check

RESOLUTIONS = (
    "推选出席上级党代会代表候选人",
    "审议党支部年度工作计划",
    "审议党费收缴使用情况报告",
    "讨论确定“主题党日”活动安排",
    "表彰优秀共产党员",
)


def _tally(rng: Any, eligible: int, *, fail: bool = False) -> tuple[int, int, int, int, bool, bool]:
    present = max(1, min(eligible, round(eligible * rng.uniform(0.75, 0.95))))
    against = rng.randint(0, max(0, present // 10))
    abstain = rng.randint(0, 1) if present - against > 1 else 0
    votes_for = present - against - abstain
    if fail:  # most present abstain or vote against: not more than half of those entitled said yes
        votes_for = min(votes_for, eligible // 2)
        against = present - votes_for - abstain
    quorum, passed = vote_tally_check(
        eligible=eligible, present=present, votes_for=votes_for, against=against, abstain=abstain
    )
    return present, votes_for, against, abstain, quorum, passed


def seed_votes(*, rng: Any, root: str, today: datetime.date) -> int:
    eligible = dict(
        Member.objects.filter(org_path__startswith=root, status="active")
        .values("organization_id")
        .annotate(n=Count("id", filter=Q(category="full")))
        .values_list("organization_id", "n")
    )
    rows: list[BranchVote] = []

    def add(oid: int, path: str, kind: str, subject: str, held_on: datetime.date, **extra: Any) -> None:
        n = eligible.get(oid, 0)
        if n < 3:
            return
        present, votes_for, against, abstain, quorum, passed = _tally(rng, n, fail=extra.pop("fail", False))
        rows.append(
            BranchVote(
                organization_id=oid,
                org_path=path,
                kind=kind,
                subject=subject,
                held_on=held_on,
                eligible=n,
                present=present,
                votes_for=votes_for,
                votes_against=against,
                abstentions=abstain,
                quorum_met=quorum,
                passed=passed,
                **extra,
            )
        )

    year_ago = today - datetime.timedelta(days=365)
    for oid, path, name, joined in Member.objects.filter(
        org_path__startswith=root, status="active", category="probationary", joined_on__isnull=False
    ).values_list("organization_id", "org_path", "name", "joined_on"):
        add(oid, path, VoteKind.ADMISSION, f"接收{name}为预备党员", joined)
    for oid, path, name, confirmed in Member.objects.filter(
        org_path__startswith=root, status="active", confirmed_on__gte=year_ago, confirmed_on__lte=today
    ).values_list("organization_id", "org_path", "name", "confirmed_on"):
        add(oid, path, VoteKind.CONFIRMATION, f"{name}预备党员转为正式党员", confirmed)
    for ap in Appraisal.objects.filter(org_path__startswith=root, year=today.year - 1, status="decided"):
        add(
            ap.organization_id,
            ap.org_path,
            VoteKind.APPRAISAL,
            f"{ap.year}年度民主评议党员评定结果",
            ap.meeting_on or datetime.date(ap.year, 12, 20),
            appraisal=ap,
        )
    branches = sorted({(r.organization_id, r.org_path) for r in rows})
    for i, (oid, path) in enumerate(branches[::5]):
        held = today - datetime.timedelta(days=rng.randint(10, 300))
        add(oid, path, VoteKind.RESOLUTION, rng.choice(RESOLUTIONS), held, fail=i == 3)
    BranchVote.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
