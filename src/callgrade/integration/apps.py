from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "callgrade.integration"
    label = "integration"
    default_auto_field = "django.db.models.BigAutoField"
