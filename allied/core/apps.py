from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Nations, the communities they belong to, and the pages every other app builds on."""

    name = "allied.core"
    label = "core"
    verbose_name = "Allied core"
    default_auto_field = "django.db.models.BigAutoField"
