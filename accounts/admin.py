"""The console's views of users, platforms, parties, merchant reports and credit.

Arbitrators read these; they change only a platform's deadline windows (a superuser also its
credit settings, which re-tiers its parties, and whether its evidence is compared with other
platforms'), review merchant reports (through ``merchant_report_review``), credit appeals
(``credit_appeal_review``) and credit proposals (``credit_proposal_review``).
Only a superuser grants the arbitrator flag. A party opens on its party page (credit history,
linked accounts, disputes), not a change form. Buyer phone numbers and addresses are never
shown in full here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from arbitration.console import ConsoleAccess, can_arbitrate, console
from arbitration.errors import DomainError

from .hosted_links import hosted_links_revoke
from .models import (
    ApiKey,
    CreditAppeal,
    CreditEvent,
    CreditProposal,
    MerchantReport,
    Party,
    Platform,
    User,
)
from .party_page import party_page, party_url
from .proposal_page import with_basis
from .proposals import credit_proposal_review
from .services import (
    CREDIT_SETTINGS,
    api_key_create,
    api_key_revoke,
    credit_adjustment_make,
    credit_appeal_review,
    merchant_report_review,
    platform_credit_settings_update,
)


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
    """Deadline windows for arbitrators; credit base, half-life and thresholds for superusers,
    and saving those re-tiers every party of the platform. Comparing evidence with other
    platforms is a superuser's call too: it shares what the platform's buyers filed."""

    editable = True
    list_display = ("name", "slug", "currency", "merchant_response_hours", "buyer_response_hours")
    fields = (
        "name",
        "slug",
        "currency",
        "merchant_response_hours",
        "buyer_response_hours",
        *CREDIT_SETTINGS,
        "cross_platform_matches",
    )
    readonly_fields = ("name", "slug", "currency")
    actions = None

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return (*self.readonly_fields, *CREDIT_SETTINGS, "cross_platform_matches")

    def save_model(self, request, obj, form, change):
        credit_settings = {name: getattr(obj, name) for name in CREDIT_SETTINGS}
        changed = change and any(name in form.changed_data for name in CREDIT_SETTINGS)
        super().save_model(request, obj, form, change)
        if changed:
            moved = platform_credit_settings_update(
                platform=obj, user=request.user, **credit_settings
            )
            self.message_user(
                request,
                ngettext(
                    "Credit settings saved; %(count)d party changed tier.",
                    "Credit settings saved; %(count)d parties changed tier.",
                    moved,
                )
                % {"count": moved},
            )


class AdjustmentForm(forms.Form):
    """Parses a manual adjustment; the limits live in ``credit_adjustment_make``."""

    points = forms.IntegerField(
        label=gettext_lazy("Points"),
        widget=forms.NumberInput(attrs={"data-testid": "adjust-points"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (the party reads it)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "data-testid": "adjust-reason"}),
    )


@admin.register(Party, site=console)
class PartyAdmin(ConsoleAccess, admin.ModelAdmin):
    """The party list, and instead of a change form the party page: credit, its history,
    linked accounts and disputes."""

    list_display = (
        "display_name",
        "kind",
        "platform",
        "external_id",
        "tier_badge",
        "credit_score",
        "phone_masked",
        "city",
    )
    list_filter = ("kind", "platform", "credit_tier")
    list_select_related = ("platform",)
    search_fields = ("display_name", "external_id")
    actions = None

    @admin.display(description=gettext_lazy("phone"))
    def phone_masked(self, obj):
        return obj.masked_phone or "—"

    @admin.display(description=gettext_lazy("credit tier"), ordering="credit_tier")
    def tier_badge(self, obj):
        return format_html(
            '<span class="tier tier-{}">{}</span>', obj.credit_tier, obj.get_credit_tier_display()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The party page; a POST is a manual adjustment of the score."""
        party = self.get_object(request, unquote(object_id))
        if party is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, party):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        form = AdjustmentForm(request.POST if request.method == "POST" else None)
        status, error = 200, ""
        if request.method == "POST":
            if form.is_valid():
                try:
                    credit_adjustment_make(party=party, user=request.user, **form.cleaned_data)
                except DomainError as exc:
                    if exc.field in form.fields:
                        form.add_error(exc.field, exc.message)
                    status, error = exc.status, exc.message
                else:
                    self.message_user(request, _("Adjustment booked."), messages.SUCCESS)
                    return HttpResponseRedirect(request.path)
            else:
                status, error = 400, _("The adjustment was not booked: correct the fields.")
            party.refresh_from_db()
        context = {
            **self.admin_site.each_context(request),
            **party_page(party),
            "opts": self.opts,
            "title": party.display_name,
            "adjust_form": form,
            "error": error,
            "revoke_links_url": reverse("console:accounts_party_revoke_links", args=[party.pk]),
        }
        return TemplateResponse(request, "console/party_detail.html", context, status=status)

    def get_urls(self):
        revoke = self.admin_site.admin_view(self.revoke_links_view)
        return [
            path("<path:object_id>/revoke-links/", revoke, name="accounts_party_revoke_links"),
            *super().get_urls(),
        ]

    def revoke_links_view(self, request, object_id):
        """POST: end every hosted link of the party (``hosted_links_revoke``)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        party = self.get_object(request, unquote(object_id))
        if party is None or not self.has_view_permission(request, party):
            raise Http404
        count = hosted_links_revoke(party=party)
        self.message_user(
            request,
            ngettext("%(count)d link revoked.", "%(count)d links revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(party_url(party.pk))


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


class ReviewPage:
    """A console page for one row an arbitrator reviews (a credit appeal or proposal): GET
    shows it, a POST applies ``review_form`` through the service in ``review``; a bad form or
    a refused review answers 4xx on the same page and changes nothing."""

    review_form: type[forms.Form]
    review_template: str
    review_title: str
    review_invalid: str

    def get_ordering(self, request):
        """The queue: pending rows first, oldest first."""
        pending_first = Case(
            When(status=self.model.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (pending_first.asc(), "created_at")

    @admin.display(description=gettext_lazy("party"), ordering="party__display_name")
    def party_link(self, obj):
        return format_html('<a href="{}">{}</a>', party_url(obj.party_id), obj.party.display_name)

    def review(self, request, obj, form) -> str:
        """Apply the review through its service; the success message."""
        raise NotImplementedError

    def review_context(self, obj) -> dict:
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        form = self.review_form(request.POST if request.method == "POST" else None)
        status, error = 200, ""
        if request.method == "POST":
            if not form.is_valid():
                status, error = 400, str(self.review_invalid)
            else:
                try:
                    message = self.review(request, obj, form)
                except DomainError as exc:
                    status, error = exc.status, exc.message
                else:
                    self.message_user(request, message, messages.SUCCESS)
                    return HttpResponseRedirect(_next_page(request, form) or request.path)
            obj.refresh_from_db()  # a refused review may have met a concurrent one
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.review_title,
            "party_url": party_url(obj.party_id),
            "form": form,
            "error": error,
            **self.review_context(obj),
        }
        return TemplateResponse(request, self.review_template, context, status=status)


class AppealReviewForm(forms.Form):
    """An arbitrator's answer to a credit appeal; ``credit_appeal_review`` applies it."""

    decision = forms.ChoiceField(
        choices=[("reverse", gettext_lazy("Reverse")), ("confirm", gettext_lazy("Confirm"))]
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the record"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "appeal-note"}),
    )


