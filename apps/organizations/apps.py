from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "apps.organizations"
    label = "organizations"
    verbose_name = "党组织"

    def ready(self) -> None:
        from apps.core.due_items import Reminder, register_reminder, register_source

        from .selectors import term_due_items, term_due_reminders

        register_source("organizations.term_due", term_due_items)
        register_reminder(Reminder(name="term_due", category="term_due", find=term_due_reminders))

        from apps.core.home import register_home_context

        from .selectors import organization_home_summary

        register_home_context(organization_home_summary)

        from .metrics import register as register_metrics

        register_metrics()
