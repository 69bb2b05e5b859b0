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
        self.add_home_sections()

    def add_home_sections(self) -> None:
        """Planning on the home page of planners."""
        from allied.core.home import Link, Section, register
        from allied.core.models.principals import Role

        register(
            Section(
                Role.PLANNER,
                "Plan as a coalition",
                "Plans with the roles of every partner, what each partner holds and is willing to "
                "do, the readiness report of each plan and the optimiser's proposal, as far as "
                "each is releasable to you.",
                (
                    Link("Plans", "planning:plan-list"),
                    Link("Capability registry", "planning:capability-list"),
                    Link("Willingness", "planning:willingness-list"),
                    Link("Planning requests", "planning:request-list"),
                ),
            )
        )
