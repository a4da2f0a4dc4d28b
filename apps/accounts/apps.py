from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (login sessions)
        from .roles import sync_role_groups_handler

        post_migrate.connect(sync_role_groups_handler, dispatch_uid="accounts.sync_role_groups")
