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

        from . import metrics
        from .dues_stats import dues_arrears_due_items

        register_source("members.dues_arrears", dues_arrears_due_items)
        from . import points  # noqa: F401  (registers the members' own point sources)
        from .contact import contact_review_due_items
        from .mobility import mobility_due_items, work_unit_change_due_items

        register_source("members.contact_review", contact_review_due_items)
        register_source("members.mobility", mobility_due_items)
        register_source("members.work_unit_changed", work_unit_change_due_items)
        metrics.register()
