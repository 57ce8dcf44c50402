"""Who is calling: a platform, identified by its API key (``Authorization: Bearer tp_…``)."""

import hmac
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from accounts.models import ApiKey, Platform
from accounts.services import KEY_PREFIX, LAST_USED_GRANULARITY, _hash_key
from arbitration.prepared import Prepared, fields_of

_KEY_FIELDS = fields_of(ApiKey)
_PLATFORM_FIELDS = fields_of(Platform)
_KEY = Prepared(
    lambda prefix: (
        ApiKey.objects.filter(prefix=prefix)
        .order_by()
        .values_list(*_KEY_FIELDS, *(f"platform__{name}" for name in _PLATFORM_FIELDS))
    ),
    "prefix",
)


def api_key_verify(plaintext: str) -> ApiKey | None:
    """``accounts.services.api_key_verify``, on every API call: the key with its platform
    read by one compiled query (``prepared``), the same checks in the same order.

    The live key ``plaintext`` names, or None (unknown, malformed, revoked). The prefix only
    finds the row; the full key is compared by hash in constant time.
    """
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8 or not parts[2]:
        return None
    rows = _KEY.rows(prefix=parts[1])
    if not rows:
        return None
    row = rows[0]
    key = ApiKey.from_db(_KEY.using, _KEY_FIELDS, row[: len(_KEY_FIELDS)])
    if not hmac.compare_digest(key.hashed_key, _hash_key(plaintext)):
        return None
    if key.revoked_at is not None:
        return None
    key.platform = Platform.from_db(_KEY.using, _PLATFORM_FIELDS, row[len(_KEY_FIELDS) :])
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@dataclass(frozen=True)
class PlatformClient:
    """``request.user`` for API calls: the platform, never a person."""

    key: ApiKey

    is_authenticated = True
    is_anonymous = False

    @property
    def platform(self) -> Platform:
        return self.key.platform


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Sets ``request.user`` to a ``PlatformClient`` and ``request.auth`` to the ``ApiKey``.

    No header means anonymous (the permission then answers 401); a header that is malformed,
    unknown or revoked fails at once, also with 401.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        keyword, _sep, token = header.partition(" ")
        if keyword != self.keyword or not token.strip():
            raise exceptions.AuthenticationFailed(
                _("Send the API key as 'Authorization: Bearer tp_<prefix>_<secret>'.")
            )
        key = api_key_verify(token.strip())
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is unknown or revoked."))
        return PlatformClient(key), key

    def authenticate_header(self, request):
        return self.keyword


class HasApiKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiKey)


class ApiKeyThrottle(throttling.SimpleRateThrottle):
    """One budget per API key (``API_RATE``), so a platform's keys don't starve each other.

    A fixed window counted with one atomic increment (Redis ``INCR``; DRF's own throttle
    reads a history, then writes it back, and parallel clients all pass between the two).
    The window is in the key, so a counter that outlives its expiry is simply never read.
    """

    scope = "api_key"
    EXPIRY_MARGIN = 5  # seconds a window's counter outlives the window

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        counter = f"{key}:{window}"
        self.cache.add(counter, 0, self.duration + self.EXPIRY_MARGIN)
        try:
            count = self.cache.incr(counter)
        except ValueError:  # evicted between the two calls: this request starts it again
            self.cache.add(counter, 1, self.duration + self.EXPIRY_MARGIN)
            count = 1
        self.retry_after = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self):
        return self.retry_after


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "tp_<prefix>_<secret>"}
