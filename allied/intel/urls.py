"""Intelligence pages: products, foreign disclosure, collection requirements, search."""

from django.urls import include, path

app_name = "intel"
urlpatterns = [
    path("products/", include("allied.intel.urls_products")),
    path("disclosure/", include("allied.intel.urls_disclosure")),
    path("requirements/", include("allied.intel.urls_requirements")),
    path("search/", include("allied.intel.urls_search")),
]
