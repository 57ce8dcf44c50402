"""Signal receivers: a credit tier change, a decided credit appeal or a reviewed credit proposal
notifies that party. (They have no dispute event to go through ``rules``: an AI listing photo
is proposed against a merchant outside any dispute.)"""

import logging

from django.dispatch import receiver

from accounts.credit import credit_appeal_decided, credit_tier_changed
from accounts.proposals import credit_proposal_reviewed

log = logging.getLogger(__name__)


@receiver(credit_tier_changed, dispatch_uid="notifications.credit_tier_changed")
def on_credit_tier_changed(sender, party, old_tier, new_tier, score, **kwargs):
    """Sent after commit; a broker outage must not fail the request that changed the score."""
    from .tasks import notify_credit_tier_changed

    at = party.credit_scored_at.isoformat() if party.credit_scored_at else ""
    try:
        notify_credit_tier_changed.delay(party.pk, old_tier, new_tier, score, at)
    except Exception:
        log.exception("could not queue the credit tier notification of party %s", party.pk)


@receiver(credit_appeal_decided, dispatch_uid="notifications.credit_appeal_decided")
def on_credit_appeal_decided(sender, appeal, **kwargs):
    """Sent after commit, like the tier change: the decision stands even if the broker is down."""
    from .tasks import notify_credit_appeal_decided

    try:
        notify_credit_appeal_decided.delay(appeal.pk)
    except Exception:
        log.exception("could not queue the notification of credit appeal %s", appeal.pk)


@receiver(credit_proposal_reviewed, dispatch_uid="notifications.credit_proposal_reviewed")
def on_credit_proposal_reviewed(sender, proposal, **kwargs):
    """Sent after commit: the party learns whether the proposed event was booked or not."""
    from .tasks import notify_credit_proposal_reviewed

    try:
        notify_credit_proposal_reviewed.delay(proposal.pk)
    except Exception:
        log.exception("could not queue the notification of credit proposal %s", proposal.pk)
