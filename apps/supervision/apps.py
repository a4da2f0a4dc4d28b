from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    label = "supervision"
    verbose_name = "督查与三函"

    def ready(self) -> None:
        from apps.core.home import register_panel

        from . import selectors

        register_panel(template="supervision/_home_panel.html", build=selectors.home_panel)
