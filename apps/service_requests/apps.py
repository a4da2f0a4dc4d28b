from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "apps.service_requests"
    label = "service_requests"
    verbose_name = "为民服务"
