"""Where credit events come from: decisions, merchant reports, forensic findings, claim velocity.

Each function is called by one thin hook in the service that owns the cause, inside that
service's transaction, so the ledger and its cause commit together (a failed booking rolls the
cause back and its task retries both). Each books through ``credit.credit_event_record`` with a
``source_key`` naming the cause, so calling it twice books nothing new.

What does *not* cost anything, on purpose:

- a decision by agreement (an accepted offer is a compromise, not a denial), a fast refund
  (nobody judged the claim) and a merchant accepting a claim (conceding promptly is what we
  want merchants to do; their AI listings and lost not-as-described disputes still count);
- a forensic score alone: evidence costs its submitter only when the arbitrator confirms it
  fabricated. The automatic sources below rest on facts, not on a score: the same image filed
  by two accounts, the same listing photo painted on in two disputes, an AI label the image
  declares itself, and a count of claims.
"""

from .decisions import credit_for_decision, credit_for_report, fabricated_evidence_check
from .findings import credit_for_analysis
from .velocity import credit_for_dispute_opened

__all__ = [
    "credit_for_analysis",
    "credit_for_decision",
    "credit_for_dispute_opened",
    "credit_for_report",
    "fabricated_evidence_check",
]
