from django.apps import AppConfig


class LoadsConfig(AppConfig):
    name = "callgrade.loads"
    label = "loads"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the background work of a load and of a source run, registered with core.jobs
        from callgrade.loads.services import loads, sources  # noqa: F401
