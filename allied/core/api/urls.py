from rest_framework.routers import DefaultRouter

from allied.core.api.views import CommunityViewSet, NationViewSet

router = DefaultRouter()
router.register("nations", NationViewSet, basename="nation")
router.register("communities", CommunityViewSet, basename="community")

urlpatterns = router.urls
