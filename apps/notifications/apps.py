from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "通知提醒"

    def ready(self) -> None:
        from . import params  # noqa: F401
