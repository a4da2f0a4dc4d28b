from django.apps import AppConfig


class ResponsibilityConfig(AppConfig):
    name = "apps.responsibility"
    label = "responsibility"
    verbose_name = "责任清单与台账"

    def ready(self) -> None:
        """Everything this app adds to the core registries (docs/architecture.md, "Registries")."""
        from apps.core.due_items import Reminder, register_reminder, register_source
        from apps.core.home import register_panel
        from apps.core.params import register_params
        from apps.core.roles import register_role_permissions

        from . import params, roles, selectors

        register_params(params.PARAMS)
        register_role_permissions(roles.ROLE_PERMISSIONS)
        register_source("responsibility.task", selectors.task_due_items)
        register_source("responsibility.rectification", selectors.rectification_due_items)
        register_source("responsibility.ledger", selectors.ledger_due_items)
        register_source("responsibility.meeting", selectors.meeting_due_items)
        register_reminder(Reminder(name="ledger_due", category="ledger_due", find=selectors.ledger_due_reminders))

        from . import life_day

        register_source("responsibility.life_day", life_day.life_day_due_items)
        register_reminder(Reminder(name="life_day", category="life_day", find=life_day.life_day_reminders))
        register_panel(template="responsibility/_home_panel.html", build=selectors.home_panel)

        from django.utils.translation import gettext_lazy as _

        from apps.core.org_settings import register_section
        from apps.core.scoping import is_root_admin

        register_section(
            key="responsibility.meeting_requirement_settings",
            label=_("组织生活频次要求"),
            url_name="responsibility:meeting_requirement_settings",
            allowed=is_root_admin,
            group="root",
            description=_("“三会一课”等会议的周期和最少次数"),
        )

        register_section(
            key="responsibility.life_day",
            label=_("组织生活日"),
            url_name="responsibility:life_day_settings",
            allowed=lambda user: user.has_perm("responsibility.change_orglifeday"),
            group="unit",
            description=_("每月固定开展主题党日的日子，下级未单独设置的按此执行"),
        )

        from . import member_points  # noqa: F401  (feeds the members' points and activity registries)
        from .metrics import register as register_metrics

        register_metrics()
