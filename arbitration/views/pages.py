"""Home, the buyer's orders and opening a dispute, the merchant's inbox and orders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from django_ratelimit.decorators import ratelimit

from evidence.models import Evidence
from evidence.services import evidence_add

from .. import lifecycle, selectors, services
from ..errors import DomainError
from ..forms import DisputeOpenForm, EvidenceForm
from ..models import Dispute
from ..services import credit_rules
from .common import error_message, error_status, upload_rate


def home(request):
    """Send each person where their work is."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.can_arbitrate:
        return redirect("console:index")
    if selectors.has_merchant_parties(user):
        return redirect("merchant_inbox")
    return redirect("buyer_orders")


@login_required
def buyer_orders(request):
    orders = list(selectors.orders_for_buyer(request.user))
    for order in orders:
        disputes = list(order.disputes.all())
        order.active_dispute = next(
            (d for d in disputes if d.state in lifecycle.ACTIVE_STATES), None
        )
        order.latest_dispute = disputes[0] if disputes else None
        order.can_dispute = not any(
            d.state in lifecycle.ACTIVE_STATES | lifecycle.SETTLED_STATES for d in disputes
        )
    return render(request, "arbitration/buyer_orders.html", {"orders": orders})


@login_required
@vary_on_headers("HX-Request")
@ratelimit(key="user", rate=upload_rate, method="POST", block=True)
def dispute_open(request, order_id: int):
    """GET: the claim form. POST: open the dispute with its photos, then go to its page."""
    order = selectors.order_for_buyer(request.user, order_id)
    active = order.disputes.filter(state__in=lifecycle.ACTIVE_STATES).first()
    if active is not None:
        messages.info(request, _("This order already has an open dispute."))
        return redirect("dispute", pk=active.pk)
    settled = order.disputes.filter(state__in=lifecycle.SETTLED_STATES).first()
    if settled is not None:  # said on GET, not only after the form is filled and refused
        context = {"order": order, "settled": settled}
        return render(request, "arbitration/dispute_open.html", context, status=409)
    status = 200
    tier = order.buyer.credit_tier
    remedies = credit_rules.allowed_remedies(tier)
    # a watch-tier buyer may keep the claim as a draft and take photos with the in-app camera
    photos_required = tier == credit_rules.CreditTier.WATCH
    capture = photos_required and "capture" in request.POST
    if request.method == "POST":
        form = DisputeOpenForm(
            request.POST, request.FILES, remedies=remedies, photos_required=photos_required
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispute = services.dispute_open(
                    order=order,
                    buyer=order.buyer,
                    reason=data["reason"],
                    remedy=data["remedy"],
                    description=data["description"],
                    claimed_amount_fen=data["claimed_amount"],
                    files=data["files"],
                    user=request.user,
                    submit=not capture,
                )
            except DomainError as error:
                form.add_domain_error(error, error_message(error))
                status = error_status(error)
            else:
                messages.success(request, _opened_message(dispute))
                name = "dispute_capture" if capture else "dispute"
                url = reverse(name, kwargs={"pk": dispute.pk})
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        else:
            status = 400
    else:
        initial = Dispute.Remedy.REFUND_ONLY if Dispute.Remedy.REFUND_ONLY in remedies else None
        form = DisputeOpenForm(
            initial={"remedy": initial or remedies[0]},
            remedies=remedies,
            photos_required=photos_required,
        )
    template = (
        "arbitration/partials/dispute_open_form.html"
        if request.htmx
        else "arbitration/dispute_open.html"
    )
    context = {
        "order": order,
        "form": form,
        "tier": tier,
        "notice": credit_rules.open_notice(order.buyer, order),
    }
    return render(request, template, context, status=status)


def _opened_message(dispute: Dispute) -> str:
    if dispute.state == Dispute.State.OPEN:
        return _("Your claim is saved but not sent yet: take the photos, then send it.")
    if dispute.state in (Dispute.State.DECIDED, Dispute.State.REFUNDED):
        return _("Fast refund: your claim was granted at once and the refund is on its way.")
    return _("Your dispute was sent to the merchant.")


@login_required
def merchant_inbox(request):
    sort = request.GET.get("sort", "deadline")
    if sort not in selectors.INBOX_SORTS:
        sort = "deadline"
    disputes = selectors.merchant_inbox(request.user, sort)
    return render(
        request,
        "arbitration/merchant_inbox.html",
        {"disputes": disputes, "sort": sort, "active_states": lifecycle.ACTIVE_STATES},
    )


def _listing_form(order, *args) -> EvidenceForm:
    return EvidenceForm(*args, auto_id=f"order{order.pk}-%s")


def _merchant_orders(user, *, failed=None):
    orders = list(selectors.orders_for_merchant(user))
    for order in orders:
        mine = failed is not None and failed.order_id == order.pk
        order.upload_form = failed if mine else _listing_form(order)
        order.packing_form = EvidenceForm(auto_id=f"packing{order.pk}-%s")
    return orders


@login_required
def merchant_orders(request):
    orders = _merchant_orders(request.user)
    return render(request, "arbitration/merchant_orders.html", {"orders": orders})


@login_required
@require_POST
@vary_on_headers("HX-Request")
@ratelimit(key="user", rate=upload_rate, method="POST", block=True)
def listing_photos_upload(request, order_id: int):
    """The merchant's listing photos of an order: what the item looked like when sold."""
    order = selectors.order_for_merchant(request.user, order_id)
    form = _listing_form(order, request.POST, request.FILES)
    form.order_id = order.pk
    status = 400
    if form.is_valid():
        try:
            evidence_add(
                order=order,
                party=order.merchant,
                files=form.cleaned_data["files"],
                role=Evidence.Role.LISTING,
                caption=form.cleaned_data["caption"],
            )
        except DomainError as error:
            form.add_domain_error(error, error_message(error))
            status = error_status(error)
        else:
            messages.success(request, _("Listing photos added."))
            if not request.htmx:
                return redirect("merchant_orders")
            form, status = None, 200
    orders = _merchant_orders(request.user, failed=form)
    if request.htmx:
        order = next(o for o in orders if o.pk == order.pk)
        return render(
            request,
            "arbitration/partials/merchant_order.html",
            {"order": order, "show_messages": True},
            status=status,
        )
    return render(request, "arbitration/merchant_orders.html", {"orders": orders}, status=status)
