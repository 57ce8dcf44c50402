from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from arbitration import converters  # noqa: F401  (registers <id:…>)

from . import appeals, credit, dossier, offers, packing, recoveries, views, webhooks
from . import remedies as api_remedies

urlpatterns = [
    path("orders", views.OrdersView.as_view(), name="api-orders"),
    path("orders/<str:external_id>", views.OrderView.as_view(), name="api-order"),
    path(
        "orders/<str:external_id>/listing-photos",
        views.OrderListingPhotosView.as_view(),
        name="api-order-listing-photos",
    ),
    path(
        "orders/<str:external_id>/packing-photos",
        packing.OrderPackingPhotosView.as_view(),
        name="api-order-packing-photos",
    ),
    path("disputes", views.DisputesView.as_view(), name="api-disputes"),
    path("disputes/<id:pk>", views.DisputeView.as_view(), name="api-dispute"),
    path(
        "disputes/<id:pk>/withdraw",
        views.DisputeWithdrawView.as_view(),
        name="api-dispute-withdraw",
    ),
    path("disputes/<id:pk>/links", views.DisputeLinksView.as_view(), name="api-dispute-links"),
    path(
        "disputes/<id:pk>/links/revoke",
        views.DisputeLinksRevokeView.as_view(),
        name="api-dispute-links-revoke",
    ),
    path(
        "disputes/<id:pk>/case-file",
        dossier.DisputeDossierView.as_view(),
        name="api-dispute-case-file",
    ),
    path("dossier-key", dossier.DossierKeyView.as_view(), name="api-dossier-key"),
    path(
        "disputes/<id:pk>/evidence",
        views.DisputeEvidenceView.as_view(),
        name="api-dispute-evidence",
    ),
    path("disputes/<id:pk>/appeals", appeals.DisputeAppealsView.as_view(), name="api-appeals"),
    path(
        "disputes/<id:pk>/recovery",
        recoveries.DisputeRecoveryView.as_view(),
        name="api-recovery",
    ),
    path("disputes/<id:pk>/offers", offers.DisputeOffersView.as_view(), name="api-offers"),
    path(
        "disputes/<id:pk>/offers/accept",
        offers.OfferAcceptView.as_view(),
        name="api-offers-accept",
    ),
    path(
        "disputes/<id:pk>/offers/reject",
        offers.OfferRejectView.as_view(),
        name="api-offers-reject",
    ),
    path(
        "disputes/<id:pk>/escalate",
        offers.DisputeEscalateView.as_view(),
        name="api-dispute-escalate",
    ),
    path(
        "disputes/<id:pk>/decision",
        offers.DisputeDecisionView.as_view(),
        name="api-dispute-decision",
    ),
    path(
        "disputes/<id:pk>/return/ship",
        api_remedies.ReturnShipView.as_view(),
        name="api-return-ship",
    ),
    path(
        "disputes/<id:pk>/return/acknowledge",
        api_remedies.ReturnAcknowledgeView.as_view(),
        name="api-return-acknowledge",
    ),
    path(
        "disputes/<id:pk>/replacement/ship",
        api_remedies.ReplacementShipView.as_view(),
        name="api-replacement-ship",
    ),
    path(
        "disputes/<id:pk>/replacement/confirm",
        api_remedies.ReplacementConfirmView.as_view(),
        name="api-replacement-confirm",
    ),
    path(
        "parties/<str:kind>/<str:external_id>/credit",
        credit.PartyCreditView.as_view(),
        name="api-party-credit",
    ),
    path("webhook-endpoints", webhooks.EndpointsView.as_view(), name="api-webhook-endpoints"),
    path("webhook-endpoints/<id:pk>", webhooks.EndpointView.as_view(), name="api-webhook-endpoint"),
    path(
        "webhook-endpoints/<id:pk>/rotate-secret",
        webhooks.EndpointRotateView.as_view(),
        name="api-webhook-endpoint-rotate",
    ),
    path("events", webhooks.EventsView.as_view(), name="api-events"),
    path(
        "events/<id:pk>/deliveries",
        webhooks.EventDeliveriesView.as_view(),
        name="api-event-deliveries",
    ),
    path(
        "deliveries/<id:pk>/redeliver",
        webhooks.RedeliverView.as_view(),
        name="api-delivery-redeliver",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view()),
]
