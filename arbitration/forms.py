"""Forms of the buyer and merchant pages. They parse input; the services own the rules."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import MerchantReport

from .models import Dispute

YUAN_PATTERN = re.compile(r"^\d{1,10}(\.\d{1,2})?$")


class YuanField(forms.CharField):
    """An amount typed in yuan (``12.34``, ``¥12``, ``1,200.5``), cleaned to integer fen."""

    default_error_messages = {
        "invalid": _("Enter an amount in yuan with at most two decimals, for example 12.50."),
    }

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        text = text.strip().lstrip("¥￥").replace(",", "").replace("，", "").strip()
        if not YUAN_PATTERN.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(Decimal(text) * 100)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or videos at once; the evidence service validates their content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,video/mp4", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class DomainErrorForm(forms.Form):
    """A form that can show a service's ``DomainError`` next to the field it is about."""

    def add_domain_error(self, error, message: str) -> None:
        field = getattr(error, "field", None)
        self.add_error(field if field in self.fields else None, message)


class DisputeOpenForm(DomainErrorForm):
    reason = forms.ChoiceField(label=_("What went wrong"), choices=Dispute.Reason.choices)
    remedy = forms.ChoiceField(label=_("What you ask for"), choices=Dispute.Remedy.choices)
    claimed_amount = YuanField(
        label=_("Amount claimed (¥)"),
        required=False,
        help_text=_("Leave empty to claim the full amount paid."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"), widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(
        label=_("Photos or videos"),
        required=False,
        help_text=_("JPEG, PNG, WebP, HEIC or GIF photos, or MP4 videos; several at once."),
    )

    def __init__(self, *args, remedies=None, **kwargs):
        """``remedies``: the values the buyer may choose (``credit_rules.allowed_remedies``)."""
        super().__init__(*args, **kwargs)
        if remedies is not None:
            field = self.fields["remedy"]
            field.choices = [(value, label) for value, label in field.choices if value in remedies]
            field.error_messages["invalid_choice"] = _(
                "Because of your account's credit standing, you can only ask for: %(allowed)s."
            ) % {"allowed": ", ".join(str(label) for _value, label in field.choices)}


class OfferForm(DomainErrorForm):
    """A partial refund by amount or by percent of the order (merchant offer or counter)."""

    MODES = [("amount", _("Amount")), ("percent", _("Percent of the order"))]

    mode = forms.ChoiceField(
        label=_("Offer by"), choices=MODES, initial="amount", widget=forms.RadioSelect
    )
    amount = YuanField(
        label=_("Refund (¥)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    percent = forms.IntegerField(
        label=_("Percent"),
        required=False,
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 100}),
    )
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("amount", "percent"):
            self.fields[name].required_by_mode = True

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "amount" and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the refund amount."))
        if mode == "percent" and data.get("percent") is None and "percent" not in self.errors:
            self.add_error("percent", _("Enter a percentage between 1 and 100."))
        return data

    def offer_kwargs(self) -> dict:
        data = self.cleaned_data
        if data["mode"] == "percent":
            return {"percent": data["percent"], "amount_fen": None}
        return {"amount_fen": data["amount"], "percent": None}


class MessageForm(DomainErrorForm):
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatementForm(DomainErrorForm):
    statement = forms.CharField(label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 4}))


class EscalateForm(DomainErrorForm):
    statement = forms.CharField(
        label=_("Why an arbitrator should decide"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportForm(DomainErrorForm):
    category = forms.ChoiceField(label=_("What happened"), choices=MerchantReport.Category.choices)
    statement = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(DomainErrorForm):
    files = MultipleFileField(label=_("Photos or videos"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)
