from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.db import transaction

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope

from .backends import invalidate_permission_cache
from .models import Role, User


@transaction.atomic
def user_create(
    *,
    acting_user: Any | None,
    username: str,
    password: str,
    role: str,
    organization: Any,
    display_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    if acting_user is not None:
        ensure_org_in_scope(acting_user, organization)
    user = User(
        username=username,
        role=role,
        organization=organization,
        display_name=display_name,
        email=email,
        is_superuser=is_superuser,
        is_staff=is_superuser or role == Role.SYSTEM_ADMIN,
    )
    user.set_password(password)
    user.full_clean()
    # The same password rules everywhere a password is set (admin, pages, commands, demo, API).
    password_validation.validate_password(password, user)
    user.save()
    user_sync_groups(user=user)
    audit_record(
        actor=acting_user,
        event="user.create",
        obj=user,
        after=snapshot(user, ["username", "role", "organization", "display_name"]),
        org_path=organization.path if organization else "/",
    )
    return user


def user_sync_groups(*, user: User) -> None:
    """The user's one role is their one group."""
    if user.role:
        group, _ = Group.objects.get_or_create(name=user.role)
        user.groups.set([group])
    else:
        user.groups.clear()
    invalidate_permission_cache(user.pk)


@transaction.atomic
def user_change_password(*, acting_user: Any, user: User, old_password: str | None, new_password: str) -> User:
    """Set a new password (validated); the user's API tokens are revoked and other sessions end."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    if acting_user.pk != user.pk and not acting_user.is_superuser:
        raise PermissionDenied(_("只能修改自己的密码。"))
    if acting_user.pk == user.pk and not user.check_password(old_password or ""):
        raise ValidationError({"old_password": _("原密码不正确。")})
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save()
    audit_record(actor=acting_user, event="user.password_change", obj=user, org_path=_user_org_path(user))
    return user


def _user_org_path(user: User) -> str:
    return user.organization.path if user.organization_id else "/"
