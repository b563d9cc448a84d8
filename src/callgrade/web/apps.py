from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "callgrade.web"
    label = "callgrade"
    verbose_name = "callgrade"
    default_auto_field = "django.db.models.BigAutoField"
