"""Periodic credit upkeep."""

from celery import shared_task

from .credit import credit_refresh_all


@shared_task
def refresh_credit_scores() -> int:
    """Periodic (beat, hourly): let decay move stored scores and tiers; returns tier changes."""
    return credit_refresh_all()
