"""The viewer's time zone: the browser reports it in a cookie (static/js/timezone.js).

A valid IANA name is activated for the request, so every date renders as the reader's wall
clock; anything else (missing, garbage, a path) falls back to ``settings.TIME_ZONE``.
"""

import re
import zoneinfo
from functools import lru_cache

from django.utils import timezone

COOKIE = "tz"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=256)
def viewer_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone for a cookie value, or None when it is not a known IANA zone name."""
    if not name or len(name) > 64 or not _NAME.match(name) or name not in _known():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class ViewerTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = viewer_zone(request.COOKIES.get(COOKIE, ""))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
