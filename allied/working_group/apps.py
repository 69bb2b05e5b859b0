from django.apps import AppConfig


class WorkingGroupConfig(AppConfig):
    """The working group: one prioritised queue of allied requests, guidance, the weekly brief."""

    name = "allied.working_group"
    label = "working_group"
    verbose_name = "Working group"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allied.core.queue import register_source
        from allied.working_group import brief, entries, queue

        brief.connect_invalidation()

        register_source(queue.FREEFORM)
        # After every module registered its sources (this app is installed last).
        entries.connect()
        _register_home_sections()


def _register_home_sections() -> None:
    """The working group's sections of the home pages."""
    from allied.core.home import Link, Section, register
    from allied.core.models.principals import Role

    register(
        Section(
            Role.WORKING_GROUP,
            "The queue of allied requests",
            "Every open request from every module, ranked by the priorities the group sets, "
            "each score shown with its parts; guidance given to partners and where it "
            "conflicts; the weekly brief.",
            (
                Link("Queue", "wg:queue"),
                Link("Partner priorities and targets", "wg:priorities"),
                Link("Guidance log", "wg:guidance"),
                Link("Conflicts and overdue commitments", "wg:conflicts"),
                Link("Weekly brief", "wg:brief"),
            ),
        )
    )
    register(
        Section(
            Role.LIAISON_OFFICER,
            "Your nation's requests",
            "Where your nation's requests stand (disclosure, arms sales, planning, liaison, "
            "training and exercises), as far as it is releasable to you, and a form to open a "
            "new one.",
            (
                Link("Status of your requests", "wg:status"),
                Link("Open a request", "wg:request-create"),
            ),
        )
    )
