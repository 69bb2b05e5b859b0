from django.urls import path

from allied.core import views, views_bulletins

urlpatterns = [
    path("", views.home, name="home"),
    path("institutions/", views.institutions, name="institutions"),
    path("partners/", views.partners, name="partners"),
    path("bulletins/", views_bulletins.BulletinList.as_view(), name="bulletin-list"),
    path("bulletins/new/", views_bulletins.BulletinCreate.as_view(), name="bulletin-create"),
    path("bulletins/<int:pk>/", views_bulletins.BulletinDetail.as_view(), name="bulletin-detail"),
]
