from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope

from .backends import invalidate_permission_cache
from .models import Role, User


@transaction.atomic
def user_create(
    *,
    acting_user: User | None | None,
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
