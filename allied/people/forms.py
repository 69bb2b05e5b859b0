"""The form to log a contact: every error names its field."""

from __future__ import annotations

from typing import Any

from django import forms

from allied.core.forms import MarkingFormField, RecordsField
from allied.people.models import ContactKind


def _input() -> forms.TextInput:
    return forms.TextInput(attrs={"class": "usa-input"})


def _label(official: Any) -> str:
    """An official as a choice: after its portion mark, like every marked row a page shows."""
    mark = official.marking.portion()
    return f"{mark} {official.name} ({official.nation_id}), {official.organisation}"


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ContactKind.choices, widget=forms.Select(attrs={"class": "usa-select"})
    )
    title = forms.CharField(max_length=200, widget=_input())
    starts = forms.DateField(help_text="YYYY-MM-DD", widget=_input())
    ends = forms.DateField(
        required=False, help_text="For a course or exercise of several days.", widget=_input()
    )
    setting = forms.CharField(
        max_length=200, help_text="Where, and in what forum.", widget=_input()
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}), required=False
    )
    participants = RecordsField(
        queryset=None,
        help_text="At least two officials releasable to you.",
        widget=forms.SelectMultiple(attrs={"class": "usa-select", "size": 8}),
    )
    marking = MarkingFormField(widget=_input())

    def __init__(self, *args: Any, officials: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choices are the author's restricted queryset: a hidden official can neither be
        # listed nor chosen by id.
        field = self.fields["participants"]
        field.queryset = officials
        field.label_from_instance = _label

    def clean_participants(self) -> Any:
        chosen = self.cleaned_data["participants"]
        if len(chosen) < 2:
            raise forms.ValidationError(
                "Choose at least two participants: a contact is a meeting of people."
            )
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", "A contact ends on or after the day it starts.")
        return data
