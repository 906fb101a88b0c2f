"""Clinic admins add and correct clinician-added trials here; each outcome number is checked by
the core (:class:`lowdose.evidence.EffectRecord`) before it is saved, and every change is audited.
A trial added or corrected here is a draft again: it leaves the summaries until a second person
approves it on the review page (``/evidence/review/``), as for a trial added anywhere else.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.audit.log import record
from apps.evidence.forms import in_form_words
from apps.evidence.models import Review, StoredEffect, StoredTrial
from apps.evidence.records import IDENTIFIER_FIELDS, check_identifiers
from lowdose.errors import InputError
from lowdose.evidence import EffectRecord, EvidenceInputError, outcomes, trials


class StoredTrialForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = StoredTrial
        fields = (
            *("trial_id", "label", "year", "kind", "n", "dose", "citation"),
            *("doi", "pmid", "registry_id", "url"),
        )
        widgets: ClassVar = {"url": forms.URLInput()}

    url = forms.URLField(
        required=False, assume_scheme="https", max_length=400, help_text="Where it was read."
    )

    def clean_trial_id(self) -> str:
        value = str(self.cleaned_data["trial_id"]).lower()
        if value in trials():
            raise forms.ValidationError(
                f"{value!r} is a shipped trial of the evidence base; choose another id."
            )
        return value

    def clean(self) -> dict[str, Any]:
        """At least one primary identifier, each of its form (the same check as the API's)."""
        data: dict[str, Any] = super().clean() or {}
        try:
            data.update(check_identifiers(data))
        except EvidenceInputError as exc:
            field = exc.field if exc.field in IDENTIFIER_FIELDS else None
            self.add_error(field, in_form_words(str(exc)))
        return data


class StoredEffectForm(forms.ModelForm):  # type: ignore[type-arg]
    outcome = forms.ChoiceField(choices=())

    class Meta:
        model = StoredEffect
        fields = ("outcome", "yi", "vi", "reported_what", "reported_value", "derived", "how")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            (key, f"{o.label} ({o.measure})") for key, o in outcomes().items()
        ]
        self.fields["how"].required = False

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.errors or not data.get("outcome"):
            return data
        if data.get("derived") and not str(data.get("how", "")).strip():
            raise forms.ValidationError("A derived number must say how it was derived.")
        data["how"] = str(data.get("how") or "").strip() or "yi and vi as published"
        measure = outcomes()[data["outcome"]].measure
        try:
            EffectRecord(  # the core's checks: finite yi, vi > 0, a stated derivation
                trial_id="admin",
                label=data["outcome"],
                year=None,
                outcome=data["outcome"],
                measure=measure,
                yi=float(data["yi"]),
                vi=float(data["vi"]),
                how=data["how"],
                randomised=True,
                origin="clinician",
            )
        except InputError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.instance.measure = measure
        return data


class StoredEffectInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StoredEffect
    form = StoredEffectForm
    extra = 1
    min_num = 1


@admin.register(StoredTrial)
class StoredTrialAdmin(admin.ModelAdmin[StoredTrial]):
    form = StoredTrialForm
    inlines = (StoredEffectInline,)
    list_display = ("label", "year", "kind", "n", "added_by", "added_at", "review", "reviewed_by")
    list_filter = ("kind", "review")
    search_fields = ("label", "trial_id", "citation")

    def save_model(self, request: HttpRequest, obj: StoredTrial, form: Any, change: bool) -> None:
        if not change:
            obj.added_by = request.user  # type: ignore[assignment]
        # Corrected numbers need a second look too (fail closed): back to a draft.
        obj.review, obj.reviewed_by, obj.reviewed_at = Review.DRAFT, None, None
        obj.review_note, obj.review_change = "", []
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        trial = form.instance
        record(
            request,
            "evidence.trial_changed" if change else "evidence.trial_added",
            obj=trial,
            detail={
                "trial_id": trial.trial_id,
                "outcomes": list(trial.effects.values_list("outcome", flat=True)),
                "review": "draft",
            },
        )

    def delete_model(self, request: HttpRequest, obj: StoredTrial) -> None:
        record(request, "evidence.trial_deleted", obj=obj, detail={"trial_id": obj.trial_id})
        super().delete_model(request, obj)
