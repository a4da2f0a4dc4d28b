"""Initial passwords by SMS (账号开通、重置密码、移交书记、批量开通): through the SMS channel the notifications app
registers in ``apps.core.secret_sms`` (accounts sits below notifications and never imports it).

The password goes out once, sealed until sent, and is never shown on a page, in a list or in a log; the
account must change it at first login; every send is audited with the phone masked; sends are rate-limited
per account and per administrator (parameters ``password_sms_per_user_hour`` / ``password_sms_per_actor_hour``,
counted from the audit rows); the outcome of the latest send is visible to the administrators (``sms_status``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record
from apps.core.models import AuditLog
from apps.core.params import get_int_param
from apps.core.pii import mask_phone
from apps.core.secret_sms import SecretSms, SecretSmsStatus, secret_sms_channel

from . import services
from .models import User

if TYPE_CHECKING:
    from apps.organizations.models import Organization

EVENT = "user.password_sms"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
TEXTS = {
    "new": "您的党建平台账号已开通，用户名：{username}，初始密码：{password}。首次登录须修改密码，请勿告诉他人。",
    "reset": "您的党建平台账号（{username}）密码已重置，临时密码：{password}。登录后须修改密码，请勿告诉他人。",
}
TITLES = {"new": "账号已开通，初始密码已通过短信发送", "reset": "密码已重置，临时密码已通过短信发送"}


def normalize_mobile(value: str | None) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…), from '138 0013 8000', '+86-13800138000' …; else ''."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE.match(digits) else ""


def sms_available() -> bool:
    channel = secret_sms_channel()
    return channel is not None and channel.available()


def _ensure_available() -> None:
    if not sms_available():
        raise ValidationError({"delivery": _("未配置短信网关，不能通过短信发送密码；请选择页面显示或下载清单。")})


def _ensure_rate(acting_user: User, users: Sequence[User]) -> None:
    since = timezone.now() - datetime.timedelta(hours=1)
    per_user, per_actor = get_int_param("password_sms_per_user_hour"), get_int_param("password_sms_per_actor_hour")
    recent = AuditLog.objects.filter(event=EVENT, created_at__gte=since)
    ct = ContentType.objects.get_for_model(User)
    busy = (
        recent.filter(content_type=ct, object_id__in=[str(u.pk) for u in users if u.pk])
        .values_list("object_id")
        .annotate(n=Count("id"))
        .filter(n__gte=per_user)
        .order_by()
    )
    busy_ids = {int(oid) for oid, _n in busy}
    if busy_ids:
        name = next(u.username for u in users if u.pk in busy_ids)
        raise ValidationError(
            {"delivery": _("账号“%(u)s”一小时内已发送 %(n)s 次密码短信，请稍后再试。") % {"u": name, "n": per_user}}
        )
    sent = recent.filter(actor=acting_user).count() if getattr(acting_user, "pk", None) else 0
    if sent + len(users) > per_actor:
        raise ValidationError(
            {
                "delivery": _("您一小时内最多发送 %(m)s 条密码短信（已发送 %(s)s 条，本次 %(n)s 条），请稍后再试。")
                % {"m": per_actor, "s": sent, "n": len(users)}
            }
        )


def _dispatch(*, acting_user: User, pairs: Sequence[tuple[User, str]], kind: str) -> None:
    """Queue one SMS per (account, password) and audit each. The caller holds the transaction."""
    channel = secret_sms_channel()
    assert channel is not None  # _ensure_available ran
    messages = []
    for user, password in pairs:
        text = TEXTS[kind].format(username=user.username, password=password)
        messages.append(
            SecretSms(
                user_id=user.pk,
                org_path=user.organization.path if user.organization else "/",
                phone=user.phone,
                text=text,
                redacted=TEXTS[kind].format(username=user.username, password="******"),
                title=TITLES[kind],
            )
        )
    channel.send(messages)
    for user, _password in pairs:
        audit_record(
            actor=acting_user,
            event=EVENT,
            obj=user,
            note=_("密码已通过短信发送至 %(p)s") % {"p": mask_phone(user.phone)},
        )


def _mobile_of(user: User) -> str:
    phone = normalize_mobile(user.phone)
    if not phone:
        raise ValidationError({"phone": _("账号“%(u)s”没有有效的手机号，不能短信发送密码；请先填写11位手机号。")
                               % {"u": user.username}})  # fmt: skip
    return phone


@transaction.atomic
def user_create_with_sms(*, acting_user: User, username: str, role: str, organization: Organization | None,
                         display_name: str = "", phone: str = "") -> User:  # fmt: skip
    """Open an account whose initial password goes only to its phone (forced change at first login)."""
    _ensure_available()
    mobile = normalize_mobile(phone)
    if not mobile:
        raise ValidationError({"phone": _("短信发送初始密码须填写有效的11位手机号。")})
    password = services.generate_password()
    user = services.user_create(
        acting_user=acting_user, username=username, password=password, role=role, organization=organization,
        display_name=display_name, phone=mobile, must_change_password=True, validate_password=False,
    )  # fmt: skip
    _ensure_rate(acting_user, [user])
    _dispatch(acting_user=acting_user, pairs=[(user, password)], kind="new")
    return user


@transaction.atomic
def user_reset_password_by_sms(*, acting_user: User, user: User) -> None:
    """Reset the password and send the new one to the account's phone only (forced change at next login)."""
    _ensure_available()
    services.ensure_can_manage(acting_user, user)
    _mobile_of(user)
    _ensure_rate(acting_user, [user])
    password = services.user_reset_password(acting_user=acting_user, user=user)
    _dispatch(acting_user=acting_user, pairs=[(user, password)], kind="reset")


@transaction.atomic
def user_reassign_by_sms(*, acting_user: User, user: User) -> User:
    """Hand the account to the branch's new secretary; the new password goes to the new secretary's phone."""
    _ensure_available()
    services.ensure_can_manage(acting_user, user)
    org = user.organization
    new_member = getattr(org, "secretary_member", None) if org else None
    if new_member is not None and not normalize_mobile(new_member.phone):
        raise ValidationError({"phone": _("现任书记在党员信息中没有有效的手机号，不能短信发送；请改为页面显示。")})
    _ensure_rate(acting_user, [user])
    user, password = services.user_reassign_to_secretary(acting_user=acting_user, user=user)
    user.phone = normalize_mobile(user.phone)
    user.save(update_fields=["phone"])
    _dispatch(acting_user=acting_user, pairs=[(user, password)], kind="new")
    return user


def send_initial_passwords(*, acting_user: User, pairs: Sequence[tuple[User, str]]) -> None:
    """Bulk provisioning: the accounts (their phones already checked) get their initial passwords by SMS."""
    _ensure_available()
    _ensure_rate(acting_user, [u for u, _p in pairs])
    _dispatch(acting_user=acting_user, pairs=pairs, kind="new")


def sms_status(user_ids: Iterable[int]) -> dict[int, SecretSmsStatus]:
    """The latest password SMS of each account (status, masked phone, attempts, last error)."""
    channel = secret_sms_channel()
    return channel.status(user_ids) if channel is not None else {}


def failed_count(user_ids: Iterable[int]) -> int:
    return sum(1 for s in sms_status(user_ids).values() if s.failed)
