"""The recovery of a fast refund found fabricated, as the parties see it."""

from ..models import RefundRecovery


def recovery_context(dispute) -> dict:
    return {"recovery": RefundRecovery.objects.filter(dispute=dispute).first()}
