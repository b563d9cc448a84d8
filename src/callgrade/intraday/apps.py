from django.apps import AppConfig


class IntradayConfig(AppConfig):
    name = "callgrade.intraday"
    label = "intraday"
    default_auto_field = "django.db.models.BigAutoField"
