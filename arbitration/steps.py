"""The step bar of a dispute page: 提交申请 → 商家处理 → 协商 → 平台仲裁 → (退货 / 换货) → 完成.

Each state sits on one step; steps before it are done, the rest to come. A return or a
replacement adds its step when the claim (or the decision under way) asks for one.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Dispute

State = Dispute.State
Remedy = Dispute.Remedy

SUBMIT, MERCHANT, NEGOTIATE, ARBITRATE, RETURN, REPLACE, DONE = (
    "submit",
    "merchant",
    "negotiate",
    "arbitrate",
    "return",
    "replace",
    "done",
)
LABELS = {
    SUBMIT: _("Claim filed"),
    MERCHANT: _("Merchant handles it"),
    NEGOTIATE: _("Negotiation"),
    ARBITRATE: _("Platform arbitration"),
    RETURN: _("Return"),
    REPLACE: _("Replacement"),
    DONE: _("Done"),
}
STEP_OF_STATE = {
    State.OPEN: SUBMIT,
    State.AWAITING_MERCHANT: MERCHANT,
    State.NEGOTIATING: NEGOTIATE,
    State.UNDER_REVIEW: ARBITRATE,
    State.AWAITING_RETURN: RETURN,
    State.RETURN_IN_TRANSIT: RETURN,
    State.REFUNDING: DONE,
    State.AWAITING_REPLACEMENT: REPLACE,
    State.REPLACEMENT_SHIPPED: REPLACE,
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    status: str  # "done", "current" or "todo"


def _keys(dispute: Dispute) -> list[str]:
    keys = [SUBMIT, MERCHANT, NEGOTIATE, ARBITRATE]
    step = STEP_OF_STATE.get(dispute.state)
    if step == RETURN or (step != REPLACE and dispute.remedy == Remedy.RETURN_AND_REFUND):
        keys.append(RETURN)
    elif step == REPLACE or dispute.remedy == Remedy.REPLACEMENT:
        keys.append(REPLACE)
    return [*keys, DONE]


def step_bar(dispute: Dispute) -> list[Step]:
    keys = _keys(dispute)
    current = STEP_OF_STATE.get(dispute.state, DONE)
    at = keys.index(current)
    finished = current == DONE and dispute.state not in STEP_OF_STATE
    return [
        Step(
            key,
            str(LABELS[key]),
            "done" if i < at or finished else "current" if i == at else "todo",
        )
        for i, key in enumerate(keys)
    ]