@admin.register(CreditAppeal, site=console)
class CreditAppealAdmin(ReviewPage, ConsoleAccess, admin.ModelAdmin):
    """The appeals queue (pending first, oldest first) and a review page per appeal."""

    list_display = (
        "created_at",
        "party_link",
        "event_summary",
        "statement_start",
        "status",
        "reviewed_by",
        "reviewed_at",
    )
    list_display_links = ("created_at",)
    list_filter = ("status", "event__kind")
    list_select_related = ("party", "event", "reviewed_by")
    search_fields = ("party__display_name", "statement")
    actions = None

    @admin.display(description=gettext_lazy("event"))
    def event_summary(self, obj):
        return f"{obj.event.get_kind_display()} ({obj.event.points:+d})"

    @admin.display(description=gettext_lazy("statement"))
    def statement_start(self, obj):
        return Truncator(obj.statement).chars(80)

    review_form = AppealReviewForm
    review_template = "console/appeal_detail.html"
    review_title = gettext_lazy("Credit appeal")
    review_invalid = gettext_lazy("Choose to reverse or to confirm the event.")

    def review(self, request, appeal, form) -> str:
        credit_appeal_review(
            appeal=appeal,
            user=request.user,
            reverse=form.cleaned_data["decision"] == "reverse",
            note=form.cleaned_data["note"],
        )
        appeal.refresh_from_db()
        return _("Appeal reviewed: %(status)s.") % {"status": appeal.get_status_display()}

    def review_context(self, appeal) -> dict:
        return {"appeal": appeal, "event": appeal.event, "party": appeal.party}


