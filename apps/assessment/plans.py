"""Plan workflow: create, edit, copy from last year, the indicator tree and its checks, start scoring."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.metrics import metrics
from apps.core.scoping import ensure_org_in_scope, ensure_perm
from apps.organizations.models import Organization

from .choices import IndicatorCategory, PlanStatus, RuleKind, ScoringMethod
from .models import AssessmentPlan, AssessmentResult, Indicator

PLAN_FIELDS = [
    "title",
    "year",
    "scope_kinds",
    "scope_sectors",
    "rater_combine",
    "bonus_cap",
    "deduction_cap",
    "grading_method",
    "advanced_min_score",
    "lagging_below_score",
    "advanced_quota_percent",
    "lagging_quota_percent",
    "star_thresholds",
    "appeal_days",
]
INDICATOR_FIELDS = ["parent", "seq", "name", "category", "points", "method", "metric_name", "rule", "criteria"]
HUNDRED = Decimal("100")


def ensure_editable(plan: AssessmentPlan) -> None:
    if plan.status == PlanStatus.PUBLISHED:
        raise ValidationError({"__all__": _("考核结果已发布，分数已冻结，不能再修改（如有异议请通过申诉处理）。")})


def ensure_draft(plan: AssessmentPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"__all__": _("考核方案已开始评分，指标体系不能再修改。")})


def _clean_plan(plan: AssessmentPlan) -> None:
    errors: dict[str, str] = {}
    if not (plan.title or "").strip():
        errors["title"] = _("请填写方案名称。")
    if not plan.year or not (2000 <= int(plan.year) <= 2100):
        errors["year"] = _("考核年度应为四位年份。")
    if plan.advanced_quota_percent + plan.lagging_quota_percent > 100:
        errors["lagging_quota_percent"] = _("先进比例与后进比例之和不能超过100%。")
    if plan.lagging_below_score > plan.advanced_min_score:
        errors["lagging_below_score"] = _("后进分数线不能高于先进分数线。")
    stars = plan.star_thresholds or []
    if stars and (len(stars) != 4 or any(float(a) < float(b) for a, b in itertools.pairwise(stars))):
        errors["star_thresholds"] = _("星级分数线应为从高到低的4个分数（五星、四星、三星、二星）。")
    if plan.bonus_cap < 0 or plan.deduction_cap < 0:
        errors["bonus_cap"] = _("加分、扣分上限不能为负数。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(*, acting_user: Any, organization: Organization, **fields: Any) -> AssessmentPlan:
    ensure_perm(acting_user, "assessment.add_assessmentplan")
    ensure_org_in_scope(acting_user, organization)
    plan = AssessmentPlan(organization=organization, created_by=acting_user if acting_user.pk else None)
    for key, value in fields.items():
        if key not in PLAN_FIELDS:
            raise ValidationError({key: _("该字段不能在此设置。")})
        setattr(plan, key, value)
    _clean_plan(plan)
    if AssessmentPlan.objects.filter(organization=organization, year=plan.year, title=plan.title).exists():
        raise ValidationError({"title": _("本单位该年度已有同名考核方案。")})
    plan.save()
    audit_record(actor=acting_user, event="assessmentplan.create", obj=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def plan_update(*, acting_user: Any, plan: AssessmentPlan, **fields: Any) -> AssessmentPlan:
    ensure_perm(acting_user, "assessment.change_assessmentplan")
    ensure_org_in_scope(acting_user, plan.organization)
    plan = AssessmentPlan.objects.select_for_update().get(pk=plan.pk)
    ensure_editable(plan)
    before = snapshot(plan)
    for key, value in fields.items():
        if key not in PLAN_FIELDS:
            raise ValidationError({key: _("该字段不能在此修改。")})
        frozen_scope = key in ("year", "scope_kinds", "scope_sectors") and plan.status != PlanStatus.DRAFT
        if frozen_scope and getattr(plan, key) != value:
            raise ValidationError({key: _("已开始评分的方案不能修改年度和考核对象。")})
        setattr(plan, key, value)
    _clean_plan(plan)
    plan.save()
    audit_record(actor=acting_user, event="assessmentplan.update", obj=plan, before=before, after=snapshot(plan))
    return plan


def _clean_rule(ind: Indicator) -> None:
    rule = ind.rule or {}
    kind = rule.get("kind")
    if ind.method == ScoringMethod.SYSTEM:
        if not ind.metric_name:
            raise ValidationError({"metric_name": _("系统取数的指标须选择系统指标。")})
        if ind.metric_name not in metrics():
            raise ValidationError({"metric_name": _("系统指标「%(name)s」不存在。") % {"name": ind.metric_name}})
        if ind.category != IndicatorCategory.VETO and kind not in RuleKind.values:
            raise ValidationError({"rule": _("请设置计分规则（线性、分档或按次）。")})
        try:
            if kind == RuleKind.LINEAR:
                if Decimal(str(rule["low"])) == Decimal(str(rule["high"])):
                    raise ValidationError({"rule": _("线性计分的两个取值不能相同。")})
            elif kind == RuleKind.THRESHOLDS:
                steps = rule["steps"]
                if not steps or any(len(s) != 2 or not (0 <= float(s[1]) <= 1) for s in steps):
                    raise ValidationError({"rule": _("分档计分每档应为「取值，得分比例（0到1）」。")})
            elif kind == RuleKind.PER_OCCURRENCE and Decimal(str(rule["each"])) <= 0:
                raise ValidationError({"rule": _("按次计分的每次分值应大于0。")})
        except (KeyError, TypeError, ArithmeticError, ValueError) as exc:
            raise ValidationError({"rule": _("计分规则不完整或格式有误。")}) from exc
    if ind.method == ScoringMethod.OBSERVATION and not rule.get("visit"):
        raise ValidationError({"rule": _("观摩排名计分须选择一次观摩活动。")})


def _clean_indicator(ind: Indicator) -> None:
    if not ind.name.strip():
        raise ValidationError({"name": _("请填写指标名称。")})
    if ind.category not in IndicatorCategory.values:
        raise ValidationError({"category": _("指标类别无效。")})
    if ind.category == IndicatorCategory.GROUP:
        if ind.parent_id:
            raise ValidationError({"parent": _("大项不能再属于其他大项。")})
        ind.method, ind.metric_name, ind.rule = "", "", {}
        return
    if ind.parent_id is not None and ind.parent.category != IndicatorCategory.GROUP:
        raise ValidationError({"parent": _("小项只能放在大项之下。")})
    if ind.category == IndicatorCategory.STANDARD and ind.parent_id is None:
        raise ValidationError({"parent": _("小项须属于一个大项。")})
    if ind.points < 0:
        raise ValidationError({"points": _("分值不能为负数。")})
    if ind.category != IndicatorCategory.VETO and ind.points <= 0:
        raise ValidationError({"points": _("请填写分值（加分、扣分项填写该项的上限）。")})
    if ind.method not in ScoringMethod.values:
        raise ValidationError({"method": _("请选择评分方式。")})
    if ind.category == IndicatorCategory.VETO and ind.method not in (ScoringMethod.SYSTEM, ScoringMethod.MANUAL):
        raise ValidationError({"method": _("一票否决项只能系统取数或人工认定。")})
    if ind.method != ScoringMethod.SYSTEM:
        ind.metric_name = ""
    _clean_rule(ind)


@transaction.atomic
def indicator_save(
    *, acting_user: Any, plan: AssessmentPlan, indicator: Indicator | None = None, **fields: Any
) -> Indicator:
    """Create (``indicator`` None) or update one node of the tree while the plan is a draft."""
    ensure_perm(acting_user, "assessment.change_assessmentplan")
    ensure_org_in_scope(acting_user, plan.organization)
    plan = AssessmentPlan.objects.select_for_update().get(pk=plan.pk)
    ensure_draft(plan)
    ind = indicator or Indicator(plan=plan)
    if ind.plan_id != plan.pk:
        raise ValidationError({"__all__": _("指标不属于该考核方案。")})
    before = snapshot(ind) if indicator else None
    for key, value in fields.items():
        if key not in INDICATOR_FIELDS:
            raise ValidationError({key: _("该字段不能在此设置。")})
        setattr(ind, key, value)
    if ind.parent_id and ind.parent.plan_id != plan.pk:
        raise ValidationError({"parent": _("所属大项不在本方案中。")})
    _clean_indicator(ind)
    ind.save()
    audit_record(
        actor=acting_user,
        event="indicator.update" if indicator else "indicator.create",
        obj=ind,
        before=before,
        after=snapshot(ind),
        org_path=plan.organization.path,
    )
    return ind


@transaction.atomic
def indicator_delete(*, acting_user: Any, indicator: Indicator) -> None:
    plan = indicator.plan
    ensure_perm(acting_user, "assessment.change_assessmentplan")
    ensure_org_in_scope(acting_user, plan.organization)
    ensure_draft(plan)
    audit_record(
        actor=acting_user,
        event="indicator.delete",
        obj=indicator,
        before=snapshot(indicator),
        org_path=plan.organization.path,
    )
    indicator.delete()


def plan_problems(plan: AssessmentPlan) -> list[str]:
    """What keeps a plan from being scored: the 百分制 sum, groups vs their items, missing metrics."""
    problems = []
    items = list(plan.indicators.all())
    groups = {i.pk: i for i in items if i.category == IndicatorCategory.GROUP}
    standard = [i for i in items if i.category == IndicatorCategory.STANDARD]
    total = sum((i.points for i in standard), Decimal("0"))
    if total != HUNDRED:
        problems.append(_("各小项分值合计为%(total)s分，应为100分。") % {"total": total.normalize()})
    for group in groups.values():
        children = sum((i.points for i in standard if i.parent_id == group.pk), Decimal("0"))
        if group.points and children != group.points:
            problems.append(
                _("大项「%(name)s」分值%(points)s分，其小项合计%(sum)s分，两者应相等。")
                % {"name": group.name, "points": group.points.normalize(), "sum": children.normalize()}
            )
    registered = metrics()
    for ind in items:
        if ind.method == ScoringMethod.SYSTEM and ind.metric_name not in registered:
            problems.append(_("指标「%(name)s」的系统指标已不存在，请重新选择。") % {"name": ind.name})
    return problems


def assessed_organizations(plan: AssessmentPlan) -> Any:
    """Active organizations below the issuer matching the plan's kinds and sectors."""
    qs = Organization.objects.filter(path__startswith=plan.organization.path, is_active=True).exclude(
        pk=plan.organization_id
    )
    if plan.scope_kinds:
        qs = qs.filter(kind__in=plan.scope_kinds)
    if plan.scope_sectors:
        qs = qs.filter(sector__in=plan.scope_sectors)
    return qs


