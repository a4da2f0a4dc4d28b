"""Around the pipeline: micro-wishes (微心愿) and 双报到 (community registrations, service records)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_org_in_scope, ensure_perm, org_in_scope

from .choices import ClaimantKind, RecordStatus, RegistrationStatus, WishStatus
from .models import CommunityRegistration, MicroWish, ServicePost, ServiceRecord
from .workflow import validate_attachment

# ---------------------------------------------------------------- communities (双报到)


def registration_communities() -> Any:
    """What a member or unit registers with (双报到): any active urban-community organization, wherever it
    is in the tree — the one lookup deliberately outside the user's scope (names only, no data below them)."""
    from apps.organizations.choices import BRANCH_KINDS, OrgKind, Sector
    from apps.organizations.models import Organization

    return Organization.objects.filter(is_active=True, sector=Sector.COMMUNITY).exclude(
        kind__in=[*BRANCH_KINDS, OrgKind.PARTY_GROUP]
    )


def community_search(*, q: str, limit: int = 20) -> list[Any]:
    """Suggestions for the registration form's community picker: an exact code, else names containing q."""
    from apps.organizations.models import Organization

    q = q.strip()[:50]
    if not q:
        return []
    exact = list(Organization.objects.filter(is_active=True, code=q).select_related("parent")[:1])
    if exact:
        return exact
    return list(
        registration_communities().filter(name__contains=q).select_related("parent").order_by("depth", "name")[:limit]
    )


def community_resolve(value: str) -> Any:
    """The community a registration form names: a code (any active organization, as before), or a name
    among the communities (exact, or a fragment matching one). None when nothing (or several) match."""
    from apps.organizations.models import Organization

    value = (value or "").strip()
    if not value:
        return None
    org = Organization.objects.filter(is_active=True, code=value.split(" ", 1)[0]).first()
    if org is not None:
        return org
    exact = list(registration_communities().filter(name=value)[:2])
    if len(exact) == 1:
        return exact[0]
    some = list(registration_communities().filter(name__contains=value)[:2])
    return some[0] if len(some) == 1 else None


# ---------------------------------------------------------------- micro-wishes


def wish_create(
    *,
    acting_user: Any,
    organization: Any,
    title: str,
    content: str = "",
    beneficiary: str = "",
    budget: Decimal | None = None,
    deadline: datetime.date | None = None,
) -> MicroWish:
    ensure_perm(acting_user, "service_requests.add_microwish")
    ensure_org_in_scope(acting_user, organization)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("请填写心愿内容。")
    if budget is not None and budget < 0:
        errors["budget"] = _("预算不能为负数。")
    if deadline is not None and deadline < timezone.localdate():
        errors["deadline"] = _("期望实现日期不能早于今天。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        wish = MicroWish.objects.create(
            organization=organization, org_path=organization.path, title=title, content=content or "",
            beneficiary=beneficiary or "", budget=budget or Decimal("0"), deadline=deadline,
            posted_by=acting_user if getattr(acting_user, "pk", None) else None,
        )  # fmt: skip
        audit_record(actor=acting_user, event="microwish.create", obj=wish, after=snapshot(wish))
    return wish


def _wish_step(acting_user: Any, wish: MicroWish, event: str, allowed: list[str], apply: Any) -> MicroWish:
    ensure_perm(acting_user, "service_requests.change_microwish")
    with transaction.atomic():
        w = MicroWish.objects.select_for_update().select_related("organization").get(pk=wish.pk)
        ensure_org_in_scope(acting_user, w.organization)
        if w.status not in allowed:
            raise ValidationError(
                {"status": _("当前状态为「%(s)s」，不能执行此操作。") % {"s": w.get_status_display()}}
            )
        before = snapshot(w)
        apply(w)
        w.save()
        audit_record(actor=acting_user, event=f"microwish.{event}", obj=w, before=before, after=snapshot(w))
    return w


