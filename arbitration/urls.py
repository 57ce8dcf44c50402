from django.urls import include, path

from . import converters  # noqa: F401  (registers <id:…>)
from .console import console
from .views import appeals, capture, disputes, flags, hosted, packing, pages
from .views import remedies as remedy_views

handler403 = "accounts.views.permission_denied"

dispute_moves = [
    path("", disputes.dispute_detail, name="dispute"),
    path("offer/", disputes.offer_make, name="offer_make"),
    path("offer/accept/", disputes.offer_accept, name="offer_accept"),
    path("offer/reject/", disputes.offer_reject, name="offer_reject"),
    path("escalate/", disputes.dispute_escalate, name="dispute_escalate"),
    path("withdraw/", disputes.dispute_withdraw, name="dispute_withdraw"),
    path("respond/", disputes.merchant_respond, name="merchant_respond"),
    path("accept-claim/", disputes.merchant_accept_claim, name="merchant_accept_claim"),
    path("report/", disputes.merchant_report, name="merchant_report"),
    path("evidence/", disputes.evidence_upload, name="evidence_upload"),
    path("return/ship/", remedy_views.return_ship, name="return_ship"),
    path("return/received/", remedy_views.return_acknowledge, name="return_acknowledge"),
    path("replacement/ship/", remedy_views.replacement_ship, name="replacement_ship"),
    path("replacement/received/", remedy_views.replacement_confirm, name="replacement_confirm"),
    path("appeal/", appeals.appeal_file, name="appeal_file"),
    path("flag/", flags.photo_flag, name="photo_flag"),
    path("packing-photos/", packing.dispute_packing_upload, name="dispute_packing_upload"),
    path("submit/", disputes.dispute_submit, name="dispute_submit"),
    path("capture/", capture.capture_page, name="dispute_capture"),
    path("capture/upload/", capture.capture_upload, name="dispute_capture_upload"),
]

urlpatterns = [
    path("console/", console.urls),
    path("api/v1/", include("arbitration.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", pages.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("evidence/", include("evidence.urls")),
    path("notifications/", include("notifications.urls")),
    path("orders/", pages.buyer_orders, name="buyer_orders"),
    path("orders/<id:order_id>/dispute/", pages.dispute_open, name="dispute_open"),
    path("disputes/<id:pk>/", include(dispute_moves)),
    path("disputes/<id:pk>/enter/<str:token>/", hosted.hosted_link, name="hosted_link"),
    path("merchant/", pages.merchant_inbox, name="merchant_inbox"),
    path("merchant/orders/", pages.merchant_orders, name="merchant_orders"),
    path(
        "merchant/orders/<id:order_id>/packing-photos/",
        packing.order_packing_upload,
        name="order_packing_upload",
    ),
    path(
        "merchant/orders/<id:order_id>/listing-photos/",
        pages.listing_photos_upload,
        name="listing_photos_upload",
    ),
]
