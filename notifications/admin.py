"""Console: the notification log, read-only, to answer "was I told?"."""

from django.contrib import admin

from arbitration.console import ConsoleAccess, console

from .models import Notification


@admin.register(Notification, site=console)
class NotificationAdmin(ConsoleAccess, admin.ModelAdmin):
    list_display = ("pk", "kind", "recipient", "dispute", "created_at", "read_at", "email_sent_at")
    list_filter = ("kind",)
    search_fields = ("dedupe_key", "recipient__display_name")
    readonly_fields = (
        "recipient",
        "dispute",
        "event",
        "kind",
        "context",
        "dedupe_key",
        "created_at",
        "read_at",
        "email_claimed_at",
        "email_sent_at",
    )
