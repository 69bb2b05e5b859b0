"""Coordinated cases (``arms:group-list``, ``arms:group-detail``): cases of one capability side
by side, stage by stage, and where one waits on another, as far as the viewer may see them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.views.generic import DetailView, ListView

from allied.arms import access
from allied.arms.models import Case, CoordinationGroup
from allied.arms.rules.lifecycle import ORDER, STAGES, Stage
from allied.arms.views.cases import open_blockers_by_case, waiting_on
from allied.core.restricted import RestrictedMixin, show, viewer_of

# --- coordinated cases ----------------------------------------------------------------------------


class GroupList(RestrictedMixin, ListView):
    model = CoordinationGroup
    template_name = "arms/group_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return access.groups(viewer_of(self.request)).select_related("marking")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        groups = context["object_list"]
        members = (
            access.cases(viewer_of(self.request))
            .filter(group__in=[g.pk for g in groups])
            .select_related("marking")
        )
        by_group: dict[int, list[Case]] = defaultdict(list)
        for case in show(self.request, members):
            by_group[case.group_id].append(case)
        context["rows"] = [(g, by_group.get(g.pk, [])) for g in groups]
        return context


class GroupDetail(RestrictedMixin, DetailView):
    """Cases of one capability side by side, stage by stage, and where one waits on another."""

    model = CoordinationGroup
    template_name = "arms/group_detail.html"

    def get_queryset(self) -> Any:
        return access.groups(viewer_of(self.request)).select_related("marking")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        cases = list(
            show(
                self.request,
                access.cases(viewer_of(self.request))
                .filter(group=self.object)
                .select_related("marking", "partner")
                .order_by("partner_id"),
            )
        )
        blockers = open_blockers_by_case(self.request, [c.pk for c in cases])
        all_blockers = [b for found in blockers.values() for b in found]
        waits = waiting_on(self.request, all_blockers)
        furthest = max((ORDER[Stage(c.stage)] for c in cases), default=0)
        lanes = []
        for case in cases:
            position = ORDER[Stage(case.stage)]
            waiting = [
                (b, waits.get(b.waits_on_id)) for b in blockers.get(case.pk, []) if b.waits_on_id
            ]
            lanes.append(
                {
                    "case": case,
                    "position": position,
                    "behind": furthest - position,
                    "waiting": waiting,
                    "blockers": blockers.get(case.pk, []),
                }
            )
        context["lanes"] = lanes
        context["stages"] = [s for s in STAGES if s.stage not in (Stage.PRE_LOR,)]
        return context
