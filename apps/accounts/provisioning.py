"""Accounts for branch secretaries, opened from the roster in one go: preview → confirm → a one-time list.

A branch qualifies when its organization record names a secretary (``Organization.secretary_member``) and no
account is linked to that member yet, so re-running opens nothing twice. The initial passwords are encrypted
in the batch row until the list is downloaded once (audited), then erased.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record
from apps.core.scoping import ensure_org_in_scope, scoped_queryset

from .grants import can_grant
from .models import ProvisioningBatch, Role, User
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


def _fernet() -> Fernet:
    key = hashlib.sha256(("provisioning:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


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
        .values_list("id", "name", "code", "secretary_member_id", "secretary_member__name")[: MAX_BATCH + 1]
    )
    rows = list(rows)
    wanted = {f"sj{code}".lower() for _i, _n, code, _m, _s in rows}
    taken = {u.lower() for u in User.objects.filter(username__in=wanted).values_list("username", flat=True)}
    return [
        Candidate(org_id, name, code, member_id, sec_name or "", _username_for(code, taken))
        for org_id, name, code, member_id, sec_name in rows
    ]


@transaction.atomic
def provisioning_commit(*, acting_user: User, root: Organization, organization_ids: list[int]) -> ProvisioningBatch:
    """Open the accounts the preview showed (only those still qualifying); one batch, one audit row each."""
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
    for c in candidates:
        password = generate_password()
        created.append(
            user_create(
                acting_user=acting_user,
                username=c.username,
                password=password,
                role=Role.BRANCH_SECRETARY,
                organization=orgs[c.organization_id],
                display_name=c.secretary_name,
                member=orgs[c.organization_id].secretary_member,
                must_change_password=True,
                validate_password=False,  # generated: long, mixed and random
            )
        )
        lines.append([c.organization_name, c.organization_code, c.secretary_name, c.username, password])
    batch = ProvisioningBatch.objects.create(
        organization=root,
        created_by=acting_user,
        account_count=len(lines),
        secret=_fernet().encrypt(json.dumps(lines, ensure_ascii=False).encode()),
    )
    User.objects.filter(pk__in=[u.pk for u in created]).update(provisioned_in=batch)
    audit_record(
        actor=acting_user,
        event="provisioning.create",
        obj=batch,
        org_path=root.path,
        note=_("批量开通支部书记账号 %(n)s 个") % {"n": len(lines)},
    )
    return batch


@transaction.atomic
def provisioning_take_passwords(*, acting_user: User, batch: ProvisioningBatch) -> list[list[str]]:
    """The initial-password list, once: the encrypted copy is erased as it is handed over."""
    batch = ProvisioningBatch.objects.select_for_update().get(pk=batch.pk)
    ensure_org_in_scope(acting_user, batch.organization)
    if batch.secret is None:
        raise ValidationError({"batch": _("初始密码清单只能下载一次，已于 %(t)s 被下载。如需重发，请逐个重置密码。")
                               % {"t": timezone.localtime(batch.downloaded_at).strftime("%Y-%m-%d %H:%M")
                                  if batch.downloaded_at else "—"}})  # fmt: skip
    lines = json.loads(_fernet().decrypt(bytes(batch.secret)).decode())
    batch.secret = None
    batch.downloaded_at = timezone.now()
    batch.downloaded_by = acting_user
    batch.save(update_fields=["secret", "downloaded_at", "downloaded_by"])
    audit_record(actor=acting_user, event="provisioning.download", obj=batch, note=_("下载初始密码清单"))
    return lines
