from datetime import timedelta

import pytest

from webhooks.backoff import CAP, GIVE_UP_AFTER, retry_delay


def test_it_doubles_from_one_minute():
    delays = [retry_delay(n) for n in range(1, 6)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]


def test_it_caps_the_wait_at_six_hours():
    assert retry_delay(9) == timedelta(minutes=256)
    assert retry_delay(10) == CAP
    assert retry_delay(15) == CAP


def test_it_gives_up_after_about_three_days():
    delays = []
    n = 1
    while (delay := retry_delay(n)) is not None:
        delays.append(delay)
        n += 1
    total = sum(delays, timedelta(0))
    assert GIVE_UP_AFTER - CAP < total <= GIVE_UP_AFTER
    assert len(delays) == 19


def test_it_rejects_a_count_below_one():
    with pytest.raises(ValueError):
        retry_delay(0)
