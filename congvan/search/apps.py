from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "congvan.search"
    label = "search"
