from django.apps import AppConfig


class WorkingGroupConfig(AppConfig):
    """The working group: one prioritised queue of allied requests, guidance, the weekly brief."""

    name = "allied.working_group"
    label = "working_group"
    verbose_name = "Working group"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allied.core.queue import register_source
        from allied.working_group import brief, entries, sources

        brief.connect_invalidation()

        register_source(sources.FREEFORM)
        # After every module registered its sources (this app is installed last).
        entries.connect()
