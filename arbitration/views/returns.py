"""The merchant's report that the returned item is not as sent (``services/returns.py``)."""

from django.utils.translation import gettext as _

from ..models import DisputeEvent, ReturnReport
from ..services import returns
from ..settlement_forms import ReturnReportForm
from .disputes import _move, _post_view, auto_id


def return_report_context(dispute) -> dict:
    return {
        "return_report": ReturnReport.objects.filter(dispute=dispute).first(),
        "return_report_form": ReturnReportForm(auto_id=auto_id("return_report_form")),
    }


@_post_view
def return_report(request, pk: int):
    return _move(
        request,
        pk,
        side=DisputeEvent.Actor.MERCHANT,
        form_class=ReturnReportForm,
        form_name="return_report_form",
        call=lambda dispute, party, form: returns.return_report(
            dispute=dispute,
            party=party,
            problem=form.cleaned_data["problem"],
            statement=form.cleaned_data["statement"],
            files=form.cleaned_data["files"],
            user=request.user,
        ),
        done=_("Your report was sent; an arbitrator decides what, if anything, is deducted."),
    )
