from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "apps.members"
    label = "members"
    verbose_name = "党员"

    def ready(self) -> None:
        """Everything this app adds to the core registries (docs/architecture.md, "Registries")."""
        from apps.core.due_items import Reminder, register_reminder, register_source
        from apps.core.params import register_params
        from apps.core.roles import register_role_permissions

        from . import due, params, roles

        register_params(params.PARAMS)
        register_role_permissions(roles.ROLE_PERMISSIONS)
        register_source("members.probation_due", due.probation_due_items)
        register_source("members.transfer_letter_expiring", due.transfer_letter_due_items)
        register_reminder(Reminder(name="probation_due", category="probation_due", find=due.probation_reminders))
        register_reminder(
            Reminder(name="transfer_expiring", category="transfer_expiring", find=due.transfer_expiring_reminders)
        )
        register_reminder(
            Reminder(name="political_birthday", category="political_birthday", find=due.political_birthday_reminders)
        )

        from django.utils.translation import gettext_lazy as _

        from apps.core.org_settings import register_section
        from apps.core.scoping import is_root_admin

        register_section(
            key="members.recruitment_rule_settings",
            label=_("发展党员时间规则"),
            url_name="members:recruitment_rule_settings",
            allowed=is_root_admin,
            group="root",
            description=_("申请入党到转正各环节的最短、最长间隔（《发展党员工作细则》）"),
        )
        register_section(
            key="members.dues_bracket_settings",
            label=_("党费交纳标准"),
            url_name="members:dues_bracket_settings",
            allowed=is_root_admin,
            group="root",
            description=_("各类党员按月交纳党费的比例或金额（2008年全国标准及本省发布的标准）"),
        )

        from . import metrics
        from .dues_stats import dues_arrears_due_items

        register_source("members.dues_arrears", dues_arrears_due_items)
        from . import points  # noqa: F401  (registers the members' own point sources)
        from .contact import contact_review_due_items
        from .mobility import mobility_due_items, work_unit_change_due_items

        register_source("members.contact_review", contact_review_due_items)
        register_source("members.mobility", mobility_due_items)
        register_source("members.work_unit_changed", work_unit_change_due_items)
        metrics.register()

        from apps.core.audit_labels import register_event_labels
        from apps.core.home import register_panel

        from .yearly_selectors import self_assessment_panel

        register_panel(template="members/_self_assessment_panel.html", build=self_assessment_panel)
        register_event_labels(
            {
                "appraisal_entry.self_assess": _("填写了民主评议个人自评"),
                "branch_vote.create": _("登记了支部党员大会表决结果"),
                "duesbracket.create": _("新增了党费交纳标准"),
                "duesbracket.update": _("修改了党费交纳标准"),
                "duesbracket.delete": _("删除了党费交纳标准"),
                "dues_base.recompute": _("按现行标准重算了党员每月应交党费"),
            }
        )

        from .stats_metrics import register as register_stats_metrics

        register_stats_metrics()
