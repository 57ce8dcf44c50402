"""When a failed delivery is tried again: 1 min × 2ⁿ, capped at 6 h, giving up after 3 days."""

from datetime import timedelta

BASE = timedelta(minutes=1)
CAP = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)


def retry_delay(failed_attempts: int) -> timedelta | None:
    """The wait after the ``failed_attempts``-th failure, or ``None`` once 3 days are spent.

    The schedule's total never exceeds ``GIVE_UP_AFTER`` counted from the first attempt.
    """
    if failed_attempts < 1:
        raise ValueError("failed_attempts starts at 1")
    elapsed = timedelta(0)
    for n in range(failed_attempts):
        delay = min(BASE * 2**n, CAP)
        if elapsed + delay > GIVE_UP_AFTER:
            return None
        elapsed += delay
    return delay
