"""Intelligence pages: products, foreign disclosure, collection requirements, search (namespace
``intel``). The home-page sections that lead to them are registered in ``apps.py``."""

from django.urls import include, path

from allied.intel.views import agreements, analytics, disclosure, products, requirements, search

app_name = "intel"

products_urls = [
    path("", products.ProductList.as_view(), name="product-list"),
    path("new/", products.product_create, name="product-create"),
    path("check/portion/", products.portion_check, name="portion-check"),
    path("check/release/", products.release_check, name="release-check"),
    path("<int:pk>/", products.ProductDetail.as_view(), name="product-detail"),
    path("<int:pk>/edit/", products.product_edit, name="product-edit"),
    path("<int:pk>/export/", products.product_export, name="product-export"),
]

disclosure_urls = [
    path("", disclosure.DisclosureQueue.as_view(), name="disclosure-queue"),
    path("requests/", disclosure.MyDisclosureRequests.as_view(), name="disclosure-request-list"),
    path("requests/new/", disclosure.request_create, name="disclosure-request-create"),
    path("requests/<int:pk>/", disclosure.request_detail, name="disclosure-request-detail"),
    path("requests/<int:pk>/decide/", disclosure.decide, name="disclosure-decide"),
    path("stats/", disclosure.stats, name="disclosure-stats"),
    path("ceilings/", disclosure.CeilingList.as_view(), name="ceiling-list"),
    path("ceilings/new/", disclosure.ceiling_create, name="ceiling-create"),
    path("tiers/new/", disclosure.trust_tier_set, name="trust-tier-set"),
]

requirements_urls = [
    path("", requirements.RequirementList.as_view(), name="requirement-list"),
    path("new/", requirements.requirement_create, name="requirement-create"),
    path("overlaps/", requirements.RequirementOverlaps.as_view(), name="requirement-overlaps"),
    path("<int:pk>/", requirements.RequirementDetail.as_view(), name="requirement-detail"),
    path("<int:pk>/offer/", agreements.offer_create, name="requirement-offer"),
    path("coverage/", agreements.coverage_page, name="requirement-coverage"),
    path("agreements/", agreements.AgreementList.as_view(), name="agreement-list"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement-detail"),
]

search_urls = [
    path("", search.search_page, name="search"),
]

urlpatterns = [
    path("products/", include(products_urls)),
    path("disclosure/", include(disclosure_urls)),
    path("requirements/", include(requirements_urls)),
    path("search/", include(search_urls)),
    path("analytics/", analytics.analytics, name="analytics"),
]
