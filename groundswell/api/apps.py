from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "groundswell.api"
    label = "api"
