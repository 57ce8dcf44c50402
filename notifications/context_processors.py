"""The unread count in the nav: one COUNT query, and only on pages that show it."""

from functools import cache

from .models import Notification


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        # templates call callables: the query runs when (and once if) the nav renders it
        return Notification.objects.filter(recipient__user=user, read_at__isnull=True).count()

    return {"unread_notifications": count}
