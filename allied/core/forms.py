"""Forms for the registry pages."""

from __future__ import annotations

from django import forms


class AsOfForm(forms.Form):
    """Pick the day a page describes; blank means today."""

    on = forms.DateField(
        required=False,
        label="As of",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
    )
