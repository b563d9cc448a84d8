from django.apps import AppConfig


class BaselineConfig(AppConfig):
    name = "callgrade.baseline"
    label = "baseline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the report's background job joins the registry of job kinds
        from callgrade.baseline.services import report  # noqa: F401
