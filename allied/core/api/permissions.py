"""The one DRF permission class: a viewset's declared access, checked before any handler.

A viewset declares who may call it (``allied_access``), who may write through it
(``write_access``) and who may run each named action (``action_access``), as the pages do
(``allied.core.access``); ``DeclaredAccess`` refuses everyone else with 403 and the rule's reason
before the handler reads anything.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework import exceptions
from rest_framework.permissions import BasePermission


class DeclaredAccess(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        from allied.core.access import check_declared

        try:
            check_declared(request, view, getattr(view, "action", None))
        except PermissionDenied as refused:
            # DRF's own refusal, with the rule's reason: the browsable API asks the permissions
            # whether to offer a page's POST form and catches only DRF's exceptions.
            raise exceptions.PermissionDenied(str(refused)) from refused
        return True


__all__ = ["DeclaredAccess"]
