"""DCS licence pages (``arms:licence-list``, ``arms:licence-detail``): the licences the viewer
may see (a partner: its own nation's), with the notification decision for each.
"""

from __future__ import annotations

from typing import Any

from django.views.generic import DetailView, ListView

from allied.arms import access, cases
from allied.arms.models import Licence
from allied.core.restricted import RestrictedMixin, viewer_of

# --- DCS licences ---------------------------------------------------------------------------------


class LicenceList(RestrictedMixin, ListView):
    model = Licence
    template_name = "arms/licence_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return access.licences(viewer_of(self.request)).select_related("marking", "partner")


class LicenceDetail(RestrictedMixin, DetailView):
    model = Licence
    template_name = "arms/licence_detail.html"

    def get_queryset(self) -> Any:
        return access.licences(viewer_of(self.request)).select_related("marking", "partner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        from allied.arms.rules.notification import Channel

        context["decision"] = cases.decision_for(self.object, Channel.DCS)
        return context