def wish_claim(
    *, acting_user: Any, wish: MicroWish, claimant_kind: str, claimant_name: str = "", member: Any = None,
    unit: Any = None,
) -> MicroWish:  # fmt: skip
    """A member or a unit claims (认领) the wish; recorded by the community or the claimant's organization."""
    from apps.members.models import Member

    if claimant_kind not in ClaimantKind.values:
        raise ValidationError({"claimant_kind": _("请选择认领方类型。")})
    if member is not None and not Member.objects.visible_to(acting_user).filter(pk=member.pk).exists():
        raise ValidationError({"member": _("该党员不在您的管理范围内。")})
    if unit is not None and not org_in_scope(acting_user, unit):
        raise ValidationError({"unit": _("该单位党组织不在您的管理范围内。")})
    name = (claimant_name or "").strip() or getattr(member, "name", "") or getattr(unit, "name", "")
    if not name:
        raise ValidationError({"claimant_name": _("请填写认领人或认领单位。")})

    def apply(w: MicroWish) -> None:
        w.status, w.claimant_kind, w.claimant_name = WishStatus.CLAIMED, claimant_kind, name
        w.claimant_member, w.claimant_org, w.claimed_at = member, unit, timezone.now()

    return _wish_step(acting_user, wish, "claim", [WishStatus.OPEN], apply)


def wish_fulfil(*, acting_user: Any, wish: MicroWish, note: str, evidence: Any = None) -> MicroWish:
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写心愿实现情况。")})
    if evidence is None:
        raise ValidationError({"evidence": _("请上传佐证照片。")})
    try:
        validate_attachment(evidence)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc

    def apply(w: MicroWish) -> None:
        w.status, w.fulfil_note, w.fulfilled_at = WishStatus.FULFILLED, note.strip(), timezone.now()
        w.evidence_name = getattr(evidence, "name", "")[:200]
        w.evidence.save(w.evidence_name, evidence, save=False)

    return _wish_step(acting_user, wish, "fulfil", [WishStatus.CLAIMED], apply)


def wish_confirm(*, acting_user: Any, wish: MicroWish) -> MicroWish:
    def apply(w: MicroWish) -> None:
        w.status, w.confirmed_at = WishStatus.CONFIRMED, timezone.now()

    return _wish_step(acting_user, wish, "confirm", [WishStatus.FULFILLED], apply)


# ---------------------------------------------------------------- 双报到


def registration_create(
    *,
    acting_user: Any,
    community: Any,
    member: Any = None,
    unit: Any = None,
    registered_on: datetime.date | None = None,
    post: ServicePost | None = None,
    note: str = "",
) -> CommunityRegistration:
    """An in-service member (``member``) or a unit's party organization (``unit``) registers with a
    community. Registered from the home side (the member or unit must be in the user's scope); the
    community may be anywhere and confirms it."""
    from apps.members.models import Member

    ensure_perm(acting_user, "service_requests.add_communityregistration")
    if (member is None) == (unit is None):
        raise ValidationError({"member": _("请选择报到的党员或单位党组织（二选一）。")})
    if community is None or not community.is_active:
        raise ValidationError({"community": _("请选择报到社区。")})
    if member is not None:
        if not Member.objects.visible_to(acting_user).filter(pk=member.pk).exists():
            raise ValidationError({"member": _("该党员不在您的管理范围内。")})
        home = member.organization
        kind = ClaimantKind.MEMBER
    else:
        ensure_org_in_scope(acting_user, unit)
        home, kind = unit, ClaimantKind.UNIT
    if home.pk == community.pk:
        raise ValidationError({"community": _("报到社区不能是本组织。")})
    if post is not None and post.organization_id != community.pk:
        raise ValidationError({"post": _("该岗位不属于所选社区。")})
    try:
        with transaction.atomic():
            reg = CommunityRegistration.objects.create(
                organization=community, org_path=community.path, home_org=home, home_path=home.path, kind=kind,
                member=member, post=post, registered_on=registered_on or timezone.localdate(), note=note or "",
                created_by=acting_user if getattr(acting_user, "pk", None) else None,
            )  # fmt: skip
            audit_record(actor=acting_user, event="communityregistration.create", obj=reg, after=snapshot(reg))
    except IntegrityError as exc:
        raise ValidationError({"community": _("已在该社区报到，无需重复报到。")}) from exc
    return reg


def _community_side(acting_user: Any, reg: CommunityRegistration) -> None:
    if not org_in_scope(acting_user, reg.organization):
        raise PermissionDenied(_("只有报到社区（或其上级）可以确认。"))


