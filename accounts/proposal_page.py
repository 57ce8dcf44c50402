"""What the console shows of credit proposals: each with the evidence and disputes behind it
(``CreditProposal.basis``), read in a fixed number of queries for any number of proposals."""

from django.db.models import Q
from django.urls import reverse

from arbitration.console import evidence_url
from arbitration.models import Dispute
from evidence.models import Evidence

from .models import CreditProposal


def proposal_url(proposal_id: int) -> str:
    return reverse("console:accounts_creditproposal_change", args=[proposal_id])


def _ids(proposals, name: str) -> set[int]:
    return {
        int(pk)
        for proposal in proposals
        for pk in (proposal.basis or {}).get(name, [])
        if str(pk).isdigit()
    }


def with_basis(proposals) -> list[CreditProposal]:
    """``proposals`` with ``basis_evidence`` (files to look at, links ready) and
    ``basis_disputes`` attached, and ``url`` to each one's review page."""
    proposals = list(proposals)
    evidence = Evidence.objects.select_related("submitted_by", "dispute").in_bulk(
        _ids(proposals, "evidence")
    )
    disputes = Dispute.objects.in_bulk(_ids(proposals, "disputes"))
    for item in evidence.values():
        item.file_url = evidence_url(item.uid)
        item.original_url = evidence_url(item.uid, original=True)
    for proposal in proposals:
        basis = proposal.basis or {}
        proposal.url = proposal_url(proposal.pk)
        proposal.basis_evidence = [
            evidence[int(pk)] for pk in basis.get("evidence", []) if int(pk) in evidence
        ]
        proposal.basis_disputes = [
            disputes[int(pk)] for pk in basis.get("disputes", []) if int(pk) in disputes
        ]
    return proposals


def _pending_first(rows) -> list[CreditProposal]:
    """Pending proposals (oldest first), then the reviewed ones (latest review first)."""
    rows = list(rows.select_related("party", "dispute", "reviewed_by", "event"))
    pending = [p for p in rows if p.status == CreditProposal.Status.PENDING]
    reviewed = sorted(
        (p for p in rows if p.status != CreditProposal.Status.PENDING),
        key=lambda p: p.reviewed_at,
        reverse=True,
    )
    return with_basis(pending + reviewed)


def proposals_for_party(party) -> list[CreditProposal]:
    return _pending_first(CreditProposal.objects.filter(party=party))


def proposals_for_dispute(dispute) -> list[CreditProposal]:
    """Proposals raised from this dispute or from evidence filed in it."""
    return _pending_first(
        CreditProposal.objects.filter(Q(dispute=dispute) | Q(evidence__dispute=dispute))
    )
