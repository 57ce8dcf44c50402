"""Reads for the notification pages."""

from django.db.models import QuerySet

from .models import Notification


def notifications_for_user(user, *, limit: int = 100) -> QuerySet[Notification]:
    """The user's notifications across all their parties, newest first."""
    return Notification.objects.filter(recipient__user=user).select_related("recipient")[:limit]
