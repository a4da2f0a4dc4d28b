"""Writes of configuration rows edited in the back office (parameters, rule tables, letter rules and
templates): permission- and scope-checked, atomic, one audit row each. The admin calls these through
``apps.core.admin.ServiceAdminMixin``; models with a workflow have their own services and a read-only admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from .audit import audit_record, snapshot
from .scoping import ensure_org_in_scope, ensure_perm

if TYPE_CHECKING:
    from apps.accounts.models import User


def _ensure_may_edit(acting_user: User, obj: models.Model, action: str, organization_field: str | None) -> None:
    ensure_perm(acting_user, f"{obj._meta.app_label}.{action}_{obj._meta.model_name}")
    if organization_field is None:
        return
    organization = getattr(obj, organization_field)
    if organization is None:  # a province-wide default: only a tree-wide administrator
        if not acting_user.is_superuser:
            raise PermissionDenied(_("只有系统管理员可以修改全省通用的设置。"))
        return
    ensure_org_in_scope(acting_user, organization)


def _org_path(obj: models.Model, organization_field: str | None) -> str | None:
    organization = getattr(obj, organization_field) if organization_field else None
    return organization.path if organization is not None else None


def _event(obj: models.Model, suffix: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{suffix}"


@transaction.atomic
def setting_save(
    *, acting_user: User, obj: models.Model, is_new: bool, organization_field: str | None = None
) -> models.Model:
    """Create or update one configuration row (already validated by its form) and audit the change."""
    _ensure_may_edit(acting_user, obj, "add" if is_new else "change", organization_field)
    before = None if is_new else snapshot(type(obj)._default_manager.select_for_update().get(pk=obj.pk))
    obj.save()
    audit_record(
        actor=acting_user, event=_event(obj, "create" if is_new else "update"), obj=obj, before=before,
        after=snapshot(obj), org_path=_org_path(obj, organization_field),
    )  # fmt: skip
    return obj


@transaction.atomic
def setting_delete(*, acting_user: User, obj: models.Model, organization_field: str | None = None) -> None:
    _ensure_may_edit(acting_user, obj, "delete", organization_field)
    audit_record(
        actor=acting_user, event=_event(obj, "delete"), obj=obj, before=snapshot(obj),
        org_path=_org_path(obj, organization_field),
    )  # fmt: skip
    obj.delete()
