"""Coalition planning pages (namespace ``planning``); the landing page is ``plan-list``.

Also adds planning to the home page of planners.
"""

from django.urls import URLPattern, URLResolver, path

from allied.core.home import Link, Section, register
from allied.core.models.principals import Role
from allied.planning import views, views_registry

app_name = "planning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.PlanList.as_view(), name="plan-list"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/readiness/", views.plan_readiness, name="plan-readiness"),
    path("<int:pk>/proposal/", views.plan_proposal, name="plan-proposal"),
    path("<int:pk>/assumptions/new/", views.assumption_create, name="assumption-create"),
    path("capabilities/", views_registry.CapabilityList.as_view(), name="capability-list"),
    path("capabilities/new/", views_registry.capability_create, name="capability-create"),
    path("willingness/", views_registry.WillingnessList.as_view(), name="willingness-list"),
    path("willingness/new/", views_registry.willingness_create, name="willingness-create"),
    path("requests/", views_registry.RequestList.as_view(), name="request-list"),
    path("requests/new/", views_registry.request_create, name="request-create"),
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
