"""Explicit audit records, written by every service inside its transaction.

Called from services rather than signals so pages, API, admin, imports and Celery jobs are covered alike
and always know their actor. PII fields named in a model's ``AUDIT_MASKED_FIELDS`` are masked in the log;
fields in ``AUDIT_EXCLUDE`` (ciphertexts, hashes) are left out.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import AuditLog
from .pii import mask_id_number, mask_phone

_MASKERS = {"id_number": mask_id_number, "phone": mask_phone}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (datetime.date, decimal.Decimal)):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The model's concrete field values as JSON-friendly data, for before/after comparison."""
    exclude = set(getattr(obj, "AUDIT_EXCLUDE", ())) | {"id", "created_at", "updated_at", "org_path"}
    masked = dict(getattr(obj, "AUDIT_MASKED_FIELDS", {}))
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.name
        if (fields and name not in fields) or name in exclude:
            continue
        if field.is_relation:
            rel_id = getattr(obj, field.attname)
            value = str(getattr(obj, name)) if rel_id is not None else None
        else:
            value = getattr(obj, field.attname)
            if field.choices and value not in (None, ""):
                value = f"{value}"
        value = _plain(value)
        if name in masked and value:
            value = _MASKERS[masked[name]](value)
        data[name] = value
    for name, attr in getattr(obj, "AUDIT_EXTRA", {}).items():
        value = getattr(obj, attr)
        if name in masked and value:
            value = _MASKERS[masked[name]](value)
        data[name] = _plain(value)
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: Any,
    event: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    org_path: str | None = None,
    note: str = "",
    action: str | None = None,
) -> AuditLog:
    """Write one audit row. ``org_path`` defaults to the object's organization's path (or its own)."""
    if action is None:
        suffix = event.rsplit(".", 1)[-1]
        action = {
            "create": AuditLog.Action.CREATE,
            "delete": AuditLog.Action.DELETE,
            "view_pii": AuditLog.Action.VIEW_PII,
        }.get(suffix, AuditLog.Action.UPDATE)
    if org_path is None:
        org_path = _object_org_path(obj)
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditLog.objects.create(
        actor=actor_obj,
        actor_name=(actor.get_full_name() or actor.get_username()) if actor_obj else "系统",
        action=action,
        event=event,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        org_path=org_path,
        changes=diff(before, after) if action != AuditLog.Action.VIEW_PII else {},
        note=note[:255],
    )


def _object_org_path(obj: models.Model) -> str:
    path = getattr(obj, "org_path", None)
    if path:
        return path
    org = getattr(obj, "organization", None)
    if org is not None:
        return org.path
    return getattr(obj, "path", "") or "/"
