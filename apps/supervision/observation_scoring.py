"""Observation scoring (逐社观摩) services and reads: the sheet (type and dimensions), the route, each rater's
points per dimension on the spot, and the visit's ranking (mean of the raters' totals; ties share a rank).

Every rating also refreshes the visit's one-score-per-target row (ObservationScore) with the raters' mean,
so the existing visit page, bulletin and API keep working from the same figure.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.models import Organization

from .models import ObservationScore, ObservationVisit
from .observation_models import (
    DEFAULT_DIMENSIONS,
    ObservationDimension,
    ObservationRating,
    ObservationSheet,
    ObservationTarget,
    VisitType,
)

TENTH = Decimal("0.1")


def sheet_for(visit: ObservationVisit) -> ObservationSheet:
    """The visit's sheet, created with the five default dimensions the first time it is needed."""
    sheet = ObservationSheet.objects.filter(visit=visit).first()
    if sheet is None:
        sheet, created = ObservationSheet.objects.get_or_create(visit=visit)
        if created and not visit.dimensions.exists():
            ObservationDimension.objects.bulk_create(
                ObservationDimension(visit=visit, seq=i, name=name, max_points=Decimal(points))
                for i, (name, points) in enumerate(DEFAULT_DIMENSIONS, start=1)
            )
    return sheet


def _ensure_manage(acting_user: Any, visit: ObservationVisit) -> None:
    ensure_perm(acting_user, "supervision.change_observationvisit")
    ensure_org_in_scope(acting_user, visit.organization)


@transaction.atomic
def observation_sheet_set(
    *, acting_user: Any, visit: ObservationVisit, visit_type: str, dimensions: list[tuple[str, Decimal]]
) -> ObservationSheet:
    """Set the visit type and the sheet's dimensions (name, maximum points); locked once anyone scored."""
    _ensure_manage(acting_user, visit)
    if visit_type not in VisitType.values:
        raise ValidationError({"visit_type": _("观摩类型无效。")})
    sheet = sheet_for(visit)
    before = {"visit_type": sheet.visit_type, "dimensions": [d.name for d in visit.dimensions.all()]}
    cleaned = [(name.strip(), Decimal(points)) for name, points in dimensions if name and name.strip()]
    if not cleaned:
        raise ValidationError({"dimensions": _("评分表至少要有一个评分维度。")})
    if any(p <= 0 for _n, p in cleaned):
        raise ValidationError({"dimensions": _("每个评分维度的满分应大于0。")})
    if len({n for n, _p in cleaned}) != len(cleaned):
        raise ValidationError({"dimensions": _("评分维度名称不能重复。")})
    current = [(d.name, d.max_points) for d in visit.dimensions.all()]
    if current != cleaned:
        if ObservationRating.objects.filter(visit=visit).exists():
            raise ValidationError({"dimensions": _("已有评委评分，评分表不能再修改。")})
        visit.dimensions.all().delete()
        ObservationDimension.objects.bulk_create(
            ObservationDimension(visit=visit, seq=i, name=n, max_points=p) for i, (n, p) in enumerate(cleaned, 1)
        )
    sheet.visit_type = visit_type
    sheet.save(update_fields=["visit_type"])
    audit_record(
        actor=acting_user,
        event="observationsheet.update",
        obj=sheet,
        before=before,
        after={"visit_type": visit_type, "dimensions": [n for n, _p in cleaned]},
        org_path=visit.organization.path,
    )
    return sheet


@transaction.atomic
def observation_targets_set(
    *, acting_user: Any, visit: ObservationVisit, organizations: list[Organization]
) -> list[ObservationTarget]:
    """The route: organizations below the organizer, in visiting order (replaces the previous route)."""
    _ensure_manage(acting_user, visit)
    sheet_for(visit)
    for org in organizations:
        ensure_org_in_scope(acting_user, org)
        if not org.path.startswith(visit.organization.path) or org.pk == visit.organization_id:
            raise ValidationError({"targets": _("「%(name)s」不是组织单位的下级党组织。") % {"name": org.name}})
    keep = {o.pk for o in organizations}
    scored = set(ObservationRating.objects.filter(visit=visit).values_list("target_id", flat=True))
    if scored - keep:
        raise ValidationError({"targets": _("已评分的观摩点不能移出。")})
    visit.targets.exclude(organization_id__in=keep).delete()
    existing = {t.organization_id: t for t in visit.targets.all()}
    for seq, org in enumerate(organizations, start=1):
        t = existing.get(org.pk)
        if t is None:
            ObservationTarget.objects.create(visit=visit, organization=org, seq=seq)
        elif t.seq != seq:
            ObservationTarget.objects.filter(pk=t.pk).update(seq=seq)
    audit_record(
        actor=acting_user,
        event="observationvisit.targets",
        obj=visit,
        after={"targets": [o.name for o in organizations]},
    )
    return list(visit.targets.select_related("organization"))


