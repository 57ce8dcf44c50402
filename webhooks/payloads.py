"""What an event says about an object: ids, states and amounts in fen; never personal data."""


def _ts(value):
    return int(value.timestamp()) if value else None


def dispute_data(dispute) -> dict:
    return {
        "object": "dispute",
        "id": dispute.pk,
        "reference": dispute.reference,
        "order": dispute.order.external_id,
        "state": dispute.state,
        "reason": dispute.reason,
        "remedy": dispute.remedy,
        "claimed_amount_fen": dispute.claimed_amount_fen,
        "waiting_on": dispute.waiting_on,
        "deadline_at": _ts(dispute.deadline_at),
    }


def offer_data(offer) -> dict:
    buyer = offer.made_by_id == offer.dispute.buyer_id
    return {
        "object": "offer",
        "id": offer.pk,
        "dispute": offer.dispute_id,
        "made_by": "buyer" if buyer else "merchant",
        "remedy": offer.remedy,
        "amount_fen": offer.amount_fen,
        "percent": offer.percent,
        "status": offer.status,
    }


def decision_data(decision) -> dict:
    return {
        "object": "decision",
        "dispute": decision.dispute_id,
        "outcome": decision.outcome,
        "amount_fen": decision.amount_fen,
        "source": decision.source,
        "state": decision.dispute.state,
    }


def appeal_data(appeal) -> dict:
    """An appeal and, once decided, the money it moves: ``adjustment_fen`` is signed (the
    buyer is owed more when positive, owes it back when negative); ``payer``/``payee`` name
    the sides so the platform need not read the sign."""
    adjustment = appeal.adjustment_fen
    payer, payee = ("merchant", "buyer") if adjustment > 0 else ("buyer", "merchant")
    return {
        "object": "appeal",
        "id": appeal.pk,
        "dispute": appeal.dispute_id,
        "decision": appeal.decision_id,
        "side": appeal.side,
        "status": appeal.status,
        "original_outcome": appeal.decision.outcome,
        "original_amount_fen": appeal.decision.amount_fen,
        "outcome": appeal.outcome or appeal.decision.outcome,
        "amount_fen": appeal.decision.amount_fen + adjustment,
        "adjustment_fen": adjustment,
        "payer": payer if adjustment else "",
        "payee": payee if adjustment else "",
        "currency": appeal.dispute.order.currency,
        "reviewed_at": _ts(appeal.reviewed_at),
    }


def recovery_data(recovery) -> dict:
    return {
        "object": "refund_recovery",
        "id": recovery.pk,
        "dispute": recovery.dispute_id,
        "refund_reference": recovery.refund.reference if recovery.refund else "",
        "amount_fen": recovery.amount_fen,
        "currency": recovery.currency,
        "funded_by": recovery.funded_by,
        "status": recovery.status,
        "evidence": [str(item.uid) for item in recovery.evidence.all()],
        "requested_at": _ts(recovery.requested_at),
        "settled_at": _ts(recovery.settled_at),
    }


def analysis_data(evidence, report) -> dict:
    return {
        "object": "evidence",
        "uid": str(evidence.uid),
        "dispute": evidence.dispute_id,
        "role": evidence.role,
        "verdict": report.verdict,
        "forgery_score": report.forgery_score,
        "analyzer_version": report.analyzer_version,
        # The codes say why; the detail text and regions stay behind the evidence endpoint.
        "signals": [
            {"code": s.code, "polarity": s.polarity, "score": round(s.score, 3)}
            for s in report.signals.order_by("-score", "code")
        ],
    }
