"""Booking and proposing helpers the sources share."""

from django.utils import translation

from ..credit import credit_event_record
from ..models import CreditEvent, CreditProposal
from ..proposals import credit_proposal_make

Kind = CreditEvent.Kind


def book(party, kind, reason: dict, source_key, **links) -> CreditEvent:
    """Book an event an arbitrator's decision (or an upheld report) caused."""
    event, _created = credit_event_record(
        party=party, kind=kind, source_key=source_key, **reason, **links
    )
    return event


def propose(party, kind, reason: dict, source_key, *, basis: dict, **links) -> CreditProposal:
    """Propose an event the detection found, for an arbitrator to confirm or dismiss."""
    proposal, _created = credit_proposal_make(
        party=party, kind=kind, source_key=source_key, basis=basis, **reason, **links
    )
    return proposal


def msgid(label) -> str:
    """The untranslated text of a lazy label, for ``reason_of``'s ``*_label`` values."""
    with translation.override(None):
        return str(label)


def propose_many(rows) -> list[CreditProposal]:
    """Propose ``(evidence, kind, reason, key, basis)`` rows, one per party, in party order:
    two analyses proposing for the same parties insert (and wait on) the same unique keys in
    the same order and cannot deadlock."""
    by_party = {}
    for row in rows:
        by_party.setdefault(row[0].submitted_by_id, row)
    return [
        propose(
            item.submitted_by, kind, reason, key, basis=basis, dispute=item.dispute, evidence=item
        )
        for _pk, (item, kind, reason, key, basis) in sorted(by_party.items())
    ]
