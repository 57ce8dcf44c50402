"""The console's views of users, platforms, parties and merchant reports.

Arbitrators read these; they change only a platform's deadline windows and review merchant
reports (through ``merchant_report_review``). Only a superuser grants the arbitrator flag.
Buyer phone numbers and addresses are never shown in full here.
"""

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from arbitration.console import ConsoleAccess, can_arbitrate, console
from arbitration.errors import DomainError

from .models import ApiKey, MerchantReport, Party, Platform, User
from .services import api_key_create, api_key_revoke, merchant_report_review


@admin.register(User, site=console)
class UserAdmin(ConsoleAccess, admin.ModelAdmin):
    list_display = ("username", "email", "is_arbitrator", "is_active", "is_superuser", "last_login")
    list_filter = ("is_arbitrator", "is_active")
    search_fields = ("username", "email")
    fields = ("username", "email", "is_arbitrator", "is_active", "is_superuser", "last_login")
    readonly_fields = ("username", "email", "is_superuser", "last_login")
    actions = None

    def has_change_permission(self, request, obj=None):
        """Granting the arbitrator flag is a superuser's call, not a peer's."""
        return can_arbitrate(request) and request.user.is_superuser


@admin.register(Platform, site=console)
class PlatformAdmin(ConsoleAccess, admin.ModelAdmin):
    editable = True
    list_display = ("name", "slug", "currency", "merchant_response_hours", "buyer_response_hours")
    fields = ("name", "slug", "currency", "merchant_response_hours", "buyer_response_hours")
    readonly_fields = ("name", "slug", "currency")
    actions = None


@admin.register(Party, site=console)
class PartyAdmin(ConsoleAccess, admin.ModelAdmin):
    list_display = ("display_name", "kind", "platform", "external_id", "phone_masked", "city")
    list_filter = ("kind", "platform")
    list_select_related = ("platform",)
    search_fields = ("display_name", "external_id")
    fields = ("display_name", "kind", "platform", "external_id", "user", "phone_masked", "city")
    readonly_fields = ("phone_masked",)
    actions = None

    @admin.display(description=gettext_lazy("phone"))
    def phone_masked(self, obj):
        return obj.masked_phone or "—"


@admin.register(MerchantReport, site=console)
class MerchantReportAdmin(ConsoleAccess, admin.ModelAdmin):
    list_display = (
        "created_at",
        "dispute_link",
        "merchant",
        "buyer",
        "category",
        "status",
        "reviewed_by",
        "reviewed_at",
    )
    list_filter = ("status", "category")
    list_select_related = ("merchant", "buyer", "dispute", "reviewed_by")
    search_fields = ("merchant__display_name", "buyer__display_name")
    fields = (
        "dispute_link",
        "merchant",
        "buyer",
        "category",
        "statement",
        "status",
        "reviewed_by",
        "reviewed_at",
        "created_at",
    )
    readonly_fields = ("dispute_link", "created_at")
    actions = ("uphold", "reject")

    def get_ordering(self, request):
        """Reports waiting for review first, newest first within each group."""
        pending_first = Case(
            When(status=MerchantReport.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (pending_first.asc(), "-created_at")

    def has_review_permission(self, request):
        return can_arbitrate(request)

    @admin.display(description=gettext_lazy("dispute"))
    def dispute_link(self, obj):
        url = reverse("console:arbitration_dispute_change", args=[obj.dispute_id])
        return format_html('<a href="{}">{}</a>', url, obj.dispute.reference)

    @admin.action(description=gettext_lazy("Uphold the selected reports"), permissions=["review"])
    def uphold(self, request, queryset):
        self._review(request, queryset, upheld=True)

    @admin.action(description=gettext_lazy("Reject the selected reports"), permissions=["review"])
    def reject(self, request, queryset):
        self._review(request, queryset, upheld=False)

    def _review(self, request, queryset, *, upheld: bool):
        done = 0
        for report in queryset:
            try:
                merchant_report_review(report=report, user=request.user, upheld=upheld, note="")
            except DomainError as exc:
                self.message_user(request, f"#{report.pk}: {exc.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d report reviewed.", "%(count)d reports reviewed.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        elif not queryset:
            self.message_user(request, _("No report was selected."), messages.WARNING)


@admin.register(ApiKey, site=console)
class ApiKeyAdmin(ConsoleAccess, admin.ModelAdmin):
    """Platforms' API keys: made and revoked here by a superuser, never shown again after.

    Only the prefix is on record; the whole key appears once, in the message after adding.
    """

    list_display = ("name", "platform", "masked", "created_at", "last_used_at", "revoked_at")
    list_filter = ("platform",)
    list_select_related = ("platform",)
    readonly_fields = ("masked", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("platform", "name")
        return ("name", "platform", "masked", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("name", "platform", *self.readonly_fields)

    def has_add_permission(self, request, obj=None):
        return can_arbitrate(request) and request.user.is_superuser

    def has_revoke_permission(self, request):
        return can_arbitrate(request) and request.user.is_superuser

    @admin.display(description=gettext_lazy("key"))
    def masked(self, obj):
        return f"tp_{obj.prefix}_…"

    def save_model(self, request, obj, form, change):
        key, plaintext = api_key_create(platform=obj.platform, name=obj.name)
        obj.pk = key.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            _("Copy this key now; it will not be shown again: %(key)s") % {"key": plaintext},
            messages.WARNING,
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["revoke"])
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(queryset))
            % {"count": len(queryset)},
            messages.SUCCESS,
        )
