"""Coordination bulletins: list, read and write, each through the restricted base."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.urls import reverse
from django.views.generic import DetailView, ListView

from allied.core.edit import RestrictedEditView
from allied.core.forms import BulletinForm
from allied.core.models import Bulletin
from allied.core.restricted import RestrictedMixin


class BulletinList(RestrictedMixin, ListView):
    model = Bulletin
    paginate_by = 50
    template_name = "core/bulletin_list.html"

    def get_queryset(self) -> Any:
        return self.restricted_queryset().select_related("marking").order_by("-created", "-pk")


class BulletinDetail(RestrictedMixin, DetailView):
    model = Bulletin
    template_name = "core/bulletin_detail.html"


class BulletinCreate(RestrictedEditView):
    """Write a bulletin; one its author could not read back (a marking above them) is refused."""

    model = Bulletin
    form_class = BulletinForm
    template_name = "core/bulletin_form.html"
    what = "a bulletin"

    def prepare(self, obj: Bulletin) -> None:
        obj.author = self.request.user

    def get_success_url(self) -> str:
        messages.success(self.request, "Bulletin saved.")
        return reverse("bulletin-detail", kwargs={"pk": self.object.pk})
