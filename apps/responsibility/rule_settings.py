"""The meeting frequency table (组织生活频次要求), kept by root administrators on a page; each change audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_root_admin

from .models import MeetingRequirement

if TYPE_CHECKING:
    from apps.accounts.models import User

EDITABLE = ["period", "minimum_count", "per_party_group", "source", "is_active"]


def validate_meeting_requirement(req: MeetingRequirement) -> None:
    """The row makes sense (raises ValidationError keyed by field, each message naming the field)."""
    from .choices import MeetingKind, RequirementPeriod

    errors: dict[str, str] = {}
    if req.kind not in MeetingKind.values:
        errors["kind"] = _("会议类型：请选择会议类型。")
    if req.period not in RequirementPeriod.values:
        errors["period"] = _("周期：请选择每月、每季度或每年。")
    if req.minimum_count is None or not 1 <= req.minimum_count <= 31:
        errors["minimum_count"] = _("最少次数：应为1至31次。")
    if len(req.source or "") > 200:
        errors["source"] = _("依据：不能超过200字。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_requirement_update(
    *, acting_user: User, obj: MeetingRequirement, data: dict[str, Any]
) -> MeetingRequirement:
    ensure_root_admin(acting_user)
    req = MeetingRequirement.objects.select_for_update().get(pk=obj.pk)
    before = snapshot(req, EDITABLE)
    for key, value in data.items():
        if key not in EDITABLE:
            raise ValidationError({key: _("该项不能在此修改。")})
        setattr(req, key, value)
    validate_meeting_requirement(req)
    req.full_clean()
    req.save()
    audit_record(
        actor=acting_user, event="meetingrequirement.update", obj=req, before=before, after=snapshot(req, EDITABLE),
        org_path="/",
    )  # fmt: skip
    return req


@transaction.atomic
def meeting_requirement_create(*, acting_user: User, data: dict[str, Any]) -> MeetingRequirement:
    """A requirement for a meeting kind that has none yet (the back office's 增加)."""
    ensure_root_admin(acting_user)
    unknown = set(data) - {"kind", *EDITABLE}
    if unknown:
        raise ValidationError({next(iter(unknown)): _("该项不能在此修改。")})
    req = MeetingRequirement(**data)
    validate_meeting_requirement(req)
    if MeetingRequirement.objects.filter(kind=req.kind).exists():
        raise ValidationError({"kind": _("会议类型：该会议类型已有频次要求，请修改原有的一条。")})
    req.full_clean()
    req.save()
    audit_record(
        actor=acting_user, event="meetingrequirement.create", obj=req, after=snapshot(req, ["kind", *EDITABLE]),
        org_path="/",
    )  # fmt: skip
    return req
