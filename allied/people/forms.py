"""The forms of the people pages (a contact, and each people record): every error names its
field."""

from __future__ import annotations

from typing import Any

from django import forms

from allied.core.forms import MarkedModelForm, MarkingFormField, RecordsField, not_after_today
from allied.people import records
from allied.people.models import Billet, ContactKind, CrisisPair, LanguageSkill, Official, Posting


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


# --- people records: officials, billets, postings, crisis pairs, language results ------------


class PeopleRecordForm(MarkedModelForm):
    """A form of one people record. Its choices of marked records (an official, a billet) are
    the author's restricted querysets, set by the view (``choices``); the model's own checks of
    those rows are skipped, as the restricted choice already found them, and the checks the
    analysis relies on run in ``problems`` (shared with the API, ``allied.people.records``)."""

    #: Fields choosing a marked record, with the label each choice is shown by.
    marked_choices: tuple[str, ...] = ()

    def __init__(self, *args: Any, viewer: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        for name, (rows, label) in choices.items():
            field = self.fields[name]
            field.queryset = rows
            field.label_from_instance = label
        for field in self.fields.values():
            widget = field.widget
            css = "usa-select" if isinstance(widget, forms.Select) else "usa-input"
            if isinstance(widget, forms.Textarea):
                css = "usa-textarea"
            widget.attrs.setdefault("class", css)

    def _get_validation_exclusions(self) -> set[str]:
        # The marked rows were found through the author's restricted choices; the model's own
        # look-ups (an unrestricted query) are not run, and uniqueness is ``problems``' job.
        return set(super()._get_validation_exclusions()) | set(self.marked_choices)

    def problems(self, data: dict[str, Any]) -> dict[str, str]:
        return {}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            for name, message in self.problems(data).items():
                self.add_error(name if name in self.fields else None, message)
        return data


class OfficialForm(PeopleRecordForm):
    class Meta:
        model = Official
        fields = ("name", "nation", "organisation", "grade", "notes")


class BilletForm(PeopleRecordForm):
    class Meta:
        model = Billet
        fields = ("code", "title", "nation", "organisation", "partner")

    def problems(self, data: dict[str, Any]) -> dict[str, str]:
        return records.billet_problems(data)


class PostingForm(PeopleRecordForm):
    marked_choices = ("official", "billet")

    class Meta:
        model = Posting
        fields = ("official", "billet", "starts", "ends", "note")
        help_texts = {"starts": "YYYY-MM-DD", "ends": "YYYY-MM-DD; empty while it lasts."}

    def problems(self, data: dict[str, Any]) -> dict[str, str]:
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            return {}  # the model's own check says so, on ``ends``
        return records.posting_problems(self.viewer, data, self.instance.pk)


class CrisisPairForm(PeopleRecordForm):
    marked_choices = ("us_billet", "partner_billet")

    class Meta:
        model = CrisisPair
        fields = ("us_billet", "partner_billet", "scenario", "priority", "note")

    def problems(self, data: dict[str, Any]) -> dict[str, str]:
        return records.pair_problems(data)


class LanguageSkillForm(PeopleRecordForm):
    marked_choices = ("official",)

    class Meta:
        model = LanguageSkill
        fields = ("official", "language", "listening", "reading", "speaking", "tested_on", "source")
        labels = {"tested_on": "Test date"}
        help_texts = {
            "listening": "ILR level: 0 to 5, with plus levels 0+ to 4+.",
            "tested_on": "YYYY-MM-DD: the day of the test, not after today.",
        }

    def clean_tested_on(self) -> Any:
        value = self.cleaned_data.get("tested_on")
        not_after_today(value)
        return value

    def problems(self, data: dict[str, Any]) -> dict[str, str]:
        return records.skill_problems(data, self.instance.pk)
