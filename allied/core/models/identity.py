"""Who is looking, read once per transaction: what a transaction remembered about principals
and memberships, forgotten after any write to them (signals, and the bulk writes of their
querysets, which send none). Principals and the registry both build on it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from allied.core import txmemo

# Bumped by every write to a principal, a membership, a nation or a community (the receivers in
# allied.core.apps and the bulk writes of their querysets): what a transaction remembered about
# who is looking (``principal_for``, ``Principal.viewer``) is read again after it.
_GENERATION = [0]


def identity_changed(*args: Any, **kwargs: Any) -> None:
    """Forget every remembered principal and membership list (a signal receiver, too)."""
    _GENERATION[0] += 1


def remembered(key: tuple[Any, ...]) -> Any:
    entry = txmemo.recall(key)
    if entry is None or entry[0] != _GENERATION[0]:
        return None
    return entry[1]


def remember(key: tuple[Any, ...], value: Any) -> None:
    txmemo.remember(key, (_GENERATION[0], value))


class IdentityQuerySet(models.QuerySet[Any]):
    """Bulk writes, which send no signal, still make remembered principals be read again."""

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        identity_changed()
        try:
            return super().bulk_create(objs, *args, **kwargs)
        finally:
            identity_changed()

    def bulk_update(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> int:
        identity_changed()
        try:
            return super().bulk_update(objs, *args, **kwargs)
        finally:
            identity_changed()

    def update(self, **kwargs: Any) -> int:
        identity_changed()
        try:
            return super().update(**kwargs)
        finally:
            identity_changed()

    def delete(self) -> tuple[int, dict[str, int]]:
        identity_changed()
        try:
            return super().delete()
        finally:
            identity_changed()
