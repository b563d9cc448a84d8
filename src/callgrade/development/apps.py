from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "callgrade.development"
    label = "development"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # this domain's kinds join the one access function; a computed cycle proposes trainings
        from callgrade.development import access  # noqa: F401
        from callgrade.development.services import proposals  # noqa: F401
