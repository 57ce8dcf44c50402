"""A party's appeal of the decision on the dispute page (``services/appeals.py``)."""

from django.utils.translation import gettext as _

from ..models import DecisionAppeal
from ..services import appeals
from ..settlement_forms import AppealForm
from .disputes import _move, _post_view, auto_id


def appeal_context(dispute, side) -> dict:
    """The appeals of the decision for both parties, and the form while ``side`` may file."""
    return {
        "appeals": list(DecisionAppeal.objects.filter(dispute=dispute)),
        "can_appeal": not appeals.appeal_refusal(dispute, side),
        "appeal_form": AppealForm(auto_id=auto_id("appeal_form")),
    }


@_post_view
def appeal_file(request, pk: int):
    return _move(
        request,
        pk,
        form_class=AppealForm,
        form_name="appeal_form",
        call=lambda dispute, party, form: appeals.appeal_file(
            dispute=dispute,
            party=party,
            statement=form.cleaned_data["statement"],
            files=form.cleaned_data["files"],
            user=request.user,
        ),
        done=_("Your appeal was filed; another arbitrator will review it."),
    )
