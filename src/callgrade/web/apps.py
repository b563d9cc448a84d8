from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "callgrade.web"
    label = "callgrade"
    verbose_name = "callgrade"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Cash awards are lines of the pay statement; the cycles and engagement domains know
        # nothing of each other, so the app that holds both joins them here.
        from callgrade.cycles.services.results import PAY_SOURCES
        from callgrade.engagement.selectors import award_pay_lines

        if award_pay_lines not in PAY_SOURCES:
            PAY_SOURCES.append(award_pay_lines)
