from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "congvan.security"
    default_auto_field = "django.db.models.BigAutoField"
