"""The planning API under /api/planning/: plans, phases, tasks, assignments and assumptions
(``allied.planning.api.plans``), capabilities and willingness (``allied.planning.api.registry``),
planning requests (``allied.planning.api.requests``); writes in ``allied.planning.api.writing``.
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from allied.planning.api.answers import RoleAnswerViewSet
from allied.planning.api.plans import (
    AssignmentViewSet,
    AssumptionViewSet,
    PhaseViewSet,
    PlanViewSet,
    TaskViewSet,
)
from allied.planning.api.registry import CapabilityViewSet, WillingnessViewSet
from allied.planning.api.requests import RequestViewSet

router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("phases", PhaseViewSet, basename="phase")
router.register("tasks", TaskViewSet, basename="task")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("assumptions", AssumptionViewSet, basename="assumption")
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("willingness", WillingnessViewSet, basename="willingness")
router.register("requests", RequestViewSet, basename="request")
router.register("role-answers", RoleAnswerViewSet, basename="role-answer")

urlpatterns = router.urls
