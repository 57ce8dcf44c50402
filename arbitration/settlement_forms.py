"""Forms for what follows a decision (appeals), on the party pages and in the console."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import DomainErrorForm, MultipleFileField
from .models import Decision, PhotoFlag


class AppealForm(DomainErrorForm):
    statement = forms.CharField(
        label=_("Why the decision should be changed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(label=_("New photos or videos"), required=False)


class AppealReviewForm(forms.Form):
    """The reviewing arbitrator's answer; the amount rules live in ``appeal_review``."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[("uphold", _("Uphold the decision")), ("overturn", _("Overturn it"))],
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome instead"), choices=[("", "—"), *Decision.Outcome.choices], required=False
    )
    amount = forms.DecimalField(
        label=_("Partial refund (¥)"), required=False, min_value=0, decimal_places=2
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        amount = data["amount"]
        return {
            "overturn": data["verdict"] == "overturn",
            "reasons": data["reasons"],
            "outcome": data["outcome"],
            "amount_fen": int(amount * 100) if amount is not None else None,
        }


class PhotoFlagForm(DomainErrorForm):
    evidence = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Why it is fake"), choices=PhotoFlag.Reason.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class FlagReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[("uphold", _("Uphold: the photo is fabricated")), ("dismiss", _("Dismiss"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
