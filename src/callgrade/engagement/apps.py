from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "callgrade.engagement"
    label = "engagement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # this domain's kinds join the one access function
        from callgrade.engagement import access  # noqa: F401
