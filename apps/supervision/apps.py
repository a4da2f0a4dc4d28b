from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    label = "supervision"
    verbose_name = "督查与三函"

    def ready(self) -> None:
        from .metrics import register as register_metrics

        register_metrics()
