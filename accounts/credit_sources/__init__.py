"""Where credit events come from: decisions, merchant reports, forensic findings, claim velocity.

Each function is called by one thin hook in the service that owns the cause, inside that
service's transaction, so the ledger and its cause commit together (a failed booking rolls the
cause back and its task retries both). Each names its cause with a ``source_key``, so calling
it twice books or proposes nothing new.

Two kinds of source, on purpose:

- what an arbitrator decided (``decisions.py``: a decision, evidence confirmed fabricated, an
  upheld merchant report, a decision overturned on appeal, which strikes the original
  decision's events) is booked at once through ``credit.credit_event_record``;
- what the detection found (``findings.py``, ``velocity.py``) is only *proposed*
  (``proposals.credit_proposal_make``) and weighs nothing until an arbitrator confirms it.
  The first filer of a photo is never proposed for someone else's later copy, and evidence
  on another platform counts only where both platforms opted in.

What does *not* cost anything, on purpose:

- a decision by agreement (an accepted offer is a compromise, not a denial), a fast refund
  (nobody judged the claim) and a merchant accepting a claim (conceding promptly is what we
  want merchants to do; their AI listings and lost not-as-described disputes still count);
- a forensic score or a match alone: evidence costs its submitter only when the arbitrator
  confirms it fabricated, and a detected pattern (the same image filed by two accounts, the
  same listing photo painted on in two disputes, an AI label the image declares itself, a
  count of claims) only when the arbitrator confirms the proposal.
"""

from .decisions import (
    credit_for_appeal,
    credit_for_decision,
    credit_for_fabrication,
    credit_for_report,
    fabricated_evidence_check,
)
from .findings import credit_for_analysis
from .velocity import credit_for_dispute_opened

__all__ = [
    "credit_for_analysis",
    "credit_for_appeal",
    "credit_for_decision",
    "credit_for_dispute_opened",
    "credit_for_fabrication",
    "credit_for_report",
    "fabricated_evidence_check",
]
