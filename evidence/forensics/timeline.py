"""A damage photo taken before the parcel was delivered cannot show that parcel."""

from __future__ import annotations

import datetime as dt

from .decoded import Decoded
from .exiftext import captured_at
from .types import Context, Result, Signal
from .wording import said

BEFORE_DELIVERY_SCORE = 0.7


def run(img: Decoded, context: Context) -> Result:
    found = before_delivery(captured_at(img), context.delivered_at, "timeline.before_delivery")
    return Result([found] if found else [])


def before_delivery(
    taken: dt.datetime | None, delivered: dt.datetime | dt.date | None, key: str
) -> Signal | None:
    """The signal when `taken` is before the delivery; `key` is the sentence that says where
    the time was read (a photo's EXIF, a clip's container)."""
    if delivered is None or taken is None or not _before(taken, delivered):
        return None
    return Signal(
        "timeline.captured_before_delivery",
        BEFORE_DELIVERY_SCORE,
        **said(key, taken=taken.isoformat(), delivered=delivered.isoformat()),
        data={"captured_at": taken.isoformat(), "delivered_at": delivered.isoformat()},
    )


def _before(taken: dt.datetime, delivered: dt.datetime | dt.date) -> bool:
    """Dates compare by calendar day (the capture's local day); datetimes compare exactly
    when both carry a zone, otherwise as naive local times."""
    if not isinstance(delivered, dt.datetime):
        return taken.date() < delivered
    if taken.tzinfo and delivered.tzinfo:
        return taken < delivered
    return taken.replace(tzinfo=None) < delivered.replace(tzinfo=None)
