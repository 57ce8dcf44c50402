"""Remedies beyond money: a return before the refund, a replacement, refunds of order lines.

After a decision of ``return_and_refund`` or ``replacement`` the dispute moves through the
fulfilment states of ``lifecycle.py``; each step has a deadline and ``remedy_expire`` says
what its passing means (the rule lives here, called from ``deadlines.dispute_expire``):

* **buyer never ships the return** (``awaiting_return``, ``RETURN_SHIP_WINDOW``): closed
  without a refund. The decision made the refund conditional on the item coming back.
* **merchant never acknowledges the return** (``return_in_transit``,
  ``RETURN_RECEIVE_WINDOW`` from shipping): taken as received and refunded. The buyer gave a
  tracking number; the merchant's silence must not hold the money back.
* **merchant never ships the replacement** (``awaiting_replacement``,
  ``REPLACEMENT_SHIP_WINDOW``): the buyer is refunded what was claimed instead.
* **buyer never confirms the replacement** (``replacement_shipped``,
  ``REPLACEMENT_CONFIRM_WINDOW`` from shipping): taken as received; closed.

Windows are platform-wide defaults for now (no per-platform setting yet).
"""

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Party

from .. import lifecycle
from ..errors import DomainError
from ..models import Decision, Dispute, DisputeEvent, Order, Refund, RefundLine, Shipment
from .common import locked, side_of, yuan

Actor = DisputeEvent.Actor
State = Dispute.State
Side = Dispute.Side

RETURN_SHIP_WINDOW = timedelta(days=7)
RETURN_RECEIVE_WINDOW = timedelta(days=14)
REPLACEMENT_SHIP_WINDOW = timedelta(days=5)
REPLACEMENT_CONFIRM_WINDOW = timedelta(days=14)

TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{5,39}$")
# Outcomes (and offer remedies) that may be given as order lines.
LINE_OUTCOMES = frozenset({Decision.Outcome.PARTIAL_REFUND, Decision.Outcome.RETURN_AND_REFUND})


# --- order lines ----------------------------------------------------------------------------
def order_lines(order: Order) -> list[dict]:
    """The order's lines, numbered, with what was paid and what is already refunded.

    Refunded counts the lines of other decisions on the order that paid or will pay (a
    return that lapsed refunded nothing).
    """
    done = (
        RefundLine.objects.filter(decision__dispute__order=order)
        .exclude(decision__dispute__state=State.CLOSED, decision__dispute__refund__isnull=True)
        .values("line_index")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount_fen"))
    )
    refunded = {row["line_index"]: row for row in done}
    lines = []
    for index, item in enumerate(order.items or []):
        if not isinstance(item, dict):
            continue
        quantity = int(item.get("quantity") or 0)
        unit = int(item.get("unit_price_fen") or 0)
        already = refunded.get(index, {})
        lines.append(
            {
                "index": index,
                "sku": str(item.get("sku") or ""),
                "title": str(item.get("title") or ""),
                "quantity": quantity,
                "unit_price_fen": unit,
                "paid_fen": quantity * unit,
                "refunded_quantity": int(already.get("quantity") or 0),
                "refunded_fen": int(already.get("amount") or 0),
            }
        )
    return lines


def lines_check(order: Order, lines: Iterable[dict]) -> list[RefundLine]:
    """Validate refund lines ``{line, quantity, amount_fen, reason}`` against the order.

    Each line once; at most the units bought and not yet refunded; an amount of at least one
    fen and at most what those units cost and what is left of the line's price. Returns
    unsaved rows for ``lines_save``; any error refuses the whole set.
    """
    lines = list(lines)
    if not lines:
        raise DomainError(_("Choose at least one order line."), field="lines")
    available = {line["index"]: line for line in order_lines(order)}
    if not available:
        raise DomainError(_("This order has no item lines to refund."), field="lines")
    rows, seen = [], set()
    for given in lines:
        try:
            index = int(given.get("line"))
            quantity = int(given.get("quantity"))
            amount = int(given.get("amount_fen"))
        except (TypeError, ValueError) as exc:
            raise DomainError(
                _("Each line needs a line number, a quantity and an amount."), field="lines"
            ) from exc
        line = available.get(index)
        if line is None:
            raise DomainError(
                _("Order line %(line)s does not exist.") % {"line": index + 1}, field="lines"
            )
        if index in seen:
            raise DomainError(
                _("Order line %(line)s is given twice.") % {"line": index + 1}, field="lines"
            )
        seen.add(index)
        reason = given.get("reason") or ""
        if reason not in RefundLine.Reason.values:
            raise DomainError(
                _("Choose a reason for %(title)s.") % {"title": line["title"]}, field="lines"
            )
        units_left = line["quantity"] - line["refunded_quantity"]
        if not 1 <= quantity <= units_left:
            raise DomainError(
                _("%(title)s: refund between 1 and %(left)s unit(s).")
                % {"title": line["title"], "left": units_left},
                field="lines",
            )
        left = line["paid_fen"] - line["refunded_fen"]
        cap = min(quantity * line["unit_price_fen"], left)
        if not 1 <= amount <= cap:
            raise DomainError(
                _("%(title)s: the refund must be more than zero and at most %(cap)s.")
                % {"title": line["title"], "cap": yuan(cap)},
                field="lines",
            )
        rows.append(
            RefundLine(
                line_index=index,
                sku=line["sku"][:120],
                title=line["title"][:200] or line["sku"][:200],
                unit_price_fen=line["unit_price_fen"],
                quantity=quantity,
                amount_fen=amount,
                reason=reason,
            )
        )
    total = lines_total(rows)
    if total > order.amount_fen:
        raise DomainError(
            _("The lines add up to %(total)s, more than the %(paid)s paid.")
            % {"total": yuan(total), "paid": yuan(order.amount_fen)},
            field="lines",
        )
    return rows


