"""Forms for planners: record an assumption, ask to join planning, apply the optimiser's proposal.

The nation is never a field where it is the author's own: an assumption is always held by the
signed-in planner's nation, and a planning request always comes from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from allied.core.forms import MarkingFormField
from allied.planning.models import CapabilityType, RequestKind
from allied.planning.rules.model import CONTINGENCY_TYPES, READINESS_LABELS, Stance


def _input() -> forms.TextInput:
    return forms.TextInput(attrs={"class": "usa-input"})


def _nation(help_text: str, example: str, *, required: bool = True) -> forms.RegexField:
    """A nation's three-letter ISO code, any case."""
    return forms.RegexField(
        regex=r"^[A-Za-z]{3}$",
        max_length=3,
        required=required,
        widget=_input(),
        help_text=help_text,
        error_messages={"invalid": f"Give the three-letter ISO code, e.g. {example}."},
    )


class AssumptionForm(forms.Form):
    provider = _nation(
        "Who your planners assume provides it (ISO code, e.g. USA).",
        "USA",
    )
    capability_type = forms.ModelChoiceField(
        queryset=CapabilityType.objects.all(),
        to_field_name="code",
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    quantity = forms.IntegerField(min_value=1, max_value=100_000, widget=_input())
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 2}),
    )
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


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "usa-input"}, format="%Y-%m-%d")


class CapabilityForm(forms.Form):
    capability_type = forms.ModelChoiceField(
        queryset=CapabilityType.objects.all(),
        to_field_name="code",
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    quantity = forms.IntegerField(min_value=1, max_value=100_000, widget=_input())
    readiness = forms.TypedChoiceField(
        choices=list(READINESS_LABELS.items()),
        coerce=int,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    available_from = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    available_to = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    location = forms.CharField(max_length=200, widget=_input())
    source = forms.CharField(
        max_length=300,
        required=False,
        widget=_input(),
        help_text="Who reported the figure; blank flags it as unsourced.",
    )
    as_of = forms.DateField(
        input_formats=["%Y-%m-%d"], widget=_date(), help_text="The date the figure was true."
    )
    marking = MarkingFormField(widget=_input())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        starts, ends = data.get("available_from"), data.get("available_to")
        if starts and ends and ends < starts:
            self.add_error("available_to", "The window must end on or after the day it starts.")
        return data


class WillingnessForm(forms.Form):
    nation = _nation(
        "The partner assessed (ISO code). A partner's planner assesses its own nation.",
        "JPN",
    )
    contingency_type = forms.ChoiceField(
        choices=list(CONTINGENCY_TYPES.items()), widget=forms.Select(attrs={"class": "usa-select"})
    )
    stance = forms.ChoiceField(
        choices=[(s.value, s.label) for s in Stance],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    conditions = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 2}),
        help_text="Required when the stance is conditional.",
    )
    basis = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 2}),
    )
    marking = MarkingFormField(
        widget=_input(),
        help_text="A U.S. assessment of a partner is normally SECRET//NOFORN.",
    )

    def clean_nation(self) -> str:
        return str(self.cleaned_data["nation"]).upper()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (
            data.get("stance") == Stance.CONDITIONAL.value
            and not str(data.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "Name the conditions of a conditional stance.")
        return data


# --- writing plans ------------------------------------------------------------------------------


def _version() -> forms.IntegerField:
    return forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PlanForm(forms.Form):
    name = forms.CharField(max_length=200, widget=_input())
    contingency_type = forms.ChoiceField(
        choices=list(CONTINGENCY_TYPES.items()), widget=forms.Select(attrs={"class": "usa-select"})
    )
    description = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
    )
    starts = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    ends = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    marking = MarkingFormField(
        widget=_input(),
        help_text="Mark the plan as high as its most sensitive part, no higher: partners read "
        "only plans releasable to them.",
    )


class PlanEditForm(PlanForm):
    version = _version()


class PhaseForm(forms.Form):
    order = forms.IntegerField(min_value=0, max_value=99, widget=_input())
    name = forms.CharField(max_length=200, widget=_input())
    starts = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    ends = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    marking = MarkingFormField(widget=_input())


class TaskForm(forms.Form):
    name = forms.CharField(max_length=200, widget=_input())
    phase = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    capability_type = forms.ModelChoiceField(
        queryset=CapabilityType.objects.all(),
        to_field_name="code",
        widget=forms.Select(attrs={"class": "usa-select"}),
    )
    quantity = forms.IntegerField(min_value=1, max_value=100_000, widget=_input())
    starts = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    ends = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    location = forms.CharField(max_length=200, widget=_input())
    lead = _nation(
        "The nation the plan wants to lead the task (ISO code), if any.",
        "JPN",
        required=False,
    )
    priority = forms.TypedChoiceField(
        choices=[(p, str(p)) for p in range(5, 0, -1)],
        coerce=int,
        initial=3,
        widget=forms.Select(attrs={"class": "usa-select"}),
        help_text="5 is the most important.",
    )
    marking = MarkingFormField(widget=_input())

    def __init__(self, *args: Any, phases: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["phase"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "No phase"), *phases]

    def clean_lead(self) -> str:
        return str(self.cleaned_data.get("lead") or "").upper()


class TaskEditForm(TaskForm):
    version = _version()


class AssignmentForm(forms.Form):
    nation = _nation(
        "The partner that takes the task on (ISO code; USA for the United States).",
        "AUS",
    )
    quantity = forms.IntegerField(min_value=1, max_value=100_000, widget=_input())
    is_lead = forms.BooleanField(required=False, label="Leads the task")
    marking = OptionalMarkingField(
        required=False,
        widget=_input(),
        help_text="Leave blank to mark it with the roll-up of what it relies on (the task, the "
        "partner's holdings and the willingness assessments).",
    )

    def clean_nation(self) -> str:
        return str(self.cleaned_data["nation"]).upper()


class RequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
        help_text="The partner reads it with the decision; required to decline.",
    )


class RoleAnswerForm(forms.Form):
    """A partner's answer to its role: accepted, accepted with conditions, or declined."""

    answer = forms.ChoiceField(
        choices=[
            ("accepted", "Accept"),
            ("conditional", "Accept with conditions"),
            ("declined", "Decline"),
        ],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    conditions = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
        help_text="Your caveats, in your words; required to accept with conditions.",
    )
    reason = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
        help_text="Why your nation declines the role; required to decline.",
    )


class ValidateForm(forms.Form):
    """Mark a plan validated by partners, from the version the planner saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)
