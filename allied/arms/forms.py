"""Arms-sales forms: completing a case's stage, correcting a case, and a draft LOR to check."""

from __future__ import annotations

from typing import Any

from django import forms

from allied.arms import cases
from allied.arms.models import Case
from allied.arms.rules import lor
from allied.core.forms import not_after_today


def version_field() -> forms.IntegerField:
    """The version the form was opened at, sent back so that a change from an older one is
    refused rather than applied over a newer one."""
    return forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AdvanceForm(forms.Form):
    on = forms.DateField(
        label="Completed on",
        required=False,
        help_text="YYYY-MM-DD; today if empty, never a day still to come.",
        validators=[not_after_today],
    )
    owner = forms.CharField(label="Owner of the next stage", max_length=80, required=False)
    note = forms.CharField(label="Note", max_length=500, required=False, widget=forms.Textarea)
    override_reason = forms.CharField(
        label="Override reason", max_length=500, required=False, widget=forms.Textarea
    )
    version = version_field()


class CaseEditForm(forms.Form):
    """What a case manager may correct on a case (``cases.EDITABLE``), from one version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Case, fields=list(cases.EDITABLE)))
        self.fields["version"] = version_field()


class LorForm(forms.Form):
    originator = forms.CharField(label="Originator (name and address)", required=False)
    reference_number = forms.CharField(label="Reference number (letter serial)", required=False)
    request_kind = forms.ChoiceField(
        label="What is requested",
        required=False,
        choices=[("", "Not stated"), *list(lor.REQUEST_KIND_LABELS.items())],
    )
    articles = forms.CharField(label="Articles and services", required=False, widget=forms.Textarea)
    quantity = forms.IntegerField(label="Quantity", required=False, min_value=0)
    mde = forms.BooleanField(label="Includes major defense equipment", required=False)
    blanket_order = forms.BooleanField(label="Blanket order", required=False)
    blanket_value = forms.IntegerField(
        label="Blanket order value (USD)", required=False, min_value=0
    )
    financing = forms.ChoiceField(
        label="Financing",
        required=False,
        choices=[("", "Not stated"), *list(lor.FINANCING_LABELS.items())],
    )
    financing_text = forms.CharField(label="Financing wording", required=False)
    third_parties = forms.ChoiceField(
        label="Third parties (contractors, agents)",
        required=False,
        choices=[("", "Not stated"), ("none", "None"), ("declared", "Declared below")],
    )
    third_party_details = forms.CharField(label="Third-party details", required=False)
    addressees = forms.MultipleChoiceField(
        label="Addressed or copied to",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("DSCA", "DSCA"),
            ("IA", "Implementing agency"),
            ("SCO", "SCO"),
            ("CCMD", "Combatant command"),
            ("STATE_PM", "State PM"),
        ],
    )
    used_checklist = forms.BooleanField(
        label="Went through Figure C5.F14 with the SCO", required=False
    )
    first_time = forms.BooleanField(label="First-time or sensitive system", required=False)
    par = forms.BooleanField(label="A Pre-LOR Assessment Request was sent", required=False)
    delivery = forms.CharField(label="Delivery needs", required=False)
    training = forms.CharField(label="Training and sustainment needs", required=False)
    system = forms.ChoiceField(
        label="System-specific checklist",
        required=False,
        choices=[("", "None"), *list(lor.SYSTEMS.items())],
    )
