"""Timeline sentences for what follows a decision: appeals, photo flags, recoveries and the
condition of a returned item (``timeline.describe`` adds them to its own)."""

from django.utils.translation import gettext as _

from ..models import Decision
from ..services.common import yuan


def _outcome(value: str) -> str:
    try:
        return str(Decision.Outcome(value).label)
    except ValueError:
        return value


def _with_reasons(text: str, p: dict) -> str:
    if not p.get("note"):
        return text
    return f"{text} {_('Reasons: %(reasons)s') % {'reasons': p['note']}}"


def settlement_texts(who: str, p: dict) -> dict:
    adjustment = int(p.get("adjustment_fen") or 0)
    facts = {"who": who, "outcome": _outcome(p.get("outcome", "")), "money": yuan(abs(adjustment))}
    if adjustment > 0:
        overturned = _("The appeal was granted: %(outcome)s; the buyer is owed %(money)s more.")
    elif adjustment < 0:
        overturned = _("The appeal was granted: %(outcome)s; the buyer owes %(money)s back.")
    else:
        overturned = _("The appeal was granted: %(outcome)s.")
    return {
        "appeal_filed": lambda: (
            _("%(who)s appealed the decision; another arbitrator will review it.") % facts
        ),
        "appeal_upheld": lambda: _with_reasons(
            _("The appeal was reviewed: the decision stands."), p
        ),
        "appeal_overturned": lambda: _with_reasons(overturned % facts, p),
    }
