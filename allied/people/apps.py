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
