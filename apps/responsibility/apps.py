from django.apps import AppConfig


class ResponsibilityConfig(AppConfig):
    name = "apps.responsibility"
    label = "responsibility"
    verbose_name = "责任清单与台账"
