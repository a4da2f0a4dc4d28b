from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    label = "supervision"
    verbose_name = "督查与三函"
