from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "apps.members"
    label = "members"
    verbose_name = "党员"

    def ready(self) -> None:
        """Everything this app adds to the core registries (docs/architecture.md, "Registries")."""
        from apps.core.due_items import Reminder, register_reminder, register_source
        from apps.core.params import register_params
        from apps.core.roles import register_role_permissions

        from . import due, params, roles

        register_params(params.PARAMS)
        register_role_permissions(roles.ROLE_PERMISSIONS)
        register_source("members.probation_due", due.probation_due_items)
        register_source("members.transfer_letter_expiring", due.transfer_letter_due_items)
        register_reminder(Reminder(name="probation_due", category="probation_due", find=due.probation_reminders))
        register_reminder(
            Reminder(name="transfer_expiring", category="transfer_expiring", find=due.transfer_expiring_reminders)
        )
        register_reminder(
            Reminder(name="political_birthday", category="political_birthday", find=due.political_birthday_reminders)
        )
