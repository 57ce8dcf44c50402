"""A session opened by a hosted link reaches that link's dispute and nothing else.

``views.hosted`` records the link in the session. On every request the link must still
stand (``hosted_link_live``): revoked, replaced, expired or the password changed, and the
session ends. While it stands, the browser reaches the dispute's pages and moves, evidence
files, the language switch and logging out; any other page sends it back to the dispute.
"""

from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from accounts.hosted_links import hosted_link_live

HOSTED_SCOPE = "hosted_link"
OPEN_TO_A_LINK = frozenset(
    {
        "evidence_file",
        "evidence_original",
        "evidence_heatmap",
        "set_language",
        "logout",
        "hosted_link",
    }
)


def _within(request, dispute_pk: int) -> bool:
    if request.path_info.startswith(reverse("dispute", kwargs={"pk": dispute_pk})):
        return True
    try:
        return resolve(request.path_info).url_name in OPEN_TO_A_LINK
    except Resolver404:
        return True  # a 404 either way


class HostedLinkScope:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = request.session.get(HOSTED_SCOPE)
        if scope is None or not request.user.is_authenticated:
            return self.get_response(request)
        if not hosted_link_live(scope.get("link")):
            logout(request)
            context = {
                "message": _(
                    "This link is no longer valid. Ask the shop or platform for a new one."
                ),
                "code": "revoked_link",
            }
            return render(request, "arbitration/hosted_link_invalid.html", context, status=410)
        if _within(request, scope["dispute"]):
            return self.get_response(request)
        if request.method == "GET" and "HX-Request" not in request.headers:
            return redirect("dispute", pk=scope["dispute"])
        raise Http404