def lines_total(rows: Iterable[RefundLine]) -> int:
    return sum(row.amount_fen for row in rows)


def lines_save(rows: Iterable[RefundLine], *, decision=None, offer=None) -> list[RefundLine]:
    """Store checked (or an accepted offer's) lines on a decision or an offer."""
    saved = [
        RefundLine(
            decision=decision,
            offer=offer,
            **{
                field: getattr(row, field)
                for field in (
                    "line_index",
                    "sku",
                    "title",
                    "unit_price_fen",
                    "quantity",
                    "amount_fen",
                    "reason",
                )
            },
        )
        for row in rows
    ]
    return RefundLine.objects.bulk_create(saved)


def lines_payload(rows: Iterable[RefundLine]) -> list[dict]:
    """Lines as the audit trail and the webhooks tell them."""
    return [
        {
            "line": row.line_index,
            "sku": row.sku,
            "quantity": row.quantity,
            "amount_fen": row.amount_fen,
            "reason": row.reason,
        }
        for row in rows
    ]


# --- after the decision ---------------------------------------------------------------------
def remedy_start(dispute: Dispute, outcome: str, *, now: datetime | None = None) -> bool:
    """Start the return or replacement a decision calls for; False when there is none.

    Called by ``settle`` with the lock held, right after the move to ``decided``.
    """
    now = now or timezone.now()
    if outcome == Decision.Outcome.RETURN_AND_REFUND:
        lifecycle.apply(
            dispute,
            "await_return",
            actor=Actor.SYSTEM,
            waiting_on=Side.BUYER,
            due=now + RETURN_SHIP_WINDOW,
            payload={"return_code": return_code(dispute)},
        )
        return True
    if outcome == Decision.Outcome.REPLACEMENT:
        lifecycle.apply(
            dispute,
            "await_replacement",
            actor=Actor.SYSTEM,
            waiting_on=Side.MERCHANT,
            due=now + REPLACEMENT_SHIP_WINDOW,
        )
        return True
    return False


def return_code(dispute: Dispute) -> str:
    """What the buyer writes on the return parcel so the merchant can match it."""
    return f"{dispute.reference}-R"


def _tracking(carrier: str, tracking_number: str) -> tuple[str, str]:
    if carrier not in Shipment.Carrier.values:
        raise DomainError(_("Choose the carrier."), field="carrier")
    number = (tracking_number or "").strip().replace(" ", "")
    if not TRACKING_NUMBER.match(number):
        raise DomainError(
            _("Enter the tracking number: 6 to 40 letters, digits or dashes."),
            field="tracking_number",
        )
    return carrier, number.upper()


def _ship(dispute, party, *, name, kind, carrier, tracking_number, user, window) -> Shipment:
    carrier, number = _tracking(carrier, tracking_number)
    dispute = locked(dispute)
    actor = side_of(dispute, party)
    now = timezone.now()
    waiting_on = Side.MERCHANT if kind == Shipment.Kind.RETURN else Side.BUYER
    event = lifecycle.apply(
        dispute,
        name,
        actor=actor,
        user=user,
        waiting_on=waiting_on,
        due=now + window,
        payload={"carrier": carrier, "tracking_number": number},
    )
    shipment = Shipment.objects.create(
        dispute=dispute,
        kind=kind,
        carrier=carrier,
        tracking_number=number,
        shipped_by=party,
        shipped_at=now,
    )
    event.payload["shipment"] = shipment.pk
    event.save(update_fields=["payload"])
    return shipment


