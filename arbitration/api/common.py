"""What the API's views share: the platform of the call, input parsing, tenant-scoped reads.

Every read starts from the calling platform's own rows, so another platform's order or
dispute is simply not found (404); its existence is never revealed.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.views import APIView

from arbitration.models import Dispute, Order

from . import serializers as s
from .idempotency import HEADER

IDEMPOTENCY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Makes a retried POST safe: the same key and body get the first response.",
)
ERRORS = dict.fromkeys((400, 401, 404, 409, 429), s.Error)


def read_input(serializer_class, request, **kwargs) -> dict:
    """The request's validated data; invalid input raises the API's 400."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PlatformView(APIView):
    @property
    def platform(self):
        return self.request.auth.platform


def platform_orders(platform) -> QuerySet[Order]:
    # "platform" too: opening a dispute reads order.platform (its deadline windows, webhooks).
    return Order.objects.filter(platform=platform).select_related("platform", "buyer", "merchant")


def platform_disputes(platform) -> QuerySet[Dispute]:
    return Dispute.objects.filter(platform=platform).select_related("order")
