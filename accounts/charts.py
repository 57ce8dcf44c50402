"""A party's score over time as an inline SVG's geometry: no JavaScript, no chart library.

The ledger gives the score right after each event (``credit.score_history``); between events
it drifts back towards the base as the events decay. The chart draws both: a vertical step at
each event (the score a moment before, then after) and a straight line between events, which
is close enough to the decay curve at this size.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from . import credit
from .models import Party

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 112, 14, 28  # room for the score axis, thresholds and dates
MOMENT = timedelta(microseconds=1)


@dataclass(frozen=True)
class Line:
    y: float
    label: str
    css: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y ..."
    dots: list[tuple[float, float, int]]  # each event's score after it
    thresholds: list[Line]
    ticks: list[tuple[float, str]]  # dates along the bottom (x, text)
    grid: list[tuple[float, int]]  # score marks along the left (y, score)
    x_end: float
    y_bottom: float
    summary: str  # for screen readers and the <title>


def _series(party: Party, at: datetime) -> list[tuple[datetime, int]]:
    events = list(party.credit_events.all())
    history = credit.score_history(party, at=at)
    start = min([party.created_at, at - timedelta(days=1), *(m for m, _s in history)])
    series = [(start, credit.score_from(party.platform, events, start - MOMENT))]
    for moment, score in history:
        series.append((moment, credit.score_from(party.platform, events, moment - MOMENT)))
        series.append((moment, score))
    return series


def score_chart(party: Party, *, at: datetime | None = None) -> Chart:
    """The chart of ``party``'s score from its first day (or first event) to ``at``."""
    at = at or timezone.now()
    platform = party.platform
    series = _series(party, at)
    levels = [
        (platform.credit_trusted_from, _("trusted from %(score)d"), "trusted"),
        (platform.credit_watch_below, _("watch below %(score)d"), "watch"),
        (platform.credit_restricted_below, _("restricted below %(score)d"), "restricted"),
    ]
    scores = [score for _m, score in series] + [level for level, _l, _c in levels]
    low, high = min(scores) - 10, max(scores) + 10
    start, end = series[0][0], at
    span = (end - start).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment: datetime) -> float:
        return round(LEFT + plot_w * (moment - start).total_seconds() / span, 1)

    def y(score: float) -> float:
        return round(TOP + plot_h * (high - score) / (high - low), 1)

    points = " ".join(f"{x(m)},{y(s)}" for m, s in series)
    dots = [(x(m), y(s), s) for m, s in series[2::2]]
    thresholds = [Line(y(level), text % {"score": level}, css) for level, text, css in levels]
    local = [timezone.localtime(m) for m in (start, start + (end - start) / 2, end)]
    ticks = [(x(m), m.strftime("%Y-%m-%d")) for m in local]
    step = max(10, round((high - low) / 4 / 10) * 10)
    grid = [(y(s), s) for s in range((low // step + 1) * step, high, step)]
    summary = _("Score from %(first)d to %(last)d over %(days)d days.") % {
        "first": series[0][1],
        "last": series[-1][1],
        "days": (end - start).days,
    }
    return Chart(
        WIDTH,
        HEIGHT,
        points,
        dots,
        thresholds,
        ticks,
        grid,
        WIDTH - RIGHT,
        HEIGHT - BOTTOM,
        summary,
    )
