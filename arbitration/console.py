"""The arbitrator console: Django's admin, on its own site, for arbitrators only.

Arbitrators are neither superusers nor holders of model permissions, so the site and every
model admin on it ask one question instead: ``user.can_arbitrate``. Nothing here changes a
dispute's state directly; the decision form hands its input to ``dispute_decide``.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count
from django.db.models.constants import LOOKUP_SEP
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from .forms import LinePickerMixin
from .limits import MAX_FEN, STATEMENT_MAX
from .ratelimits import login_limited
from .services.common import percent_of


def can_arbitrate(request) -> bool:
    return bool(getattr(request.user, "can_arbitrate", False))


class ConsoleLoginForm(AdminAuthenticationForm):
    """Admits arbitrators whether or not they are staff; refuses everyone else with the very
    words a wrong password gets, so the form never confirms a buyer's or merchant's password."""

    def confirm_login_allowed(self, user):
        if not getattr(user, "can_arbitrate", False):
            raise self.get_invalid_login_error()


class ConsoleSite(admin.AdminSite):
    site_header = _("Tianping arbitration console")
    site_title = _("Tianping console")
    index_title = _("Work queue")
    login_form = ConsoleLoginForm
    enable_nav_sidebar = False

    index_template = "console/index.html"

    def has_permission(self, request) -> bool:
        return can_arbitrate(request)

    @method_decorator(login_limited)
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin here carries ``ConsoleAccess``: its permissions and its refusal
        of lookups on secrets are not something a new admin can forget."""
        if admin_class is None or not issubclass(admin_class, ConsoleAccess):
            raise ImproperlyConfigured(f"{admin_class} on the console must use ConsoleAccess.")
        super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        """The landing page leads with how much work is waiting, by state."""
        from accounts.models import CreditAppeal, CreditProposal, MerchantReport

        from .lifecycle import ACTIVE_STATES
        from .models import Dispute

        counts = dict(
            Dispute.objects.filter(state__in=ACTIVE_STATES)
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
        )
        waiting = [
            (state, Dispute.State(state).label, counts.get(state, 0))
            for state in ("under_review", "awaiting_merchant", "negotiating", "open")
        ]
        pending_reports = MerchantReport.objects.filter(
            status=MerchantReport.Status.PENDING
        ).count()
        pending_appeals = CreditAppeal.objects.filter(status=CreditAppeal.Status.PENDING).count()
        pending_proposals = CreditProposal.objects.filter(
            status=CreditProposal.Status.PENDING
        ).count()
        context = {
            "waiting": waiting,
            "pending_reports": pending_reports,
            "pending_appeals": pending_appeals,
            "pending_proposals": pending_proposals,
            **(extra_context or {}),
        }
        return super().index(request, context)


console = ConsoleSite(name="console")

# Fields no list filter may touch, on any model or through any relation: Django admits any
# lookup on a model's own fields (``?password__startswith=pbkdf2``), which turns a list's
# row count into an oracle for a hash, a key or a ciphertext.
SECRET_FIELDS = frozenset(
    {
        "password",  # User
        "hashed_key",  # ApiKey
        "secret",  # WebhookEndpoint
        "previous_secret",
        "identity_hash",  # Party: keyed hash of a shared identifier
        "phone",  # Party, encrypted
        "address",
        "token",
    }
)


