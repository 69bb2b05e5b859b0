"""What each role's home page offers. Modules add their own sections with ``register``.

A section names the role it serves, a heading, a sentence on what the person does there and the
pages it links to; only sections for the signed-in person's roles are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from allied.core.models.principals import Role


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Section:
    role: Role
    heading: str
    text: str
    links: tuple[Link, ...]


SECTIONS: list[Section] = [
    Section(
        Role.AUTHOR,
        "Write for partners",
        "Mark what you write so that it reaches every partner it may: each marking is checked "
        "as you save it, and anything you could not read back yourself is refused.",
        (Link("Write a bulletin", "bulletin-create"), Link("Bulletins", "bulletin-list")),
    ),
    Section(
        Role.LIAISON_OFFICER,
        "Your nation's window",
        "Everything here is what is releasable to your nation at your clearance, and nothing "
        "else: lists, counts and searches alike.",
        (Link("Bulletins released to you", "bulletin-list"), Link("Partners", "partners")),
    ),
    Section(
        Role.WORKING_GROUP,
        "Every allied request in one place",
        "The institutions and partners your requests come from, and what each institution "
        "leaves out.",
        (Link("Institutions", "institutions"), Link("Partners", "partners")),
    ),
    Section(
        Role.ADMINISTRATOR,
        "Registry and accounts",
        "Institutions and their members, security agreements; accounts are managed with the "
        "allied command (allied token, allied registry).",
        (Link("Institutions", "institutions"), Link("Partners", "partners")),
    ),
]


def register(section: Section) -> None:
    """Add a section (once: registering the same role and heading again changes nothing)."""
    if not any(s.role == section.role and s.heading == section.heading for s in SECTIONS):
        SECTIONS.append(section)


def home_sections(principal: Any, request: Any = None) -> list[Section]:
    """The sections for ``principal``'s roles; with ``request``, each offers only the links whose
    pages would answer that person (the rule each page's view declares, as the navigation)."""
    if principal is None:
        return []
    sections = [s for s in SECTIONS if principal.has_role(s.role)]
    if request is None:
        return sections
    from dataclasses import replace

    from allied.core.access import may_open

    return [
        replace(s, links=tuple(link for link in s.links if may_open(request, link.url_name)))
        for s in sections
    ]