@transaction.atomic
def observation_rating_set(
    *,
    acting_user: Any,
    visit: ObservationVisit,
    target: Organization,
    points: dict[int, Decimal],
    comment: str = "",
) -> ObservationRating:
    """One rater's sheet for one target (re-scoring replaces the rater's own); refreshes the target's mean."""
    ensure_perm(acting_user, "supervision.add_observationscore")
    ensure_org_in_scope(acting_user, visit.organization)
    sheet = sheet_for(visit)
    if sheet.is_closed:
        raise ValidationError({"__all__": _("本次观摩评分已结束。")})
    if not visit.targets.filter(organization=target).exists():
        raise ValidationError({"target": _("该组织不在本次观摩路线中。")})
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    total = Decimal("0")
    for dim in visit.dimensions.all():
        value = points.get(dim.pk)
        field = f"dim_{dim.pk}"
        if value is None:
            errors[field] = _("请为「%(name)s」打分。") % {"name": dim.name}
            continue
        if not (0 <= value <= dim.max_points):
            errors[field] = _("「%(name)s」应在0到%(max)s分之间。") % {"name": dim.name, "max": dim.max_points}
            continue
        clean[str(dim.pk)] = str(value)
        total += value
    if errors:
        raise ValidationError(errors)
    rating, _created = ObservationRating.objects.update_or_create(
        visit=visit,
        target=target,
        rater=acting_user,
        defaults={"points": clean, "total": total, "comment": comment.strip()[:300], "scored_at": timezone.now()},
    )
    mean = ObservationRating.objects.filter(visit=visit, target=target).aggregate(m=Avg("total"))["m"]
    ObservationScore.objects.update_or_create(
        visit=visit,
        target=target,
        defaults={"score": Decimal(mean).quantize(TENTH, ROUND_HALF_UP), "org_path": target.path},
    )
    audit_record(
        actor=acting_user, event="observationrating.set", obj=rating, after=snapshot(rating), org_path=target.path
    )
    return rating


@transaction.atomic
def observation_sheet_close(*, acting_user: Any, visit: ObservationVisit) -> ObservationSheet:
    _ensure_manage(acting_user, visit)
    sheet = sheet_for(visit)
    sheet.is_closed = True
    sheet.save(update_fields=["is_closed"])
    audit_record(actor=acting_user, event="observationsheet.close", obj=sheet, org_path=visit.organization.path)
    return sheet


def max_total(visit: ObservationVisit) -> Decimal:
    return sum((d.max_points for d in visit.dimensions.all()), Decimal("0"))


def observation_visit_ranking(*, user: Any, visit: ObservationVisit) -> list[dict[str, Any]]:
    """Targets by the raters' mean total, best first, with competition ranks (1, 2, 2, 4) and rater counts."""
    targets = list(ObservationTarget.objects.visible_to(user).filter(visit=visit).select_related("organization"))
    stats = {
        row["target_id"]: row
        for row in ObservationRating.objects.visible_to(user)
        .filter(visit=visit)
        .values("target_id")
        .annotate(mean=Avg("total"), raters=Count("id"))
    }
    rows = []
    for t in targets:
        s = stats.get(t.organization_id)
        mean = Decimal(s["mean"]).quantize(TENTH, ROUND_HALF_UP) if s else None
        rows.append({"target": t.organization, "seq": t.seq, "mean": mean, "raters": s["raters"] if s else 0})
    rows.sort(key=lambda r: (r["mean"] is None, -(r["mean"] or 0), r["seq"]))
    rank, prev = 0, None
    for i, row in enumerate(rows, start=1):
        if row["mean"] is None:
            row["rank"] = None
            continue
        if row["mean"] != prev:
            rank, prev = i, row["mean"]
        row["rank"] = rank
    return rows


def observation_visit_results(*, visit_id: int) -> dict[int, tuple[str, Decimal, int, int]]:
    """For assessment: target id -> (path, mean total as a share of the sheet's maximum, rank, ranked count).
    A system read (no user): the assessment computation scopes by its own assessed organizations."""
    visit = ObservationVisit.objects.get(pk=visit_id)
    top = max_total(visit)
    rows = list(
        ObservationRating.objects.filter(visit=visit)
        .values("target_id", "target__path")
        .annotate(mean=Avg("total"))
        .order_by("-mean")
    )
    out: dict[int, tuple[str, Decimal, int, int]] = {}
    rank, prev = 0, None
    for i, row in enumerate(rows, start=1):
        mean = Decimal(row["mean"]).quantize(TENTH, ROUND_HALF_UP)
        if mean != prev:
            rank, prev = i, mean
        share = (mean / top) if top else Decimal("0")
        out[row["target_id"]] = (row["target__path"], min(share, Decimal(1)), rank, len(rows))
    return out


def rater_sheet(*, user: Any, visit: ObservationVisit) -> list[dict[str, Any]]:
    """For the phone page: each target in route order with this rater's own points so far."""
    mine = {r.target_id: r for r in ObservationRating.objects.filter(visit=visit, rater=user)}
    return [
        {"target": t.organization, "seq": t.seq, "rating": mine.get(t.organization_id)}
        for t in ObservationTarget.objects.visible_to(user).filter(visit=visit).select_related("organization")
    ]
