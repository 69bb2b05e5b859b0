"""Forms of the foreign-disclosure pages. Every choice of a marked row comes from the viewer's
restricted queryset, so a form never lists what its user may not see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from allied.core.forms import MarkingFormField, RecordsField
from allied.core.models import Nation
from allied.intel.models import CATEGORY_CHOICES, Outcome, Portion, Product
from allied.markings import Level, render
from allied.markings.access import Viewer

LEVEL_CHOICES = [(int(level), level.title) for level in Level]
TIER_CHOICES = [(tier, str(tier)) for tier in range(1, 6)]
#: U.S. assessments of partners are NOFORN unless an officer decides otherwise.
DEFAULT_ASSESSMENT_MARKING = "SECRET//NOFORN"

_INPUT = {"class": "usa-input"}
_TEXTAREA = {"class": "usa-textarea", "rows": 4}
_SELECT = {"class": "usa-select"}


def partners() -> Any:
    """Every nation but the United States, by name."""
    return Nation.objects.exclude(iso3="USA").order_by("name")


class PortionChoiceField(RecordsField):
    def label_from_instance(self, obj: Any) -> str:
        where = "body" if obj.section == 0 else f"tearline {obj.section}"
        text = obj.text if len(obj.text) <= 160 else obj.text[:157] + "..."
        return f"{render(obj.marking.marking, 'portion')} ({where}) {text}"


class ProductPickForm(forms.Form):
    """Step one of a request: a product the asker may see (by GET, so it can be linked to)."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), widget=forms.Select(attrs=_SELECT)
    )

    def __init__(self, viewer: Viewer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Product.objects.visible_to(viewer).with_visible_portions().order_by("-created", "-pk")
        )


class DisclosureRequestForm(forms.Form):
    """Step two: the portions (only those the asker may see), the partner and the purpose."""

    portions = PortionChoiceField(
        queryset=Portion.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        help_text="Only the portions you may see are listed.",
    )
    partner = forms.ModelChoiceField(queryset=Nation.objects.none(), widget=forms.Select(_SELECT))
    purpose = forms.CharField(
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text="What the partner needs the information for.",
    )

    def __init__(self, viewer: Viewer, product: Product, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        portions = self.fields["portions"]
        partner = self.fields["partner"]
        assert isinstance(portions, forms.ModelMultipleChoiceField)
        assert isinstance(partner, forms.ModelChoiceField)
        portions.queryset = (
            Portion.objects.visible_to(viewer)
            .filter(product=product)
            .select_related("marking")
            .order_by("section", "order", "pk")
        )
        partner.queryset = partners()


class PartnerRequestForm(forms.Form):
    """Step two for a partner: only the purpose. The partner asks for itself, for the rest of a
    product it reads in part; it chooses no portion, so the form lists none."""

    purpose = forms.CharField(
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text="What your nation needs more of this product for.",
    )

    def __init__(self, viewer: Viewer, product: Product, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class DecisionForm(forms.Form):
    """A disclosure officer's decision, with the state the page was shown in."""

    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text="Required to deny or to escalate as an exception to policy.",
    )
    sanitised_text = forms.CharField(
        required=False,
        label="Releasable text",
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text="For approval with sanitisation: the text the author supplies for the partner. "
        "It becomes a new tearline portion of the product.",
    )
    sanitised_marking = forms.CharField(
        required=False,
        max_length=1000,
        label="Its portion mark",
        widget=forms.TextInput(attrs=_INPUT),
        help_text="Releasable to the partner within its ceiling, e.g. (C//REL TO USA, JPN).",
    )
    release_metadata = forms.BooleanField(
        required=False,
        label="Also release the product's title and metadata to the partner",
        help_text="Without them the partner cannot find the product the portions belong to.",
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )
    seen_number = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    seen_product_version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome in (Outcome.DENY, Outcome.ESCALATE) and not data.get("reason", "").strip():
            what = "a denial" if outcome == Outcome.DENY else "an exception to policy"
            self.add_error("reason", f"Give the reason for {what}.")
        if outcome == Outcome.APPROVE_SANITISED:
            if not data.get("sanitised_text", "").strip():
                self.add_error("sanitised_text", "Give the releasable text.")
            if not data.get("sanitised_marking", "").strip():
                self.add_error("sanitised_marking", "Give the releasable text's portion mark.")
        return data


class CeilingForm(forms.Form):
    """A partner's disclosure ceiling in one category, from a date."""

    nation = forms.ModelChoiceField(
        queryset=Nation.objects.none(), label="Partner", widget=forms.Select(_SELECT)
    )
    category = forms.TypedChoiceField(
        choices=CATEGORY_CHOICES, coerce=int, widget=forms.Select(_SELECT)
    )
    level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES,
        coerce=int,
        label="Highest level that may be disclosed",
        widget=forms.Select(_SELECT),
    )
    effective_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
        input_formats=["%Y-%m-%d"],
    )
    reason = forms.CharField(widget=forms.Textarea(attrs=_TEXTAREA))
    marking = MarkingFormField(
        initial=DEFAULT_ASSESSMENT_MARKING,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="The marking of this assessment; normally NOFORN.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_from": timezone.localdate()})
        super().__init__(*args, **kwargs)
        nation = self.fields["nation"]
        assert isinstance(nation, forms.ModelChoiceField)
        nation.queryset = partners()


class TrustTierForm(forms.Form):
    """A partner's trust tier from a date: rising tiers raise its ceilings."""

    nation = forms.ModelChoiceField(
        queryset=Nation.objects.none(), label="Partner", widget=forms.Select(_SELECT)
    )
    tier = forms.TypedChoiceField(
        choices=TIER_CHOICES,
        coerce=int,
        widget=forms.Select(_SELECT),
        help_text="1 (limited sharing while counterintelligence practices mature) to 5 "
        "(the closest partners).",
    )
    effective_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
        input_formats=["%Y-%m-%d"],
    )
    reason = forms.CharField(widget=forms.Textarea(attrs=_TEXTAREA))
    marking = MarkingFormField(
        initial=DEFAULT_ASSESSMENT_MARKING,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="The marking of this assessment; normally NOFORN.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_from": timezone.localdate()})
        super().__init__(*args, **kwargs)
        nation = self.fields["nation"]
        assert isinstance(nation, forms.ModelChoiceField)
        nation.queryset = partners()
