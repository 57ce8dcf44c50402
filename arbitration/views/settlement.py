"""Everything the dispute page shows after and beside the decision, in one context: appeals,
the merchant's packing photos and photo flags, a fast refund's recovery, a returned item
reported not as sent."""

from .appeals import appeal_context
from .flags import flag_context
from .packing import packing_context
from .recoveries import recovery_context
from .returns import return_report_context


def settlement_context(dispute, side) -> dict:
    return {
        **appeal_context(dispute, side),
        **packing_context(dispute, side),
        **flag_context(dispute, side),
        **recovery_context(dispute),
        **return_report_context(dispute),
    }
