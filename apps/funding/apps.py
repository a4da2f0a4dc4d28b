from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "apps.funding"
    label = "funding"
    verbose_name = "经费"

    def ready(self) -> None:
        from apps.core.params import register_params
        from apps.core.roles import register_role_permissions

        from . import params, roles

        register_params(params.PARAMS)

        register_role_permissions(roles.ROLE_PERMISSIONS)
        from apps.core.due_items import register_source
        from apps.core.home import register_panel

        from . import alerts, metrics, selectors

        register_source("funding.low_execution", alerts.low_execution_items)
        register_source("funding.unspent", alerts.unspent_items)
        register_source("funding.voucher_missing", alerts.voucher_missing_items)
        metrics.register_metrics()
        register_panel(template="funding/_home_panel.html", build=selectors.home_panel)

        from django.utils.translation import gettext_lazy as _

        from apps.core.org_settings import register_section

        register_section(
            key="funding.standards",
            label=_("经费标准"),
            url_name="funding:standard_list",
            allowed=lambda user: user.has_perm("funding.add_fundingstandard")
            and getattr(user, "organization_id", None) is not None,
            group="unit",
            description=_("本地区各类党组织、党员、示范点的年度经费标准，增长要求，复制上年标准"),
        )
