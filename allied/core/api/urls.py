from rest_framework.routers import DefaultRouter

from allied.core.api.views import BulletinViewSet, CommunityViewSet, NationViewSet

router = DefaultRouter()
router.register("nations", NationViewSet, basename="nation")
router.register("communities", CommunityViewSet, basename="community")
router.register("bulletins", BulletinViewSet, basename="bulletin")

urlpatterns = router.urls
