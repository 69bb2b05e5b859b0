"""Forms for planners: record an assumption, ask to join planning, apply the optimiser's proposal.

The nation is never a field where it is the author's own: an assumption is always held by the
signed-in planner's nation, and a planning request always comes from it.
"""

from __future__ import annotations

from django import forms

from allied.core.forms import MarkingFormField
from allied.planning.models import CapabilityType, RequestKind


def _input() -> forms.TextInput:
    return forms.TextInput(attrs={"class": "usa-input"})


class AssumptionForm(forms.Form):
    provider = forms.RegexField(
        regex=r"^[A-Za-z]{3}$",
        max_length=3,
        widget=_input(),
        help_text="Who your planners assume provides it (ISO code, e.g. USA).",
        error_messages={"invalid": "Give the provider's three-letter ISO code, e.g. USA."},
    )
    capability_type = forms.ModelChoiceField(
        queryset=CapabilityType.objects.all(),
        to_field_name="code",
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    quantity = forms.IntegerField(min_value=1, max_value=100_000, widget=_input())
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(
        attrs={"class": "usa-textarea", "rows": 2}))  # fmt: skip
    marking = MarkingFormField(widget=_input())

    def clean_provider(self) -> str:
        return str(self.cleaned_data["provider"]).upper()


class PlanningRequestForm(forms.Form):
    kind = forms.ChoiceField(
        choices=RequestKind.choices, widget=forms.Select(attrs={"class": "usa-select"})
    )
    title = forms.CharField(max_length=200, widget=_input())
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"class": "usa-textarea"}))
    marking = MarkingFormField(widget=_input())


class OptionalMarkingField(MarkingFormField):
    """A marking, or nothing (blank stays blank)."""

    def clean(self, value: object) -> str:
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            return ""
        return super().clean(value)


class ApplyProposalForm(forms.Form):
    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)
    marking = OptionalMarkingField(
        required=False,
        widget=_input(),
        help_text=(
            "Leave blank to mark each assignment with the roll-up of what it relies on (the task, "
            "the partner's holdings and the willingness assessments); or give one marking for all."
        ),
    )
