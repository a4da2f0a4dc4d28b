from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet

from .models import Role, User, UserSession

if TYPE_CHECKING:
    pass


def user_list(*, user: User) -> QuerySet[User]:
    """Accounts the user may see: their subtree; superusers are listed only to superusers."""
    qs = User.objects.visible_to(user).select_related("organization")
    if not user.is_superuser:
        qs = qs.exclude(is_superuser=True)
    return qs.order_by("organization__path", "username")


def stale_secretary_accounts(*, user: User) -> QuerySet[User]:
    """Secretaries' accounts whose branch has since named another secretary in its record."""
    return (
        user_list(user=user)
        .filter(role=Role.BRANCH_SECRETARY, is_active=True, member__isnull=False)
        .exclude(organization__secretary_member_id=F("member_id"))
    )


def is_stale_secretary(account: User) -> bool:
    org = account.organization
    return bool(
        account.role == Role.BRANCH_SECRETARY
        and account.is_active
        and account.member_id
        and org is not None
        and org.secretary_member_id != account.member_id
    )


def recent_logins(*, user: User, limit: int = 10) -> list[Any]:
    from axes.models import AccessLog

    return list(AccessLog.objects.filter(username=user.username).order_by("-attempt_time")[:limit])


def active_sessions(*, user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).order_by("-created_at")
