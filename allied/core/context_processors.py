"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from allied.core.navigation import Navigation
from allied.core.restricted import PageBanner


def site(request: HttpRequest) -> dict[str, object]:
    """The site name, the page's classification banner and the navigation the person may use.

    The banner is the roll-up of the markings of everything the view showed this viewer
    (``allied.core.restricted.show``); it is computed when the template first renders it, after the
    view has run. A page that showed nothing marked reads UNCLASSIFIED.
    """
    return {
        "site_name": "Allied",
        "classification_banner": PageBanner(request),
        "navigation": Navigation(request),
    }
