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
        self.add_home_sections()

    def add_home_sections(self) -> None:
        """The arms-sales sections of the home page of case managers, purchasers, liaison
        officers and the working group."""
        from allied.core.home import Link, Section, register
        from allied.core.models.principals import Role

        cases = Link("FMS cases", "arms:case-list")
        lor = Link("Check a draft letter of request", "arms:lor-check")
        coordinated = Link("Coordinated cases", "arms:group-list")
        analytics = Link("Bottlenecks", "arms:analytics")
        notification = Link("Congressional notification", "arms:notification")
        licences = Link("DCS licences", "arms:licence-list")
        import_book = Link("Import a case book", "arms:case-import")

        register(
            Section(
                Role.CASE_MANAGER,
                "Move FMS cases",
                "Every case's stage, owner and blockers; complete stages, see where coordinated "
                "cases wait on each other, and whether a sale needs notification to Congress.",
                (cases, coordinated, analytics, notification, licences, import_book),
            )
        )
        register(
            Section(
                Role.PURCHASER,
                "Your nation's FMS cases",
                "Your cases' status, anticipated offer dates and the blockers releasable to you; "
                "check a letter of request before you send it.",
                (cases, lor, licences),
            )
        )
        register(
            Section(
                Role.LIAISON_OFFICER,
                "Arms sales for your nation",
                "Your nation's FMS cases and DCS licences as far as they are releasable to you.",
                (cases, coordinated, lor),
            )
        )
        register(
            Section(
                Role.WORKING_GROUP,
                "Arms-sales bottlenecks",
                "Where FMS cases wait, by stage, agency, partner and review, and what pending "
                "bills would change.",
                (analytics, notification, cases),
            )
        )
