"""The arbitrator console's views of the dispute domain: the queue and the dispute page.

Everything here is read-only except the decision form, which calls ``dispute_decide``;
state moves only through the services.
"""

import re
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.proposal_page import proposals_for_dispute
from evidence.models import Evidence, ForensicReport
from notifications.timefmt import relative_text

from . import converters  # noqa: F401  (registers <id:…>)
from .console import ConsoleAccess, DecisionForm, EvidenceRequestForm, console, evidence_url
from .console_settlement import (
    appeal_review_view,
    deduction_view,
    flag_review_view,
    settlement_panel,
)
from .dossier import signing as dossier_signing
from .dossier.services import FULL_PERMISSION, dossier_export
from .errors import DomainError, NotAllowed
from .findings import attach_findings
from .lifecycle import ACTIVE_STATES, SETTLED_STATES, IllegalTransition
from .models import Decision, Dispute, DisputeEvent, Order, Refund, RefundLine, Shipment
from .services import dispute_decide
from .services.common import yuan
from .services.remedies import order_lines
from .services.requests import evidence_request, review_due
from .services.risk import risk_explained
from .services.suggestion import suggest_outcome, suggestion_recorded

DAY = timedelta(days=1)
ACTION_LABELS = {
    "opened": gettext_lazy("opened the dispute"),
    "evidence_added": gettext_lazy("added evidence"),
    "submit": gettext_lazy("submitted the claim"),
    "merchant_responded": gettext_lazy("responded"),
    "offer": gettext_lazy("offered a partial refund"),
    "counter": gettext_lazy("counter-offered"),
    "reject_offer": gettext_lazy("rejected the offer"),
    "accept_offer": gettext_lazy("accepted the offer"),
    "accept_claim": gettext_lazy("accepted the claim"),
    "accept_offer_for_review": gettext_lazy("accepted the offer (to be confirmed)"),
    "accept_claim_for_review": gettext_lazy("accepted the claim (to be confirmed)"),
    "fast_refund": gettext_lazy("fast refund for a trusted buyer"),
    "escalate": gettext_lazy("asked for arbitration"),
    "decide": gettext_lazy("decided"),
    "default_decide": gettext_lazy("decided by default"),
    "decision": gettext_lazy("recorded the decision"),
    "refund": gettext_lazy("refund paid"),
    "close": gettext_lazy("closed"),
    "withdraw": gettext_lazy("withdrew the dispute"),
    "expire": gettext_lazy("expired"),
    "buyer_reported": gettext_lazy("reported the buyer"),
    "report_reviewed": gettext_lazy("reviewed a merchant report"),
    "await_return": gettext_lazy("return awaited"),
    "ship_return": gettext_lazy("return shipped"),
    "acknowledge_return": gettext_lazy("return received"),
    "return_lapse": gettext_lazy("return not sent in time"),
    "await_replacement": gettext_lazy("replacement awaited"),
    "ship_replacement": gettext_lazy("replacement shipped"),
    "confirm_replacement": gettext_lazy("replacement received"),
    "replacement_lapse": gettext_lazy("replacement not sent in time"),
    "request_evidence": gettext_lazy("asked for evidence"),
    "evidence_request_fulfilled": gettext_lazy("sent the evidence asked for"),
    "evidence_request_lapsed": gettext_lazy("evidence request lapsed"),
    "credit_appeal_filed": gettext_lazy("appealed a credit entry"),
    "credit_appeal_reviewed": gettext_lazy("reviewed a credit appeal"),
    "credit_proposal_reviewed": gettext_lazy("reviewed a credit proposal"),
    "appeal_filed": gettext_lazy("appealed the decision"),
    "appeal_upheld": gettext_lazy("upheld the decision on appeal"),
    "appeal_overturned": gettext_lazy("overturned the decision on appeal"),
    "packing_photos_added": gettext_lazy("added packing photos"),
    "photo_flagged": gettext_lazy("flagged a buyer photo as fake"),
    "flag_upheld": gettext_lazy("upheld the merchant's flag"),
    "flag_dismissed": gettext_lazy("dismissed the merchant's flag"),
    "recovery_requested": gettext_lazy("fast refund to be recovered"),
    "recovery_recovered": gettext_lazy("fast refund recovered"),
    "recovery_written_off": gettext_lazy("recovery written off"),
    "report_return_condition": gettext_lazy("reported the returned item not as sent"),
    "decide_return_deduction": gettext_lazy("decided the returned-item deduction"),
    "return_condition_lapse": gettext_lazy("returned-item report not decided in time"),
}
REFERENCE = re.compile(r"^(?:TP-?)?0*(\d{1,12})$", re.IGNORECASE)


