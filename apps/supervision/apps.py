from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    label = "supervision"
    verbose_name = "督查与三函"

    def ready(self) -> None:
        """Everything this app adds to the core registries (docs/architecture.md, "Registries")."""
        from apps.core.roles import register_role_permissions

        from . import roles

        register_role_permissions(roles.ROLE_PERMISSIONS)
