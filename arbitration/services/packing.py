"""The merchant's packing photos and videos of an order: the unit as it was sent.

They belong to the order, not to a dispute, so they can be filed before any claim or during
one. A buyer's claim photo is compared with them as with the listing photos (same unit?
identical outside the claimed defect? then the changed region), but only with those taken
before the claim was filed: ``taken_at`` is the EXIF capture time, or the upload time when
the file does not say (``evidence.analysis.packing_references``).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Party
from evidence.analysis import reanalyze_with_new_references
from evidence.forensics.exiftext import file_captured_at
from evidence.models import Evidence
from evidence.services import evidence_add

from .. import lifecycle
from ..errors import NotAllowed
from ..models import Dispute, DisputeEvent, Order


def _taken_at(item: Evidence):
    with item.original.open("rb") as handle:
        taken = file_captured_at(handle.read()) if item.kind == Evidence.Kind.IMAGE else None
    if taken is None:
        return item.created_at
    return taken if timezone.is_aware(taken) else timezone.make_aware(taken)


@transaction.atomic
def packing_photos_add(
    *, order: Order, party: Party, files, caption: str = "", user=None
) -> list[Evidence]:
    """Store the merchant's packing files of ``order``; the open claim, if any, hears of it
    and its buyer photos are analysed again with the new references."""
    if party.pk != order.merchant_id:
        raise NotAllowed(_("Only the order's merchant can add packing photos."))
    items = evidence_add(
        order=order, party=party, files=files, role=Evidence.Role.PACKING, caption=caption
    )
    for item in items:
        item.taken_at = _taken_at(item)
        item.save(update_fields=["taken_at"])
    dispute = (
        Dispute.objects.filter(order=order, state__in=lifecycle.ACTIVE_STATES)
        .select_for_update(of=("self",))
        .first()
    )
    if dispute is not None:
        lifecycle.record(
            dispute,
            "packing_photos_added",
            actor=DisputeEvent.Actor.MERCHANT,
            user=user,
            payload={"evidence": [item.pk for item in items], "count": len(items)},
        )
    reanalyze_with_new_references(order.pk)
    return items
