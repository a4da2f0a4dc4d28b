from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "apps.dashboards"
    label = "dashboards"
    verbose_name = "数据看板"

    def ready(self) -> None:
        from apps.core.roles import register_role_permissions

        from . import roles

        register_role_permissions(roles.ROLE_PERMISSIONS)
        from apps.core.home import register_panel

        from .home import home_panel

        register_panel(template="dashboards/_home_panel.html", build=home_panel)
