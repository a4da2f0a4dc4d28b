"""Per-app role permissions, registered in each app's ``AppConfig.ready()``:

    from apps.core.roles import register_role_permissions
    from .roles import ROLE_PERMISSIONS

    register_role_permissions(ROLE_PERMISSIONS)

``ROLE_PERMISSIONS = {role: ["app_label.codename" | "app_label.*" | "app_label.view_*"]}``. The accounts app
adds its base roles and syncs the Django groups after every migrate. A system check (``core.E001``) fails
when an app has a ``roles.py`` whose permissions were never registered, so none is silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_ROLE_PERMISSIONS: dict[str, list[str]] = {}
_REGISTERED: list[int] = []  # ids of the registered mappings (for the system check)


def register_role_permissions(mapping: Mapping[str, Sequence[str]]) -> None:
    if id(mapping) in _REGISTERED:
        return
    _REGISTERED.append(id(mapping))
    for role, patterns in mapping.items():
        bucket = _ROLE_PERMISSIONS.setdefault(role, [])
        bucket.extend(p for p in patterns if p not in bucket)


def registered_role_permissions() -> dict[str, list[str]]:
    return {role: list(patterns) for role, patterns in _ROLE_PERMISSIONS.items()}


def is_registered(mapping: Mapping[str, Sequence[str]]) -> bool:
    return id(mapping) in _REGISTERED
