from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "congvan.api"
    label = "api"
