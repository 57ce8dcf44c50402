"""Log in (rate-limited), and the page shown when a rate limit is hit."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views import defaults
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited


def login_rate(group, request) -> str:
    """Read at request time so a changed setting (or a test's override) takes effect."""
    return settings.LOGIN_RATE_LIMIT


login_view = ratelimit(key="ip", rate=login_rate, method="POST", block=True)(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )
)
logout_view = auth_views.LogoutView.as_view()


def rate_limited(request, exception=None):
    """429 with a message a person can act on (``settings.RATELIMIT_VIEW``)."""
    return render(request, "accounts/rate_limited.html", status=429)


def permission_denied(request, exception: PermissionDenied | None = None):
    """``handler403``: django-ratelimit raises a PermissionDenied subclass; answer it with 429."""
    if isinstance(exception, Ratelimited):
        return rate_limited(request, exception)
    return defaults.permission_denied(request, exception)
