"""System checks that keep the registries honest (run by ``manage.py check`` in scripts/test)."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.checks import Error, register


@register()
def role_permissions_registered(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from .roles import is_registered

    errors = []
    for config in apps.get_app_configs():
        if not config.name.startswith("apps.") or find_spec(f"{config.name}.roles") is None:
            continue
        mapping = getattr(import_module(f"{config.name}.roles"), "ROLE_PERMISSIONS", None)
        if mapping and not is_registered(mapping):
            errors.append(
                Error(
                    f"{config.name}.roles.ROLE_PERMISSIONS is not registered.",
                    hint=f"Call apps.core.roles.register_role_permissions(ROLE_PERMISSIONS) in {type(config).__name__}"
                    ".ready() (docs/architecture.md).",
                    obj=config.name,
                    id="core.E001",
                )
            )
    return errors
