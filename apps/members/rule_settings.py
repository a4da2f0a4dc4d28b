"""The recruitment interval table (发展党员时间规则), kept by root administrators on a page; each change audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.scoping import ensure_root_admin

from .models import RecruitmentRule

if TYPE_CHECKING:
    from apps.accounts.models import User

EDITABLE = ["min_months", "min_days", "max_months", "max_days", "message", "is_active"]


@transaction.atomic
def recruitment_rule_update(*, acting_user: User, obj: RecruitmentRule, data: dict[str, Any]) -> RecruitmentRule:
    ensure_root_admin(acting_user)
    rule = RecruitmentRule.objects.select_for_update().get(pk=obj.pk)
    before = snapshot(rule, EDITABLE)
    for key, value in data.items():
        if key not in EDITABLE:
            raise ValidationError({key: _("该项不能在此修改。")})
        setattr(rule, key, value)
    if rule.min_months is None and rule.min_days is None and rule.max_months is None and rule.max_days is None:
        raise ValidationError({"min_months": _("最短或最长间隔至少填写一项。")})
    low = (rule.min_months or 0) * 31 + (rule.min_days or 0)
    high = (
        None
        if rule.max_months is None and rule.max_days is None
        else (rule.max_months or 0) * 28 + (rule.max_days or 0)
    )
    if high is not None and low > high:
        raise ValidationError({"max_months": _("最长间隔不能短于最短间隔。")})
    if not rule.message.strip():
        raise ValidationError({"message": _("请填写提示信息及依据。")})
    rule.save()
    audit_record(
        actor=acting_user, event="recruitmentrule.update", obj=rule, before=before, after=snapshot(rule, EDITABLE),
        org_path="/",
    )  # fmt: skip
    return rule
