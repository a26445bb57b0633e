from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "congvan.capture"
    label = "capture"
