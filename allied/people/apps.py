from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """People and ties: officials, postings, languages, contacts, crisis counterparts."""

    name = "allied.people"
    label = "people"
    verbose_name = "People and ties"
    default_auto_field = "django.db.models.BigAutoField"
