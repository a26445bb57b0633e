from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "congvan.reports"
    label = "reports"
