"""Foreign-disclosure pages, under /intel/disclosure/ in the ``intel`` namespace."""

from django.urls import path

from allied.core.home import Link, Section, register
from allied.core.models.principals import Role
from allied.intel.views import disclosure as views

urlpatterns = [
    path("", views.DisclosureQueue.as_view(), name="disclosure-queue"),
    path("requests/", views.MyDisclosureRequests.as_view(), name="disclosure-request-list"),
    path("requests/new/", views.request_create, name="disclosure-request-create"),
    path("requests/<int:pk>/", views.request_detail, name="disclosure-request-detail"),
    path("requests/<int:pk>/decide/", views.decide, name="disclosure-decide"),
    path("stats/", views.stats, name="disclosure-stats"),
    path("ceilings/", views.CeilingList.as_view(), name="ceiling-list"),
    path("ceilings/new/", views.ceiling_create, name="ceiling-create"),
    path("tiers/new/", views.trust_tier_set, name="trust-tier-set"),
]

register(
    Section(
        Role.DISCLOSURE_OFFICER,
        "Foreign disclosure",
        "Decide what goes to which partner: each request shows the partner's ceiling for the "
        "product's category, its trust tier, and what approval would make of every portion.",
        (
            Link("Disclosure queue", "intel:disclosure-queue"),
            Link("Time to decision", "intel:disclosure-stats"),
            Link("Ceilings and trust tiers", "intel:ceiling-list"),
        ),
    )
)
register(
    Section(
        Role.LIAISON_OFFICER,
        "More of a product for your nation",
        "Ask that more of a product you read in part be released to your nation, with your "
        "purpose; a U.S. disclosure officer decides.",
        (
            Link("Ask for more of a product", "intel:disclosure-request-create"),
            Link("Your disclosure requests", "intel:disclosure-request-list"),
        ),
    )
)
register(
    Section(
        Role.WORKING_GROUP,
        "Disclosure cycle time",
        "How long partners wait for disclosure decisions: median and 90th percentile, by "
        "partner and by officer.",
        (Link("Time to decision", "intel:disclosure-stats"),),
    )
)
