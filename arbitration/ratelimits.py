"""Who is asking (behind trusted proxies) and the limits every login and signed-in action
shares; django-ratelimit counts, in the cache (``arbitration.cache`` on Redis).

``TRUSTED_PROXIES`` is either a count (the proxies in front of the app, each appending to
``X-Forwarded-For``) or the networks those proxies connect from. The client is the address
the outermost trusted proxy saw; a client's own ``X-Forwarded-For`` entries are never read.
"""

import ipaddress
import unicodedata

from django.conf import settings
from django_ratelimit import UNSAFE
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _hops_trusted(chain: list[str], trusted) -> int:
    """How many hops, from the connecting one inwards, are trusted proxies."""
    if isinstance(trusted, int):
        return trusted
    networks = [ipaddress.ip_network(net, strict=False) for net in trusted]
    hops = 0
    for text in reversed(chain):
        address = _address(text)
        if address is None or not any(address in net for net in networks):
            break
        hops += 1
    return hops


def client_ip(request) -> str:
    """The client's address (``RATELIMIT_IP_META_KEY``): what the outermost trusted proxy
    connected from, or, when an entry there is not an address, the nearest one that is."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [part.strip() for part in forwarded.split(",") if part.strip()] + [remote]
    position = max(len(chain) - 1 - _hops_trusted(chain, trusted), 0)
    while position < len(chain) - 1 and _address(chain[position]) is None:
        position += 1
    return chain[position]


def login_username(group, request) -> str:
    """The name tried, as the login form reads it (NFKC, stripped), case folded."""
    return unicodedata.normalize("NFKC", request.POST.get("username", "")).strip().casefold()


def _setting(name: str):
    """A rate read at request time, so a changed setting (or a test's override) applies."""

    def rate(group, request) -> str:
        return getattr(settings, name)

    return rate


def login_limited(view):
    """Every login form counts against one budget per client address (``LOGIN_RATE_LIMIT``)
    and one per username tried (``LOGIN_USERNAME_RATE_LIMIT``), whichever form it is."""
    by_name = ratelimit(
        group="login-username",
        key=login_username,
        rate=_setting("LOGIN_USERNAME_RATE_LIMIT"),
        method="POST",
        block=True,
    )
    by_address = ratelimit(
        group="login-ip", key="ip", rate=_setting("LOGIN_RATE_LIMIT"), method="POST", block=True
    )
    return by_address(by_name(view))


class SignedInActionLimit:
    """Every form a signed-in person posts, on any page, counts against one budget per
    person (``ACTION_RATE_LIMIT``), wherever they connect from; over it, the 429 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.method not in UNSAFE:
            return None
        if is_ratelimited(
            request,
            group="signed-in-actions",
            key="user",
            rate=settings.ACTION_RATE_LIMIT,
            method=UNSAFE,
            increment=True,
        ):
            raise Ratelimited
        return None
