"""Every write to an account: opening, role, password, lock, activation. Each checks scope and the role
ceiling (``grants``) and writes its audit row."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, org_in_scope

from .backends import invalidate_permission_cache
from .grants import can_grant, can_manage
from .models import Role, User

if TYPE_CHECKING:
    from apps.organizations.models import Organization

_AUDITED = ["username", "display_name", "role", "organization", "phone", "email", "is_active", "member"]
# No 0/O, 1/l/I: initial passwords are read off paper.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def generate_password(length: int = 10) -> str:
    """A random initial password that passes the validators: letters, digits and one symbol."""
    while True:
        body = "".join(secrets.choice(_ALPHABET) for _ in range(length - 1))
        if any(c.isdigit() for c in body) and any(c.isupper() for c in body) and any(c.islower() for c in body):
            return body[: length // 2] + secrets.choice("@#%+") + body[length // 2 :]


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _check_can_manage(actor: User | None, target: User) -> None:
    if actor is None:
        return
    if not org_in_scope(actor, target.organization) and not actor.is_superuser:
        raise PermissionDenied(_("无权管理该账号，或该账号不存在。"))
    if not can_manage(actor, target):
        raise PermissionDenied(_("不能管理角色高于您可授予范围的账号，也不能对自己的账号执行此操作。"))


ensure_can_manage = _check_can_manage  # for the other account workflows (password_sms)


def _revoke_tokens(user: User) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


@transaction.atomic
def user_create(
    *,
    acting_user: User | None,
    username: str,
    password: str,
    role: str,
    organization: Organization | None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    is_superuser: bool = False,
    member: Any = None,
    must_change_password: bool | None = None,
    validate_password: bool = True,
) -> User:
    """Open an account. Opened by someone else, it must change its password at first login."""
    if acting_user is not None:
        ensure_org_in_scope(acting_user, organization)
        if is_superuser and not acting_user.is_superuser:
            raise PermissionDenied(_("只有超级管理员可以开通超级管理员账号。"))
        if role and not can_grant(acting_user, role):
            raise ValidationError({"role": _("您不能授予“%(role)s”角色。") % {"role": Role(role).label}})
    if role and role not in Role.values:
        raise ValidationError({"role": _("角色不正确。")})
    if organization is None and not is_superuser:
        raise ValidationError({"organization": _("请选择账号所属党组织。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")})
    user = User(
        username=username,
        role=role,
        organization=organization,
        display_name=display_name,
        email=email,
        phone=phone,
        member=member,
        is_superuser=is_superuser,
        is_staff=is_superuser or role == Role.SYSTEM_ADMIN,
        must_change_password=(acting_user is not None) if must_change_password is None else must_change_password,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    if validate_password:
        _validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_sync_groups(user=user)
    audit_record(
        actor=acting_user,
        event="user.create",
        obj=user,
        after=snapshot(user, _AUDITED),
        org_path=organization.path if organization else "/",
    )
    return user


@transaction.atomic
def user_update(*, acting_user: User, user: User, data: dict[str, Any]) -> User:
    """Change display name, phone, e-mail, organization or role (never above the actor's ceiling)."""
    _check_can_manage(acting_user, user)
    before = snapshot(user, _AUDITED)
    allowed = {"display_name", "phone", "email", "organization", "role"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({next(iter(unknown)): _("该项不能在此修改。")})
    if "organization" in data:
        ensure_org_in_scope(acting_user, data["organization"])
    if "role" in data and data["role"] != user.role and not can_grant(acting_user, data["role"]):
        raise ValidationError({"role": _("您不能授予该角色。")})
    for key, value in data.items():
        setattr(user, key, value)
    user.is_staff = user.is_superuser or user.role == Role.SYSTEM_ADMIN
    user.full_clean(exclude=["password"])
    user.save()
    user_sync_groups(user=user)
    audit_record(actor=acting_user, event="user.update", obj=user, before=before, after=snapshot(user, _AUDITED))
    return user


@transaction.atomic
def user_reset_password(*, acting_user: User, user: User, password: str | None = None) -> str:
    """A new initial password (returned once to show), forced change at next login, API tokens revoked."""
    _check_can_manage(acting_user, user)
    password = password or generate_password()
    _validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _revoke_tokens(user)
    user_end_sessions(user=user)
    audit_record(actor=acting_user, event="user.reset_password", obj=user, note=_("已重置密码"))
    return password


@transaction.atomic
def user_change_password(*, acting_user: User, user: User, old_password: str | None, new_password: str) -> User:
    """Set one's own new password (validated; a superuser may set anyone's): the initial-password flag clears and
    the user's API tokens die. The caller ends the other browser sessions."""
    if acting_user.pk != user.pk and not acting_user.is_superuser:
        raise PermissionDenied(_("只能修改自己的密码。"))
    if acting_user.pk == user.pk and not user.check_password(old_password or ""):
        raise ValidationError({"old_password": _("原密码不正确。")})
    if old_password == new_password:
        raise ValidationError({"new_password1": _("新密码不能与原密码相同。")})
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    _revoke_tokens(user)
    audit_record(actor=acting_user, event="user.password_change", obj=user, note=_("修改密码"))
    return user


def locked_usernames(usernames: list[str] | None = None) -> set[str]:
    """Usernames the login lockout (django-axes) currently refuses."""
    import datetime

    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cooloff:
        qs = qs.filter(attempt_time__gte=timezone.now() - datetime.timedelta(hours=float(cooloff)))
    if usernames is not None:
        qs = qs.filter(username__in=usernames)
    return set(qs.values_list("username", flat=True))


@transaction.atomic
def user_unlock(*, acting_user: User, user: User) -> int:
    """Lift the login lockout of this username (every address)."""
    from axes.models import AccessAttempt

    _check_can_manage(acting_user, user)
    removed, _detail = AccessAttempt.objects.filter(username=user.username).delete()
    audit_record(actor=acting_user, event="user.unlock", obj=user, note=_("解除登录锁定"))
    return removed


@transaction.atomic
def user_set_active(*, acting_user: User, user: User, active: bool) -> User:
    """Deactivate (history kept, sessions and tokens ended) or reactivate an account."""
    _check_can_manage(acting_user, user)
    if user.is_active == active:
        return user
    before = snapshot(user, ["is_active"])
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        _revoke_tokens(user)
        user_end_sessions(user=user)
    audit_record(
        actor=acting_user,
        event="user.activate" if active else "user.deactivate",
        obj=user,
        before=before,
        after=snapshot(user, ["is_active"]),
    )
    return user


@transaction.atomic
def user_reassign_to_secretary(*, acting_user: User, user: User) -> tuple[User, str]:
    """The branch's secretary changed: the account moves to the new secretary with a new initial password."""
    _check_can_manage(acting_user, user)
    org = user.organization
    new_member = getattr(org, "secretary_member", None) if org else None
    if new_member is None:
        raise ValidationError({"member": _("该支部尚未在党组织信息中指定书记。")})
    if user.member_id == new_member.pk:
        raise ValidationError({"member": _("该账号已属于现任书记。")})
    before = snapshot(user, _AUDITED)
    user.member = new_member
    user.display_name = new_member.name
    user.phone = new_member.phone or ""
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.save()
    _revoke_tokens(user)
    user_end_sessions(user=user)
    audit_record(
        actor=acting_user,
        event="user.reassign",
        obj=user,
        before=before,
        after=snapshot(user, _AUDITED),
        note=_("书记更换，账号移交现任书记"),
    )
    return user, password


def user_end_sessions(*, user: User, keep: str | None = None) -> int:
    """End the user's browser sessions (all, or all but ``keep``)."""
    from importlib import import_module

    from django.conf import settings

    from .models import UserSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = list(UserSession.objects.filter(user=user).exclude(session_key=keep or ""))
    for row in rows:
        store(session_key=row.session_key).delete()
    UserSession.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)


def user_sync_groups(*, user: User) -> None:
    """The user's one role is their one group."""
    if user.role:
        group, _ = Group.objects.get_or_create(name=user.role)
        user.groups.set([group])
    else:
        user.groups.clear()
    invalidate_permission_cache(user.pk)
