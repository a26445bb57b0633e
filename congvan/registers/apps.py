from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "congvan.registers"
    label = "registers"
