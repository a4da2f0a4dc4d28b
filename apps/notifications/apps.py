from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "通知提醒"

    def ready(self) -> None:
        from apps.core.context_processors import register_page_context

        from . import params  # noqa: F401
        from .selectors import page_context

        register_page_context(page_context)
