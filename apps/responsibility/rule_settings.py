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
    if not 1 <= req.minimum_count <= 31:
        raise ValidationError({"minimum_count": _("最少次数应为1至31次。")})
    req.full_clean()
    req.save()
    audit_record(
        actor=acting_user, event="meetingrequirement.update", obj=req, before=before, after=snapshot(req, EDITABLE),
        org_path="/",
    )  # fmt: skip
    return req
