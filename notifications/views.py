"""The in-app list: a party's notifications, newest first, with "mark all read"."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from . import messages, selectors, services
from .models import Notification


@login_required
@vary_on_headers("HX-Request")
def notification_list(request):
    items = list(selectors.notifications_for_user(request.user))
    for item in items:
        item.title, item.body = messages.title(item), messages.body(item)
    template = "notifications/partials/list.html" if request.htmx else "notifications/list.html"
    return render(request, template, {"notifications": items})


@login_required
def notifications_badge(request):
    """The nav's unread count alone: the badge polls it, so a page left open stays current."""
    return render(request, "notifications/partials/badge.html")


@login_required
@require_POST
def notifications_mark_all_read(request):
    services.notifications_mark_read(user=request.user)
    if request.htmx:  # the list, and the nav's badge out of band (it lives outside the list)
        response = notification_list(request)
        badge = render(request, "notifications/partials/badge.html", {"oob": True})
        response.content += badge.content
        return response
    return redirect("notifications")


CREDIT_KINDS = frozenset(
    {
        Notification.Kind.CREDIT_TIER_CHANGED,
        Notification.Kind.CREDIT_APPEAL_DECIDED,
        Notification.Kind.CREDIT_PROPOSAL_REVIEWED,
    }
)


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request, pk: int):
    """Go to what a notification is about; only a POST (the list's button) marks it read, so
    a link previewer or prefetcher that follows the URL changes nothing."""
    notification = get_object_or_404(Notification, pk=pk, recipient__user=request.user)
    if request.method == "POST":
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.kind in CREDIT_KINDS:
        return redirect("credit")
    if notification.dispute_id:
        return redirect("dispute", pk=notification.dispute_id)
    return redirect("notifications")
