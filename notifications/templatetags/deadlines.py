"""Deadline filters for every page that shows one (partials/deadline.html, the console)."""

from datetime import timedelta

from django import template
from django.utils import timezone

from ..timefmt import relative_text, zone_name

register = template.Library()
SOON = timedelta(hours=24)


@register.filter
def until(moment) -> str:
    """ "in 5 h" / "5 h overdue" from now."""
    return relative_text(moment) if moment else ""


@register.filter
def deadline_status(moment) -> str:
    """``overdue``, ``soon`` (within a day) or ``later``: the deadline's style."""
    if moment is None:
        return ""
    left = moment - timezone.now()
    if left <= timedelta(0):
        return "overdue"
    return "soon" if left <= SOON else "later"


@register.simple_tag
def reader_zone() -> str:
    """The active zone's plain name ("北京时间")."""
    return zone_name()
