"""Forms of the buyer and merchant pages. They parse input; the services own the rules."""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import MerchantReport

from .limits import DESCRIPTION_MAX, MAX_QUANTITY, MESSAGE_MAX, STATEMENT_MAX
from .models import Dispute, Offer, RefundLine, Shipment

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
            "widget",
            MultipleFileInput(
                attrs={
                    "accept": "image/*,video/mp4,video/quicktime",
                    "multiple": True,
                    "data-picker": True,
                    "data-max": settings.EVIDENCE_MAX_FILES_PER_UPLOAD,
                }
            ),
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
        label=_("Describe the problem"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(
        label=_("Photos or videos"),
        required=False,
        help_text=_("JPEG, PNG, WebP, HEIC or GIF photos, or MP4 or MOV videos; several at once."),
    )

    def __init__(self, *args, remedies=None, photos_required=False, **kwargs):
        """``remedies``: the values the buyer may choose (``credit_rules.allowed_remedies``);
        ``photos_required``: a watch-tier buyer's claim needs photos (``credit_rules`` checks
        which), so the field says so instead of "(optional)"."""
        super().__init__(*args, **kwargs)
        if photos_required:
            self.fields["files"].required_for_you = True
            self.fields["files"].help_text = _(
                "Required for your account: photos of the item from three different angles, "
                "a video, or photos taken with the in-app camera."
            )
        if remedies is not None:
            field = self.fields["remedy"]
            field.choices = [(value, label) for value, label in field.choices if value in remedies]
            field.error_messages["invalid_choice"] = _(
                "Because of your account's credit standing, you can only ask for: %(allowed)s."
            ) % {"allowed": ", ".join(str(label) for _value, label in field.choices)}

    def clean(self):
        data = super().clean()
        if data.get("remedy") == Dispute.Remedy.PARTIAL_REFUND and not data.get("claimed_amount"):
            self.add_error("claimed_amount", _("A partial refund needs the amount you ask for."))
        return data


class LinePickerMixin:
    """A quantity, an amount and a reason per order line (``remedies.order_lines``).

    Fields are ``line_<n>_quantity``, ``line_<n>_amount`` and ``line_<n>_reason``; the lines
    given a quantity become the service's ``{line, quantity, amount_fen, reason}``. An amount
    left empty refunds the full price of the units chosen. The service checks every limit.
    """

    def add_line_fields(self, lines) -> None:
        self.order_lines = list(lines)
        reasons = [("", "—"), *RefundLine.Reason.choices]
        for line in self.order_lines:
            n, item = line["index"], line.get("title") or line.get("sku") or ""

            def named(what: str, item=item) -> dict:  # each input says which line it is
                return {"aria-label": _("%(what)s: %(item)s") % {"what": what, "item": item}}

            self.fields[f"line_{n}_quantity"] = forms.IntegerField(
                label=_("Quantity"),
                required=False,
                min_value=0,
                max_value=MAX_QUANTITY,
                widget=forms.NumberInput(
                    attrs={"min": 0, "max": line["quantity"], **named(_("Quantity"))}
                ),
            )
            self.fields[f"line_{n}_amount"] = YuanField(
                label=_("Refund (¥)"),
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        **named(_("Refund (¥)")),
                    }
                ),
            )
            self.fields[f"line_{n}_reason"] = forms.ChoiceField(
                label=_("Reason"),
                choices=reasons,
                required=False,
                widget=forms.Select(attrs=named(_("Reason"))),
            )

    def line_rows(self) -> list[dict]:
        """The picker as the template draws it: each line with its three fields."""
        return [
            {
                **line,
                "quantity_field": self[f"line_{line['index']}_quantity"],
                "amount_field": self[f"line_{line['index']}_amount"],
                "reason_field": self[f"line_{line['index']}_reason"],
            }
            for line in self.order_lines
        ]

    def picked_lines(self) -> list[dict]:
        data, picked = self.cleaned_data, []
        for line in self.order_lines:
            n = line["index"]
            quantity = data.get(f"line_{n}_quantity") or 0
            if not quantity:
                continue
            amount = data.get(f"line_{n}_amount")
            picked.append(
                {
                    "line": n,
                    "quantity": quantity,
                    "amount_fen": quantity * line["unit_price_fen"] if amount is None else amount,
                    "reason": data.get(f"line_{n}_reason") or "",
                }
            )
        return picked


class ShipmentForm(DomainErrorForm):
    """The carrier and tracking number of a return or a replacement parcel."""

    carrier = forms.ChoiceField(label=_("Carrier"), choices=Shipment.Carrier.choices)
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class OfferForm(LinePickerMixin, DomainErrorForm):
    """A settlement offer (merchant offer or counter): a partial refund by amount, percent or
    order lines, a return and refund (whole order or lines), or a replacement."""

    MODES = [
        ("amount", _("Amount")),
        ("percent", _("Percent of the order")),
        ("lines", _("Order lines")),
    ]

    remedy = forms.ChoiceField(
        label=_("Offer"),
        choices=Offer.Remedy.choices,
        required=False,
        initial=Offer.Remedy.PARTIAL_REFUND,
        widget=forms.RadioSelect,
    )

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
        label=_("Message"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("amount", "percent"):
            self.fields[name].required_by_mode = True
        self.add_line_fields(lines)

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if (data.get("remedy") or Offer.Remedy.PARTIAL_REFUND) != Offer.Remedy.PARTIAL_REFUND:
            return data
        if mode == "amount" and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the refund amount."))
        if mode == "percent" and data.get("percent") is None and "percent" not in self.errors:
            self.add_error("percent", _("Enter a percentage between 1 and 100."))
        return data

    def offer_kwargs(self) -> dict:
        """Keyword arguments for ``offer_make``: the remedy and what it pays."""
        data = self.cleaned_data
        remedy = data.get("remedy") or Offer.Remedy.PARTIAL_REFUND
        kwargs = {"remedy": remedy, "amount_fen": None, "percent": None, "lines": []}
        if remedy == Offer.Remedy.REPLACEMENT:
            return kwargs
        if data["mode"] == "lines":
            return {**kwargs, "lines": self.picked_lines()}
        if remedy == Offer.Remedy.RETURN_AND_REFUND:
            return kwargs
        if data["mode"] == "percent":
            return {**kwargs, "percent": data["percent"]}
        return {**kwargs, "amount_fen": data["amount"]}


class MessageForm(DomainErrorForm):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(MessageForm):
    message = forms.CharField(
        label=_("Why not"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatementForm(DomainErrorForm):
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class EscalateForm(DomainErrorForm):
    statement = forms.CharField(
        label=_("Why an arbitrator should decide"),
        required=False,
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportForm(DomainErrorForm):
    category = forms.ChoiceField(label=_("What happened"), choices=MerchantReport.Category.choices)
    statement = forms.CharField(
        label=_("Details"), max_length=STATEMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceForm(DomainErrorForm):
    files = MultipleFileField(label=_("Photos or videos"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)
