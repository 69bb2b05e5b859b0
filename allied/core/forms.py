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


class MarkingFormField(forms.CharField):
    """A banner marking, validated by the markings engine: every problem with its rule and fix."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("help_text", "The banner marking, e.g. SECRET//REL TO USA, JPN.")
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> str:
        from allied.core import vocabulary

        text = super().clean(value)
        result = vocabulary.check(text)
        if result.form == "portion":
            raise forms.ValidationError("Give the banner form here, without parentheses.")
        if not result.valid:
            errors = [str(p) for p in result.problems]
            if result.canonical:
                errors.append(f"Canonical form: {result.canonical}")
            raise forms.ValidationError(errors)
        return text


class BulletinForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"class": "usa-input"}))
    body = forms.CharField(widget=forms.Textarea(attrs={"class": "usa-textarea"}))
    marking = MarkingFormField(widget=forms.TextInput(attrs={"class": "usa-input"}))
