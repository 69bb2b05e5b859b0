"""Search over products and requirements (namespace ``intel``: ``intel:search``)."""

from django.urls import path

from allied.intel.views import search as views_search

urlpatterns = [
    path("", views_search.search_page, name="search"),
]
