from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "apps.members"
    label = "members"
    verbose_name = "党员"

    def ready(self) -> None:
        from apps.core.due_items import register_source

        from . import recruitment, transfers  # noqa: F401  (registers their parameters)
        from .selectors import probation_due_items, transfer_letter_due_items

        register_source("members.probation_due", probation_due_items)
        register_source("members.transfer_letter_expiring", transfer_letter_due_items)

        from .stats_metrics import register as register_stats_metrics

        register_stats_metrics()
