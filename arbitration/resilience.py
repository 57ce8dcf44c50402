"""What keeps one failure from spreading: the errors worth a retry, and sweeps that isolate
each item.

A beat sweep must try every item it is due to try: one poison row (a bug, a constraint, a
lost broker for one message) is logged and skipped, and the rows behind it still move. The
rows are walked in key order, page by page to the end, so the same failing row first in
line cannot starve the others tick after tick.
"""

import logging
from collections.abc import Callable, Iterable, Iterator

from django.db import InterfaceError, OperationalError

log = logging.getLogger(__name__)

# A database or broker that went away for a moment: a retry with a countdown cures these.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# The task options for "retry what is transient, and survive a killed worker": acknowledged
# after the work, redelivered if the process dies, retried with backoff.
RETRY_TRANSIENT = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
}
PAGE = 200


def each(items: Iterable, step: Callable, *, what: str) -> int:
    """Run ``step`` on every item; a failure is logged and the sweep goes on.

    Returns the sum of what the steps returned (a count each, or a bool).
    """
    done = 0
    for item in items:
        try:
            done += int(step(item) or 0)
        except Exception:
            log.exception("%s failed for %r; going on with the rest", what, item)
    return done


def keys_in_order(queryset, field: str = "pk", *, page: int | None = None) -> Iterator:
    """Every value of ``field`` in ``queryset``, ascending, a page per query (keyset)."""
    page = page or PAGE
    rows = queryset.order_by(field).values_list(field, flat=True).distinct()
    last = None
    while True:
        batch = list((rows if last is None else rows.filter(**{f"{field}__gt": last}))[:page])
        yield from batch
        if len(batch) < page:
            return
        last = batch[-1]