class ProposalReviewForm(forms.Form):
    """An arbitrator's answer to a credit proposal; ``credit_proposal_review`` applies it.
    ``next`` is the console page the form was sent from (the party or the dispute page)."""

    decision = forms.ChoiceField(
        choices=[("confirm", gettext_lazy("Confirm")), ("dismiss", gettext_lazy("Dismiss"))]
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the record"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "data-testid": "proposal-note"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


@admin.register(CreditProposal, site=console)
class CreditProposalAdmin(ReviewPage, ConsoleAccess, admin.ModelAdmin):
    """Detected abuse waiting for an arbitrator (pending first, oldest first), and a review
    page per proposal with the evidence behind it; the party and dispute pages post here."""

    list_display = (
        "created_at",
        "party_link",
        "kind",
        "points",
        "status",
        "reason_shown",
        "reviewed_by",
        "reviewed_at",
    )
    list_display_links = ("created_at",)
    list_filter = ("status", "kind", "party__platform")
    list_select_related = ("party", "reviewed_by")
    search_fields = ("party__display_name", "reason", "source_key")
    actions = None

    @admin.display(description=gettext_lazy("reason"))
    def reason_shown(self, obj):
        return obj.reason_text

    review_form = ProposalReviewForm
    review_template = "console/proposal_detail.html"
    review_title = gettext_lazy("Credit proposal")
    review_invalid = gettext_lazy("Choose to confirm or to dismiss the proposal.")

    def review(self, request, proposal, form) -> str:
        credit_proposal_review(
            proposal=proposal,
            user=request.user,
            confirm=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
        )
        proposal.refresh_from_db()
        return _("Proposal reviewed: %(status)s.") % {"status": proposal.get_status_display()}

    def review_context(self, proposal) -> dict:
        return {"proposal": with_basis([proposal])[0], "party": proposal.party}


def _next_page(request, form) -> str:
    """Where to go after a review: the page the form came from, if it is on this site."""
    target = form.cleaned_data.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@admin.register(CreditEvent, site=console)
class CreditEventAdmin(ConsoleAccess, admin.ModelAdmin):
    """Every party's ledger lines, read-only: they change only through services."""

    list_display = ("created_at", "party_link", "kind", "points", "reason", "reversed_at")
    list_filter = ("kind", ("reversed_at", admin.EmptyFieldListFilter), "party__platform")
    list_select_related = ("party",)
    search_fields = ("party__display_name", "reason", "source_key")
    actions = None

    @admin.display(description=gettext_lazy("party"), ordering="party__display_name")
    def party_link(self, obj):
        return format_html('<a href="{}">{}</a>', party_url(obj.party_id), obj.party.display_name)
