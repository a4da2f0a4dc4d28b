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


def _date_fields() -> set[str]:
    from django.db import models

    from .models import Recruitment

    return {f.name for f in Recruitment._meta.concrete_fields if isinstance(f, models.DateField)}


def validate_recruitment_rule(rule: RecruitmentRule) -> None:
    """The intervals make sense and the message names the regulation (ValidationError keyed by field, each
    message naming the field). Shared by the settings page and the admin."""
    errors: dict[str, str] = {}
    for name, label in (("min_months", "最短间隔（月）"), ("min_days", "最短间隔（天）"),
                        ("max_months", "最长间隔（月）"), ("max_days", "最长间隔（天）")):  # fmt: skip
        value = getattr(rule, name)
        if value is not None and not 0 <= value <= 120 * (31 if name.endswith("days") else 1):
            errors[name] = _("%(label)s：数值超出合理范围。") % {"label": label}
    if errors:
        raise ValidationError(errors)
    if rule.min_months is None and rule.min_days is None and rule.max_months is None and rule.max_days is None:
        raise ValidationError({"min_months": _("最短间隔（月）：最短或最长间隔至少填写一项。")})
    low = (rule.min_months or 0) * 31 + (rule.min_days or 0)
    high = (
        None
        if rule.max_months is None and rule.max_days is None
        else (rule.max_months or 0) * 28 + (rule.max_days or 0)
    )
    if high is not None and low > high:
        raise ValidationError({"max_months": _("最长间隔（月）：最长间隔不能短于最短间隔。")})
    if not (rule.message or "").strip():
        raise ValidationError({"message": _("提示信息（含依据）：请填写提示信息及依据。")})
    dates = _date_fields()
    if rule.from_field not in dates:
        raise ValidationError({"from_field": _("起始日期字段：应为发展党员记录中的日期字段。")})
    if rule.to_field not in dates or rule.to_field == rule.from_field:
        raise ValidationError({"to_field": _("终止日期字段：应为发展党员记录中另一个日期字段。")})
    if rule.waived_by:
        from .models import Recruitment

        if rule.waived_by not in {f.name for f in Recruitment._meta.concrete_fields}:
            raise ValidationError({"waived_by": _("填写后可豁免的字段：发展党员记录中没有这个字段。")})


@transaction.atomic
def recruitment_rule_update(*, acting_user: User, obj: RecruitmentRule, data: dict[str, Any]) -> RecruitmentRule:
    ensure_root_admin(acting_user)
    rule = RecruitmentRule.objects.select_for_update().get(pk=obj.pk)
    before = snapshot(rule, EDITABLE)
    for key, value in data.items():
        if key not in EDITABLE:
            raise ValidationError({key: _("该项不能在此修改。")})
        setattr(rule, key, value)
    validate_recruitment_rule(rule)
    rule.save()
    audit_record(
        actor=acting_user, event="recruitmentrule.update", obj=rule, before=before, after=snapshot(rule, EDITABLE),
        org_path="/",
    )  # fmt: skip
    return rule


STRUCTURE = ["code", "from_field", "to_field", "waived_by"]


@transaction.atomic
def recruitment_rule_create(*, acting_user: User, data: dict[str, Any]) -> RecruitmentRule:
    """A new interval rule (the back office's 增加), validated like an edit, audited."""
    ensure_root_admin(acting_user)
    unknown = set(data) - {*STRUCTURE, *EDITABLE}
    if unknown:
        raise ValidationError({next(iter(unknown)): _("该项不能在此修改。")})
    rule = RecruitmentRule(**data)
    validate_recruitment_rule(rule)
    if RecruitmentRule.objects.filter(code=rule.code).exists():
        raise ValidationError({"code": _("规则代码：已有同代码的规则。")})
    rule.full_clean()
    rule.save()
    audit_record(
        actor=acting_user, event="recruitmentrule.create", obj=rule, after=snapshot(rule, [*STRUCTURE, *EDITABLE]),
        org_path="/",
    )  # fmt: skip
    return rule
