"""The one scoping mechanism.

A user sees their organization and everything below it. Organizations carry a materialized path
("/1/7/42/", trailing separator so "/1/7/" never matches "/1/70/"), so "in the subtree" is a single
index-backed prefix filter that composes through joins.

Every model that belongs to an organization gets its manager from ``OrgScopedQuerySet`` and names the
ORM path to the path string in ``scope_path``. Web views, API viewsets, the admin, selectors, exports and
background jobs all call ``visible_to(user)``; nothing else filters by organization for permission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from apps.organizations.models import Organization


def path_in_subtree(path: str, root_path: str, *, strict: bool = False) -> bool:
    """Is ``path`` in the subtree whose top has ``root_path`` (``strict``: below it, not the top itself)?
    The one place a materialized path is compared in Python; in SQL it is ``visible_to`` / ``in_subtree``."""
    if not path or not root_path or not path.startswith(root_path):
        return False
    return not strict or path != root_path


def user_root(user: Any) -> Organization | None:
    """The top of a user's tree: their organization, or for a superuser without one the (first) tree root."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    own = getattr(user, "organization", None)
    if own is not None or not user.is_superuser:
        return own
    from django.apps import apps

    return apps.get_model("organizations", "Organization").objects.filter(parent__isnull=True).order_by("id").first()


def org_in_scope_or_own(user: Any, code: str = "") -> Organization:
    """The organization a settings page or API acts on: ``code`` (``?org=<code>``) when given — in the user's
    scope, else 404 like a missing one — or the user's own (``user_root``; 404 for an account without one)."""
    code = (code or "").strip()
    if code:
        from django.apps import apps

        return get_visible_or_404(apps.get_model("organizations", "Organization"), user, code=code)
    root = user_root(user)
    if root is None:
        raise Http404(_("您的账号未关联党组织。"))
    return root


def oversees(user: Any, organization: Organization) -> bool:
    """True when the user's organization is a proper ancestor of ``organization`` (a superuser without an
    organization oversees every one): who may sign off, review or change what a lower organization owns."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    own = getattr(user, "organization", None)
    if own is None:
        return bool(user.is_superuser)
    return organization.is_descendant_of(own)


def user_scope_path(user: Any) -> str | None:
    """The path prefix a user may see, '' for unrestricted, None for nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    org = getattr(user, "organization", None)
    if org is None or not org.is_active:
        return None
    return org.path


class OrgScopedQuerySet(models.QuerySet):
    #: ORM path to the scoping path string. On Organization itself: "path"; on a model with a FK:
    #: "organization__path"; a model that copies the path onto its own rows (fast subtree pages): "org_path".
    scope_path = "organization__path"

    def visible_to(self, user: Any) -> OrgScopedQuerySet:
        prefix = user_scope_path(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(**{f"{self.scope_path}__startswith": prefix})

    def in_subtree(self, organization: Organization) -> OrgScopedQuerySet:
        return self.filter(**{f"{self.scope_path}__startswith": organization.path})


def scoped_queryset(model_or_qs: Any, user: Any) -> models.QuerySet:
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs._default_manager.all()
    if not hasattr(qs, "visible_to"):
        raise TypeError(f"{qs.model.__name__} is not organization-scoped")
    return qs.visible_to(user)


def org_in_scope(user: Any, organization: Organization | None) -> bool:
    prefix = user_scope_path(user)
    if prefix is None or organization is None:
        return False
    return prefix == "" or path_in_subtree(organization.path, prefix)


def ensure_org_in_scope(user: Any, organization: Organization | None) -> None:
    """Services call this before writing under an organization. Same answer as "not found" on purpose."""
    if not org_in_scope(user, organization):
        raise PermissionDenied(_("无权操作该党组织的数据，或该党组织不存在。"))


def get_visible_or_404(model_or_qs: Any, user: Any, **lookup: Any) -> Any:
    """Fetch-and-check: out of scope and missing look the same (404)."""
    qs = scoped_queryset(model_or_qs, user)
    if any(isinstance(v, str) and "\x00" in v for v in lookup.values()):
        # no stored text holds a NUL (PostgreSQL refuses one in a query): such a key names nothing
        raise Http404(_("未找到，或不在您的管理范围内。"))
    try:
        return qs.get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404(_("未找到，或不在您的管理范围内。")) from exc


def is_root_admin(user: Any) -> bool:
    """Keeps the deployment-wide rule tables: a superuser, or an administrator of the tree's root."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org = getattr(user, "organization", None)
    return org is not None and org.parent_id is None and user.has_perm("core.change_parameter")


def ensure_root_admin(user: Any) -> None:
    if not is_root_admin(user):
        raise PermissionDenied(_("只有系统管理员（市级及以上）可以修改全局规则表。"))


def ensure_perm(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("您的角色没有此项操作的权限。"))