def _insert_results(plan: AssessmentPlan) -> int:
    """One INSERT … SELECT for every assessed organization not in the plan yet (re-running adds newcomers)."""
    ids_sql, params = assessed_organizations(plan).order_by().values("pk").query.sql_with_params()
    table = AssessmentResult._meta.db_table
    org_table = Organization._meta.db_table
    sql = f"""INSERT INTO {table} (plan_id, organization_id, org_path, base_points, bonus_points, deduction_points,
                  total, grade, vetoed, veto_reason, marked_for_consolidation, problem_ref)
              SELECT %s, o.id, o.path, 0, 0, 0, 0, '', false, '', false, ''
              FROM {org_table} o
              WHERE o.id IN ({ids_sql})
                AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.plan_id = %s AND r.organization_id = o.id)"""
    with connection.cursor() as cur:
        cur.execute(sql, [plan.pk, *params, plan.pk])
        created = cur.rowcount
        # ranking positions before any score exists: the tree's order (a computation renumbers by rank)
        cur.execute(
            f"""UPDATE {table} SET position = x.pos FROM (
                    SELECT id, ROW_NUMBER() OVER (ORDER BY rank, org_path, id) AS pos FROM {table} WHERE plan_id = %s
                ) x WHERE {table}.id = x.id""",
            [plan.pk],
        )
    return created


