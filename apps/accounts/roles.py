"""Roles are Django groups with model permissions: *what you may do* is has_perm, *which rows* is visible_to.

Each app may add a ``roles.py`` with ``ROLE_PERMISSIONS = {role: ["app_label.codename" | "app_label.*" |
"app_label.view_*"]}``; the groups are synced from all of them after every migrate.
"""

from __future__ import annotations

import fnmatch
from importlib import import_module
from typing import Any

from django.apps import apps as django_apps

from .models import Role

DOMAIN_APPS = [
    "organizations",
    "members",
    "responsibility",
    "supervision",
    "notifications",
    "funding",
    "service_requests",
    "assessment",
    "dashboards",
]


def _all(label: str) -> list[str]:
    return [f"{label}.*"]


def _view(label: str) -> list[str]:
    return [f"{label}.view_*"]


BASE_ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SYSTEM_ADMIN: [p for a in DOMAIN_APPS for p in _all(a)]
    + ["accounts.*", "core.*", "authtoken.*", "django_celery_beat.*", "auth.view_group"],
    Role.ORG_STAFF: [p for a in DOMAIN_APPS for p in _all(a)] + ["core.view_auditlog", "accounts.view_user"],
    Role.COMMITTEE_STAFF: [p for a in DOMAIN_APPS for p in _all(a)] + ["core.view_auditlog", "accounts.view_user"],
    Role.BRANCH_SECRETARY: ["organizations.view_organization", "core.view_auditlog"],
    Role.INSPECTOR: [p for a in DOMAIN_APPS for p in _view(a)] + ["supervision.*", "core.view_auditlog"],
    Role.LEADER: [p for a in DOMAIN_APPS for p in _view(a)] + ["core.view_auditlog"],
    Role.ROSTER_ADMIN: ["organizations.view_organization", "members.*", "accounts.view_full_pii", "core.view_auditlog"],
}


def role_permission_patterns() -> dict[str, list[str]]:
    patterns = {role: list(p) for role, p in BASE_ROLE_PERMISSIONS.items()}
    for config in django_apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError:
            continue
        for role, extra in getattr(module, "ROLE_PERMISSIONS", {}).items():
            patterns.setdefault(role, []).extend(extra)
    return patterns


def sync_role_groups(using: str = "default") -> None:
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.using(using).select_related("content_type"))
    keys = {p.pk: f"{p.content_type.app_label}.{p.codename}" for p in perms}
    for role, patterns in role_permission_patterns().items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = [pk for pk, key in keys.items() if any(fnmatch.fnmatchcase(key, pat) for pat in patterns)]
        group.permissions.set(wanted)
    from .backends import invalidate_permission_cache

    invalidate_permission_cache()


def sync_role_groups_handler(sender: Any, using: str = "default", **kwargs: Any) -> None:
    # Run once, after the last app's permissions exist (post_migrate is sent app by app).
    # post_migrate is sent only for apps with a models module: compare with the last of those.
    with_models = [c for c in django_apps.get_app_configs() if c.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    sync_role_groups(using=using)
