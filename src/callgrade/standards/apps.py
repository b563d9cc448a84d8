from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "callgrade.standards"
    label = "standards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # this domain's kinds join the one access function
        from callgrade.standards import access  # noqa: F401
