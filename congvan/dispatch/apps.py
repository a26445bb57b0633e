from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "congvan.dispatch"
    label = "dispatch"
