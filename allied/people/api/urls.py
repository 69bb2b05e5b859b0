"""People and ties: the API under /api/people/."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from allied.people.api import records, summaries

router = DefaultRouter()
router.include_root_view = False
router.register("officials", records.OfficialViewSet, basename="people-official")
router.register("billets", records.BilletViewSet, basename="people-billet")
router.register("postings", records.PostingViewSet, basename="people-posting")
router.register("contacts", records.ContactViewSet, basename="people-contact")
router.register("pairs", records.CrisisPairViewSet, basename="people-pair")
router.register(
    "language-results", records.LanguageResultViewSet, basename="people-language-result"
)
router.register("coverage", summaries.CoverageViewSet, basename="people-coverage")
router.register("rotation", summaries.RotationViewSet, basename="people-rotation")
router.register("languages", summaries.LanguageViewSet, basename="people-languages")
router.register("network", summaries.NetworkViewSet, basename="people-network")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
