"""The intelligence API under /api/intel/: each area registers its own viewsets."""

from django.urls import include, path

urlpatterns = [
    path("", include("allied.intel.api.products")),
    path("", include("allied.intel.api.disclosure")),
    path("", include("allied.intel.api.requirements")),
    path("", include("allied.intel.api.agreements")),
]
