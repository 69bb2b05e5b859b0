"""Intelligence pages: products, foreign disclosure, collection requirements, search."""

from django.urls import include, path

from allied.core.home import Link, Section, register
from allied.core.models.principals import Role
from allied.intel.views import analytics as views_analytics

app_name = "intel"
urlpatterns = [
    path("products/", include("allied.intel.urls_products")),
    path("disclosure/", include("allied.intel.urls_disclosure")),
    path("requirements/", include("allied.intel.urls_requirements")),
    path("search/", include("allied.intel.urls_search")),
    path("analytics/", views_analytics.analytics, name="analytics"),
]

for role in (Role.DISCLOSURE_OFFICER, Role.WORKING_GROUP):
    register(
        Section(
            role,
            "How much reaches partners",
            "The share of products each partner could be given, the markings that block release "
            "most often, the NOFORN share over time and disclosure cycle time.",
            (Link("Intelligence analytics", "intel:analytics"),),
        )
    )
