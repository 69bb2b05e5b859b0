"""Forms for collection requirements and for the overlaps page.

The nation is never a field: a requirement is always registered for the signed-in person's own
nation (``allied.intel.views.requirements``), whatever the request says.
"""

from __future__ import annotations

from typing import Any

from django import forms

from allied.core.forms import MarkingFormField
from allied.intel.models import RequirementKind

PRIORITY_CHOICES = [
    (5, "5 (highest)"),
    (4, "4"),
    (3, "3"),
    (2, "2"),
    (1, "1 (lowest)"),
]
THRESHOLD_CHOICES = [("0.5", "0.5"), ("0.6", "0.6"), ("0.7", "0.7"), ("0.8", "0.8"), ("0.9", "0.9")]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "usa-input"}, format="%Y-%m-%d")


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(
        choices=RequirementKind.choices,
        widget=forms.Select(attrs={"class": "usa-select"}),
        help_text="Something your nation needs, or something it already collects.",
    )
    topic = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        help_text="What, in a few words: maritime activity, missile launches, port construction.",
    )
    region = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        help_text="Where: Luzon Strait, Sea of Japan, Bay of Bengal.",
    )
    starts = forms.DateField(label="From", input_formats=["%Y-%m-%d"], widget=_date_widget())
    ends = forms.DateField(label="Until", input_formats=["%Y-%m-%d"], widget=_date_widget())
    priority = forms.TypedChoiceField(
        choices=PRIORITY_CHOICES,
        coerce=int,
        initial=3,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"class": "usa-textarea"}),
        help_text="What exactly is needed or collected; partners' entries are compared with it.",
    )
    marking = MarkingFormField(widget=forms.TextInput(attrs={"class": "usa-input"}))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", "The window must end on or after the day it starts.")
        return data


class OverlapFilterForm(forms.Form):
    """The lowest score the overlaps page lists (0.5 unless chosen)."""

    min = forms.TypedChoiceField(
        label="Lowest score",
        choices=THRESHOLD_CHOICES,
        coerce=float,
        required=False,
        empty_value=0.5,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )

    def threshold(self) -> float:
        if self.is_valid():
            return float(self.cleaned_data.get("min") or 0.5)
        return 0.5


class OfferForm(forms.Form):
    """An offer to collect another nation's requirement for a window (the offering nation is
    always the signed-in person's, the other nation the requirement's)."""

    starts = forms.DateField(label="From", input_formats=["%Y-%m-%d"], widget=_date_widget())
    ends = forms.DateField(label="Until", input_formats=["%Y-%m-%d"], widget=_date_widget())
    terms = forms.CharField(
        label="Who collects what",
        widget=forms.Textarea(attrs={"class": "usa-textarea"}),
        help_text="What your nation collects for the other, and how the other receives it.",
    )
    marking = MarkingFormField(widget=forms.TextInput(attrs={"class": "usa-input"}))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", "The window must end on or after the day it starts.")
        return data


class AnswerForm(forms.Form):
    """Accept or decline an offer, from the version the officer saw."""

    decision = forms.ChoiceField(
        choices=[("accept", "Accept the split"), ("decline", "Decline")],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea"}),
        help_text="Why, in a few words; the offering nation reads it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
