"""Which roles a user may hand out, and so which accounts they may manage.

Accounts are managed inside one's own subtree (``visible_to``) and never above one's own standing: a street's
staff opens branch secretaries' accounts, never organization-department staff or system administrators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Role

if TYPE_CHECKING:
    from .models import User

GRANTABLE: dict[str, tuple[str, ...]] = {
    Role.SYSTEM_ADMIN: tuple(Role.values),
    Role.ORG_STAFF: (
        Role.ORG_STAFF,
        Role.COMMITTEE_STAFF,
        Role.BRANCH_SECRETARY,
        Role.INSPECTOR,
        Role.LEADER,
        Role.ROSTER_ADMIN,
    ),
    Role.COMMITTEE_STAFF: (Role.COMMITTEE_STAFF, Role.BRANCH_SECRETARY),
}

#: the roles whose holders open and look after accounts (the account pages' audience)
MANAGING_ROLES = tuple(GRANTABLE)


def grantable_roles(user: User) -> tuple[str, ...]:
    if not user.is_authenticated or not user.is_active:
        return ()
    if user.is_superuser:
        return tuple(Role.values)
    return GRANTABLE.get(user.role, ())


def can_manage_accounts(user: User) -> bool:
    return bool(grantable_roles(user))


def can_grant(user: User, role: str) -> bool:
    return role in grantable_roles(user)


def can_manage(actor: User, target: User) -> bool:
    """May ``actor`` reset, unlock, deactivate or edit ``target``? (Scope is checked by the caller's queryset.)"""
    if target.is_superuser and not actor.is_superuser:
        return False
    return target.pk != actor.pk and (not target.role or can_grant(actor, target.role))


def role_choices_for(user: User) -> list[tuple[str, str]]:
    allowed = set(grantable_roles(user))
    return [(value, label) for value, label in Role.choices if value in allowed]
