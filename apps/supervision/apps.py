from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    label = "supervision"
    verbose_name = "督查与三函"

    def ready(self) -> None:
        """Everything this app adds to the core registries (docs/architecture.md, "Registries")."""
        from apps.core.roles import register_role_permissions

        from . import roles

        register_role_permissions(roles.ROLE_PERMISSIONS)

        from django.utils.translation import gettext_lazy as _

        from apps.core.org_settings import register_section

        register_section(
            key="supervision.letter_rule",
            label=_("三函规则"),
            url_name="supervision:letter_rule_settings",
            allowed=lambda user: user.has_perm("supervision.change_letterrule"),
            description=_("提示函、督办函、预警函的发函日期、答复期限和问责条件"),
        )
        register_section(
            key="supervision.letter_template",
            label=_("函件模板"),
            url_name="supervision:letter_template_settings",
            allowed=lambda user: user.has_perm("supervision.change_lettertemplate"),
            description=_("本单位三函的标题和正文措辞，可预览"),
        )

        from apps.core.home import register_panel

        from . import selectors

        register_panel(template="supervision/_home_panel.html", build=selectors.home_panel)

        from .metrics import register as register_metrics

        register_metrics()
