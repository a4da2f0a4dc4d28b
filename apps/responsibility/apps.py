from django.apps import AppConfig


class ResponsibilityConfig(AppConfig):
    name = "apps.responsibility"
    label = "responsibility"
    verbose_name = "责任清单与台账"

    def ready(self) -> None:
        from apps.core.due_items import register_source

        from . import selectors, validators  # noqa: F401  (validators registers the rule parameters)

        register_source("responsibility.task", selectors.task_due_items)
        register_source("responsibility.rectification", selectors.rectification_due_items)
        register_source("responsibility.ledger", selectors.ledger_due_items)
        register_source("responsibility.meeting", selectors.meeting_due_items)

        from apps.core.home import register_panel

        register_panel(template="responsibility/_home_panel.html", build=selectors.home_panel)

        from .metrics import register as register_metrics

        register_metrics()
