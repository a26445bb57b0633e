from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "congvan.orgs"
    label = "orgs"
