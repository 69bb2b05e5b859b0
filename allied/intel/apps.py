from django.apps import AppConfig


class IntelConfig(AppConfig):
    """Intelligence sharing: portion-marked products, tearlines, disclosure, requirements."""

    name = "allied.intel"
    label = "intel"
    verbose_name = "Intelligence sharing"
    default_auto_field = "django.db.models.BigAutoField"
