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


def category_save(
    *, acting_user: Any, organization: Any, category: ServiceCategory | None = None, **fields: Any
) -> ServiceCategory:
    """Create or change a region's category. New limits apply to requests registered afterwards."""
    ensure_perm(
        acting_user, "service_requests.change_servicecategory" if category else "service_requests.add_servicecategory"
    )
    ensure_org_in_scope(acting_user, organization)
    parent = fields.get("parent")
    if parent is not None and not ServiceCategory.objects.usable_at(organization.path).filter(pk=parent.pk).exists():
        raise ValidationError({"parent": _("上级类别不适用于该区域。")})
    if parent is not None and parent.parent_id is not None:
        raise ValidationError({"parent": _("类别最多两级。")})
    if not (fields.get("name") or getattr(category, "name", "")).strip():
        raise ValidationError({"name": _("请填写类别名称。")})
    with transaction.atomic():
        before = snapshot(category) if category else None
        cat = category or ServiceCategory()
        cat.organization, cat.org_path = organization, organization.path
        for name in CATEGORY_FIELDS:
            if name in fields:
                setattr(cat, name, fields[name])
        cat.full_clean(exclude=["org_path"])
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