class BucketFilter(admin.SimpleListFilter):
    """A list filter over named ranges ``(low, high)`` of one value; ``None`` is open."""

    buckets: dict[str, tuple] = {}

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _low, _high) in self.buckets.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.buckets:
            return queryset
        _label, low, high = self.buckets[self.value()]
        return queryset.filter(**self.bounds(low, high))


class AgeFilter(BucketFilter):
    title = gettext_lazy("age")
    parameter_name = "age"
    buckets = {
        "lt1": (gettext_lazy("under 1 day"), None, 1),
        "1to3": (gettext_lazy("1–3 days"), 1, 3),
        "3to7": (gettext_lazy("3–7 days"), 3, 7),
        "gt7": (gettext_lazy("over 7 days"), 7, None),
    }

    def bounds(self, low, high):
        now = timezone.now()
        bounds = {}
        if low is not None:
            bounds["opened_at__lte"] = now - low * DAY
        if high is not None:
            bounds["opened_at__gt"] = now - high * DAY
        return bounds


class AmountFilter(BucketFilter):
    title = gettext_lazy("amount claimed")
    parameter_name = "amount"
    buckets = {
        "lt100": (gettext_lazy("under ¥100"), None, 100),
        "100to500": (gettext_lazy("¥100–500"), 100, 500),
        "500to2000": (gettext_lazy("¥500–2,000"), 500, 2000),
        "gt2000": (gettext_lazy("over ¥2,000"), 2000, None),
    }

    def bounds(self, low, high):
        bounds = {}
        if low is not None:
            bounds["claimed_amount_fen__gte"] = low * 100
        if high is not None:
            bounds["claimed_amount_fen__lt"] = high * 100
        return bounds


class QueueFilter(admin.SimpleListFilter):
    """Which work the queue shows. By default the open work, what waits for an arbitrator
    (under review, evidence requests included); disputes still between the parties and
    finished ones are behind their own choice. A state picked in the state filter shows all.
    Each choice carries its count."""

    title = gettext_lazy("queue")
    parameter_name = "queue"
    OPEN, PARTIES, FINISHED, ALL = "open", "parties", "finished", "all"
    GROUPS = {
        OPEN: (gettext_lazy("Open work"), frozenset({Dispute.State.UNDER_REVIEW})),
        PARTIES: (
            gettext_lazy("Between the parties"),
            frozenset(ACTIVE_STATES) - {Dispute.State.UNDER_REVIEW},
        ),
        FINISHED: (
            gettext_lazy("Finished"),
            frozenset(Dispute.State.values) - frozenset(ACTIVE_STATES),
        ),
    }

    def __init__(self, request, params, model, model_admin):
        self.request = request  # ``choices`` is drawn without it
        super().__init__(request, params, model, model_admin)

    def choice(self, request) -> str:
        if self.value() in (*self.GROUPS, self.ALL):
            return self.value()
        return self.ALL if "state__exact" in request.GET else self.OPEN

    def lookups(self, request, model_admin):
        counts = dict(Dispute.objects.order_by().values_list("state").annotate(n=Count("pk")))
        choices = []
        for key, (label, states) in self.GROUPS.items():
            total = sum(counts.get(state, 0) for state in states)
            choices.append((key, f"{label} ({total})"))
        all_label = _("All")
        return [*choices, (self.ALL, f"{all_label} ({sum(counts.values())})")]

    def choices(self, changelist):
        current = self.choice(self.request)
        for key, label in self.lookup_choices:
            yield {
                "selected": current == key,
                "query_string": changelist.get_query_string({self.parameter_name: key}),
                "display": label,
            }

    def queryset(self, request, queryset):
        choice = self.choice(request)
        if choice == self.ALL:
            return queryset
        return queryset.filter(state__in=self.GROUPS[choice][1])


