from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "apps.service_requests"
    label = "service_requests"
    verbose_name = "为民服务"

    def ready(self) -> None:
        from apps.core.params import register_params
        from apps.core.roles import register_role_permissions

        from . import params, roles

        register_params(params.PARAMS)

        register_role_permissions(roles.ROLE_PERMISSIONS)
        from apps.core.due_items import Reminder, register_reminder, register_source
        from apps.core.home import register_panel
        from apps.core.workdays import register_change_hook

        from . import metrics, selectors, workflow

        register_source("service_requests.request", selectors.request_due_items)
        register_panel(template="service_requests/_home_panel.html", build=selectors.home_panel)
        register_change_hook(workflow.recompute_open_deadlines)
        register_reminder(Reminder(name="service_request_due", category="other", find=selectors.due_tomorrow_reminders))
        metrics.register()

        from django.utils.translation import gettext_lazy as _

        from apps.core.org_settings import register_section

        from .settings_views import settings_allowed

        register_section(
            key="service_requests.categories",
            label=_("服务类别"),
            url_name="service_requests:category_settings",
            allowed=settings_allowed,
            description=_("为民服务事项的类别及受理、办结、回访时限（工作日），适用于本单位及下级"),
        )
