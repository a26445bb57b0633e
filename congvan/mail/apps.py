from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "congvan.mail"
    label = "mail"
