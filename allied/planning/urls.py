"""Coalition planning pages (namespace ``planning``); the landing page is ``plan-list``.

The planners' section of the home page is added in ``PlanningConfig.ready``.
"""

from django.urls import URLPattern, URLResolver, path

from allied.planning.views import authoring, plans, registry, roles

app_name = "planning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", plans.PlanList.as_view(), name="plan-list"),
    path("new/", authoring.plan_create, name="plan-create"),
    path("<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", authoring.plan_edit, name="plan-edit"),
    path("<int:pk>/phases/new/", authoring.phase_create, name="phase-create"),
    path("<int:pk>/tasks/new/", authoring.task_create, name="task-create"),
    path("tasks/<int:pk>/edit/", authoring.task_edit, name="task-edit"),
    path("tasks/<int:pk>/assign/", authoring.assignment_create, name="assignment-create"),
    path(
        "assignments/<int:pk>/remove/",
        authoring.assignment_delete,
        name="assignment-delete",
    ),
    path("roles/<int:pk>/", roles.role_detail, name="role-detail"),
    path("<int:pk>/validate/", roles.plan_validate, name="plan-validate"),
    path("<int:pk>/readiness/", plans.plan_readiness, name="plan-readiness"),
    path("<int:pk>/proposal/", plans.plan_proposal, name="plan-proposal"),
    path("<int:pk>/assumptions/new/", plans.assumption_create, name="assumption-create"),
    path("capabilities/", registry.CapabilityList.as_view(), name="capability-list"),
    path("capabilities/new/", registry.capability_create, name="capability-create"),
    path("willingness/", registry.WillingnessList.as_view(), name="willingness-list"),
    path("willingness/new/", registry.willingness_create, name="willingness-create"),
    path("requests/", registry.RequestList.as_view(), name="request-list"),
    path("requests/new/", registry.request_create, name="request-create"),
    path("requests/<int:pk>/", authoring.request_detail, name="request-detail"),
]
