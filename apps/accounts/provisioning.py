"""Accounts for branch secretaries, opened from the roster in one go: preview → confirm → a one-time list.

A branch qualifies when its organization record names a secretary (``Organization.secretary_member``) and no
account is linked to that member yet, so re-running opens nothing twice. The initial passwords are encrypted
in the batch row until the list is downloaded once (audited), then erased.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record
from apps.core.scoping import ensure_org_in_scope, scoped_queryset
from apps.core.sealed import seal, unseal

from .grants import can_grant
from .models import ProvisioningBatch, Role, User
from .password_sms import normalize_mobile, send_initial_passwords, sms_available
from .services import generate_password, user_create

if TYPE_CHECKING:
    from apps.organizations.models import Organization

BRANCH_KINDS = ("branch", "joint_branch", "temporary_branch", "general_branch")
MAX_BATCH = 2000


@dataclass(frozen=True)
class Candidate:
    organization_id: int
    organization_name: str
    organization_code: str
    member_id: int
    secretary_name: str
    username: str
    phone: str = ""  # the secretary's mobile from the roster (normalized), "" if none usable


_PURPOSE = "provisioning"


def _username_for(code: str, taken: set[str]) -> str:
    base = f"sj{code}".lower()
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def provisioning_candidates(*, acting_user: User, root: Organization) -> list[Candidate]:
    """Branches under ``root`` (in the actor's scope) whose named secretary has no account yet."""
    from apps.organizations.models import Organization

    ensure_org_in_scope(acting_user, root)
    if not can_grant(acting_user, Role.BRANCH_SECRETARY):
        raise PermissionDenied(_("您的角色不能开通支部书记账号。"))
    linked = User.objects.filter(member__isnull=False).values("member_id")
    rows = (
        scoped_queryset(Organization, acting_user)
        .filter(path__startswith=root.path, kind__in=BRANCH_KINDS, is_active=True, secretary_member__isnull=False)
        .exclude(secretary_member_id__in=linked)
        .order_by("path")
        .values_list("id", "name", "code", "secretary_member_id", "secretary_member__name", "secretary_member__phone")[
            : MAX_BATCH + 1
        ]
    )
    rows = list(rows)
    wanted = {f"sj{code}".lower() for _i, _n, code, _m, _s, _p in rows}
    taken = {u.lower() for u in User.objects.filter(username__in=wanted).values_list("username", flat=True)}
    return [
        Candidate(org_id, name, code, member_id, sec_name or "", _username_for(code, taken), normalize_mobile(phone))
        for org_id, name, code, member_id, sec_name, phone in rows
    ]


@transaction.atomic
def provisioning_commit(
    *, acting_user: User, root: Organization, organization_ids: list[int], by_sms: bool = False
) -> ProvisioningBatch:
    """Open the accounts the preview showed (only those still qualifying); one batch, one audit row each.

    ``by_sms``: a secretary with a usable mobile in the roster gets the initial password by SMS only; the
    others' passwords go into the one-time list as usual."""
    if by_sms and not sms_available():
        raise ValidationError({"delivery": _("未配置短信网关，不能通过短信发送初始密码；请选择下载清单。")})
    chosen = set(organization_ids)
    if not chosen:
        raise ValidationError({"organizations": _("请至少选择一个支部。")})
    candidates = [c for c in provisioning_candidates(acting_user=acting_user, root=root) if c.organization_id in chosen]
    if not candidates:
        raise ValidationError({"organizations": _("所选支部的书记均已有账号，无需开通。")})
    if len(candidates) > MAX_BATCH:
        raise ValidationError({"organizations": _("一次最多开通 %(n)s 个账号，请缩小范围。") % {"n": MAX_BATCH}})
    from apps.organizations.models import Organization

    orgs = Organization.objects.in_bulk([c.organization_id for c in candidates])
    lines = []
    created = []
    by_phone: list[tuple[User, str]] = []
    for c in candidates:
        password = generate_password()
        send = by_sms and bool(c.phone)
        user = user_create(
            acting_user=acting_user,
            username=c.username,
            password=password,
            role=Role.BRANCH_SECRETARY,
            organization=orgs[c.organization_id],
            display_name=c.secretary_name,
            phone=c.phone,
            member=orgs[c.organization_id].secretary_member,
            must_change_password=True,
            validate_password=False,  # generated: long, mixed and random
        )
        created.append(user)
        if send:
            by_phone.append((user, password))
        else:
            lines.append([c.organization_name, c.organization_code, c.secretary_name, c.username, password])
    batch = ProvisioningBatch.objects.create(
        organization=root,
        created_by=acting_user,
        account_count=len(created),
        sms_count=len(by_phone),
        secret=seal(_PURPOSE, json.dumps(lines, ensure_ascii=False)) if lines else None,
    )
    User.objects.filter(pk__in=[u.pk for u in created]).update(provisioned_in=batch)
    if by_phone:
        send_initial_passwords(acting_user=acting_user, pairs=by_phone)
    audit_record(
        actor=acting_user,
        event="provisioning.create",
        obj=batch,
        org_path=root.path,
        note=_("批量开通支部书记账号 %(n)s 个（短信发送 %(s)s 个）") % {"n": len(created), "s": len(by_phone)},
    )
    return batch


@transaction.atomic
def provisioning_take_passwords(*, acting_user: User, batch: ProvisioningBatch) -> list[list[str]]:
    """The initial-password list, once: the encrypted copy is erased as it is handed over."""
    batch = ProvisioningBatch.objects.select_for_update().get(pk=batch.pk)
    ensure_org_in_scope(acting_user, batch.organization)
    if batch.secret is None and batch.downloaded_at is None:
        raise ValidationError({"batch": _("本批账号的初始密码均已通过短信发送，没有需要下载的清单。")})
    if batch.secret is None:
        raise ValidationError({"batch": _("初始密码清单只能下载一次，已于 %(t)s 被下载。如需重发，请逐个重置密码。")
                               % {"t": timezone.localtime(batch.downloaded_at).strftime("%Y-%m-%d %H:%M")
                                  if batch.downloaded_at else "—"}})  # fmt: skip
    lines = json.loads(unseal(_PURPOSE, batch.secret))
    batch.secret = None
    batch.downloaded_at = timezone.now()
    batch.downloaded_by = acting_user
    batch.save(update_fields=["secret", "downloaded_at", "downloaded_by"])
    audit_record(actor=acting_user, event="provisioning.download", obj=batch, note=_("下载初始密码清单"))
    return lines
