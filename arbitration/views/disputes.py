"""The dispute page and every move on it. One view, two renders: htmx gets the body partial.

Each POST parses one form, calls one service and answers with the refreshed dispute body
(htmx) or a redirect back to the page; a refused move is shown as a message with a 4xx.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from evidence.explain import party_summary
from evidence.models import Evidence
from evidence.selectors import current_reports

from .. import selectors, services
from ..errors import DomainError
from ..forms import (
    EscalateForm,
    EvidenceForm,
    OfferForm,
    RejectForm,
    ReportForm,
    StatementForm,
)
from ..lifecycle import IllegalTransition
from ..models import Decision, DisputeEvent, Refund
from ..negotiation import thread
from ..services.deadlines import consequence
from ..services.remedies import order_lines
from ..steps import step_bar
from .common import error_message, error_status, upload_rate
from .timeline import describe

Actor = DisputeEvent.Actor
FULL = "arbitration/dispute_detail.html"
BODY = "arbitration/partials/dispute_body.html"


def auto_id(form_name: str) -> str:
    """Element ids per form: several forms on one page share field names."""
    return form_name.removesuffix("_form") + "-%s"


def with_own_findings(groups: dict[str, list], party) -> dict[str, list]:
    """Put the plain explanation (``party_summary``) on the party's OWN analysed photos and
    videos only: the other side's findings, scores, regions and heatmaps never reach a
    party's page."""
    own = [item for items in groups.values() for item in items if item.submitted_by_id == party.pk]
    reports = current_reports(item.pk for item in own) if own else {}
    for item in own:
        item.finding = party_summary(reports.get(item.pk), item.kind == Evidence.Kind.VIDEO)
    return groups


def dispute_context(request, dispute, party, side, *, forms=None) -> dict:
    offer = selectors.pending_offer(dispute)
    reported = side == Actor.MERCHANT and selectors.has_reported(dispute, party)
    lines = order_lines(dispute.order)
    context = {
        "dispute": dispute,
        "party": party,
        "side": side,
        "is_buyer": side == Actor.BUYER,
        "is_merchant": side == Actor.MERCHANT,
        "offer": offer,
        "offer_is_mine": offer is not None and offer.made_by_id == party.pk,
        "moves": selectors.moves_for(dispute, side, offer, reported=reported),
        "steps": step_bar(dispute),
        "consequence": consequence(dispute, side),
        "evidence": with_own_findings(selectors.dispute_evidence(dispute), party),
        "timeline": [describe(e, side) for e in selectors.dispute_timeline(dispute, side)],
        "decision": Decision.objects.filter(dispute=dispute).first(),
        "refund": Refund.objects.filter(dispute=dispute).first(),
        "offer_form": OfferForm(
            initial={"mode": "amount"},
            auto_id=auto_id("offer_form"),
            lines=lines,
        ),
        "counter_form": OfferForm(
            initial={"mode": "amount"},
            auto_id=auto_id("counter_form"),
            lines=lines,
        ),
        "respond_form": StatementForm(
            initial={"statement": dispute.merchant_statement}, auto_id=auto_id("respond_form")
        ),
        "escalate_form": EscalateForm(auto_id=auto_id("escalate_form")),
        "reject_form": RejectForm(auto_id=auto_id("reject_form")),
        "negotiation": thread(dispute),
        "report_form": ReportForm(auto_id=auto_id("report_form")),
        "evidence_form": EvidenceForm(auto_id=auto_id("evidence_form")),
    }
    from .appeals import appeal_context
    from .flags import flag_context
    from .packing import packing_context
    from .recoveries import recovery_context
    from .remedies import remedy_context

    context.update(remedy_context(dispute, party, side, context["moves"]))
    context.update(appeal_context(dispute, side))
    context.update(packing_context(dispute, side))
    context.update(flag_context(dispute, side))
    context.update(recovery_context(dispute))
    context.update(forms or {})
    return context


def render_dispute(request, pk, *, forms=None, status=200):
    """The page (or, for htmx, its body), read afresh after whatever a service changed."""
    dispute, party, side = selectors.dispute_for_user(request.user, pk)
    context = dispute_context(request, dispute, party, side, forms=forms)
    return render(request, BODY if request.htmx else FULL, context, status=status)


@login_required
@vary_on_headers("HX-Request")
def dispute_detail(request, pk: int):
    return render_dispute(request, pk)


def _move(request, pk, *, call, done, form_class=None, form_name=None, side=None):
    """Run one move: validate the form, call the service, render the outcome."""
    dispute, party, _side = selectors.dispute_for_user(request.user, pk, side=side)
    form = None
    if form_class is not None:
        form = form_class(request.POST, request.FILES, auto_id=auto_id(form_name))
    if form is not None and not form.is_valid():
        return render_dispute(request, pk, forms={form_name: form}, status=400)
    try:
        result = call(dispute=dispute, party=party, form=form)
    except (DomainError, IllegalTransition) as error:
        if form is not None and getattr(error, "field", None) in form.fields:
            form.add_domain_error(error, error_message(error))
        else:
            messages.error(request, error_message(error))
        forms = {form_name: form} if form is not None else None
        return render_dispute(request, pk, forms=forms, status=error_status(error))
    messages.success(request, done(result) if callable(done) else done)
    if request.htmx:
        return render_dispute(request, pk)
    return redirect("dispute", pk=pk)


