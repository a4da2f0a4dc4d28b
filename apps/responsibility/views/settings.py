from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.core.root_tables import RootTableEditView, RootTableListView

from ..models import MeetingRequirement
from ..rule_settings import EDITABLE, meeting_requirement_update


class MeetingRequirementListView(RootTableListView):
    model = MeetingRequirement
    title = _("组织生活频次要求")
    edit_url_name = "responsibility:meeting_requirement_edit"
    columns = [
        (_("会议类型"), lambda r: r.get_kind_display()),
        (_("周期"), lambda r: r.get_period_display()),
        (_("最少次数"), "minimum_count"),
        (_("按党小组计"), "per_party_group"),
        (_("启用"), "is_active"),
    ]
    source = staticmethod(lambda r: r.source)


class MeetingRequirementEditView(RootTableEditView):
    model = MeetingRequirement
    fields = EDITABLE
    title = _("组织生活频次要求")
    list_url_name = "responsibility:meeting_requirement_settings"
    service = staticmethod(meeting_requirement_update)