@admin.register(Dispute, site=console)
class DisputeAdmin(ConsoleAccess, admin.ModelAdmin):
    list_display = (
        "reference_link",
        "order_number",
        "buyer_name",
        "merchant_name",
        "state_badge",
        "reason",
        "claimed",
        "age",
        "deadline",
        "risk",
        "platform_name",
    )
    list_display_links = None
    list_filter = (QueueFilter, "state", "platform", AgeFilter, AmountFilter)
    list_select_related = ("order", "buyer", "merchant", "platform")
    search_fields = ("order__external_id", "buyer__display_name", "merchant__display_name")
    search_help_text = gettext_lazy("Reference (TP-000123), order number or party name")
    list_per_page = 50
    actions = None

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": _("Dispute queue"), **(extra_context or {})}
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<id:object_id>/appeal/<id:appeal_id>/",
                view(appeal_review_view),
                name="arbitration_dispute_appeal_review",
            ),
            path(
                "<id:object_id>/flag/<id:flag_id>/",
                view(flag_review_view),
                name="arbitration_dispute_flag_review",
            ),
            path(
                "<id:object_id>/return-deduction/",
                view(deduction_view),
                name="arbitration_dispute_return_deduction",
            ),
            path(
                "<path:object_id>/case-file/",
                view(self.case_file_view),
                name="arbitration_dispute_case_file",
            ),
            *super().get_urls(),
        ]

    def get_ordering(self, request):
        """Disputes under review first, then the riskiest, then the oldest."""
        review_first = Case(
            When(state=Dispute.State.UNDER_REVIEW, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (review_first.asc(), "-risk_score", "opened_at")

    def get_search_results(self, request, queryset, search_term):
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if match := REFERENCE.match(search_term.strip()):
            results |= queryset.filter(pk=int(match.group(1)))
        return results, duplicates

    @admin.display(description=gettext_lazy("reference"), ordering="pk")
    def reference_link(self, obj):
        url = reverse("console:arbitration_dispute_change", args=[obj.pk])
        return format_html('<a class="ref" href="{}">{}</a>', url, obj.reference)

    @admin.display(description=gettext_lazy("order"), ordering="order__external_id")
    def order_number(self, obj):
        return obj.order.external_id

    @admin.display(description=gettext_lazy("buyer"), ordering="buyer__display_name")
    def buyer_name(self, obj):
        return obj.buyer.display_name

    @admin.display(description=gettext_lazy("merchant"), ordering="merchant__display_name")
    def merchant_name(self, obj):
        return obj.merchant.display_name

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_badge(self, obj):
        return format_html(
            '<span class="state state-{}">{}</span>', obj.state, obj.get_state_display()
        )

    @admin.display(description=gettext_lazy("claimed (¥)"), ordering="claimed_amount_fen")
    def claimed(self, obj):
        return yuan(obj.claimed_amount_fen)

    @admin.display(description=gettext_lazy("age"), ordering="-opened_at")
    def age(self, obj):
        return timesince(obj.opened_at, depth=1)

    @admin.display(description=gettext_lazy("deadline"), ordering="deadline_at")
    def deadline(self, obj):
        if obj.deadline_at is None and obj.state == Dispute.State.UNDER_REVIEW:
            return self._review_clock(obj)
        if obj.deadline_at is None:
            return "—"
        local = timezone.localtime(obj.deadline_at)
        overdue = "overdue" if obj.deadline_at < timezone.now() else ""
        return format_html(
            '<span class="deadline {}">{} · {} · {}</span>',
            overdue,
            local.strftime("%Y-%m-%d %H:%M"),
            relative_text(obj.deadline_at),
            obj.get_waiting_on_display(),
        )

    def _review_clock(self, obj):
        """Under review the arbitrator's own clock shows: when the decision is due."""
        due = review_due(obj)
        if due is None:
            return "—"
        paused = _("paused") if obj.review_paused_at else ""
        return format_html(
            '<span class="deadline review {}" data-testid="queue-review-due">{} · {} · {} {}'
            "</span>",
            "overdue" if due < timezone.now() and not paused else "",
            timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            relative_text(due),
            _("review"),
            paused,
        )

    @admin.display(description=gettext_lazy("platform"), ordering="platform__name")
    def platform_name(self, obj):
        return obj.platform.name

    @admin.display(description=gettext_lazy("risk"), ordering="-risk_score")
    def risk(self, obj):
        level = "high" if obj.risk_score >= 0.7 else "mid" if obj.risk_score >= 0.4 else "low"
        return format_html(
            '<span class="risk risk-{}" title="{}">{}</span>',
            level,
            risk_text(risk_explained(obj)),
            f"{obj.risk_score * 100:.0f}",
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The dispute page; a POST is the arbitrator's decision."""
        dispute = self.get_object(request, unquote(object_id))
        if dispute is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, dispute):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        listing = Q(
            order=dispute.order_id,
            dispute__isnull=True,
            role__in=[Evidence.Role.LISTING, Evidence.Role.PACKING],
        )
        flagged = ForensicReport.objects.filter(evidence=OuterRef("pk")).exclude(
            verdict=ForensicReport.Verdict.NO_FINDINGS
        )
        evidence = list(
            Evidence.objects.filter(listing | Q(dispute=dispute)).annotate(flagged=Exists(flagged))
        )
        asking = request.method == "POST" and "request_evidence" in request.POST
        settlement = settlement_panel(dispute, request.user, evidence)
        form = DecisionForm(
            request.POST if request.method == "POST" and not asking else None,
            evidence=[item for item in evidence if item.dispute_id == dispute.pk],
            flagged=[item for item in evidence if item.flagged or item.merchant_flag],
            lines=order_lines(dispute.order) if dispute.state == Dispute.State.UNDER_REVIEW else (),
            claimed_fen=dispute.claimed_amount_fen,
        )
        request_form = EvidenceRequestForm(
            request.POST if asking else None,
            initial={"due_at": timezone.localtime() + timedelta(hours=48)},
        )
        status, error = 200, ""
        if request.method == "POST":
            if asking:
                failure = self._request_evidence(request, dispute, request_form)
            else:
                failure = self._decide(request, dispute, form)
            if failure is None:
                return HttpResponseRedirect(self._after_post(request, dispute, asking))
            status, error = failure
        page = dispute_page(dispute, evidence)
        if page["suggestion"] is not None and not form.is_bound:
            form.initial = {**page["suggestion"].form_initial(), **form.initial}
        context = {
            **self.admin_site.each_context(request),
            **page,
            "opts": self.opts,
            "title": dispute.reference,
            "subtitle": dispute.order.title,
            "form": form,
            "error": "" if asking else error,
            "can_decide": dispute.state == Dispute.State.UNDER_REVIEW,
            "request_form": request_form,
            "request_error": error if asking else "",
            "can_export_full": request.user.has_perm(FULL_PERMISSION),
            "dossier_key_id": dossier_signing.key_id(),
            **remedy_page(dispute),
            **settlement,
        }
        return TemplateResponse(request, "console/dispute_detail.html", context, status=status)

    def case_file_view(self, request, object_id):
        """The signed case file as a download (POST: every export leaves an audit row)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        dispute = self.get_object(request, unquote(object_id))
        if dispute is None or not self.has_view_permission(request, dispute):
            raise PermissionDenied
        try:
            name, data = dossier_export(
                dispute,
                actor=DisputeEvent.Actor.ARBITRATOR,
                user=request.user,
                full=request.POST.get("full") == "1",
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _after_post(self, request, dispute, asking) -> str:
        """Back to the page, or after "decide and open the next", the next open dispute."""
        if asking or "_next" not in request.POST:
            return request.path
        following = next_open_dispute(exclude=dispute.pk)
        if following is None:
            messages.info(request, _("No other dispute is waiting for an arbitrator."))
            return reverse("console:arbitration_dispute_changelist")
        return reverse("console:arbitration_dispute_change", args=[following.pk])

    def _request_evidence(self, request, dispute, form) -> tuple[int, str] | None:
        """Hand the form to ``evidence_request``; on failure, the status and message."""
        if not form.is_valid():
            return 400, _("The request was not sent: correct the fields marked below.")
        try:
            evidence_request(dispute=dispute, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            return exc.status, exc.message
        messages.success(request, _("The request was sent; the review clock is paused."))
        return None

    def _decide(self, request, dispute, form) -> tuple[int, str] | None:
        """Hand the form to ``dispute_decide``; on failure, the status and message to show."""
        if not form.is_valid():
            return 400, _("The decision was not saved: correct the fields marked below.")
        try:
            decision = dispute_decide(
                dispute=dispute,
                user=request.user,
                suggestion=suggest_outcome(dispute),
                **form.service_kwargs(),
            )
        except IllegalTransition as exc:
            return 409, str(exc)
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            return exc.status, exc.message
        messages.success(
            request,
            _("Decided: %(outcome)s, %(amount)s.")
            % {"outcome": decision.get_outcome_display(), "amount": yuan(decision.amount_fen)},
        )
        return None


def next_open_dispute(*, exclude: int) -> Dispute | None:
    """The next dispute of the default queue (open work, riskiest then oldest first)."""
    return (
        Dispute.objects.filter(state__in=QueueFilter.GROUPS[QueueFilter.OPEN][1])
        .exclude(pk=exclude)
        .order_by("-risk_score", "opened_at")
        .first()
    )


def dispute_page(dispute: Dispute, evidence: list[Evidence]) -> dict:
    """What the dispute page shows, read in a fixed number of queries."""
    for item in evidence:
        item.file_url = evidence_url(item.uid)
        item.original_url = evidence_url(item.uid, original=True)
    comparisons = attach_findings(evidence)
    order = dispute.order
    lines = [
        {
            **line,
            "unit_price": yuan(int(line.get("unit_price_fen") or 0)),
            "total": yuan(int(line.get("unit_price_fen") or 0) * int(line.get("quantity") or 1)),
        }
        for line in order.items or []
        if isinstance(line, dict)
    ]
    offers = list(dispute.offers.select_related("made_by"))
    for offer in offers:
        offer.amount_display = yuan(offer.amount_fen)
    decision = Decision.objects.filter(dispute=dispute).select_related("decided_by").first()
    suggestion = None
    if decision is None and dispute.state in ACTIVE_STATES:
        reports = {item.pk: item.findings.report for item in evidence if item.findings}
        suggestion = suggest_outcome(dispute, evidence=evidence, reports=reports)
    relied_on = set(decision.evidence_relied_on.values_list("pk", flat=True)) if decision else ()
    refund = Refund.objects.filter(dispute=dispute).first()
    return {
        "dispute": dispute,
        "order": order,
        "order_amount": yuan(order.amount_fen),
        "claimed": yuan(dispute.claimed_amount_fen),
        "lines": lines,
        "listing": [item for item in evidence if item.role == Evidence.Role.LISTING],
        "buyer_evidence": [item for item in evidence if item.role == Evidence.Role.BUYER],
        "merchant_evidence": [item for item in evidence if item.role == Evidence.Role.MERCHANT],
        "comparisons": comparisons,
        "offers": offers,
        "events": timeline(dispute),
        "reports": dispute.merchant_reports.select_related("merchant", "reviewed_by"),
        "proposals": proposals_for_dispute(dispute),
        "decision": decision,
        "suggestion": suggestion,
        "risk": risk_text(risk_explained(dispute)),
        **suggestion_recorded(decision),
        "decision_amount": yuan(decision.amount_fen) if decision else "",
        "relied_on": [item for item in evidence if item.pk in relied_on],
        "refund": refund,
        "refund_amount": yuan(refund.amount_fen) if refund else "",
    }


def risk_text(risk) -> str:
    """The queue's risk as its three factors (``services/risk.py``), for a tooltip."""
    return _("findings %(findings).2f × credit %(credit).2f × amount %(amount).2f") % {
        "findings": risk.findings,
        "credit": risk.credit,
        "amount": risk.amount,
    }


def timeline(dispute: Dispute) -> list[DisputeEvent]:
    """The audit trail with a readable label and the one detail worth a glance per row."""
    events = list(dispute.events.select_related("actor_user"))
    for event in events:
        event.label = ACTION_LABELS.get(event.action, event.action.replace("_", " "))
        payload = event.payload or {}
        if "amount_fen" in payload:
            event.note = yuan(int(payload["amount_fen"]))
        elif "count" in payload:
            event.note = f"× {payload['count']}"
        else:
            event.note = payload.get("statement") or payload.get("note") or ""
    return events


def remedy_page(dispute: Dispute) -> dict:
    """The review clock, the evidence requests, refund lines and parcels of the dispute.

    Lines and parcels exist only once it is decided: no query for them before.
    """
    settled = dispute.state in SETTLED_STATES
    return {
        "review_due": review_due(dispute),
        "evidence_requests": list(dispute.evidence_requests.select_related("requested_by")),
        "decision_lines": (
            list(RefundLine.objects.filter(decision__dispute=dispute)) if settled else []
        ),
        "shipments": list(Shipment.objects.filter(dispute=dispute)) if settled else [],
    }


class ReadOnlyAdmin(ConsoleAccess, admin.ModelAdmin):
    actions = None


@admin.register(Order, site=console)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "title", "buyer", "merchant", "amount", "delivered_at")
    list_select_related = ("buyer", "merchant")
    list_filter = ("platform",)
    search_fields = ("external_id", "title")

    @admin.display(description=gettext_lazy("amount"), ordering="amount_fen")
    def amount(self, obj):
        return yuan(obj.amount_fen)


@admin.register(DisputeEvent, site=console)
class DisputeEventAdmin(ReadOnlyAdmin):
    ordering = ("-created_at", "-pk")
    list_display = ("created_at", "dispute", "action", "actor", "actor_user", "transition")
    list_select_related = ("dispute__order", "actor_user")
    list_filter = ("actor", "action")
    search_fields = ("dispute__order__external_id", "action")

    @admin.display(description=gettext_lazy("from → to"))
    def transition(self, obj):
        if obj.from_state == obj.to_state:
            return "—"
        return f"{obj.get_from_state_display()} → {obj.get_to_state_display()}"


@admin.register(Decision, site=console)
class DecisionAdmin(ReadOnlyAdmin):
    """Decisions, with how each departed from the console's suggestion (audit of judgement)."""

    list_display = (
        "dispute",
        "outcome",
        "amount",
        "suggested",
        "departure",
        "source",
        "decided_by",
        "created_at",
    )
    list_select_related = ("dispute__order", "decided_by")
    list_filter = ("outcome", "source", "suggested_outcome")

    @admin.display(description=gettext_lazy("refund"), ordering="amount_fen")
    def amount(self, obj):
        return yuan(obj.amount_fen)

    @admin.display(description=gettext_lazy("suggested"), ordering="suggested_outcome")
    def suggested(self, obj):
        if not obj.suggested_outcome:
            return "—"
        return f"{obj.get_suggested_outcome_display()} {yuan(obj.suggested_amount_fen or 0)}"

    @admin.display(description=gettext_lazy("departure from the suggestion"))
    def departure(self, obj):
        recorded = suggestion_recorded(obj)
        difference = (obj.suggestion or {}).get("difference") or {}
        if not obj.suggested_outcome:
            return "—"
        if difference.get("outcome_changed"):
            return _("other outcome") + (
                f" · {recorded['amount_delta']}" if recorded["amount_delta"] else ""
            )
        return recorded["amount_delta"] or _("as suggested")


@admin.register(Refund, site=console)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "amount", "status", "reference", "created_at", "completed_at")
    list_select_related = ("dispute__order",)
    list_filter = ("status",)

    @admin.display(description=gettext_lazy("amount"), ordering="amount_fen")
    def amount(self, obj):
        return yuan(obj.amount_fen)
