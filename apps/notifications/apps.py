from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "通知提醒"

    def ready(self) -> None:
        """Everything this app adds to the core registries (docs/architecture.md, "Registries")."""
        from apps.core.context_processors import register_page_context
        from apps.core.params import register_params
        from apps.core.roles import register_role_permissions

        from . import params, roles
        from .selectors import page_context

        register_params(params.PARAMS)
        from apps.core.params import register_value_labels

        from .models import NoticeCategory

        for key in ("notice_email_categories", "notice_sms_categories"):  # shown and typed as 三函、换届提醒…
            register_value_labels(key, dict(NoticeCategory.choices))
        register_role_permissions(roles.ROLE_PERMISSIONS)
        register_page_context(page_context)

        from apps.core.secret_sms import register_secret_sms_channel

        from .secret_sms import NotificationsSecretSmsChannel

        register_secret_sms_channel(NotificationsSecretSmsChannel())
