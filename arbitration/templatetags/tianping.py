"""Template filters for the buyer and merchant pages: money and the timeline."""

from django import template
from django.utils import timezone

from arbitration.services.common import yuan as _yuan
from evidence.derivatives import WIDTHS

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen as ``¥12.34``; anything else renders as nothing."""
    if fen is None or fen == "":
        return ""
    return _yuan(int(fen))


@register.filter
def yuan_plain(fen) -> str:
    """Integer fen as ``12.34`` for a form's initial value."""
    if fen is None or fen == "":
        return ""
    fen = int(fen)
    return f"{fen // 100}.{fen % 100:02d}"


@register.filter
def is_past(moment) -> bool:
    """Whether a deadline has passed (the inbox highlights overdue rows)."""
    return moment is not None and moment <= timezone.now()


@register.simple_tag
def party_kinds(user) -> set[str]:
    """The kinds of party (buyer, merchant) the user acts as, to show only relevant links."""
    if not user.is_authenticated:
        return set()
    return set(user.parties.values_list("kind", flat=True))


@register.simple_tag
def display_name(user) -> str:
    """Who the header greets: the party's name (a hosted-link account's username is a code
    like "buyer-4-ece3ac64"), else the username."""
    party = user.parties.only("display_name").first() if user.is_authenticated else None
    return party.display_name if party else user.get_username()


@register.filter
def srcset(url: str) -> str:
    """The ``srcset`` of a photo's resized copies (``evidence.derivatives``)."""
    return ", ".join(f"{url}?w={width} {width}w" for width in WIDTHS)


@register.filter
def choices_of(form, name: str) -> list:
    """A decision form's evidence checkboxes with their items (``choices_with_items``)."""
    return form.choices_with_items(name)