class ConsoleAccess:
    """Mixin for model admins: arbitrators may look at everything and delete nothing, and
    nobody filters on a secret.

    ``editable`` opts a model admin into changes (e.g. a platform's deadline windows).
    """

    editable = False

    def lookup_allowed(self, lookup, value, request=None):
        if SECRET_FIELDS.intersection(lookup.split(LOOKUP_SEP)):
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_module_permission(self, request):
        return can_arbitrate(request)

    def has_view_permission(self, request, obj=None):
        return can_arbitrate(request)

    def has_change_permission(self, request, obj=None):
        return self.editable and can_arbitrate(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def evidence_url(uid, original: bool = False) -> str:
    """Where ``evidence/views.py`` serves a file (arbitrators may fetch both versions)."""
    try:
        return reverse("evidence_original" if original else "evidence_file", args=[uid])
    except NoReverseMatch:
        return f"/evidence/{uid}/original" if original else f"/evidence/{uid}/"


class DecisionForm(LinePickerMixin, forms.Form):
    """Parses the arbitrator's decision; the rules on amounts live in ``dispute_decide``.

    Lines picked (``LinePickerMixin``) refund single order lines instead of an amount.
    """

    outcome = forms.ChoiceField(label=_("Outcome"), choices=())
    amount = forms.DecimalField(
        label=_("Partial refund (¥)"),
        required=False,
        min_value=0,
        max_value=MAX_FEN // 100,
        decimal_places=2,
    )
    percent = forms.IntegerField(
        label=_("or percent of the claim"), required=False, min_value=1, max_value=100
    )
    reasoning = forms.CharField(
        label=_("Reasoning"), max_length=STATEMENT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = forms.TypedMultipleChoiceField(
        label=_("Evidence relied on"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    fabricated = forms.TypedMultipleChoiceField(
        label=_("Confirmed fabricated"),
        help_text=_("Flagged evidence you find fabricated: each costs its submitter credit."),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, evidence=(), flagged=(), lines=(), claimed_fen=0, **kwargs):
        """``claimed_fen``: the base of ``percent``, the claimed amount (the suggestion speaks
        in shares of the claim too), so 40 % of a ¥120 claim is ¥48 whatever was paid."""
        from .models import Decision

        super().__init__(*args, **kwargs)
        self.claimed_fen = claimed_fen
        self.evidence_items = {item.pk: item for item in (*evidence, *flagged)}
        self.add_line_fields(lines)
        self.fields["outcome"].choices = Decision.Outcome.choices
        self.fields["evidence"].choices = [(item.pk, str(item)) for item in evidence]
        self.fields["fabricated"].choices = [(item.pk, str(item)) for item in flagged]
        for name in ("outcome", "amount", "percent", "reasoning"):
            self.fields[name].widget.attrs["data-testid"] = name

    def clean(self):
        data = super().clean()
        if data.get("amount") is not None and data.get("percent") is not None:
            self.add_error("percent", _("Give either an amount or a percentage, not both."))
        return data

    def choices_with_items(self, name: str) -> list:
        """The checkboxes of ``evidence``/``fabricated`` with their items (thumbnails)."""
        return [(box, self.evidence_items.get(int(box.data["value"]))) for box in self[name]]

    def service_kwargs(self) -> dict:
        """Keyword arguments for ``dispute_decide``; an amount only for a partial refund, a
        percentage turned into fen of the claim here (``percent_of``)."""
        data = self.cleaned_data
        amount_fen = None
        lines = self.picked_lines()
        if data["outcome"] == "partial_refund" and not lines:
            if data["amount"] is not None:
                amount_fen = int(data["amount"] * 100)
            elif data["percent"] is not None:
                amount_fen = percent_of(self.claimed_fen, data["percent"])
        return {
            "outcome": data["outcome"],
            "reasoning": data["reasoning"],
            "amount_fen": amount_fen,
            "percent": None,
            "evidence_ids": data["evidence"],
            "fabricated_evidence_ids": data["fabricated"],
            "lines": lines,
        }


class EvidenceRequestForm(forms.Form):
    """An arbitrator's request to one party for more evidence (``evidence_request``)."""

    SIDES = [("buyer", _("the buyer")), ("merchant", _("the merchant"))]

    side = forms.ChoiceField(label=_("Ask"), choices=SIDES)
    what = forms.CharField(
        label=_("For what"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    due_at = forms.DateTimeField(
        label=_("By (Asia/Shanghai)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].widget.attrs["data-testid"] = f"request-{name}"
