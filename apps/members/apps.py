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

        from django.utils.translation import gettext_lazy as _

        from apps.core.org_settings import register_section
        from apps.core.scoping import is_root_admin

        register_section(
            key="members.recruitment_rule_settings",
            label=_("发展党员时间规则"),
            url_name="members:recruitment_rule_settings",
            allowed=is_root_admin,
            group="root",
            description=_("申请入党到转正各环节的最短、最长间隔（《发展党员工作细则》）"),
        )
