"""Collection requirements: list, register, read, overlaps (namespace ``intel``).

Also adds the requirements, overlaps and search to the home page of liaison officers, authors
and planners.
"""

from django.urls import path

from allied.core.home import Link, Section, register
from allied.core.models.principals import Role
from allied.intel.views import requirements as views

urlpatterns = [
    path("", views.RequirementList.as_view(), name="requirement-list"),
    path("new/", views.requirement_create, name="requirement-create"),
    path("overlaps/", views.RequirementOverlaps.as_view(), name="requirement-overlaps"),
    path("<int:pk>/", views.RequirementDetail.as_view(), name="requirement-detail"),
]

_REQUIREMENTS = Link("Collection requirements", "intel:requirement-list")
_REGISTER = Link("Register a need or a collection", "intel:requirement-create")
_OVERLAPS = Link("Overlaps between partners", "intel:requirement-overlaps")
_SEARCH = Link("Search", "intel:search")

register(
    Section(
        Role.LIAISON_OFFICER,
        "Divide the collection work",
        "Register what your nation needs and what it already collects, and see where partners "
        "ask for or collect the same thing, among the entries releasable to you.",
        (_REGISTER, _OVERLAPS, _REQUIREMENTS, _SEARCH),
    )
)
register(
    Section(
        Role.AUTHOR,
        "Write to what partners need",
        "Search products and requirements, and see which partners need or already collect what "
        "you write about.",
        (_SEARCH, _REQUIREMENTS, _OVERLAPS),
    )
)
register(
    Section(
        Role.PLANNER,
        "Who collects what",
        "Needs and collections of every partner releasable to you, and where they overlap, so "
        "that nations can divide the work.",
        (_OVERLAPS, _REQUIREMENTS, _SEARCH),
    )
)
