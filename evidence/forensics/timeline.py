"""A damage photo taken before the parcel was delivered cannot show that parcel."""

from __future__ import annotations

import datetime as dt

from .decoded import Decoded
from .exiftext import captured_at
from .types import Context, Result, Signal
from .wording import said

BEFORE_DELIVERY_SCORE = 0.7


def run(img: Decoded, context: Context) -> Result:
    delivered = context.delivered_at
    taken = captured_at(img)
    if delivered is None or taken is None:
        return Result([])
    if _before(taken, delivered):
        return Result(
            [
                Signal(
                    "timeline.captured_before_delivery",
                    BEFORE_DELIVERY_SCORE,
                    **said(
                        "timeline.before_delivery",
                        taken=taken.isoformat(),
                        delivered=delivered.isoformat(),
                    ),
                    data={"captured_at": taken.isoformat(), "delivered_at": delivered.isoformat()},
                )
            ]
        )
    return Result([])


def _before(taken: dt.datetime, delivered: dt.datetime | dt.date) -> bool:
    """Dates compare by calendar day (the capture's local day); datetimes compare exactly
    when both carry a zone, otherwise as naive local times."""
    if not isinstance(delivered, dt.datetime):
        return taken.date() < delivered
    if taken.tzinfo and delivered.tzinfo:
        return taken < delivered
    return taken.replace(tzinfo=None) < delivered.replace(tzinfo=None)
