from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "callgrade.review"
    label = "review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # this domain's kinds join the one access function
        from callgrade.review import access  # noqa: F401
