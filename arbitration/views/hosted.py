"""A platform's signed link: log the party in and open the dispute page (``hosted_links``)."""

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from accounts.hosted_links import InvalidLink, hosted_link_open

from ..hosted_scope import HOSTED_SCOPE


def link_rate(group, request) -> str:
    """Read at request time so a changed setting (or a test's override) takes effect."""
    return settings.HOSTED_LINK_RATE_LIMIT


@never_cache
@require_GET
@ratelimit(key="ip", rate=link_rate, method="GET", block=True)
def hosted_link(request, pk: int, token: str):
    try:
        user, link = hosted_link_open(token=token, dispute_pk=pk)
    except InvalidLink as error:
        context = {"message": error.message, "code": error.code}
        return render(request, "arbitration/hosted_link_invalid.html", context, status=error.status)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[HOSTED_SCOPE] = {"link": link.pk, "dispute": pk}
    return redirect("dispute", pk=pk)
