from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "congvan.lib"
    label = "lib"
