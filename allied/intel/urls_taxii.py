"""TAXII 2.1 routes (see ``views.taxii``)."""

from django.urls import path

from allied.intel.views import taxii as v

urlpatterns = [
    path("", v.discovery, name="taxii-discovery"),
    path("api/", v.api_root, name="taxii-api-root"),
    path("api/collections/", v.collections, name="taxii-collections"),
    path("api/collections/<str:collection_id>/", v.collection, name="taxii-collection"),
    path("api/collections/<str:collection_id>/objects/", v.objects, name="taxii-objects"),
    path("api/collections/<str:collection_id>/manifest/", v.manifest, name="taxii-manifest"),
    path(
        "api/collections/<str:collection_id>/objects/<str:object_id>/",
        v.object_detail,
        name="taxii-object",
    ),
    path(
        "api/collections/<str:collection_id>/objects/<str:object_id>/versions/",
        v.object_versions,
        name="taxii-object-versions",
    ),
]
