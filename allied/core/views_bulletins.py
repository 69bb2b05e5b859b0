"""Coordination bulletins: list, read and write, each through the restricted base."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView, ListView

from allied.core.forms import BulletinForm
from allied.core.models import Bulletin, NotVisibleAfterWrite
from allied.core.restricted import RestrictedMixin, restricted_save, restricted_view


class BulletinList(RestrictedMixin, ListView):  # type: ignore[type-arg]
    model = Bulletin
    paginate_by = 50
    template_name = "core/bulletin_list.html"

    def get_queryset(self) -> Any:
        return self.restricted_queryset().select_related("marking").order_by("-created", "-pk")


class BulletinDetail(RestrictedMixin, DetailView):  # type: ignore[type-arg]
    model = Bulletin
    template_name = "core/bulletin_detail.html"


@restricted_view
def bulletin_create(request: HttpRequest) -> HttpResponse:
    """Write a bulletin; one its author could not read back (a marking above them) is refused."""
    form = BulletinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bulletin = Bulletin(
            title=form.cleaned_data["title"], body=form.cleaned_data["body"], author=request.user
        )
        bulletin.set_marking(form.cleaned_data["marking"])
        try:
            restricted_save(request, bulletin)
        except NotVisibleAfterWrite:
            form.add_error(
                "marking",
                "You could not read a bulletin with this marking, so you cannot write one. "
                "Nothing was saved.",
            )
        else:
            messages.success(request, "Bulletin saved.")
            return redirect("bulletin-detail", pk=bulletin.pk)
    return render(
        request, "core/bulletin_form.html", {"form": form}, status=400 if form.errors else 200
    )
