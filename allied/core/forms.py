"""Forms for the registry pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from allied.core.models import Bulletin

#: The largest id a 64-bit primary key holds.
BIGINT_MAX = 2**63 - 1


def not_after_today(value: date | None) -> None:
    """Refuse a day that has not come yet, for a date that records when something happened.

    Such a date (a letter of request received, a stage completed) is a fact a U.S. official
    enters; the working group's queue ages requests by it, so a day still to come would only
    misstate the request. Used by forms and, since DRF runs Django validators, by serializers.
    """
    today = timezone.localdate()
    if value is not None and value > today:
        raise forms.ValidationError(
            "%(value)s has not come yet: give the day it happened (today is %(today)s).",
            code="future",
            params={"value": value.isoformat(), "today": today.isoformat()},
        )


class AsOfForm(forms.Form):
    """Pick the day a page describes; blank means today."""

    on = forms.DateField(
        required=False,
        label="As of",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
    )


class MarkingFormField(forms.CharField):
    """A banner marking, validated by the markings engine: every problem with its rule and fix."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("help_text", "The banner marking, e.g. SECRET//REL TO USA, JPN.")
        super().__init__(**kwargs)

    def clean(self, value: object) -> str:
        from allied.core import vocabulary

        text = super().clean(value)
        if not text and not self.required:
            return text
        explained = vocabulary.explain(text)
        if not explained.valid:
            raise forms.ValidationError(list(explained.problems))
        return text


class RecordsField(forms.ModelMultipleChoiceField):
    """Records chosen by their ids. An id that is not a whole number a database can hold is
    refused as an invalid choice before any query: Django passes the values of an ``__in``
    lookup to the database unchecked, and a 24-digit id made the query fail (a server error)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, (list, tuple)) else []:
            try:
                valid = abs(int(str(pk).strip())) <= BIGINT_MAX
            except ValueError:
                valid = False
            if not valid:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class MarkedModelForm(forms.ModelForm):
    """A model form for a marked model: its ``marking`` is typed as banner text, checked and
    explained by the markings engine, and set on the instance when the form is saved."""

    marking = MarkingFormField(widget=forms.TextInput(attrs={"class": "usa-input"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance is not None and instance.pk is not None and not self.is_bound:
            self.initial.setdefault("marking", instance.marking.text)

    def save(self, commit: bool = True) -> Any:
        """Set the instance's fields and marking; it is written by ``RestrictedEditView``."""
        obj = super().save(commit=False)
        obj.set_marking(self.cleaned_data["marking"])
        if commit:
            raise TypeError("a marked form is saved through write_marked, never on its own")
        return obj


class BulletinForm(MarkedModelForm):
    class Meta:
        model = Bulletin
        fields = ("title", "body")
        widgets = {
            "title": forms.TextInput(attrs={"class": "usa-input"}),
            "body": forms.Textarea(attrs={"class": "usa-textarea"}),
        }
