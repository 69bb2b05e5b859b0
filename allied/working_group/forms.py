"""Forms of the working group's pages. Nations are chosen from the registry; markings are checked
by the markings engine (``MarkingFormField``) and every save is re-read by its author."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from allied.core.forms import MarkingFormField
from allied.core.models import Nation
from allied.working_group.models import Body, FreeformKind, FreeformStatus, Position
from allied.working_group.ranking import KIND_LABELS
from allied.working_group.rules.priority import DEFAULT_FLAG_BONUS


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "usa-input"}, format="%Y-%m-%d")


def _text() -> forms.TextInput:
    return forms.TextInput(attrs={"class": "usa-input"})


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "usa-select"})


def _area() -> forms.Textarea:
    return forms.Textarea(attrs={"class": "usa-textarea", "rows": 3})


class NationField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Nation.objects.exclude(iso3="USA").order_by("name"),
            to_field_name="iso3",
            widget=_select(),
            **kwargs,
        )

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.iso3})"


class QueueFilterForm(forms.Form):
    partner = forms.CharField(required=False, max_length=3, widget=_text())
    kind = forms.ChoiceField(
        required=False, choices=[("", "Every type"), *KIND_LABELS.items()], widget=_select()
    )
    escalated = forms.BooleanField(
        required=False,
        label="Escalated only",
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def clean_partner(self) -> str:
        value = str(self.cleaned_data.get("partner") or "").strip().upper()
        if value and (len(value) != 3 or not value.isalpha()):
            raise forms.ValidationError("A partner is its three-letter code, such as JPN.")
        return value


class PartnerPriorityForm(forms.Form):
    nation = NationField(label="Partner")
    weight = forms.DecimalField(
        min_value=Decimal("0.1"),
        max_value=Decimal("10"),
        decimal_places=2,
        initial=Decimal("1.00"),
        widget=forms.NumberInput(attrs={"class": "usa-input", "step": "0.1"}),
        help_text="1 is ordinary; 2 counts this partner's requests twice as much.",
    )
    effective_from = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    reason = forms.CharField(widget=_area())
    marking = MarkingFormField(widget=_text(), initial="SECRET//NOFORN")


class RequestKindForm(forms.Form):
    code = forms.ChoiceField(choices=list(KIND_LABELS.items()), widget=_select(), label="Type")
    target_days = forms.IntegerField(
        min_value=1, max_value=3650, widget=forms.NumberInput(attrs={"class": "usa-input"})
    )
    weight = forms.DecimalField(
        min_value=Decimal("0.1"),
        max_value=Decimal("10"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "usa-input", "step": "0.1"}),
    )


class FreeformRequestForm(forms.Form):
    """A new liaison, training, exercise or other request.

    The day it is opened is the server's (today), never the author's: the queue ranks by it, so a
    chosen date would let anyone put a request first. The target and the strategic flags weigh in
    the queue too; they are the working group's to set, so the form offers them to its members
    only (``group=True``) and a partner's form has no field that would be dropped.
    """

    partner = NationField()
    kind = forms.ChoiceField(choices=FreeformKind.choices, widget=_select(), label="Type")
    title = forms.CharField(max_length=200, widget=_text())
    description = forms.CharField(required=False, widget=_area())
    owner = forms.CharField(
        max_length=120, widget=_text(), help_text="The U.S. office that owns the next step."
    )
    target = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=_date(),
        help_text="Leave empty to use the target the working group sets for the type.",
    )
    blockers = forms.CharField(required=False, widget=_area(), help_text="One blocker a line.")
    flags = forms.MultipleChoiceField(
        required=False,
        choices=[(f, f.replace("_", " ").capitalize()) for f in DEFAULT_FLAG_BONUS],
        widget=forms.CheckboxSelectMultiple,
    )
    marking = MarkingFormField(widget=_text())

    #: The fields only the working group sets (they weigh in the queue).
    GROUP_FIELDS = ("target", "flags")

    def __init__(self, *args: Any, opened: date, group: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened = opened
        if not group:
            for name in self.GROUP_FIELDS:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        target = data.get("target")
        if target and target < self.opened:
            self.add_error("target", "The target must be on or after today, the day it is opened.")
        return data


class FreeformStatusForm(forms.Form):
    status = forms.ChoiceField(choices=FreeformStatus.choices, widget=_select())
    blockers = forms.CharField(required=False, widget=_area(), help_text="One blocker a line.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class GuidanceForm(forms.Form):
    partner = NationField()
    body = forms.ChoiceField(choices=Body.choices, widget=_select(), label="U.S. body")
    speaker = forms.CharField(
        required=False, max_length=120, widget=_text(), help_text="Office or post, not a name."
    )
    topic = forms.CharField(
        max_length=120, widget=_text(), help_text="Statements on the same topic are compared."
    )
    position = forms.ChoiceField(choices=Position.choices, widget=_select())
    summary = forms.CharField(widget=_area())
    said_on = forms.DateField(input_formats=["%Y-%m-%d"], widget=_date())
    commitment_due = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=_date(),
        help_text="If the statement committed the United States to something: when it is due.",
    )
    marking = MarkingFormField(widget=_text(), initial="SECRET//NOFORN")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        said, due = data.get("said_on"), data.get("commitment_due")
        if said and due and due < said:
            self.add_error("commitment_due", "A commitment falls due on or after it was made.")
        return data
