from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "congvan.exchange"
    label = "exchange"
