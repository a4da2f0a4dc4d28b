"""组织关系转接: request → approved by the sending side → received (or returned) by the receiving side.

The sending organization keeps managing the member until receipt (党员教育管理工作条例); on receipt the
member moves in the same transaction. The receiving side sees the transfer from approval on (the queryset's
``visible_to``). A transfer out of the system ends when the sending side issues the letter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.params import get_int_param
from apps.core.periods import add_months
from apps.core.scoping import ensure_org_in_scope, ensure_perm, org_in_scope
from apps.organizations.models import Organization

from .choices import MemberStatus, PartyPost, TransferKind, TransferStatus
from .models import Member, Transfer

if TYPE_CHECKING:
    from apps.accounts.models import User


def _audit(user: Any, transfer: Transfer, event: str, before: dict | None, note: str = "") -> None:
    audit_record(
        actor=user,
        event=f"transfer.{event}",
        obj=transfer,
        before=before,
        after=snapshot(transfer),
        org_path=transfer.from_org.path,
        note=note,
    )
    # The receiving side's audit log shows it too once it is theirs to act on.
    if transfer.to_org_id and event in ("approve", "receive", "return"):
        audit_record(
            actor=user,
            event=f"transfer.{event}",
            obj=transfer,
            before=before,
            after=snapshot(transfer),
            org_path=transfer.to_org.path,
            note=note,
        )


def _letter_number(transfer: Transfer) -> str:
    today = timezone.localdate()
    return f"{transfer.from_org.code}-{today.year}-{transfer.pk:06d}"


@transaction.atomic
def transfer_request(
    *,
    acting_user: User,
    member: Member,
    kind: str = TransferKind.INTERNAL,
    to_org: Organization | None = None,
    outside_destination: str = "",
    reason: str = "",
) -> Transfer:
    ensure_perm(acting_user, "members.add_transfer")
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    ensure_org_in_scope(acting_user, member.organization)
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError({"member": _("只有党籍状态正常的党员才能办理组织关系转接。")})
    if kind == TransferKind.INTERNAL:
        if to_org is None:
            raise ValidationError({"to_org": _("请选择转入党组织。")})
        if not (to_org.is_branch_like or to_org.kind == "general_branch") or not to_org.is_active:
            raise ValidationError({"to_org": _("转入党组织须为正常的党支部（或党总支）。")})
        if to_org.pk == member.organization_id:
            raise ValidationError({"to_org": _("转入党组织不能与当前所在党组织相同。")})
    elif kind == TransferKind.OUTSIDE:
        if not outside_destination.strip():
            raise ValidationError({"outside_destination": _("转出系统外须填写转往单位（党组织名称）。")})
        to_org = None
    else:
        raise ValidationError({"kind": _("请选择转接类型。")})
    transfer = Transfer(
        member=member,
        kind=kind,
        from_org=member.organization,
        to_org=to_org,
        outside_destination=outside_destination.strip(),
        reason=reason,
        requested_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise ValidationError({"member": _("该党员已有一项正在办理的组织关系转接。")}) from exc
    _audit(acting_user, transfer, "request", None)
    return transfer


def _locked(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_org", "to_org")
        .get(pk=transfer.pk)
    )


@transaction.atomic
def transfer_approve(*, acting_user: User, transfer: Transfer, letter_number: str = "") -> Transfer:
    """The sending side approves and issues the letter (number, valid for N months, param)."""
    ensure_perm(acting_user, "members.change_transfer")
    t = _locked(transfer)
    ensure_org_in_scope(acting_user, t.from_org)
    if t.status != TransferStatus.REQUESTED:
        raise ValidationError({"status": _("只有待审批的转接申请可以审批。")})
    before = snapshot(t)
    today = timezone.localdate()
    t.letter_number = letter_number.strip() or _letter_number(t)
    t.valid_until = add_months(today, get_int_param("transfer_letter_valid_months"))
    t.approved_by = acting_user if getattr(acting_user, "pk", None) else None
    t.approved_at = timezone.now()
    if t.kind == TransferKind.OUTSIDE:
        t.status = TransferStatus.ISSUED
        t.closed_by, t.closed_at = t.approved_by, t.approved_at
        Member.objects.filter(pk=t.member_id).update(
            status=MemberStatus.TRANSFERRED_OUT, status_changed_on=today, party_post=PartyPost.NONE
        )
    else:
        t.status = TransferStatus.APPROVED
    t.save()
    _audit(acting_user, t, "approve", before)
    if t.kind == TransferKind.OUTSIDE:
        audit_record(
            actor=acting_user,
            event="member.transfer_out",
            obj=t.member,
            note=_("转出至%(d)s，介绍信%(n)s") % {"d": t.outside_destination, "n": t.letter_number},
        )
    return t


@transaction.atomic
def transfer_receive(*, acting_user: User, transfer: Transfer) -> Transfer:
    """The receiving side accepts: the member moves to the new organization in this transaction."""
    ensure_perm(acting_user, "members.change_transfer")
    t = _locked(transfer)
    if t.to_org is None or not org_in_scope(acting_user, t.to_org):
        ensure_org_in_scope(acting_user, t.to_org)
    if t.status != TransferStatus.APPROVED:
        raise ValidationError({"status": _("只有转出方已审批的转接才能接收。")})
    before = snapshot(t)
    member = Member.objects.select_for_update().get(pk=t.member_id)
    member_before = snapshot(member, ["organization", "party_group", "party_post"])
    member.organization = t.to_org
    member.org_path = t.to_org.path
    member.party_group = None
    member.party_post = PartyPost.NONE
    member.save(update_fields=["organization", "org_path", "party_group", "party_post", "updated_at"])
    t.status = TransferStatus.RECEIVED
    t.closed_by = acting_user if getattr(acting_user, "pk", None) else None
    t.closed_at = timezone.now()
    t.save()
    _audit(acting_user, t, "receive", before)
    audit_record(
        actor=acting_user,
        event="member.transfer_in",
        obj=member,
        before=member_before,
        after=snapshot(member, ["organization", "party_group", "party_post"]),
    )
    return t


@transaction.atomic
def transfer_return(*, acting_user: User, transfer: Transfer, reason: str) -> Transfer:
    """The receiving side sends it back with a reason; the member stays where they were."""
    ensure_perm(acting_user, "members.change_transfer")
    t = _locked(transfer)
    if t.to_org is None or not org_in_scope(acting_user, t.to_org):
        ensure_org_in_scope(acting_user, t.to_org)
    if t.status != TransferStatus.APPROVED:
        raise ValidationError({"status": _("只有待接收的转接可以退回。")})
    if not reason.strip():
        raise ValidationError({"return_reason": _("请填写退回原因。")})
    before = snapshot(t)
    t.status = TransferStatus.RETURNED
    t.return_reason = reason.strip()
    t.closed_by = acting_user if getattr(acting_user, "pk", None) else None
    t.closed_at = timezone.now()
    t.save()
    _audit(acting_user, t, "return", before, note=reason)
    return t


@transaction.atomic
def transfer_cancel(*, acting_user: User, transfer: Transfer, reason: str = "") -> Transfer:
    """The sending side withdraws a request that is not yet received."""
    ensure_perm(acting_user, "members.change_transfer")
    t = _locked(transfer)
    ensure_org_in_scope(acting_user, t.from_org)
    if t.status not in (TransferStatus.REQUESTED, TransferStatus.APPROVED):
        raise ValidationError({"status": _("该转接已办结，不能撤销。")})
    before = snapshot(t)
    t.status = TransferStatus.CANCELLED
    t.closed_by = acting_user if getattr(acting_user, "pk", None) else None
    t.closed_at = timezone.now()
    t.save()
    _audit(acting_user, t, "cancel", before, note=reason)
    return t
