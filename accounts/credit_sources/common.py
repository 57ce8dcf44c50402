"""Booking helpers the sources share."""

from django.utils import translation

from ..credit import credit_event_record
from ..models import CreditEvent

Kind = CreditEvent.Kind


def book(party, kind, reason: dict, source_key, **links) -> CreditEvent:
    event, _created = credit_event_record(
        party=party, kind=kind, source_key=source_key, **reason, **links
    )
    return event


def msgid(label) -> str:
    """The untranslated text of a lazy label, for ``reason_of``'s ``*_label`` values."""
    with translation.override(None):
        return str(label)


def book_many(rows) -> list[CreditEvent]:
    """Book ``(evidence, kind, reason, key)`` rows, one per party, in party order: two
    analyses booking the same parties lock them in the same order and cannot deadlock."""
    by_party = {}
    for item, kind, reason, key in rows:
        by_party.setdefault(item.submitted_by_id, (item, kind, reason, key))
    return [
        book(item.submitted_by, kind, reason, key, dispute=item.dispute, evidence=item)
        for _pk, (item, kind, reason, key) in sorted(by_party.items())
    ]
