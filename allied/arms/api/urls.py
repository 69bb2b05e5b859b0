"""The arms-sales API under /api/arms/: cases (``allied.arms.api.cases``), licences
(``allied.arms.api.licences``) and the notification engine (``allied.arms.api.notification``).
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from allied.arms.api.cases import CaseViewSet
from allied.arms.api.licences import LicenceViewSet
from allied.arms.api.notification import NotificationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cases", CaseViewSet, basename="arms-case")
router.register("licences", LicenceViewSet, basename="arms-licence")
router.register("notification", NotificationViewSet, basename="arms-notification")

urlpatterns = router.urls
