"""API endpoints: parse the request, call one service, render the result.

Every read starts from the calling platform's own rows (``common``), so another platform's
order, dispute or evidence is simply not found (404); its existence is never revealed.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.hosted_links import hosted_links_make, hosted_links_revoke
from accounts.models import Party
from arbitration import services
from arbitration.models import Dispute, DisputeEvent
from evidence.models import Evidence
from evidence.selectors import current_reports
from evidence.services import evidence_add

from . import serializers as s
from .common import (
    ERRORS,
    IDEMPOTENCY,
    PlatformView,
    platform_disputes,
    platform_orders,
    read_input,
)
from .idempotency import idempotent
from .pagination import Cursor
from .parsers import JSONParser
from .render import SUMMARY_VALUES, dispute_detail_data, summary, when


class OrdersView(PlatformView):
    @extend_schema(
        operation_id="orders_upsert",
        request=s.OrderInput,
        responses={200: s.OrderOutput, 201: s.OrderOutput, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Create the order with this external_id, or update it (200).",
    )
    @idempotent
    def post(self, request):
        data = read_input(s.OrderInput, request)
        order, created = services.order_upsert(platform=self.platform, **data)
        order = platform_orders(self.platform).prefetch_related("disputes").get(pk=order.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(s.OrderOutput(order).data, status=code)


class OrderView(PlatformView):
    @extend_schema(responses={200: s.OrderOutput, **ERRORS})
    def get(self, request, external_id: str):
        order = get_object_or_404(
            platform_orders(self.platform).prefetch_related("disputes"), external_id=external_id
        )
        return Response(s.OrderOutput(order).data)


class DisputesView(generics.ListAPIView, PlatformView):
    serializer_class = s.DisputeSummary
    pagination_class = Cursor
    parser_classes = [JSONParser, MultiPartParser]
    domain_fields = {"claimed_amount": "claimed_amount_fen"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dispute.objects.none()
        filters = s.DisputeFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = platform_disputes(self.platform)
        if state := filters.validated_data.get("state"):
            queryset = queryset.filter(state=state)
        if order := filters.validated_data.get("order"):
            queryset = queryset.filter(order__external_id=order)
        return queryset

    @extend_schema(
        parameters=[s.DisputeFilter], responses={200: s.DisputeSummary(many=True), **ERRORS}
    )
    def get(self, request, *args, **kwargs):
        # Rows, not model instances: the summary is rendered from them (``render.summary``).
        rows = self.paginate_queryset(self.get_queryset().values(*SUMMARY_VALUES))
        zone = timezone.get_current_timezone()
        return self.get_paginated_response([summary(row, zone) for row in rows])

    @extend_schema(
        operation_id="disputes_create",
        request={"application/json": s.DisputeInput, "multipart/form-data": s.DisputeInput},
        responses={201: s.DisputeCreated, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Open a dispute for the order's buyer; attach photos as multipart `files`. "
        "The response carries signed links that open the dispute's page for the buyer and the "
        "merchant without a login; mint fresh ones with `POST /disputes/{id}/links`.",
    )
    @idempotent
    def post(self, request):
        data = read_input(s.DisputeInput, request)
        order = platform_orders(self.platform).filter(external_id=data["order"]).first()
        if order is None:
            raise exceptions.NotFound(_("No order with this external id."))
        dispute = services.dispute_open(
            order=order,
            buyer=order.buyer,
            reason=data["reason"],
            remedy=data["remedy"],
            description=data["description"],
            claimed_amount_fen=data.get("claimed_amount_fen"),
            files=data["files"],
            actor=DisputeEvent.Actor.PLATFORM,
        )
        body = dispute_detail_data(self.platform, dispute.pk)
        links = hosted_links_make(dispute=dispute)
        body["links"] = {"buyer": links.buyer, "merchant": links.merchant}
        body["expires_at"] = when(links.expires_at)  # as s.DisputeCreated renders them
        return Response(body, status=status.HTTP_201_CREATED)


class DisputeView(PlatformView):
    @extend_schema(responses={200: s.DisputeDetail, **ERRORS})
    def get(self, request, pk: int):
        return Response(dispute_detail_data(self.platform, pk))


class DisputeWithdrawView(PlatformView):
    @extend_schema(
        operation_id="disputes_withdraw",
        request=None,
        responses={200: s.DisputeDetail, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Withdraw the dispute on the buyer's behalf.",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = get_object_or_404(platform_disputes(self.platform).select_related("buyer"), pk=pk)
        services.dispute_withdraw(dispute=dispute, party=dispute.buyer)
        return Response(dispute_detail_data(self.platform, pk))


class DisputeLinksView(PlatformView):
    @extend_schema(
        operation_id="disputes_links_create",
        request=None,
        responses={201: s.HostedLinksOutput, **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Fresh signed links to the dispute's page for its buyer and its merchant.",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = get_object_or_404(
            platform_disputes(self.platform).select_related("buyer", "merchant"), pk=pk
        )
        links = hosted_links_make(dispute=dispute)
        return Response(s.HostedLinksOutput(links).data, status=status.HTTP_201_CREATED)


class RevokeLinksInput(serializers.Serializer):
    party = serializers.ChoiceField(
        choices=Party.Kind.choices, help_text="Whose links to this dispute to revoke."
    )


class RevokedLinksOutput(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="How many live links were revoked.")


class DisputeLinksRevokeView(PlatformView):
    @extend_schema(
        operation_id="disputes_links_revoke",
        request=RevokeLinksInput,
        responses={200: RevokedLinksOutput, **ERRORS},
        description="Revoke one party's links to the dispute; browsers they opened are "
        "logged out at their next request.",
    )
    def post(self, request, pk: int):
        data = read_input(RevokeLinksInput, request)
        dispute = get_object_or_404(
            platform_disputes(self.platform).select_related("buyer", "merchant"), pk=pk
        )
        party = dispute.buyer if data["party"] == Party.Kind.BUYER else dispute.merchant
        revoked = hosted_links_revoke(party=party, dispute=dispute)
        return Response(RevokedLinksOutput({"revoked": revoked}).data)


def _evidence_response(items, **kwargs) -> Response:
    reports = current_reports(item.pk for item in items)
    data = s.EvidenceOutput(items, many=True, context={"reports": reports}).data
    return Response(data, **kwargs)


class ListingPhotosInput(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OrderListingPhotosView(PlatformView):
    """What the item looked like when sold: the reference a buyer's photo is compared with."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: s.EvidenceOutput(many=True), **ERRORS})
    def get(self, request, external_id: str):
        order = get_object_or_404(platform_orders(self.platform), external_id=external_id)
        return _evidence_response(
            list(Evidence.objects.filter(order=order, role=Evidence.Role.LISTING))
        )

    @extend_schema(
        operation_id="orders_listing_photos_add",
        request={"multipart/form-data": ListingPhotosInput},
        responses={201: s.EvidenceOutput(many=True), **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Upload the merchant's listing photos of the order (multipart `files`); "
        "a buyer's claim photo is compared with them, so a painted-on defect is found.",
    )
    @idempotent
    def post(self, request, external_id: str):
        order = get_object_or_404(platform_orders(self.platform), external_id=external_id)
        data = read_input(ListingPhotosInput, request)
        items = evidence_add(
            order=order,
            party=order.merchant,
            files=data["files"],
            role=Evidence.Role.LISTING,
            caption=data["caption"],
        )
        return _evidence_response(items, status=status.HTTP_201_CREATED)


class DisputeEvidenceView(PlatformView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: s.EvidenceOutput(many=True), **ERRORS})
    def get(self, request, pk: int):
        dispute = get_object_or_404(platform_disputes(self.platform), pk=pk)
        return _evidence_response(list(Evidence.objects.filter(dispute=dispute)))

    @extend_schema(
        operation_id="disputes_evidence_add",
        request={"multipart/form-data": s.EvidenceInput},
        responses={201: s.EvidenceOutput(many=True), **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Upload photos or videos for the buyer or the merchant of the dispute.",
    )
    @idempotent
    def post(self, request, pk: int):
        dispute = get_object_or_404(platform_disputes(self.platform), pk=pk)
        data = read_input(s.EvidenceInput, request)
        party = dispute.buyer if data["party"] == Party.Kind.BUYER else dispute.merchant
        items = services.party_add_evidence(
            dispute=dispute, party=party, files=data["files"], caption=data["caption"]
        )
        return _evidence_response(items, status=status.HTTP_201_CREATED)


class NotFoundView(APIView):
    """Unknown paths under /api/v1/ answer in the API's error format, not an HTML page."""

    permission_classes = []
    schema = None

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound()
