"""Deadlines as people read them: "in 5 h", "5 h overdue", in the active time zone.

Used by the deadline partial, the notification texts and the e-mails alike, so a deadline
reads the same everywhere.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def duration_text(seconds: float) -> str:
    """A rounded, short duration: "40 min", "5 h", "2 days 3 h"."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours = round(seconds / 3600)
    if hours < 48:
        return _("%(hours)d h") % {"hours": hours}
    days, hours = divmod(hours, 24)
    text = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    if hours:
        text = _("%(days)s %(hours)d h") % {"days": text, "hours": hours}
    return text


def relative_text(moment: datetime, now: datetime | None = None) -> str:
    """ "in 5 h" before the moment, "5 h overdue" after it."""
    now = now or timezone.now()
    delta = (moment - now).total_seconds()
    if delta > 0:
        return _("in %(duration)s") % {"duration": duration_text(delta)}
    return _("%(duration)s overdue") % {"duration": duration_text(-delta)}


def absolute_text(moment: datetime) -> str:
    """The wall-clock time in the active time zone (the viewer's, or the default)."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'Y-m-d H:i')} ({timezone.get_current_timezone_name()})"
