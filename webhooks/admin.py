"""Console: the delivery log, read-only, with a redeliver action for arbitrators and staff."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from arbitration.console import ConsoleAccess, console

from .models import DeliveryAttempt, WebhookDelivery
from .services import delivery_redeliver


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("started_at", "status_code", "latency_ms", "response_excerpt", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery, site=console)
class WebhookDeliveryAdmin(ConsoleAccess, admin.ModelAdmin):
    list_display = (
        "pk",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "event__type", "endpoint__platform")
    list_select_related = ("event", "endpoint")
    readonly_fields = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_latency_ms",
        "last_response_excerpt",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = (AttemptInline,)
    actions = ("redeliver",)

    @admin.display(description=gettext_lazy("event"), ordering="event__type")
    def event_type(self, obj):
        return obj.event.type

    def has_redeliver_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(
        description=gettext_lazy("Redeliver the selected deliveries"), permissions=["redeliver"]
    )
    def redeliver(self, request, queryset):
        for delivery in queryset:
            delivery_redeliver(delivery=delivery)
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
