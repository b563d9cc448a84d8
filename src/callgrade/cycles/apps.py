from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "callgrade.cycles"
    label = "cycles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # this domain's kinds join the one access function
        from callgrade.cycles import access  # noqa: F401
