"""Who is calling: a platform, identified by its API key (``Authorization: Bearer tp_…``)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from accounts.models import ApiKey, Platform
from accounts.services import api_key_verify


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
    """One budget per API key (``API_RATE``), so a platform's keys don't starve each other."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "tp_<prefix>_<secret>"}
