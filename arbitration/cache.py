"""The Redis cache, degraded to a per-process one while Redis cannot be reached.

Redis is both the broker and the cache, and every rate limit and API throttle reads the
cache: an outage must slow nothing down and fail nothing. While Redis is unreachable each
call goes to a local in-memory cache instead (rate limits then count per process, so they
are looser by the number of processes), a warning is logged, and Redis is tried again
after ``RETRY_AFTER`` seconds.
"""

import logging
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
SHARED_PARAMS = ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")


def _degrading(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        local = {name: params[name] for name in SHARED_PARAMS if name in params}
        self._local = LocMemCache(f"degraded-{server}", local)
        self._down_until = 0.0

    def _call(self, name: str, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._down_until = time.monotonic() + RETRY_AFTER
                log.warning(
                    "Redis cache unreachable (%s): rate limits count per process; "
                    "trying Redis again in %s s.",
                    error,
                    RETRY_AFTER,
                )
        return getattr(self._local, name)(*args, **kwargs)

    # decr, get_or_set and the rest are built on these.
    add = _degrading("add")
    get = _degrading("get")
    set = _degrading("set")
    touch = _degrading("touch")
    delete = _degrading("delete")
    get_many = _degrading("get_many")
    has_key = _degrading("has_key")
    incr = _degrading("incr")
    set_many = _degrading("set_many")
    delete_many = _degrading("delete_many")
    clear = _degrading("clear")
