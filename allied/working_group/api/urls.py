"""The working group's API under /api/working-group/.

* ``queue/``: the ranked queue (working group only), each score with its parts; ``?partner=``,
  ``?kind=``, ``?escalated=true``, ``?limit=``, ``?offset=``.
* ``status/``: the caller's own nation's open requests (a U.S. caller names ``?partner=``).
* ``requests/``: liaison, training, exercise and other requests the caller may see.
* ``guidance/``: the guidance log (working group only).
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from allied.working_group.api.queue import QueueViewSet, StatusViewSet
from allied.working_group.api.records import FreeformRequestViewSet, GuidanceViewSet

router = DefaultRouter()
router.register("queue", QueueViewSet, basename="wg-queue")
router.register("status", StatusViewSet, basename="wg-status")
router.register("requests", FreeformRequestViewSet, basename="wg-request")
router.register("guidance", GuidanceViewSet, basename="wg-guidance")

urlpatterns = router.urls
