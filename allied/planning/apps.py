"""Coalition planning: partner capabilities and willingness, plans, checks, optimiser."""

from django.apps import AppConfig


class PlanningConfig(AppConfig):
    """Coalition planning: partner capabilities and willingness, plans, checks, optimiser."""

    name = "allied.planning"
    label = "planning"
    verbose_name = "Coalition planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allied.core.queue import register_source
        from allied.planning.queue import REQUESTS

        register_source(REQUESTS)
