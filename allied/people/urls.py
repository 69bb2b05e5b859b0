"""People and ties: pages (namespace ``people``)."""

from django.urls import URLPattern, URLResolver, path

from allied.people.views import coverage, records

app_name = "people"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", coverage.coverage, name="coverage"),
    path("rotation/", coverage.rotation, name="rotation"),
    path("languages/", coverage.languages, name="languages"),
    path("network/", coverage.network, name="network"),
    path("pairs/<int:pk>/", coverage.pair_detail, name="pair-detail"),
    path("officials/", records.OfficialList.as_view(), name="official-list"),
    path("officials/<int:pk>/", records.OfficialDetail.as_view(), name="official-detail"),
    path("billets/<int:pk>/", records.BilletDetail.as_view(), name="billet-detail"),
    path("contacts/", records.ContactList.as_view(), name="contact-list"),
    path("contacts/new/", records.contact_create, name="contact-create"),
    path("contacts/<int:pk>/", records.ContactDetail.as_view(), name="contact-detail"),
]
