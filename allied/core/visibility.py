"""Who is looking, told to the database for the current transaction.

The row-level security policies (``allied.core.rls``) read the viewer from transaction-local
settings (``allied.level``, ``allied.codes``, ``allied.accesses``), or a named ``system_access``
context from ``allied.system``. ``bind_viewer`` sends a viewer's settings once per transaction;
with none sent, the policies show nothing: the wall fails closed.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from allied.core import txmemo
from allied.markings.access import Viewer

logger = logging.getLogger("allied.visibility")

# Settings read by the policy function (``allied.core.rls``); all transaction-local
# (set_config(..., true)).
SETTING_LEVEL = "allied.level"
SETTING_CODES = "allied.codes"
SETTING_ACCESSES = "allied.accesses"
SETTING_SYSTEM = "allied.system"


def viewer_settings(viewer: Viewer, on: date) -> dict[str, str]:
    """The transaction-local settings that describe ``viewer`` to the policies."""
    codes = ["USA"] if viewer.is_us else [viewer.nation, *sorted(viewer.communities_on(on))]
    return {
        SETTING_LEVEL: str(int(viewer.clearance)),
        SETTING_CODES: "{" + ",".join(codes) + "}",
        SETTING_ACCESSES: json.dumps(sorted(viewer.held_accesses())),
        SETTING_SYSTEM: "off",
    }


def _set_local(using: str, values: dict[str, str]) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        # Outside a transaction a local setting would vanish with the statement: the policies
        # then see no viewer and show nothing, which is the safe failure.
        return
    names = list(values)
    sql = "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names)
    params: list[Any] = []
    for name in names:
        params += [name, values[name]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


_BINDING = "allied.visibility.binding"


def bind_viewer(viewer: Viewer, on: date, using: str | None = None) -> None:
    """Tell the database, for the rest of the current transaction, who is looking.

    Sent once per transaction and viewer: a second restricted queryset for the same settings in
    the same transaction sends nothing (``allied.core.txmemo`` knows when the transaction, or a
    savepoint the settings were sent in, has ended). The settings stay transaction-local, so a
    pooled connection (PgBouncer in transaction mode) carries nothing to the next request.
    """
    alias = using or DEFAULT_DB_ALIAS
    connection = connections[alias]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    values = viewer_settings(viewer, on)
    if txmemo.recall(_BINDING, alias) == values:
        return
    _set_local(alias, values)
    txmemo.remember(_BINDING, values, alias)


def on_system_access(access: Any) -> None:
    logger.info("system access opened: %s", access.reason)
    _set_local(DEFAULT_DB_ALIAS, {SETTING_SYSTEM: "on"})
    txmemo.forget(_BINDING, DEFAULT_DB_ALIAS)


def on_system_access_end(access: Any) -> None:
    _set_local(DEFAULT_DB_ALIAS, {SETTING_SYSTEM: "off"})
    txmemo.forget(_BINDING, DEFAULT_DB_ALIAS)
