"""Remember a value for the rest of the current database transaction, and not a moment longer.

A request is one transaction (``ATOMIC_REQUESTS``), so what is remembered here is read once per
request: the viewer's row-level security settings (sent once, not once per restricted queryset)
and the signed-in person's principal and memberships (read once, not by every helper that needs
them).

A value is tied to a *token*: a no-op callback registered with ``transaction.on_commit``. Django
keeps that list exactly as long as the transaction's work: it empties it when the transaction
commits or rolls back, or when the connection closes, and drops the callbacks registered inside a
savepoint that is rolled back. So "the token is still in ``connection.run_on_commit``" is true
exactly while what was done next to it (a transaction-local ``set_config``, which PostgreSQL also
undoes on rollback to a savepoint) is still in force. Object identities are not used: Python
reuses the id of a finished object, which made an earlier way of remembering the binding skip a
``set_config`` it needed.

Outside a transaction nothing is remembered, and every caller reads or sends afresh.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


class _Token:
    """A callback that does nothing when the transaction commits; its presence is the point."""

    __slots__ = ()

    def __call__(self) -> None:
        return None


def _live(connection: Any, token: _Token) -> bool:
    return any(func is token for _, func, _ in connection.run_on_commit)


def recall(key: Any, using: str = DEFAULT_DB_ALIAS) -> Any:
    """The value remembered under ``key`` in the current transaction, or ``None``."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return None
    memo: dict[Any, tuple[_Token, Any]] = getattr(connection, "allied_memo", None) or {}
    entry = memo.get(key)
    if entry is None:
        return None
    token, value = entry
    if not _live(connection, token):
        del memo[key]
        return None
    return value


def remember(key: Any, value: Any, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Remember ``value`` under ``key`` until the current transaction (or savepoint) ends.

    Returns False, remembering nothing, outside a transaction.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        return False
    memo: dict[Any, tuple[_Token, Any]] | None = getattr(connection, "allied_memo", None)
    if memo is None:
        memo = {}
        connection.allied_memo = memo
    token = _Token()
    connection.on_commit(token)
    memo[key] = (token, value)
    return True


def forget(key: Any, using: str = DEFAULT_DB_ALIAS) -> None:
    """Forget ``key``: the next ``recall`` returns ``None`` whatever the transaction does."""
    memo = getattr(connections[using], "allied_memo", None)
    if memo:
        memo.pop(key, None)
