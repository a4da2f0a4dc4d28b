"""Reads of the supervision app, always from visible_to(user)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.core.periods import Period
from apps.organizations.models import Organization

from .choices import LetterKind, LetterStatus
from .models import Finding, InspectionPlan, InspectionRecord, Letter, ObservationScore, ObservationVisit


def letter_list(*, user: Any) -> QuerySet[Letter]:
    return Letter.objects.visible_to(user).select_related("issuer", "addressee")


def letter_detail_qs(*, user: Any) -> QuerySet[Letter]:
    return (
        Letter.objects.visible_to(user)
        .select_related("issuer", "addressee", "read_by", "answered_by", "closed_by")
        .prefetch_related("items", "attachments")
    )


def inspection_plan_list(*, user: Any) -> QuerySet[InspectionPlan]:
    return (
        InspectionPlan.objects.visible_to(user)
        .select_related("organization", "target_root")
        .annotate(
            record_count=Count("records", distinct=True),
            done_count=Count("records", filter=Q(records__status="done"), distinct=True),
        )
        .order_by("-period", "-id")
    )


def inspection_records_for(*, user: Any, plan: InspectionPlan) -> QuerySet[InspectionRecord]:
    return (
        InspectionRecord.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("target", "inspector")
        .annotate(finding_count=Count("findings"))
        .order_by("org_path")
    )


def record_detail_qs(*, user: Any) -> QuerySet[InspectionRecord]:
    return (
        InspectionRecord.objects.visible_to(user)
        .select_related("plan", "plan__organization", "target", "inspector")
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("id")))
    )


def observation_ranking(*, user: Any, visit: ObservationVisit) -> list[ObservationScore]:
    """Scores best first with a competition rank (1, 2, 2, 4)."""
    rows = list(
        ObservationScore.objects.visible_to(user)
        .filter(visit=visit)
        .select_related("target")
        .order_by("-score", "target__name")
    )
    rank, prev = 0, None
    for i, row in enumerate(rows, start=1):
        if row.score != prev:
            rank, prev = i, row.score
        row.rank = rank
    return rows


def monthly_bulletin(
    *, user: Any, issuer: Organization, period: Period, today: datetime.date | None = None
) -> dict[str, Any]:
    """月通报: letters sent by kind (answered, overdue), findings found/rectified, and a ranking of the
    organizations directly below the issuer (fewest warnings, supervision letters and overdue letters first)."""
    today = today or timezone.localdate()
    letters = Letter.objects.visible_to(user).filter(issuer=issuer, period=str(period))
    kinds = {
        k: {"label": label, "sent": 0, "answered": 0, "overdue": 0, "closed": 0} for k, label in LetterKind.choices
    }
    agg = letters.values("kind").annotate(
        sent=Count("id"),
        answered=Count("id", filter=Q(status__in=[LetterStatus.ANSWERED, LetterStatus.CLOSED])),
        closed=Count("id", filter=Q(status=LetterStatus.CLOSED)),
        overdue=Count("id", filter=Q(status__in=[LetterStatus.SENT, LetterStatus.READ], response_deadline__lt=today)),
    )
    for row in agg:
        kinds[row["kind"]].update({k: row[k] for k in ("sent", "answered", "overdue", "closed")})
    from apps.responsibility.models import ProblemItem, Rectification

    problems_qs = ProblemItem.objects.visible_to(user).filter(
        org_path__startswith=issuer.path, found_on__range=(period.first_day, period.last_day)
    )
    problems = {
        "found": problems_qs.count(),
        "from_inspections": problems_qs.filter(source="inspection").count(),
        "rectified": Rectification.objects.visible_to(user)
        .filter(
            org_path__startswith=issuer.path,
            status="signed_off",
            signed_off_at__date__range=(period.first_day, period.last_day),
        )
        .count(),
    }
    ranking = bulletin_ranking(user=user, issuer=issuer, period=period, today=today, problems_qs=problems_qs)
    totals = defaultdict(int)
    for k in kinds.values():
        for f in ("sent", "answered", "overdue", "closed"):
            totals[f] += k[f]
    return {
        "issuer": issuer,
        "period": period,
        "kinds": kinds,
        "totals": dict(totals),
        "problems": problems,
        "ranking": ranking,
        "accountabilities": issuer_accountabilities(user=user, issuer=issuer, period=period).count(),
    }


RANK_KEYS = ("warning", "supervision", "overdue", "overdue_tasks", "overdue_rectifications", "findings")


def bulletin_ranking(
    *, user: Any, issuer: Organization, period: Period, today: datetime.date, problems_qs: QuerySet
) -> list[dict[str, Any]]:
    """The organizations directly below the issuer, best first, each counting **everything in its subtree**:
    letters of the month from any issuer (warning, supervision, reminder; overdue unanswered ones), tasks and
    rectifications overdue at the bulletin's date (today, or the month's last day for a past month), and
    problems found in the month. Fewest warnings first, then supervision letters, overdue letters, overdue
    tasks, overdue rectifications, findings; equal keys share a rank (1, 2, 2, 4)."""
    from apps.responsibility.models import Rectification, TaskItem

    as_of = min(today, period.last_day + datetime.timedelta(days=1))
    children = list(
        Organization.objects.visible_to(user).filter(parent=issuer, is_active=True).only("id", "name", "path")
    )
    zero = {"reminder": 0, "supervision": 0, "warning": 0, "overdue": 0, "answered": 0, "findings": 0}
    by_child: dict[str, dict[str, Any]] = {
        c.path: {"org": c, **zero, "overdue_tasks": 0, "overdue_rectifications": 0} for c in children
    }
    depth = issuer.path.count("/")

    def row_for(path: str) -> dict[str, Any] | None:
        return by_child.get("/".join(path.split("/")[: depth + 1]) + "/")

    # Grouped in SQL by the addressee's path: one row per organization, not per letter.
    subtree_letters = (
        Letter.objects.visible_to(user)
        .filter(org_path__startswith=issuer.path, period=str(period))
        .exclude(addressee=issuer)
        .values_list("org_path", "kind")
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=Q(status__in=[LetterStatus.ANSWERED, LetterStatus.CLOSED])),
            overdue=Count(
                "id", filter=Q(status__in=[LetterStatus.SENT, LetterStatus.READ], response_deadline__lt=today)
            ),
        )
        .order_by()
    )
    for path, kind, n, answered, overdue in subtree_letters:
        row = row_for(path)
        if row is not None:
            row[kind] += n
            row["answered"] += answered
            row["overdue"] += overdue
    overdue_sources = [
        ("overdue_tasks", TaskItem.objects.visible_to(user).overdue(as_of)),
        ("overdue_rectifications", Rectification.objects.visible_to(user).overdue(as_of)),
        ("findings", problems_qs),
    ]
    for key, qs in overdue_sources:
        for path, n in (
            qs.filter(org_path__startswith=issuer.path).values_list("org_path").annotate(n=Count("id")).order_by()
        ):
            row = row_for(path)
            if row is not None:
                row[key] += n
    ranking = sorted(by_child.values(), key=lambda r: (*(r[k] for k in RANK_KEYS), r["org"].name))
    rank, prev = 0, None
    for i, r in enumerate(ranking, start=1):
        key = tuple(r[k] for k in RANK_KEYS)
        if key != prev:
            rank, prev = i, key
        r["rank"] = rank
    return ranking


def issuer_accountabilities(*, user: Any, issuer: Organization, period: Period) -> QuerySet:
    from .models import Accountability

    return Accountability.objects.visible_to(user).filter(issuer=issuer, period=str(period))


def home_panel(*, user: Any) -> dict[str, Any]:
    """Letters on the home page: the ones this user's organization must answer (a branch secretary's to-do),
    and for staff above, how many letters in scope are overdue without an answer. Two queries at most."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("supervision.view_letter"):
        return {"kind": None}
    today = timezone.localdate()
    org = getattr(user, "organization", None)
    open_statuses = [LetterStatus.SENT, LetterStatus.READ]
    to_answer = []
    if org is not None:
        to_answer = list(
            Letter.objects.visible_to(user)
            .filter(addressee_id=org.pk, status__in=open_statuses)
            .select_related("issuer")
            .only("id", "kind", "year", "number", "title", "response_deadline", "issuer__doc_prefix", "issuer__id")
            .order_by("response_deadline", "id")[:6]
        )
        for letter in to_answer:
            letter.late = letter.response_deadline < today
    overdue_below = 0
    if org is None or org.kind not in ("branch", "joint_branch", "temporary_branch"):
        qs = Letter.objects.visible_to(user).filter(status__in=open_statuses, response_deadline__lt=today)
        if org is not None:
            qs = qs.exclude(addressee_id=org.pk)
        overdue_below = qs.order_by()[:10001].count()
    return {"kind": "letters", "to_answer": to_answer[:5], "more": len(to_answer) > 5, "overdue_below": overdue_below}
