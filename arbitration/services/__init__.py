"""Use cases of the dispute domain. Views, the console, the API and tasks call these."""

from .appeals import appeal_file, appeal_review
from .deadlines import dispute_expire, expire_overdue
from .decisions import dispute_decide, refund_complete, refunds_due
from .disputes import (
    dispute_escalate,
    dispute_open,
    dispute_submit,
    dispute_withdraw,
    merchant_accept_claim,
    merchant_report_buyer,
    merchant_respond,
    party_add_evidence,
)
from .offers import offer_accept, offer_make, offer_reject
from .orders import order_upsert, party_upsert

__all__ = [
    "appeal_file",
    "appeal_review",
    "dispute_decide",
    "dispute_escalate",
    "dispute_expire",
    "dispute_open",
    "dispute_submit",
    "dispute_withdraw",
    "expire_overdue",
    "merchant_accept_claim",
    "merchant_report_buyer",
    "merchant_respond",
    "offer_accept",
    "offer_make",
    "offer_reject",
    "order_upsert",
    "party_add_evidence",
    "party_upsert",
    "refund_complete",
    "refunds_due",
]