@transaction.atomic
def plan_start_scoring(*, acting_user: Any, plan: AssessmentPlan) -> AssessmentPlan:
    """Check the tree and create one result row per assessed organization (re-running adds newcomers only)."""
    ensure_perm(acting_user, "assessment.change_assessmentplan")
    ensure_org_in_scope(acting_user, plan.organization)
    plan = AssessmentPlan.objects.select_for_update().select_related("organization").get(pk=plan.pk)
    ensure_editable(plan)
    if problems := plan_problems(plan):
        raise ValidationError({"__all__": problems})
    created = _insert_results(plan)
    from .scoring import store_summary  # scoring imports this module

    store_summary(plan)
    if not AssessmentResult.objects.filter(plan=plan).exists():
        raise ValidationError({"scope_kinds": _("按所选类别和领域，没有需要考核的党组织。")})
    before = snapshot(plan, ["status"])
    plan.status = PlanStatus.SCORING
    plan.save(update_fields=["status"])
    audit_record(
        actor=acting_user,
        event="assessmentplan.start_scoring",
        obj=plan,
        before=before,
        after=snapshot(plan, ["status"]),
        note=_("新增考核对象%(n)d个") % {"n": created},
    )
    return plan


@transaction.atomic
def plan_copy(*, acting_user: Any, source: AssessmentPlan, year: int, title: str = "") -> AssessmentPlan:
    """A new draft for ``year`` with the source's settings and indicator tree (observation links dropped)."""
    fields = {f: getattr(source, f) for f in PLAN_FIELDS if f not in ("year", "title")}
    plan = plan_create(
        acting_user=acting_user,
        organization=source.organization,
        year=year,
        title=title or source.title.replace(str(source.year), str(year)),
        **fields,
    )
    plan.copied_from = source
    plan.save(update_fields=["copied_from"])
    mapping: dict[int, Indicator] = {}
    for ind in source.indicators.order_by(F("parent_id").asc(nulls_first=True), "seq", "id"):  # groups first
        rule = dict(ind.rule or {})
        rule.pop("visit", None)
        copy = Indicator.objects.create(
            plan=plan,
            parent=mapping.get(ind.parent_id),
            seq=ind.seq,
            name=ind.name,
            category=ind.category,
            points=ind.points,
            method=ind.method,
            metric_name=ind.metric_name,
            rule=rule,
            criteria=ind.criteria,
        )
        mapping[ind.pk] = copy
    audit_record(
        actor=acting_user,
        event="assessmentplan.copy",
        obj=plan,
        after={"copied_from": str(source), "indicators": len(mapping)},
    )
    return plan
