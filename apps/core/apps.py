from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from .export_jobs import PARAMS as EXPORT_PARAMS
        from .org_settings import register_section
        from .params import register_params

        register_params(EXPORT_PARAMS)
        from .scoping import is_root_admin

        register_section(
            key="core.parameters",
            label=_("规则参数"),
            url_name="core:parameter_settings",
            allowed=is_root_admin,
            group="root",
            description=_("换届提醒提前月数、支部人数上限等规则取值"),
        )
        register_section(
            key="core.work_calendar",
            label=_("工作日历"),
            url_name="core:work_calendar_settings",
            allowed=is_root_admin,
            group="root",
            description=_("法定节假日放假和调休上班安排（国务院办公厅每年公布），按工作日计算的期限据此计算"),
        )
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from .admin_site import audit_admin_log_entry
        from .limits import apply_text_limits
        from .middleware import stamp_session_on_login

        post_save.connect(audit_admin_log_entry, sender=LogEntry, dispatch_uid="core.audit_admin_log_entry")
        apply_text_limits()
        user_logged_in.connect(stamp_session_on_login, dispatch_uid="core.stamp_session_on_login")
        from . import checks  # noqa: F401  (registers the system checks)
