"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

# Every page served today shows only public registry data. When marked data arrives, the banner
# must come from the markings engine for what the page holds, not from this constant.
UNCLASSIFIED_BANNER = {"label": "UNCLASSIFIED", "css_class": "allied-banner--unclassified"}


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_name": "Allied", "classification_banner": UNCLASSIFIED_BANNER}
