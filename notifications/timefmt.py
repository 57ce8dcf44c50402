"""Deadlines as people read them: "in 5 h", "5 h overdue", in the active time zone.

Used by the deadline partial, the notification texts and the e-mails alike, so a deadline
reads the same everywhere.
"""

from datetime import datetime, tzinfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# Zones people call by a plain name; any other reads "<city> time" (its IANA id in a title).
ZONE_NAMES = {
    "Asia/Shanghai": gettext_lazy("Beijing time"),
    "Asia/Chongqing": gettext_lazy("Beijing time"),
    "Asia/Harbin": gettext_lazy("Beijing time"),
    "PRC": gettext_lazy("Beijing time"),
    "Asia/Hong_Kong": gettext_lazy("Hong Kong time"),
    "Asia/Macau": gettext_lazy("Macau time"),
    "Asia/Taipei": gettext_lazy("Taipei time"),
    "Asia/Tokyo": gettext_lazy("Tokyo time"),
    "Asia/Singapore": gettext_lazy("Singapore time"),
    "Europe/London": gettext_lazy("London time"),
    "America/New_York": gettext_lazy("New York time"),
    "America/Los_Angeles": gettext_lazy("Los Angeles time"),
    "UTC": gettext_lazy("UTC"),
    "Etc/UTC": gettext_lazy("UTC"),
}


def zone_name(zone: tzinfo | str | None = None) -> str:
    """The reader's zone as people say it: "北京时间", not "Asia/Shanghai"."""
    key = zone if isinstance(zone, str) else str(zone or timezone.get_current_timezone())
    if key in ZONE_NAMES:
        return str(ZONE_NAMES[key])
    city = key.rpartition("/")[2].replace("_", " ")
    return _("%(city)s time") % {"city": city}


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
    return f"{date_format(local, 'Y-m-d H:i')} ({zone_name()})"
