from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.assessment import services
from apps.assessment.models import AssessmentPlan, Indicator


def make_plan(user: Any, org: Any, *, year: int = 2025, **fields: Any) -> AssessmentPlan:
    fields.setdefault("title", f"{year}年度基层党建考核")
    fields.setdefault("scope_kinds", ["branch"])
    return services.plan_create(acting_user=user, organization=org, year=year, **fields)


def add(user: Any, plan: AssessmentPlan, name: str, category: str, points: Any = 0, **fields: Any) -> Indicator:
    return services.indicator_save(
        acting_user=user, plan=plan, name=name, category=category, points=Decimal(str(points)), **fields
    )


def make_simple_plan(user: Any, org: Any, *, metric: str | None = None, **fields: Any) -> tuple[AssessmentPlan, dict]:
    """A 100-point plan: one group with a rater item (60) and either a system item or a manual item (40);
    a bonus, a deduction and a veto item (all manual)."""
    plan = make_plan(user, org, **fields)
    group = add(user, plan, "组织建设", "group", 100)
    inds = {"group": group}
    inds["raters"] = add(user, plan, "阵地建设", "standard", 60, parent=group, method="raters")
    if metric:
        inds["system"] = add(
            user, plan, "台账按时提交", "standard", 40, parent=group, method="system", metric_name=metric,
            rule={"kind": "linear", "low": 50, "high": 100},
        )  # fmt: skip
    else:
        inds["manual"] = add(user, plan, "特色工作", "standard", 40, parent=group, method="manual")
    inds["bonus"] = add(user, plan, "创新加分", "bonus", 3, method="manual")
    inds["bonus2"] = add(user, plan, "表彰加分", "bonus", 3, method="manual")
    inds["deduction"] = add(user, plan, "通报扣分", "deduction", 8, method="manual")
    inds["veto"] = add(user, plan, "严重违纪", "veto", 0, method="manual")
    return plan, inds
