"""The back office: full admin for superusers of the root organization only.

Any other user — a system admin of a district, staff with ``is_staff`` — gets no admin at all
(``has_permission`` is False, so /admin/ shows the login page and every admin URL refuses): their work is
done on the scoped pages, where ``visible_to`` and the services apply. That closes self-escalation
(``is_superuser``, moving oneself to the root), other districts' API tokens, global parameters and the
beat schedule in one place. Every admin write is audited (``audit_admin_log_entry`` below).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


def is_root_superuser(user: Any) -> bool:
    if not (user and user.is_active and user.is_staff and user.is_superuser):
        return False
    org = getattr(user, "organization", None)
    return org is None or org.parent_id is None


class RootAdminSite(admin.AdminSite):
    site_header = "党建工作管理平台 · 后台管理"
    site_title = "党建工作管理平台"
    index_title = "后台管理"

    def has_permission(self, request: Any) -> bool:
        return is_root_superuser(request.user)


class RootAdminConfig(AdminConfig):
    default_site = "apps.core.admin_site.RootAdminSite"


def audit_admin_log_entry(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Every admin add/change/delete writes a LogEntry; mirror it into the audit log with its actor."""
    if not created:
        return
    from .audit import audit_record
    from .models import AuditLog

    action = {1: AuditLog.Action.CREATE, 2: AuditLog.Action.UPDATE, 3: AuditLog.Action.DELETE}.get(
        instance.action_flag, AuditLog.Action.OTHER
    )
    model = instance.content_type.model if instance.content_type_id else "object"
    target = None
    if instance.action_flag != 3:
        try:
            target = instance.get_edited_object()
        except Exception:
            target = None
    audit_record(
        actor=instance.user,
        event=f"admin.{model}.{action}",
        obj=target if target is not None else instance,
        action=action,
        org_path=None if target is not None else "/",
        note=f"后台：{instance.object_repr} {instance.get_change_message()}"[:255],
    )
