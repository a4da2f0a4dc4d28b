"""Every write of the app. The pipeline lives in workflow.py, micro-wishes and 双报到 in community.py;
this module gathers them (views, API, admin and tasks import from here) and holds the category services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm

from .community import (  # noqa: F401
    post_create,
    record_add,
    record_confirm,
    registration_claim_post,
    registration_confirm,
    registration_create,
    wish_claim,
    wish_confirm,
    wish_create,
    wish_fulfil,
)
from .models import ServiceCategory
from .workflow import (  # noqa: F401
    recompute_open_deadlines,
    request_accept,
    request_answer,
    request_assign,
    request_close,
    request_escalate,
    request_follow_up,
    request_register,
    request_resume,
    request_start,
    request_suspend,
    request_suspension_decide,
    request_transfer,
)

CATEGORY_FIELDS = [
    "name",
    "parent",
    "response_limit_days",
    "closure_limit_days",
    "follow_up_days",
    "sort_order",
    "is_active",
]


LIMITS = {
    # field: (label, minimum, maximum) in working days
    "response_limit_days": ("受理时限", 0, 30),
    "closure_limit_days": ("办结时限", 1, 365),
    "follow_up_days": ("回访时限", 1, 60),
}


def _check_category(organization: Any, category: ServiceCategory | None, fields: dict[str, Any]) -> None:
    """Every rule of a category, each message in Chinese naming its field; all errors at once."""
    errors: dict[str, str] = {}

    def value(name: str) -> Any:
        return fields[name] if name in fields else getattr(category, name, None)

    name = (value("name") or "").strip()
    if not name:
        errors["name"] = _("请填写类别名称。")
    elif len(name) > 50:
        errors["name"] = _("类别名称最多50个字。")
    for field, (label, low, high) in LIMITS.items():
        v = value(field)
        if v is None or isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            errors[field] = _("%(label)s须为%(low)d到%(high)d之间的整数（工作日）。") % {
                "label": label, "low": low, "high": high,
            }  # fmt: skip
    resp, close = value("response_limit_days"), value("closure_limit_days")
    if "response_limit_days" not in errors and "closure_limit_days" not in errors and resp > close:
        errors["response_limit_days"] = _("受理时限不能长于办结时限。")
    parent = value("parent")
    if parent is not None:
        if category is not None and parent.pk == category.pk:
            errors["parent"] = _("上级类别不能是它自己。")
        elif parent.parent_id is not None:
            errors["parent"] = _("类别最多两级。")
        elif not ServiceCategory.objects.usable_at(organization.path).filter(pk=parent.pk).exists():
            errors["parent"] = _("上级类别不适用于该区域。")
        elif category is not None and ServiceCategory.objects.filter(parent=category).exists():
            errors["parent"] = _("该类别已有下级类别，不能再设上级类别。")
    if name and "name" not in errors:
        clash = ServiceCategory.objects.filter(organization=organization, parent=parent, name=name)
        if category is not None:
            clash = clash.exclude(pk=category.pk)
        if clash.exists():
            errors["name"] = _("本单位已有同名类别「%(name)s」。") % {"name": name}
    if errors:
        raise ValidationError(errors)


def category_save(
    *, acting_user: Any, organization: Any, category: ServiceCategory | None = None, **fields: Any
) -> ServiceCategory:
    """Create or change a region's category (the organization's own only). New limits apply to requests
    registered afterwards, the follow-up window to requests answered afterwards."""
    ensure_perm(
        acting_user, "service_requests.change_servicecategory" if category else "service_requests.add_servicecategory"
    )
    ensure_org_in_scope(acting_user, organization)
    if category is not None and category.organization_id != organization.pk:
        raise ValidationError({"organization": _("只能修改本单位设置的类别。")})
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    _check_category(organization, category, fields)
    with transaction.atomic():
        before = snapshot(category) if category else None
        cat = category or ServiceCategory()
        cat.organization, cat.org_path = organization, organization.path
        for name in CATEGORY_FIELDS:
            if name in fields:
                setattr(cat, name, fields[name])
        cat.full_clean(exclude=["org_path"], validate_constraints=False)
        cat.save()
        audit_record(
            actor=acting_user, event="servicecategory.update" if before else "servicecategory.create", obj=cat,
            before=before, after=snapshot(cat),
        )  # fmt: skip
    return cat


DEFAULT_CATEGORIES: list[tuple[str, int, int, int, list[str]]] = [
    # (name, response days, closure days, follow-up days, sub-kinds)
    ("民事代办", 1, 5, 3, ["社保", "医保", "证照", "养老", "残疾人证"]),
    ("矛盾纠纷调解", 1, 10, 5, []),
    ("困难帮扶", 1, 7, 5, []),
    ("政策咨询", 1, 2, 2, []),
    ("环境整治", 1, 7, 3, []),
    ("其他", 1, 5, 3, []),
]


def categories_seed_defaults(*, organization: Any) -> list[ServiceCategory]:
    """The usual categories for a region (demo and first use); existing names are kept."""
    out = []
    for i, (name, resp, close, follow, subs) in enumerate(DEFAULT_CATEGORIES):
        parent, _c = ServiceCategory.objects.get_or_create(
            organization=organization, parent=None, name=name,
            defaults={"org_path": organization.path, "response_limit_days": resp, "closure_limit_days": close,
                      "follow_up_days": follow, "sort_order": i * 10},
        )  # fmt: skip
        out.append(parent)
        for j, sub in enumerate(subs):
            child, _c = ServiceCategory.objects.get_or_create(
                organization=organization, parent=parent, name=sub,
                defaults={"org_path": organization.path, "response_limit_days": resp, "closure_limit_days": close,
                          "follow_up_days": follow, "sort_order": i * 10 + j + 1},
            )  # fmt: skip
            out.append(child)
    return out
