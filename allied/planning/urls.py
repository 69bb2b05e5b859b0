"""Coalition planning pages (namespace ``planning``); the landing page is ``plan-list``.

Also adds planning to the home page of planners.
"""

from django.urls import URLPattern, URLResolver, path

from allied.core.home import Link, Section, register
from allied.core.models.principals import Role
from allied.planning import views, views_authoring, views_registry

app_name = "planning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.PlanList.as_view(), name="plan-list"),
    path("new/", views_authoring.plan_create, name="plan-create"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", views_authoring.plan_edit, name="plan-edit"),
    path("<int:pk>/phases/new/", views_authoring.phase_create, name="phase-create"),
    path("<int:pk>/tasks/new/", views_authoring.task_create, name="task-create"),
    path("tasks/<int:pk>/edit/", views_authoring.task_edit, name="task-edit"),
    path("tasks/<int:pk>/assign/", views_authoring.assignment_create, name="assignment-create"),
    path(
        "assignments/<int:pk>/remove/",
        views_authoring.assignment_delete,
        name="assignment-delete",
    ),
    path("<int:pk>/readiness/", views.plan_readiness, name="plan-readiness"),
    path("<int:pk>/proposal/", views.plan_proposal, name="plan-proposal"),
    path("<int:pk>/assumptions/new/", views.assumption_create, name="assumption-create"),
    path("capabilities/", views_registry.CapabilityList.as_view(), name="capability-list"),
    path("capabilities/new/", views_registry.capability_create, name="capability-create"),
    path("willingness/", views_registry.WillingnessList.as_view(), name="willingness-list"),
    path("willingness/new/", views_registry.willingness_create, name="willingness-create"),
    path("requests/", views_registry.RequestList.as_view(), name="request-list"),
    path("requests/new/", views_registry.request_create, name="request-create"),
    path("requests/<int:pk>/", views_authoring.request_detail, name="request-detail"),
]

register(
    Section(
        Role.PLANNER,
        "Plan as a coalition",
        "Plans with the roles of every partner, what each partner holds and is willing to do, "
        "the readiness report of each plan and the optimiser's proposal, as far as each is "
        "releasable to you.",
        (
            Link("Plans", "planning:plan-list"),
            Link("Capability registry", "planning:capability-list"),
            Link("Willingness", "planning:willingness-list"),
            Link("Planning requests", "planning:request-list"),
        ),
    )
)
