from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "congvan.signatures"
    label = "signatures"
