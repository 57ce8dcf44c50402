"""The one call the dispute lifecycle makes: notify about an event once it has committed."""

from django.db import transaction

from .rules import NOTIFYING_ACTIONS


def dispute_event_committed(event) -> None:
    """Queue the notifications of ``event`` after commit; a broker outage is left to the sweep."""
    if event.action not in NOTIFYING_ACTIONS:
        return
    from .tasks import notify_dispute_event

    transaction.on_commit(lambda: notify_dispute_event.delay(event.pk), robust=True)
