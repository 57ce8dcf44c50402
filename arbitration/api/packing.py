"""The merchant's packing photos of an order through the API (``services/packing.py``)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser

from arbitration.services.packing import packing_photos_add
from evidence.models import Evidence

from . import serializers as s
from .common import ERRORS, IDEMPOTENCY, PlatformView, platform_orders, read_input
from .idempotency import idempotent
from .views import ListingPhotosInput, _evidence_response


class OrderPackingPhotosView(PlatformView):
    """The unit as it was sent: a buyer's claim photo is compared with the packing photos
    taken before the claim was filed."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: s.EvidenceOutput(many=True), **ERRORS})
    def get(self, request, external_id: str):
        order = get_object_or_404(platform_orders(self.platform), external_id=external_id)
        return _evidence_response(
            list(Evidence.objects.filter(order=order, role=Evidence.Role.PACKING))
        )

    @extend_schema(
        operation_id="orders_packing_photos_add",
        request={"multipart/form-data": ListingPhotosInput},
        responses={201: s.EvidenceOutput(many=True), **ERRORS},
        parameters=[IDEMPOTENCY],
        description="Upload the merchant's packing photos or video of the order (multipart "
        "`files`), before or during a dispute. Only those taken (EXIF time, else upload time) "
        "before the claim was filed are compared with the buyer's photos.",
    )
    @idempotent
    def post(self, request, external_id: str):
        order = get_object_or_404(platform_orders(self.platform), external_id=external_id)
        data = read_input(ListingPhotosInput, request)
        items = packing_photos_add(
            order=order, party=order.merchant, files=data["files"], caption=data["caption"]
        )
        return _evidence_response(items, status=status.HTTP_201_CREATED)
