"""Officials, billets and the contact log: lists, records and logging a contact.

Every page starts from the viewer's restricted queryset (``RestrictedMixin``), so a record the
viewer may not see answers 404 exactly like a missing one. Rows a record page shows beside it
(postings, languages, contacts, participants, pairs) are read through restricted querysets too,
with every joined marked row restricted (``ties.joined``): a visible posting to a hidden billet
is not shown, nor a visible contact's hidden participant.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import DetailView, ListView

from allied.core.access import access_required
from allied.core.edit import explained_on, saved, status_of, write_marked
from allied.core.restricted import RestrictedMixin, restricted_view, show, viewer_of
from allied.people import access, records, ties
from allied.people.forms import ContactForm
from allied.people.models import (
    Billet,
    Contact,
    LanguageSkill,
    Official,
    Participation,
    Posting,
)


class OfficialList(RestrictedMixin, ListView):
    """Officials releasable to the viewer; ``?nation=`` and ``?q=`` (name or organisation)."""

    allied_access = access.PEOPLE
    model = Official
    paginate_by = 50
    template_name = "people/official_list.html"

    def get_queryset(self) -> Any:
        rows = self.restricted_queryset().select_related("marking")
        nation = self.request.GET.get("nation", "").strip().upper()
        if len(nation) == 3 and nation.isalpha():
            rows = rows.filter(nation_id=nation)
        query = self.request.GET.get("q", "").strip()[:100]
        if query:
            rows = rows.filter(Q(name__icontains=query) | Q(organisation__icontains=query))
        return rows.order_by("nation_id", "name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["nation"] = self.request.GET.get("nation", "").strip().upper()[:3]
        context["q"] = self.request.GET.get("q", "").strip()[:100]
        context["may_write"] = access.may_write_people(self.request)
        return context


class OfficialDetail(RestrictedMixin, DetailView):
    """One official: languages, postings and contacts, each as far as releasable to the viewer."""

    allied_access = access.PEOPLE
    model = Official
    template_name = "people/official_detail.html"

    def get_queryset(self) -> Any:
        return self.restricted_queryset().select_related("marking", "nation")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = viewer_of(self.request)
        official = self.object
        skills = list(
            ties.visible(LanguageSkill, viewer).select_related("marking").filter(official=official)
        )
        postings = list(
            ties.visible(Posting, viewer)
            .select_related("marking", "billet", "billet__marking")
            .filter(official=official)
            .order_by("-starts", "pk")
        )
        mine = ties.joined(ties.visible(Participation, viewer), "contact").filter(official=official)
        contacts = list(
            ties.visible(Contact, viewer)
            .select_related("marking")
            .filter(pk__in=mine.values("contact_id"))
            .order_by("-starts", "-pk")[:100]
        )
        others = ties.participants(viewer, [c.pk for c in contacts])
        context.update(
            may_write=access.may_write_people(self.request),
            skills=show(self.request, skills),
            postings=show(self.request, postings),
            contacts=[
                {
                    "contact": c,
                    "with": [p for p in others.get(c.pk, []) if p.official_id != official.pk],
                }
                for c in show(self.request, contacts)
            ],
        )
        show(self.request, [p for rows in others.values() for p in rows])
        show(self.request, [p.official for rows in others.values() for p in rows])
        show(self.request, [p.billet for p in postings])
        return context


class BilletDetail(RestrictedMixin, DetailView):
    """One billet: its holders over time and the crisis pairs it belongs to."""

    allied_access = access.PEOPLE
    model = Billet
    template_name = "people/billet_detail.html"

    def get_queryset(self) -> Any:
        return self.restricted_queryset().select_related("marking", "nation", "partner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = viewer_of(self.request)
        billet = self.object
        postings = list(
            ties.visible(Posting, viewer)
            .select_related("marking", "official", "official__marking")
            .filter(billet=billet)
            .order_by("-starts", "pk")
        )
        pairs = list(
            ties.pairs_of(viewer, scoped=False).filter(
                Q(us_billet=billet) | Q(partner_billet=billet)
            )
        )
        show(self.request, [p.official for p in postings])
        show(self.request, [b for p in pairs for b in (p.us_billet, p.partner_billet)])
        context.update(
            postings=show(self.request, postings),
            pairs=show(self.request, pairs),
            holding=records.holdings(viewer, [billet.pk]).get(billet.pk),
            may_write=access.may_write_people(self.request),
        )
        return context


class BilletList(RestrictedMixin, ListView):
    """Billets releasable to the viewer, each with its holder today or since when it is vacant.
    ``?nation=`` narrows it."""

    allied_access = access.PEOPLE
    model = Billet
    paginate_by = 50
    template_name = "people/billet_list.html"

    def get_queryset(self) -> Any:
        rows = self.restricted_queryset().select_related("marking")
        nation = self.request.GET.get("nation", "").strip().upper()
        if len(nation) == 3 and nation.isalpha():
            rows = rows.filter(nation_id=nation)
        return rows.order_by("nation_id", "code", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        billets = list(context["object_list"])
        held = records.holdings(viewer_of(self.request), [b.pk for b in billets])
        show(self.request, [h.holder for h in held.values() if h.holder is not None])
        context.update(
            rows=[{"billet": b, "holding": held.get(b.pk)} for b in billets],
            nation=self.request.GET.get("nation", "").strip().upper()[:3],
            may_write=access.may_write_people(self.request),
        )
        return context


class ContactList(RestrictedMixin, ListView):
    """The contact log: contacts releasable to the viewer, newest first, with their visible
    participants. ``?kind=`` narrows it."""

    allied_access = access.PEOPLE
    model = Contact
    paginate_by = 50
    template_name = "people/contact_list.html"

    def get_queryset(self) -> Any:
        rows = ties.contacts_of(viewer_of(self.request))
        kind = self.request.GET.get("kind")
        if kind in dict(Contact._meta.get_field("kind").choices or []):
            rows = rows.filter(kind=kind)
        return rows.order_by("-starts", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contacts = list(context["object_list"])
        people = ties.participants(viewer_of(self.request), [c.pk for c in contacts])
        show(self.request, [p for rows in people.values() for p in rows])
        show(self.request, [p.official for rows in people.values() for p in rows])
        context["rows"] = [{"contact": c, "people": people.get(c.pk, [])} for c in contacts]
        context["kinds"] = Contact._meta.get_field("kind").choices
        context["kind"] = self.request.GET.get("kind", "")
        return context


class ContactDetail(RestrictedMixin, DetailView):
    allied_access = access.PEOPLE
    model = Contact
    template_name = "people/contact_detail.html"

    def get_queryset(self) -> Any:
        return self.restricted_queryset().select_related("marking", "recorded_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        people = ties.participants(viewer_of(self.request), [self.object.pk]).get(
            self.object.pk, []
        )
        show(self.request, people)
        show(self.request, [p.official for p in people])
        context["people"] = people
        return context


@restricted_view
@access_required(access.PEOPLE)
def contact_create(request: HttpRequest) -> HttpResponse:
    """Log a contact and who took part, in one transaction.

    Participants are chosen from the officials releasable to the author; the contact and each
    participation carry the marking given, and a marking its author could not read back is
    refused with nothing saved.
    """
    officials = (
        ties.visible(Official, viewer_of(request))
        .select_related("marking")
        .order_by("nation_id", "name")
    )
    form = ContactForm(request.POST or None, officials=officials)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = Contact(
            kind=data["kind"],
            title=data["title"],
            starts=data["starts"],
            ends=data["ends"],
            setting=data["setting"],
            summary=data["summary"],
            recorded_by=request.user,
        )
        contact.set_marking(data["marking"])

        def write() -> Contact:
            contact.save()
            for official in data["participants"]:
                Participation(contact=contact, official=official, marking=contact.marking).save()
            return contact

        detail = {"created": True, "participants": len(data["participants"])}
        with explained_on(form, what="a contact"):
            write_marked(request, write, detail=detail)
        if saved(form):
            messages.success(request, "Contact logged.")
            return redirect("people:contact-detail", pk=contact.pk)
    # The form lists every official the author may choose: each is shown (an audited read, and
    # its marking joins the page's banner), as on the officials' list.
    show(request, officials)
    return render(request, "people/contact_form.html", {"form": form}, status=status_of(form))
