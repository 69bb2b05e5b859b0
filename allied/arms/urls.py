"""Arms sales: pages."""

from django.urls import URLPattern, URLResolver

app_name = "arms"
urlpatterns: list[URLPattern | URLResolver] = []
