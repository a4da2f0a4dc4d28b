from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "apps.assessment"
    label = "assessment"
    verbose_name = "考核"

    def ready(self) -> None:
        from apps.core.roles import register_role_permissions

        from . import roles

        register_role_permissions(roles.ROLE_PERMISSIONS)
