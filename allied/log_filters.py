"""Logging filters. Kept free of Django imports so the logging config can load it at any time."""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# key=value, key: value, "key": "value" for any key that names a credential.
_SECRET_WORDS = r"password|passwd|pwd|secret|token|api[_-]?key|authorization|sessionid|csrftoken"
_KEY_VALUE = re.compile(
    rf"""(?P<key>["']?[\w-]*(?:{_SECRET_WORDS})[\w-]*["']?)"""
    r"""(?P<sep>\s*[:=]\s*)"""
    # An Authorization header's scheme (Token, Bearer, Basic) is blanked with its credential.
    r"""(?P<value>(?:(?:token|bearer|basic)\s+)?(?:"[^"]*"|'[^']*'|[^\s&,;]+))""",
    re.IGNORECASE,
)
# The password in a URL such as postgres://user:password@host/db.
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(?P<at>@)", re.IGNORECASE
)


def redact(text: str) -> str:
    """Blank anything in ``text`` that looks like a password, token or secret."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{REDACTED}{m['at']}", text)
    return _KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrite every record's message with credentials blanked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
