from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from .org_settings import register_section
        from .scoping import is_root_admin

        register_section(
            key="core.parameters",
            label=_("规则参数"),
            url_name="core:parameter_settings",
            allowed=is_root_admin,
            group="root",
            description=_("换届提醒提前月数、支部人数上限等规则取值"),
        )
