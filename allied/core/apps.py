from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from allied.core.models.marked import SystemAccess


class CoreConfig(AppConfig):
    """Nations, the communities they belong to, and the pages every other app builds on."""

    name = "allied.core"
    label = "core"
    verbose_name = "Allied core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from allied.core import (
            audit,  # noqa: F401 - connects the sign-in audit receivers
            security,  # noqa: F401 - notes each sign-in's time in its session
        )

        post_migrate.connect(_install_rls, dispatch_uid="allied-install-rls")
        _forget_principals_on_change()
        _audit_system_access()


def _forget_principals_on_change() -> None:
    """A write to who someone is (principal) or what their nation belongs to (memberships,
    nations, communities) makes every principal and membership list remembered by a transaction
    be read again (``allied.core.models.identity.identity_changed``)."""
    from django.db.models.signals import post_delete, post_save

    from allied.core.models import Community, Membership, Nation, Principal
    from allied.core.models.identity import identity_changed

    for model in (Principal, Membership, Nation, Community):
        for signal in (post_save, post_delete):
            signal.connect(
                identity_changed, sender=model, dispatch_uid=f"allied-identity-{model.__name__}"
            )


def _audit_system_access() -> None:
    """Every ``system_access`` opened inside a transaction writes a ``system_access`` entry with
    its reason to the audit log."""
    from allied.core.models.marked import SYSTEM_ACCESS_HOOKS

    if _record_system_access not in SYSTEM_ACCESS_HOOKS:
        SYSTEM_ACCESS_HOOKS.append(_record_system_access)


def _record_system_access(access: SystemAccess) -> None:
    from django.db import DEFAULT_DB_ALIAS, connections

    from allied.core import audit

    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        audit.record("system_access", detail={"reason": access.reason})


def _install_rls(sender: object, using: str = "default", **kwargs: object) -> None:
    """After every migration, put every marked table behind the releasability policy."""
    if getattr(sender, "label", None) != "core":
        return
    from allied.core.rls import install_rls

    install_rls(using)
