"""Log in (rate-limited per address and per username), the page shown when a rate limit is
hit, and a party's own credit record with its appeals."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.exceptions import Ratelimited

from arbitration.errors import DomainError
from arbitration.ratelimits import login_limited
from arbitration.services.common import yuan

from . import credit
from .models import CreditEvent, CreditTier, Party
from .services import APPEAL_STATEMENT_MAX, credit_appeal_file

login_view = login_limited(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )
)
logout_view = auth_views.LogoutView.as_view()


def rate_limited(request, exception=None):
    """429 with a message a person can act on (``settings.RATELIMIT_VIEW``)."""
    return render(request, "accounts/rate_limited.html", status=429)


def permission_denied(request, exception: PermissionDenied | None = None):
    """``handler403``: django-ratelimit raises a PermissionDenied subclass; answer it with 429."""
    if isinstance(exception, Ratelimited):
        return rate_limited(request, exception)
    return defaults.permission_denied(request, exception)


# --- The party's own credit record ---------------------------------------------------------

CREDIT_PAGE = "accounts/credit.html"
CREDIT_EVENT = "accounts/partials/credit_event.html"


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Why is this wrong?"),
        max_length=APPEAL_STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def tier_meaning(party: Party) -> str:
    """What the party's tier changes for it, in the words of the dispute pages."""
    tier = party.credit_tier
    if party.kind == Party.Kind.MERCHANT:
        if tier in (CreditTier.WATCH, CreditTier.RESTRICTED):
            return _(
                "An arbitrator reviews every dispute with your store before anything is "
                "settled, including agreements with the buyer."
            )
        return _("Disputes with your store follow the normal process.")
    if tier == CreditTier.TRUSTED:
        return _(
            "Claims for a refund of up to %(cap)s (refund only or a partial refund) are "
            "refunded as soon as you send them, without waiting for the merchant."
        ) % {"cap": yuan(party.platform.fast_refund_cap_fen)}
    if tier == CreditTier.WATCH:
        return _(
            "Claims need photos from at least 3 different angles, or a video, or a photo "
            "taken with the in-app camera before they can be sent, and an arbitrator "
            "always reviews them."
        )
    if tier == CreditTier.RESTRICTED:
        return _(
            "You can only ask for a return and refund (no refund without a return), and an "
            "arbitrator reviews every step of your disputes."
        )
    return _("Your claims follow the normal process.")


def _credit_record(party: Party, *, appeal_form=None, form_event=None) -> dict:
    """One party's score, tier, reasons and ledger, each event with what can be done about it."""
    at = timezone.now()
    half_life = party.platform.credit_half_life_days
    events = list(party.credit_events.select_related("dispute").prefetch_related("appeals"))
    for event in events:
        appeals = sorted(event.appeals.all(), key=lambda a: a.created_at)
        event.appeal = appeals[-1] if appeals else None
        event.weight = (
            0
            if event.reversed_at
            else round(credit.decay(event.points, event.created_at, at, half_life), 1)
        )
        event.appealable = event.points < 0 and not event.reversed_at and not appeals
        event.form = (
            appeal_form if form_event == event.pk else AppealForm(auto_id=f"appeal-{event.pk}-%s")
        )
    return {
        "party": party,
        "meaning": tier_meaning(party),
        "reasons": credit.top_reasons(party, at=at),
        "events": events,
        "half_life": half_life,
    }


def _credit_context(request, **kwargs) -> dict:
    parties = request.user.parties.select_related("platform").order_by("platform__name", "kind")
    return {"records": [_credit_record(party, **kwargs) for party in parties]}


@login_required
def credit_page(request):
    """The signed-in person's own credit record, per party (buyer or store, per platform)."""
    return render(request, CREDIT_PAGE, _credit_context(request))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def credit_appeal(request, event_id: int):
    """File an appeal of one event. htmx gets the event's row back; a plain form post goes
    back to the page (or, refused, the page again with the error, as a 4xx)."""
    event = get_object_or_404(
        CreditEvent.objects.select_related("party"), pk=event_id, party__user=request.user
    )
    form = AppealForm(request.POST, auto_id=f"appeal-{event.pk}-%s")
    status = 400
    if form.is_valid():
        try:
            credit_appeal_file(
                party=event.party,
                event=event,
                statement=form.cleaned_data["statement"],
                user=request.user,
            )
        except DomainError as error:
            form.add_error("statement" if error.field == "statement" else None, error.message)
            status = error.status
        else:
            if not request.htmx:
                messages.success(request, _("Your appeal was sent. An arbitrator will review it."))
                return redirect(f"{reverse('credit')}#event-{event.pk}")
            status = 200
    if request.htmx:
        record = _credit_record(event.party, appeal_form=form, form_event=event.pk)
        row = next(e for e in record["events"] if e.pk == event.pk)
        return render(request, CREDIT_EVENT, {"event": row, "sent": status == 200}, status=status)
    context = _credit_context(request, appeal_form=form, form_event=event.pk)
    return render(request, CREDIT_PAGE, context, status=status)
