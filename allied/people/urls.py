"""People and ties: pages (namespace ``people``)."""

from django.urls import URLPattern, URLResolver, path

from allied.people.views import coverage, edit, records

app_name = "people"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", coverage.coverage, name="coverage"),
    path("rotation/", coverage.rotation, name="rotation"),
    path("languages/", coverage.languages, name="languages"),
    path("network/", coverage.network, name="network"),
    path("pairs/<int:pk>/", coverage.pair_detail, name="pair-detail"),
    path("officials/", records.OfficialList.as_view(), name="official-list"),
    path("officials/new/", edit.OfficialEdit.as_view(), name="official-create"),
    path("officials/<int:pk>/edit/", edit.OfficialEdit.as_view(), name="official-edit"),
    path("billets/", records.BilletList.as_view(), name="billet-list"),
    path("billets/new/", edit.BilletEdit.as_view(), name="billet-create"),
    path("billets/<int:pk>/edit/", edit.BilletEdit.as_view(), name="billet-edit"),
    path("postings/new/", edit.PostingEdit.as_view(), name="posting-create"),
    path("postings/<int:pk>/edit/", edit.PostingEdit.as_view(), name="posting-edit"),
    path("pairs/new/", edit.CrisisPairEdit.as_view(), name="pair-create"),
    path("pairs/<int:pk>/edit/", edit.CrisisPairEdit.as_view(), name="pair-edit"),
    path("language-results/new/", edit.LanguageSkillEdit.as_view(), name="language-create"),
    path("language-results/<int:pk>/edit/", edit.LanguageSkillEdit.as_view(), name="language-edit"),
    path("officials/<int:pk>/", records.OfficialDetail.as_view(), name="official-detail"),
    path("billets/<int:pk>/", records.BilletDetail.as_view(), name="billet-detail"),
    path("contacts/", records.ContactList.as_view(), name="contact-list"),
    path("contacts/new/", records.contact_create, name="contact-create"),
    path("contacts/<int:pk>/", records.ContactDetail.as_view(), name="contact-detail"),
]
