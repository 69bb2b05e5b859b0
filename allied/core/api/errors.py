"""The API's answer to a refused write, in one place (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

* A row its author could not read back (``NotVisibleAfterWrite``): 400 on the marking, with
  "nothing was saved", as any other bad field.
* A stale version (``StaleVersion``): 409 with the reason and the version stored now.

Everything else is DRF's own answer. The write's transaction has already rolled back.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from allied.core.edit import StaleVersion
from allied.core.models.marked import NotVisibleAfterWrite


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotVisibleAfterWrite):
        return Response({"marking": [f"{exc}; nothing was saved."]}, status=400)
    if isinstance(exc, StaleVersion):
        return Response({"detail": str(exc), "version": exc.current}, status=exc.status_code)
    return drf_exception_handler(exc, context)


__all__ = ["exception_handler"]
