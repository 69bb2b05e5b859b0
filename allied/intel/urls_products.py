"""Intelligence product pages, and the home-page sections that lead to them."""

from django.urls import path

from allied.core.home import Link, Section, register
from allied.core.models import Role
from allied.intel.views import products as views

urlpatterns = [
    path("", views.ProductList.as_view(), name="product-list"),
    path("new/", views.product_create, name="product-create"),
    path("check/portion/", views.portion_check, name="portion-check"),
    path("check/release/", views.release_check, name="release-check"),
    path("<int:pk>/", views.ProductDetail.as_view(), name="product-detail"),
    path("<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("<int:pk>/export/", views.product_export, name="product-export"),
]

_READ = Link("Intelligence products", "intel:product-list")

register(
    Section(
        Role.AUTHOR,
        "Write intelligence products",
        "Mark each portion as you type it: the banner and what every key partner would be given "
        "are worked out as you go, with the portions that block each release and why.",
        (Link("Write a product", "intel:product-create"), _READ),
    )
)
register(
    Section(
        Role.LIAISON_OFFICER,
        "Intelligence released to you",
        "Products with the portions releasable to your nation at your clearance, and your "
        "nation's tearlines: nothing else, and no sign of what is withheld.",
        (_READ,),
    )
)
for role in (Role.DISCLOSURE_OFFICER, Role.WORKING_GROUP):
    register(
        Section(
            role,
            "Intelligence products",
            "Finished intelligence you may read, portion by portion, with each product's "
            "tearlines for partners.",
            (_READ,),
        )
    )
