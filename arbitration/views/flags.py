"""The merchant's "this photo is fake" flag on the dispute page (``services/flags.py``)."""

from django.utils.translation import gettext as _

from evidence.models import Evidence

from ..models import DisputeEvent, PhotoFlag
from ..services import flags
from ..settlement_forms import PhotoFlagForm
from .disputes import _move, _post_view, auto_id


def flag_context(dispute, side) -> dict:
    """The buyer's photos with their flags, for the merchant's own page only."""
    if side != DisputeEvent.Actor.MERCHANT:
        return {"flaggable": []}
    flagged = {f.evidence_id: f for f in PhotoFlag.objects.filter(dispute=dispute)}
    photos = list(Evidence.objects.filter(dispute=dispute, role=Evidence.Role.BUYER))
    for item in photos:
        item.flag = flagged.get(item.pk)
    return {
        "flaggable": photos,
        "flag_window_open": flags.flag_window_open(dispute),
        "flag_form": PhotoFlagForm(auto_id=auto_id("flag_form")),
    }


@_post_view
def photo_flag(request, pk: int):
    return _move(
        request,
        pk,
        side=DisputeEvent.Actor.MERCHANT,
        form_class=PhotoFlagForm,
        form_name="flag_form",
        call=lambda dispute, party, form: flags.photo_flag(
            dispute=dispute,
            party=party,
            evidence_id=form.cleaned_data["evidence"],
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            user=request.user,
        ),
        done=_("The photo is flagged; an arbitrator will look at it beside the findings."),
    )
