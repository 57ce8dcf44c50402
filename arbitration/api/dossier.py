"""The case file through the API: the platform downloads a dispute's signed archive (the
buyer's personal data masked) and reads the key id that archives are checked against."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from arbitration.models import DisputeEvent

from ..dossier import signing
from ..dossier.services import dossier_export
from .common import ERRORS, PlatformView, platform_disputes


class DisputeDossierView(PlatformView):
    @extend_schema(
        operation_id="disputes_case_file",
        responses={
            200: OpenApiResponse(
                OpenApiTypes.BINARY,
                description="A zip: case.pdf, case.json, the files, SHA256SUMS and its"
                " Ed25519 signature. The buyer's personal data is masked.",
            ),
            **ERRORS,
        },
        description="The dispute's signed case file (dossier), for a court, the police or the"
        " platform's own records. Every download is recorded on the dispute's timeline.",
    )
    def get(self, request, pk: int):
        dispute = get_object_or_404(platform_disputes(self.platform), pk=pk)
        name, data = dossier_export(dispute, actor=DisputeEvent.Actor.PLATFORM)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class DossierKeyView(PlatformView):
    @extend_schema(
        operation_id="dossier_key",
        responses={
            200: inline_serializer(
                "DossierKey",
                {"key_id": serializers.CharField(), "public_key_pem": serializers.CharField()},
            ),
            **ERRORS,
        },
        description="The public key that signs case files, and its id (the SHA-256 of the"
        " PEM). An archive's public_key.pem must hash to this id.",
    )
    def get(self, request):
        return Response(
            {"key_id": signing.key_id(), "public_key_pem": signing.public_key_pem().decode()}
        )
