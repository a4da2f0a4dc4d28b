"""Kept apart from api.py: DRF imports the default permission class while rest_framework.views loads."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Model permissions that also require ``view_`` for reads (DRF's stock class lets any GET through)."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "_ignore_model_permissions", False):
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)


class RootAdminWrites(permissions.BasePermission):
    """The deployment-wide rule tables: any signed-in user reads them (they are regulations); only root
    administrators write (``scoping.is_root_admin``; the services check it again)."""

    message = "只有系统管理员（市级及以上）可以修改全局规则表。"

    def has_permission(self, request: Any, view: Any) -> bool:
        from .scoping import is_root_admin

        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or is_root_admin(request.user)
