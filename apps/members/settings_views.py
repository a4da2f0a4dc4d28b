from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.core.root_tables import RootTableEditView, RootTableListView

from .models import RecruitmentRule
from .rule_settings import EDITABLE, recruitment_rule_update


def _interval(lo_m: int | None, lo_d: int | None) -> str:
    parts = [f"{lo_m}个月" if lo_m else "", f"{lo_d}天" if lo_d else ""]
    return "".join(parts) or "—"


class RecruitmentRuleListView(RootTableListView):
    model = RecruitmentRule
    title = _("发展党员时间规则")
    edit_url_name = "members:recruitment_rule_edit"
    columns = [
        (
            _("起止"),
            lambda r: f"{RecruitmentRule_field_label(r.from_field)} → {RecruitmentRule_field_label(r.to_field)}",
        ),
        (_("最短间隔"), lambda r: _interval(r.min_months, r.min_days)),
        (_("最长间隔"), lambda r: _interval(r.max_months, r.max_days)),
        (_("启用"), "is_active"),
    ]
    source = staticmethod(lambda r: r.message)


class RecruitmentRuleEditView(RootTableEditView):
    model = RecruitmentRule
    fields = EDITABLE
    title = _("发展党员时间规则")
    list_url_name = "members:recruitment_rule_settings"
    service = staticmethod(recruitment_rule_update)


def RecruitmentRule_field_label(name: str) -> str:
    from .models import Recruitment

    try:
        return str(Recruitment._meta.get_field(name).verbose_name)
    except Exception:  # a field renamed since the row was written
        return name
