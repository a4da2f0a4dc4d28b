"""Meeting compliance (domain.md §2) computed set-based: a few queries for any number of branches."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from apps.core.periods import Period
from apps.organizations.choices import OrgKind
from apps.organizations.models import Organization

from .models import Meeting, MeetingRequirement


@dataclass(frozen=True)
class MeetingGap:
    """A required meeting not (yet) held enough times in its window."""

    branch_id: int
    kind: str
    label: str
    period_label: str
    required: int
    held: int
    source: str
    due: bool  # the window closes with this month: the gap is now a miss
    party_group_id: int | None = None
    party_group_name: str = ""

    @property
    def title(self) -> str:
        who = f"{self.party_group_name}" if self.party_group_name else ""
        return f"{who}{self.label}{self.period_label}应至少召开{self.required}次，已召开{self.held}次"


def active_requirements() -> list[MeetingRequirement]:
    return list(MeetingRequirement.objects.filter(is_active=True).order_by("id"))


def _window_label(req: MeetingRequirement, period: Period) -> str:
    if req.period == "month":
        return f"（{period.label}）"
    if req.period == "quarter":
        return f"（{period.year}年第{period.quarter}季度）"
    return f"（{period.year}年）"


def branch_gaps(
    *,
    branches: list[tuple[int, str]],
    period: Period,
    root_path: str | None = None,
    include_pending: bool = False,
    requirements: list[MeetingRequirement] | None = None,
) -> tuple[dict[int, list[MeetingGap]], int, dict[int, int]]:
    """Gaps per branch for ``period``; also the number of checks due and the checks due per branch.

    ``branches`` are (id, path); ``root_path`` (a common prefix) lets the meeting query use the path index
    instead of a huge IN list. Returns (gaps_by_branch, checks_due_total, checks_due_by_branch).
    """
    reqs = requirements if requirements is not None else active_requirements()
    branch_ids = {b for b, _p in branches}
    if not branch_ids or not reqs:
        return {}, 0, {}
    by_window: dict[tuple, list[str]] = defaultdict(list)
    for req in reqs:
        by_window[req.window(period)].append(req.kind)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    group_counts: dict[tuple[int, str, int], int] = defaultdict(int)
    for (start, end), kinds in by_window.items():
        # An inquorate meeting happened but is not a valid meeting: it does not count (domain.md §2).
        qs = Meeting.objects.filter(kind__in=kinds, held_on__gte=start, held_on__lte=end).exclude(quorum_met=False)
        qs = qs.filter(org_path__startswith=root_path) if root_path else qs.filter(organization_id__in=branch_ids)
        rows = qs.values_list("organization_id", "kind", "party_group_id").annotate(n=Count("id")).order_by()
        for oid, kind, gid, n in rows:
            if oid not in branch_ids:
                continue
            counts[(oid, kind)] += n
            if gid is not None:
                group_counts[(oid, kind, gid)] += n
    groups: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if any(r.per_party_group for r in reqs):
        gqs = Organization.objects.filter(kind=OrgKind.PARTY_GROUP, is_active=True)
        gqs = gqs.filter(path__startswith=root_path) if root_path else gqs.filter(parent_id__in=branch_ids)
        for gid, parent_id, name in gqs.values_list("id", "parent_id", "name").order_by("id"):
            if parent_id in branch_ids:
                groups[parent_id].append((gid, name))
    gaps: dict[int, list[MeetingGap]] = defaultdict(list)
    checks_by_branch: dict[int, int] = defaultdict(int)
    checks_total = 0
    for req in reqs:
        due = req.closes_in(period)
        if not due and not include_pending:
            continue
        label, plabel = req.get_kind_display(), _window_label(req, period)
        for bid, _path in branches:
            if req.per_party_group:
                for gid, gname in groups.get(bid, ()):
                    if due:
                        checks_by_branch[bid] += 1
                        checks_total += 1
                    held = group_counts.get((bid, req.kind, gid), 0)
                    if held < req.minimum_count:
                        gaps[bid].append(
                            MeetingGap(
                                bid, req.kind, label, plabel, req.minimum_count, held, req.source, due, gid, gname
                            )
                        )
                continue
            if due:
                checks_by_branch[bid] += 1
                checks_total += 1
            held = counts.get((bid, req.kind), 0)
            if held < req.minimum_count:
                gaps[bid].append(MeetingGap(bid, req.kind, label, plabel, req.minimum_count, held, req.source, due))
    return gaps, checks_total, checks_by_branch
