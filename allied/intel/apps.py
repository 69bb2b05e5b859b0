from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from allied.core.home import Section


class IntelConfig(AppConfig):
    """Intelligence sharing: portion-marked products, tearlines, disclosure, requirements."""

    name = "allied.intel"
    label = "intel"
    verbose_name = "Intelligence sharing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allied.core.home import register
        from allied.core.queue import register_source
        from allied.intel.queue import DISCLOSURE

        register_source(DISCLOSURE)
        for section in _home_sections():
            register(section)


def _home_sections() -> list[Section]:
    """Intel's home-page sections, in the order the home page shows them: products, disclosure,
    requirements, analytics."""
    return [
        *_product_sections(),
        *_disclosure_sections(),
        *_requirement_sections(),
        *_analytics_sections(),
    ]


def _product_sections() -> list[Section]:
    from allied.core.home import Link, Section
    from allied.core.models.principals import Role

    read = Link("Intelligence products", "intel:product-list")
    return [
        Section(
            Role.AUTHOR,
            "Write intelligence products",
            "Mark each portion as you type it: the banner and what every key partner would be "
            "given are worked out as you go, with the portions that block each release and why.",
            (Link("Write a product", "intel:product-create"), read),
        ),
        Section(
            Role.LIAISON_OFFICER,
            "Intelligence released to you",
            "Products with the portions releasable to your nation at your clearance, and your "
            "nation's tearlines: nothing else, and no sign of what is withheld.",
            (read,),
        ),
        *(
            Section(
                role,
                "Intelligence products",
                "Finished intelligence you may read, portion by portion, with each product's "
                "tearlines for partners.",
                (read,),
            )
            for role in (Role.DISCLOSURE_OFFICER, Role.WORKING_GROUP)
        ),
    ]


def _disclosure_sections() -> list[Section]:
    from allied.core.home import Link, Section
    from allied.core.models.principals import Role

    return [
        Section(
            Role.DISCLOSURE_OFFICER,
            "Foreign disclosure",
            "Decide what goes to which partner: each request shows the partner's ceiling for the "
            "product's category, its trust tier, and what approval would make of every portion.",
            (
                Link("Disclosure queue", "intel:disclosure-queue"),
                Link("Time to decision", "intel:disclosure-stats"),
                Link("Ceilings and trust tiers", "intel:ceiling-list"),
            ),
        ),
        Section(
            Role.LIAISON_OFFICER,
            "More of a product for your nation",
            "Ask that more of a product you read in part be released to your nation, with your "
            "purpose; a U.S. disclosure officer decides.",
            (
                Link("Ask for more of a product", "intel:disclosure-request-create"),
                Link("Your disclosure requests", "intel:disclosure-request-list"),
            ),
        ),
        Section(
            Role.WORKING_GROUP,
            "Disclosure cycle time",
            "How long partners wait for disclosure decisions: median and 90th percentile, by "
            "partner and by officer.",
            (Link("Time to decision", "intel:disclosure-stats"),),
        ),
    ]


def _requirement_sections() -> list[Section]:
    """Collection requirements and search."""
    from allied.core.home import Link, Section
    from allied.core.models.principals import Role

    requirements = Link("Collection requirements", "intel:requirement-list")
    register_need = Link("Register a need or a collection", "intel:requirement-create")
    overlaps = Link("Overlaps between partners", "intel:requirement-overlaps")
    search = Link("Search", "intel:search")
    return [
        Section(
            Role.LIAISON_OFFICER,
            "Divide the collection work",
            "Register what your nation needs and what it already collects, and see where partners "
            "ask for or collect the same thing, among the entries releasable to you.",
            (register_need, overlaps, requirements, search),
        ),
        Section(
            Role.AUTHOR,
            "Write to what partners need",
            "Search products and requirements, and see which partners need or already collect "
            "what you write about.",
            (search, requirements, overlaps),
        ),
        Section(
            Role.PLANNER,
            "Who collects what",
            "Needs and collections of every partner releasable to you, and where they overlap, so "
            "that nations can divide the work.",
            (overlaps, requirements, search),
        ),
    ]


def _analytics_sections() -> list[Section]:
    from allied.core.home import Link, Section
    from allied.core.models.principals import Role

    return [
        Section(
            role,
            "How much reaches partners",
            "The share of products each partner could be given, the markings that block release "
            "most often, the NOFORN share over time and disclosure cycle time.",
            (Link("Intelligence analytics", "intel:analytics"),),
        )
        for role in (Role.DISCLOSURE_OFFICER, Role.WORKING_GROUP)
    ]
