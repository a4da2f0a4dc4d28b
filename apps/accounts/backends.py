from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

PERM_CACHE_SECONDS = 300


def permission_cache_key(user_id: int) -> str:
    return f"perms:v1:{user_id}:{cache.get_or_set('perms:generation', 1, None)}"


def invalidate_permission_cache(user_id: int | None = None) -> None:
    """Forget cached permissions for one user, or for everyone (roles re-synced)."""
    if user_id is None:
        try:
            cache.incr("perms:generation")
        except ValueError:
            cache.set("perms:generation", 2, None)
    else:
        cache.delete(permission_cache_key(user_id))


class OrganizationModelBackend(ModelBackend):
    """Loads the user together with their organization (scoping needs its path on every request) and caches
    the user's permission set, which would otherwise cost two queries on every request."""

    def get_user(self, user_id: Any) -> Any:
        from .models import User

        try:
            user = User._default_manager.select_related("organization").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = permission_cache_key(user_obj.pk)
            perms = cache.get(key)
            if perms is None:
                perms = super().get_all_permissions(user_obj)
                cache.set(key, perms, PERM_CACHE_SECONDS)
            user_obj._perm_cache = perms
        return user_obj._perm_cache
