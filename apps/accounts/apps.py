from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from apps.core.params import register_params

        from . import params

        register_params(params.PARAMS)

        from django.utils.translation import gettext_lazy as _

        from apps.core.audit_labels import register_event_labels

        register_event_labels({"user.password_sms": _("以短信发送了密码：")})

        from . import signals  # noqa: F401  (login sessions)
        from .roles import sync_role_groups_handler

        post_migrate.connect(sync_role_groups_handler, dispatch_uid="accounts.sync_role_groups")

        from django.contrib.auth.signals import user_logged_out

        from .authentication import revoke_tokens

        def _revoke_on_logout(sender: object, request: object, user: object, **kwargs: object) -> None:
            revoke_tokens(user)

        user_logged_out.connect(_revoke_on_logout, dispatch_uid="accounts.revoke_tokens_on_logout", weak=False)