@transaction.atomic
def return_ship(
    *, dispute: Dispute, party: Party, carrier: str, tracking_number: str, user=None
) -> Shipment:
    """The buyer sent the item back; the merchant has ``RETURN_RECEIVE_WINDOW`` to confirm."""
    return _ship(
        dispute,
        party,
        name="ship_return",
        kind=Shipment.Kind.RETURN,
        carrier=carrier,
        tracking_number=tracking_number,
        user=user,
        window=RETURN_RECEIVE_WINDOW,
    )


@transaction.atomic
def replacement_ship(
    *, dispute: Dispute, party: Party, carrier: str, tracking_number: str, user=None
) -> Shipment:
    """The merchant sent the replacement; the buyer confirms it arrived."""
    return _ship(
        dispute,
        party,
        name="ship_replacement",
        kind=Shipment.Kind.REPLACEMENT,
        carrier=carrier,
        tracking_number=tracking_number,
        user=user,
        window=REPLACEMENT_CONFIRM_WINDOW,
    )


def _receive(dispute: Dispute, kind: str, *, user, now) -> Shipment:
    shipment = dispute.shipments.select_for_update().get(kind=kind)
    shipment.received_at = now
    shipment.acknowledged_by = user
    shipment.save(update_fields=["received_at", "acknowledged_by"])
    return shipment


def _return_received(dispute: Dispute, *, actor: str, user=None, now=None, extra=None) -> Refund:
    from .decisions import refund_queue

    now = now or timezone.now()
    event = lifecycle.apply(
        dispute, "acknowledge_return", actor=actor, user=user, payload=dict(extra or {})
    )
    amount = Decision.objects.get(dispute=dispute).amount_fen
    shipment = _receive(dispute, Shipment.Kind.RETURN, user=user, now=now)
    refund = refund_queue(dispute, amount)
    event.payload.update(amount_fen=amount, shipment=shipment.pk, refund=refund.pk)
    event.save(update_fields=["payload"])
    return refund


@transaction.atomic
def return_acknowledge(*, dispute: Dispute, party: Party, user=None) -> Refund:
    """The merchant confirms the return arrived; only now is the refund paid."""
    dispute = locked(dispute)
    actor = side_of(dispute, party)
    return _return_received(dispute, actor=actor, user=user)


@transaction.atomic
def replacement_confirm(*, dispute: Dispute, party: Party, user=None) -> Shipment:
    """The buyer confirms the replacement arrived; the dispute closes."""
    dispute = locked(dispute)
    actor = side_of(dispute, party)
    lifecycle.apply(dispute, "confirm_replacement", actor=actor, user=user)
    return _receive(dispute, Shipment.Kind.REPLACEMENT, user=user, now=timezone.now())


# What a fulfilment step's deadline does (``remedy_expire``; its words: ``deadlines``).
LAPSE = {
    State.AWAITING_RETURN: "return_lapse",
    State.RETURN_IN_TRANSIT: "acknowledge_return",
    State.AWAITING_REPLACEMENT: "replacement_lapse",
    State.REPLACEMENT_SHIPPED: "confirm_replacement",
}


def remedy_expire(dispute: Dispute, *, now: datetime, payload: dict) -> str | None:
    """The expiry rule for the fulfilment steps (see the module docstring).

    The caller (``deadlines.dispute_expire``) holds the lock and checked the deadline.
    """
    from .decisions import refund_queue

    step = LAPSE.get(dispute.state)
    if step == "return_lapse":
        lifecycle.apply(dispute, "return_lapse", actor=Actor.SYSTEM, payload=payload)
        return "return_lapse"
    if step == "acknowledge_return":
        _return_received(dispute, actor=Actor.SYSTEM, now=now, extra={**payload, "deemed": True})
        return "acknowledge_return"
    if step == "replacement_lapse":
        amount = dispute.claimed_amount_fen
        lifecycle.apply(
            dispute,
            "replacement_lapse",
            actor=Actor.SYSTEM,
            payload={**payload, "amount_fen": amount},
        )
        refund_queue(dispute, amount)
        return "replacement_lapse"
    if step == "confirm_replacement":
        lifecycle.apply(
            dispute,
            "confirm_replacement",
            actor=Actor.SYSTEM,
            payload={**payload, "deemed": True},
        )
        _receive(dispute, Shipment.Kind.REPLACEMENT, user=None, now=now)
        return "confirm_replacement"
    return None
