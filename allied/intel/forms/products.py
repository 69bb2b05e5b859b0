"""The authoring form of a product: its metadata, and a formset of portions with their marks.

Every portion mark is checked by the markings engine as the form is cleaned, and every problem is
shown with its rule and fix. The rules that span fields (originator and FGI, read-back by the
author, one place per portion) are ``allied.intel.products.authoring.validate_draft``, shared
with the API. The classification authority block (required when the product is classified) is
checked by ``allied.intel.products.authoring.authority_problems``, also shared with the API, and
its problems are shown on the fields they name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from allied.core.forms import MarkingFormField
from allied.core.models import Nation
from allied.intel.models import CATEGORY_CHOICES, Originator
from allied.intel.products.authoring import (
    PortionDraft,
    ProductDraft,
    authority_problems,
    canonical_portion_mark,
    split_tags,
    tag_problems,
    validate_draft,
)
from allied.intel.rules.disclosure import Category
from allied.markings.access import Viewer
from allied.markings.authority import EXEMPTIONS, Authority

PORTION_PREFIX = "portions"
UNKNOWN_PORTION = -1  # a row key this form never gave out: refused as "not part of the product"


def _input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "usa-input", **attrs})


class ProductForm(forms.Form):
    title = forms.CharField(max_length=300, widget=_input())
    originator = forms.ChoiceField(
        choices=Originator.choices,
        initial=Originator.US_AGENCY,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        help_text="A partner's product is foreign government information: mark its portions "
        "as the partner's, e.g. (//JPN S//REL TO USA, JPN), or with FGI JPN.",
    )
    originator_agency = forms.CharField(
        label="U.S. agency", max_length=120, required=False, widget=_input()
    )
    originator_nation = forms.ModelChoiceField(
        label="Partner nation",
        queryset=Nation.objects.exclude(iso3="USA").order_by("name"),
        to_field_name="iso3",
        required=False,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    category = forms.TypedChoiceField(
        label="Category (NDP-1)",
        choices=CATEGORY_CHOICES,
        coerce=int,
        initial=Category.MILITARY_INTELLIGENCE.value,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    topics = forms.CharField(
        required=False, help_text="Separated by commas.", widget=_input(maxlength=800)
    )
    regions = forms.CharField(
        required=False, help_text="Separated by commas.", widget=_input(maxlength=800)
    )
    marking = MarkingFormField(
        label="Marking of the title and tags",
        help_text="Banner form, e.g. UNCLASSIFIED or SECRET//REL TO USA, JPN. A partner sees "
        "the product only if it may see this marking and at least one portion.",
        widget=_input(),
    )
    # The classification authority block, required when the product is classified (EO 13526;
    # checked with the rest of the draft by ``authority_problems``).
    classified_by = forms.CharField(
        label="Classified By",
        required=False,
        max_length=200,
        help_text="Name and position (or personal identifier) of who classified the product.",
        widget=_input(),
    )
    derived_from = forms.CharField(
        label="Derived From",
        required=False,
        max_length=300,
        help_text="Derivative classification: the source or classification guide, or "
        "Multiple Sources.",
        widget=_input(),
    )
    classification_reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=120,
        help_text="Original classification: the EO 13526 sec. 1.4 category, e.g. 1.4(c).",
        widget=_input(),
    )
    declassify_on = forms.DateField(
        label="Declassify On",
        required=False,
        help_text="No more than 25 years after the product is written, unless an exemption "
        "is cited.",
        widget=forms.DateInput(attrs={"class": "usa-input", "type": "date"}, format="%Y-%m-%d"),
    )
    declassify_event = forms.CharField(
        label="Or: declassify on an event",
        required=False,
        max_length=200,
        widget=_input(),
    )
    declass_exemption = forms.ChoiceField(
        label="Exemption from automatic declassification",
        required=False,
        choices=[("", "None"), *((code, code) for code in EXEMPTIONS)],
        help_text="25X1 to 25X9 allow up to 50 years with a date or event; 50X1-HUM and "
        "50X2-WMD need no date (EO 13526 sec. 3.3).",
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    change_note = forms.CharField(
        label="What changed and why",
        required=False,
        max_length=1000,
        help_text="Kept with the earlier text of every portion you change.",
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 2}),
    )

    def clean_topics(self) -> list[str]:
        tags = split_tags(self.cleaned_data.get("topics", ""))
        problems = tag_problems(tags, "topics")
        if problems:
            raise forms.ValidationError(problems)
        return tags

    def clean_regions(self) -> list[str]:
        tags = split_tags(self.cleaned_data.get("regions", ""))
        problems = tag_problems(tags, "regions")
        if problems:
            raise forms.ValidationError(problems)
        return tags


class PortionForm(forms.Form):
    # Which existing portion a row edits: its place in the edit form's list, never its id.
    key = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    section = forms.IntegerField(
        min_value=0,
        max_value=99,
        initial=0,
        help_text="0 is the body; 1, 2... are tearlines.",
        widget=forms.NumberInput(attrs={"class": "usa-input usa-input--xs"}),
    )
    order = forms.IntegerField(
        min_value=1,
        max_value=9999,
        help_text="Order within its section.",
        widget=forms.NumberInput(attrs={"class": "usa-input usa-input--xs"}),
    )
    mark = forms.CharField(
        label="Portion mark",
        max_length=1000,
        help_text="In parentheses, e.g. (S//REL TO USA, JPN).",
        widget=_input(autocomplete="off", spellcheck="false"),
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}))

    def clean_mark(self) -> str:
        return canonical_portion_mark(self.cleaned_data.get("mark", ""))


class BasePortionFormSet(BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "usa-checkbox__input"

    def rows(self) -> list[tuple[int, forms.Form]]:
        """The filled rows (blank extra rows left out), with their index in the formset."""
        return [
            (index, form)
            for index, form in enumerate(self.forms)
            if form.has_changed() or index < self.initial_form_count()
        ]


def portion_formset(*, editing: bool) -> type[BasePortionFormSet]:
    return formset_factory(
        PortionForm,
        formset=BasePortionFormSet,
        extra=2 if editing else 4,
        can_delete=editing,
        max_num=200,
        validate_max=True,
    )


class ProductAuthoring:
    """The product form and its portions, validated together.

    ``keys`` maps the key of each row of the product being edited to the id of the portion it
    edits (portions the author may see only): a row naming any other key is refused.
    """

    def __init__(
        self,
        data: Any = None,
        *,
        viewer: Viewer,
        editing: bool = False,
        initial: dict[str, Any] | None = None,
        portions: list[dict[str, Any]] | None = None,
        keys: dict[int, int] | None = None,
        decided_on: date | None = None,
    ) -> None:
        self.viewer = viewer
        self.decided_on = decided_on
        self.editing = editing
        self.keys = keys or {}
        self.form = ProductForm(data, initial=initial)
        if not editing:
            del self.form.fields["change_note"]
        formset_class = portion_formset(editing=editing)
        self.formset = formset_class(data, initial=portions, prefix=PORTION_PREFIX)
        self.general_errors: list[str] = []
        self._valid: bool | None = None

    def is_valid(self) -> bool:
        if self._valid is None:
            self._valid = self._validate()
        return self._valid

    def _validate(self) -> bool:
        form_ok = self.form.is_valid()
        formset_ok = self.formset.is_valid()
        if not (form_ok and formset_ok):
            return False
        general, per_portion = validate_draft(
            self.product_draft(), self.portion_drafts(), self.viewer, known=self.keys.values()
        )
        for position, (_, form) in enumerate(self.formset.rows()):
            for field, problem in per_portion.get(position, []):
                form.add_error(field, problem)
        authority = authority_problems(
            self.product_draft(), self.portion_drafts(), decided_on=self.decided_on
        )
        for field, problems in authority.items():
            self.form.add_error(field, problems)
        self.general_errors = general
        return not general and not per_portion and not authority

    def product_draft(self) -> ProductDraft:
        data = self.form.cleaned_data
        nation = data.get("originator_nation")
        return ProductDraft(
            title=data["title"].strip(),
            originator=data["originator"],
            originator_agency=(data.get("originator_agency") or "").strip(),
            originator_nation=None if nation is None else nation.iso3,
            category=data["category"],
            topics=data.get("topics") or [],
            regions=data.get("regions") or [],
            marking=data["marking"],
            authority=Authority(
                classified_by=data.get("classified_by") or "",
                derived_from=data.get("derived_from") or "",
                classification_reason=data.get("classification_reason") or "",
                declassify_on=data.get("declassify_on"),
                declassify_event=data.get("declassify_event") or "",
                declass_exemption=data.get("declass_exemption") or "",
            ),
        )

    def portion_drafts(self) -> list[PortionDraft]:
        drafts = []
        for _, form in self.formset.rows():
            data = form.cleaned_data
            drafts.append(
                PortionDraft(
                    section=data.get("section") or 0,
                    order=data.get("order") or 1,
                    mark=data.get("mark", ""),
                    text=data.get("text", ""),
                    pk=self._pk(data.get("key")),
                    delete=bool(data.get("DELETE")),
                )
            )
        return drafts

    def _pk(self, key: int | None) -> int | None:
        if key is None:
            return None
        return self.keys.get(key, UNKNOWN_PORTION)

    @property
    def change_note(self) -> str:
        return str(self.form.cleaned_data.get("change_note") or "")


__all__ = [
    "PORTION_PREFIX",
    "BasePortionFormSet",
    "PortionForm",
    "ProductAuthoring",
    "ProductForm",
    "portion_formset",
]
