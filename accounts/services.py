"""Use cases of the accounts app."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arbitration import lifecycle
from arbitration.errors import DomainError, NotAllowed
from arbitration.models import DisputeEvent

from .models import MerchantReport


@transaction.atomic
def merchant_report_review(
    *, report: MerchantReport, user, upheld: bool, note: str = ""
) -> MerchantReport:
    """An arbitrator upholds or rejects a merchant's report of a buyer, once.

    The note goes into the dispute's audit trail; what an upheld report costs the buyer's
    credit is decided by the credit ledger, not here.
    """
    if not getattr(user, "can_arbitrate", False):
        raise NotAllowed(_("Only an arbitrator can review a merchant report."))
    report = MerchantReport.objects.select_for_update().select_related("dispute").get(pk=report.pk)
    if report.status != MerchantReport.Status.PENDING:
        raise DomainError(
            _("This report has already been reviewed (%(status)s).")
            % {"status": report.get_status_display()},
            code="already_reviewed",
        )
    report.status = MerchantReport.Status.UPHELD if upheld else MerchantReport.Status.REJECTED
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    lifecycle.record(
        report.dispute,
        "report_reviewed",
        actor=DisputeEvent.Actor.ARBITRATOR,
        user=user,
        payload={"report": report.pk, "status": report.status, "note": note.strip()},
    )
    return report
