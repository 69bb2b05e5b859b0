"""Arms sales: FMS cases and DCS licences, statutory notification, LOR checks, forecasts."""

from django.apps import AppConfig


class ArmsConfig(AppConfig):
    """Arms sales: FMS cases and DCS licences, statutory notification, LOR checks, forecasts."""

    name = "allied.arms"
    label = "arms"
    verbose_name = "Arms sales"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allied.arms.queue import CASES, LICENCES
        from allied.core.queue import register_source

        register_source(CASES)
        register_source(LICENCES)