def registration_confirm(*, acting_user: Any, registration: CommunityRegistration) -> CommunityRegistration:
    ensure_perm(acting_user, "service_requests.change_communityregistration")
    with transaction.atomic():
        reg = CommunityRegistration.objects.select_for_update().select_related("organization").get(pk=registration.pk)
        _community_side(acting_user, reg)
        if reg.status != RegistrationStatus.PENDING:
            raise ValidationError({"status": _("该报到已确认或已结束。")})
        before = snapshot(reg)
        reg.status, reg.confirmed_at = RegistrationStatus.ACTIVE, timezone.now()
        reg.save()
        audit_record(
            actor=acting_user, event="communityregistration.confirm", obj=reg, before=before, after=snapshot(reg)
        )
    return reg


def registration_claim_post(
    *, acting_user: Any, registration: CommunityRegistration, post: ServicePost
) -> CommunityRegistration:
    """认领公益性岗位 (either side may record it)."""
    ensure_perm(acting_user, "service_requests.change_communityregistration")
    if post.organization_id != registration.organization_id or not post.is_active:
        raise ValidationError({"post": _("该岗位不属于报到社区或已停用。")})
    with transaction.atomic():
        reg = CommunityRegistration.objects.select_for_update().get(pk=registration.pk)
        if not CommunityRegistration.objects.visible_to(acting_user).filter(pk=reg.pk).exists():
            raise PermissionDenied
        taken = CommunityRegistration.objects.filter(post=post).exclude(pk=reg.pk).count()
        if taken >= post.capacity:
            raise ValidationError({"post": _("该岗位已满员（%(n)d人）。") % {"n": post.capacity}})
        before = snapshot(reg)
        reg.post = post
        reg.save()
        audit_record(
            actor=acting_user, event="communityregistration.claim_post", obj=reg, before=before, after=snapshot(reg)
        )
    return reg


def record_add(
    *,
    acting_user: Any,
    registration: CommunityRegistration,
    served_on: datetime.date,
    content: str,
    hours: Decimal = Decimal("0"),
    people_served: int = 0,
    disputes_resolved: int = 0,
) -> ServiceRecord:
    ensure_perm(acting_user, "service_requests.add_servicerecord")
    if not CommunityRegistration.objects.visible_to(acting_user).filter(pk=registration.pk).exists():
        raise PermissionDenied
    errors = {}
    if registration.status != RegistrationStatus.ACTIVE:
        errors["registration"] = _("社区确认报到后才能登记服务记录。")
    if not (content or "").strip():
        errors["content"] = _("请填写服务内容。")
    if served_on > timezone.localdate():
        errors["served_on"] = _("服务日期不能晚于今天。")
    if hours is not None and (hours < 0 or hours > 24):
        errors["hours"] = _("服务时长应在0到24小时之间。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rec = ServiceRecord.objects.create(
            registration=registration, served_on=served_on, content=content.strip(), hours=hours or 0,
            people_served=people_served or 0, disputes_resolved=disputes_resolved or 0,
        )  # fmt: skip
        audit_record(
            actor=acting_user,
            event="servicerecord.create",
            obj=rec,
            after=snapshot(rec),
            org_path=registration.org_path,
        )
    return rec


def record_confirm(*, acting_user: Any, record: ServiceRecord) -> ServiceRecord:
    ensure_perm(acting_user, "service_requests.change_servicerecord")
    with transaction.atomic():
        rec = ServiceRecord.objects.select_for_update().get(pk=record.pk)
        reg = CommunityRegistration.objects.select_related("organization").get(pk=rec.registration_id)
        _community_side(acting_user, reg)
        if rec.status != RecordStatus.PENDING:
            raise ValidationError({"status": _("该服务记录已确认。")})
        before = snapshot(rec)
        rec.status, rec.confirmed_at = RecordStatus.CONFIRMED, timezone.now()
        rec.save()
        audit_record(
            actor=acting_user, event="servicerecord.confirm", obj=rec, before=before, after=snapshot(rec),
            org_path=reg.org_path,
        )  # fmt: skip
    return rec


def post_create(
    *, acting_user: Any, organization: Any, name: str, description: str = "", capacity: int = 5
) -> ServicePost:
    ensure_perm(acting_user, "service_requests.add_servicepost")
    ensure_org_in_scope(acting_user, organization)
    if not (name or "").strip():
        raise ValidationError({"name": _("请填写岗位名称。")})
    with transaction.atomic():
        post = ServicePost.objects.create(
            organization=organization, org_path=organization.path, name=name.strip(), description=description,
            capacity=capacity,
        )  # fmt: skip
        audit_record(actor=acting_user, event="servicepost.create", obj=post, after=snapshot(post))
    return post
