from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "apps.organizations"
    label = "organizations"
    verbose_name = "党组织"

    def ready(self) -> None:
        from apps.core.due_items import register_source

        from .selectors import term_due_items

        register_source("organizations.term_due", term_due_items)

        from .metrics import register as register_metrics

        register_metrics()
