"""Timeline sentences for what follows a decision: appeals, photo flags, recoveries and the
condition of a returned item (``timeline.describe`` adds them to its own)."""

from django.utils.translation import gettext as _

from ..models import Decision, PhotoFlag
from ..services.common import yuan


def _outcome(value: str) -> str:
    try:
        return str(Decision.Outcome(value).label)
    except ValueError:
        return value


def _flag_reason(p: dict) -> str:
    try:
        return str(PhotoFlag.Reason(p.get("reason", "")).label)
    except ValueError:
        return str(p.get("reason", ""))


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
        "packing_photos_added": lambda: (
            _("%(who)s added %(count)s packing photo(s) or video(s).")
            % {"who": who, "count": p.get("count", 0)}
        ),
        "photo_flagged": lambda: (
            _("%(who)s flagged the buyer's photo #%(pk)s as fake: %(reason)s.")
            % {"who": who, "pk": p.get("evidence", ""), "reason": _flag_reason(p)}
        ),
        "flag_upheld": lambda: (
            _("The arbitrator upheld the flag on photo #%(pk)s: it is fabricated.")
            % {"pk": p.get("evidence", "")}
        ),
        "recovery_requested": lambda: (
            _(
                "A photo behind the fast refund was found fabricated: the %(money)s refunded "
                "is being recovered."
            )
            % {"money": yuan(int(p.get("amount_fen") or 0))}
        ),
        "recovery_recovered": lambda: (
            _("The fast refund of %(money)s was recovered.")
            % {"money": yuan(int(p.get("amount_fen") or 0))}
        ),
        "recovery_written_off": lambda: (
            _("The recovery of the fast refund of %(money)s was written off.")
            % {"money": yuan(int(p.get("amount_fen") or 0))}
        ),
        "flag_dismissed": lambda: (
            _("The arbitrator dismissed the flag on photo #%(pk)s.") % {"pk": p.get("evidence", "")}
        ),
    }