def _post_view(fn):
    return login_required(require_POST(vary_on_headers("HX-Request")(fn)))


@_post_view
def offer_accept(request, pk: int):
    return _move(
        request,
        pk,
        call=lambda dispute, party, form: services.offer_accept(
            dispute=dispute, party=party, user=request.user
        ),
        done=lambda decision: (
            _("You accepted the offer. The refund is on its way.")
            if decision is not None
            else _(
                "You accepted the offer. An arbitrator will confirm it before it is carried out."
            )
        ),
    )


@_post_view
def offer_reject(request, pk: int):
    return _move(
        request,
        pk,
        form_class=RejectForm,
        form_name="reject_form",
        call=lambda dispute, party, form: services.offer_reject(
            dispute=dispute, party=party, message=form.cleaned_data["message"], user=request.user
        ),
        done=_("You rejected the offer."),
    )


@_post_view
def offer_make(request, pk: int):
    """A merchant's offer, or either side's counter to the other's pending offer."""
    form_name = "offer_form"
    dispute, _party, side = selectors.dispute_for_user(request.user, pk)
    if side == Actor.BUYER:
        form_name = "counter_form"

    def call(dispute, party, form):
        services.offer_make(
            dispute=dispute,
            party=party,
            message=form.cleaned_data["message"],
            user=request.user,
            **form.offer_kwargs(),
        )

    return _move(
        request,
        pk,
        form_class=partial(OfferForm, lines=order_lines(dispute.order)),
        form_name=form_name,
        call=call,
        done=_("Your offer was sent."),
    )


@_post_view
def dispute_escalate(request, pk: int):
    return _move(
        request,
        pk,
        form_class=EscalateForm,
        form_name="escalate_form",
        call=lambda dispute, party, form: services.dispute_escalate(
            dispute=dispute,
            party=party,
            statement=form.cleaned_data["statement"],
            user=request.user,
        ),
        done=_("An arbitrator will now review the dispute."),
    )


@_post_view
def dispute_withdraw(request, pk: int):
    return _move(
        request,
        pk,
        side=Actor.BUYER,
        call=lambda dispute, party, form: services.dispute_withdraw(
            dispute=dispute, party=party, user=request.user
        ),
        done=_("You withdrew the dispute."),
    )


@_post_view
def merchant_respond(request, pk: int):
    return _move(
        request,
        pk,
        side=Actor.MERCHANT,
        form_class=StatementForm,
        form_name="respond_form",
        call=lambda dispute, party, form: services.merchant_respond(
            dispute=dispute,
            party=party,
            statement=form.cleaned_data["statement"],
            user=request.user,
        ),
        done=_("Your response was saved."),
    )


@_post_view
def merchant_accept_claim(request, pk: int):
    return _move(
        request,
        pk,
        side=Actor.MERCHANT,
        call=lambda dispute, party, form: services.merchant_accept_claim(
            dispute=dispute, party=party, user=request.user
        ),
        done=lambda dispute: (
            _("You accepted the claim. An arbitrator will confirm it before it is carried out.")
            if dispute.review_required
            else _("You accepted the claim. The buyer will be refunded.")
        ),
    )


@_post_view
def dispute_submit(request, pk: int):
    """The buyer sends a saved claim (a draft) to the merchant."""
    return _move(
        request,
        pk,
        side=Actor.BUYER,
        call=lambda dispute, party, form: services.dispute_submit(
            dispute=dispute, party=party, user=request.user
        ),
        done=_("Your dispute was sent to the merchant."),
    )


@_post_view
def merchant_report(request, pk: int):
    return _move(
        request,
        pk,
        side=Actor.MERCHANT,
        form_class=ReportForm,
        form_name="report_form",
        call=lambda dispute, party, form: services.merchant_report_buyer(
            dispute=dispute,
            party=party,
            category=form.cleaned_data["category"],
            statement=form.cleaned_data["statement"],
            user=request.user,
        ),
        done=_("Your report was filed; an arbitrator will review it."),
    )


@login_required
@require_POST
@vary_on_headers("HX-Request")
@ratelimit(key="user", rate=upload_rate, method="POST", block=True)
def evidence_upload(request, pk: int):
    return _move(
        request,
        pk,
        form_class=EvidenceForm,
        form_name="evidence_form",
        call=lambda dispute, party, form: services.party_add_evidence(
            dispute=dispute,
            party=party,
            files=form.cleaned_data["files"],
            caption=form.cleaned_data["caption"],
            user=request.user,
        ),
        done=_("Your files were added."),
    )
