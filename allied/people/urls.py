"""People and ties: pages (namespace ``people``); also adds the people sections to home pages."""

from django.urls import URLPattern, URLResolver, path

from allied.core.home import Link, Section, register
from allied.core.models.principals import Role
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

_COVERAGE = Link("Crisis counterpart coverage", "people:coverage")
_ROTATION = Link("Rotation risk", "people:rotation")
_LANGUAGES = Link("Language coverage", "people:languages")
_NETWORK = Link("Network of ties", "people:network")
_CONTACTS = Link("Contact log", "people:contact-list")

register(
    Section(
        Role.PLANNER,
        "People who must work together in a crisis",
        "Whether the people now in each crisis pair of billets have met, which postings will "
        "break a pair, who speaks partners' languages, and where the network hangs on one person.",
        (_COVERAGE, _ROTATION, _LANGUAGES, _NETWORK, _CONTACTS),
    )
)
register(
    Section(
        Role.LIAISON_OFFICER,
        "Your nation's ties with the United States",
        "Your nation's crisis pairs, whether their holders have met, rotations that will break "
        "them, and the contact log, as far as each record is releasable to you.",
        (_COVERAGE, _ROTATION, _CONTACTS, _NETWORK),
    )
)
register(
    Section(
        Role.WORKING_GROUP,
        "Who knows whom",
        "Crisis counterpart coverage by partner and the people whose departure would cut a "
        "partner off.",
        (_COVERAGE, _NETWORK),
    )
)
