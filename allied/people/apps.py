"""People and ties: officials, postings, languages, contacts, crisis counterparts."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """People and ties: officials, postings, languages, contacts, crisis counterparts."""

    name = "allied.people"
    label = "people"
    verbose_name = "People and ties"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the signals that keep the derived pair rows in step with contacts.
        from allied.people import derived  # noqa: F401

        _register_home_sections()


def _register_home_sections() -> None:
    """The people sections of the home pages."""
    from allied.core.home import Link, Section, register
    from allied.core.models.principals import Role

    coverage = Link("Crisis counterpart coverage", "people:coverage")
    rotation = Link("Rotation risk", "people:rotation")
    languages = Link("Language coverage", "people:languages")
    network = Link("Network of ties", "people:network")
    contacts = Link("Contact log", "people:contact-list")

    register(
        Section(
            Role.PLANNER,
            "People who must work together in a crisis",
            "Whether the people now in each crisis pair of billets have met, which postings will "
            "break a pair, who speaks partners' languages, and where the network hangs on one "
            "person.",
            (coverage, rotation, languages, network, contacts),
        )
    )
    register(
        Section(
            Role.LIAISON_OFFICER,
            "Your nation's ties with the United States",
            "Your nation's crisis pairs, whether their holders have met, rotations that will "
            "break them, and the contact log, as far as each record is releasable to you.",
            (coverage, rotation, contacts, network),
        )
    )
    register(
        Section(
            Role.WORKING_GROUP,
            "Who knows whom",
            "Crisis counterpart coverage by partner and the people whose departure would cut a "
            "partner off.",
            (coverage, network),
        )
    )
