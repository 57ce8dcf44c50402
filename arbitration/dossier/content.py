"""What a case file says: the dispute, its parties, its timeline, every file with the SHA-256
of its original bytes and its analysis, the suggestion, the decision, its appeals, the
merchant's photo flags, a fast refund's recovery, and the credit the dispute moved. Plain
data (``case.json``); the PDF is laid out from the same dict.

Masking: unless the full file is asked for, the buyer's name, phone and address are shown
as a merchant sees them, wherever they appear in free text too, and the files are the
counterparty copies (metadata removed); the SHA-256 of every original is listed all the
same, so the full file can be matched to this one later.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from accounts.masking import mask_phone
from accounts.models import CreditAppeal, CreditEvent, CreditProposal, MerchantReport
from evidence.models import Evidence, ForensicReport

from ..models import Dispute

MASK = "***"


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _mask_name(name: str) -> str:
    return f"{name[:1]}{MASK}" if name else ""


@dataclass
class Masker:
    """Replaces the buyer's personal data in any text or JSON value."""

    secrets: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_buyer(cls, buyer, *, full: bool) -> "Masker":
        if full:
            return cls()
        pairs = {
            buyer.phone: mask_phone(buyer.phone) or MASK,
            buyer.address: MASK,
            buyer.display_name: _mask_name(buyer.display_name),
        }
        # Longest first, so a name inside the address is not masked twice.
        return cls({k: v for k, v in sorted(pairs.items(), key=lambda kv: -len(kv[0])) if k})

    def __call__(self, value):
        if isinstance(value, str):
            for secret, shown in self.secrets.items():
                value = value.replace(secret, shown)
            return value
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value


@dataclass(frozen=True)
class Member:
    """A file packed beside case.json: its archive path and its bytes' source."""

    path: str
    field: object  # a FieldFile


def _party(party, mask: Masker) -> dict:
    return {
        "id": party.pk,
        "kind": party.kind,
        "platform_id": party.external_id,
        "name": mask(party.display_name),
        "phone": mask(party.phone),
        "address": mask(party.address),
        "city": party.city,
        "credit_score": party.credit_score,
        "credit_tier": party.credit_tier,
    }


def _report(report: ForensicReport | None, maps: list[Member], prefix: str) -> dict | None:
    if report is None:
        return None
    signals = list(report.signals.all())
    out = {
        "analyzer_version": report.analyzer_version,
        "verdict": report.verdict,
        "forgery_score": round(report.forgery_score, 4),
        "analysed_at": _at(report.created_at),
        "provenance": {
            "c2pa": report.metadata.get("c2pa"),
            "ai_involvement": report.metadata.get("ai_involvement"),
            "findings": [s.code for s in signals if s.code.startswith("provenance.")],
        },
        "metadata": report.metadata,
        "signals": [
            {
                "code": s.code,
                "score": round(s.score, 4),
                "polarity": s.polarity,
                "detail": s.detail,
                "regions": s.regions,
                "data": s.data,
            }
            for s in signals
        ],
        "maps": {},
    }
    for name in ("ela_heatmap", "noise_heatmap"):
        heatmap = getattr(report, name)
        if heatmap:
            member = Member(f"maps/{prefix}-{name.split('_')[0]}.png", heatmap)
            maps.append(member)
            out["maps"][name] = member.path
    return out


def _evidence(items, mask: Masker, *, full: bool) -> tuple[list[dict], list[Member]]:
    members: list[Member] = []
    reports = {}
    for report in (
        ForensicReport.objects.filter(evidence__in=items)
        .order_by("evidence_id", "-created_at")
        .prefetch_related("signals")
    ):
        reports.setdefault(report.evidence_id, report)  # the newest analysis of each file
    out = []
    for item in items:
        source = item.original if full else item.safe_copy
        extension = PurePosixPath(source.name).suffix if source else ""
        prefix = f"{item.pk:06d}-{item.role}"
        member = Member(f"evidence/{prefix}{extension or '.bin'}", source)
        members.append(member)
        out.append(
            {
                "id": item.pk,
                "uid": str(item.uid),
                "role": item.role,
                "kind": item.kind,
                "submitted_by": item.submitted_by_id,
                "file_name": mask(item.original_name),
                "caption": mask(item.caption),
                "uploaded_at": _at(item.created_at),
                "captured_live_at": _at(item.captured_live_at),
                "original": {"sha256": item.sha256, "size": item.size, "mime": item.mime},
                "file": member.path,
                "file_is": "original" if full else "counterparty copy, metadata removed",
                "analysis_status": item.analysis,
                "analysis": _report(reports.get(item.pk), members, prefix),
            }
        )
    return out, members


def _decision(dispute: Dispute, mask: Masker) -> dict | None:
    decision = getattr(dispute, "decision", None)
    if decision is None:
        return None
    return {
        "outcome": decision.outcome,
        "amount_fen": decision.amount_fen,
        "source": decision.source,
        "decided_by": decision.decided_by.get_username() if decision.decided_by else None,
        "reasoning": mask(decision.reasoning),
        "evidence_relied_on": sorted(decision.evidence_relied_on.values_list("pk", flat=True)),
        "suggested_outcome": decision.suggested_outcome or None,
        "suggested_amount_fen": decision.suggested_amount_fen,
        "suggestion": mask(decision.suggestion),
        "lines": [
            {
                "line": line.line_index,
                "title": line.title,
                "quantity": line.quantity,
                "amount_fen": line.amount_fen,
                "reason": line.reason,
            }
            for line in decision.lines.all()
        ],
        "decided_at": _at(decision.created_at),
    }


def _credit(dispute: Dispute, mask: Masker) -> dict:
    events = CreditEvent.objects.filter(dispute=dispute).order_by("created_at", "pk")
    return {
        "events": [
            {
                "id": e.pk,
                "party": e.party_id,
                "kind": e.kind,
                "points": e.points,
                "source_key": e.source_key,
                "at": _at(e.created_at),
                "reversed_at": _at(e.reversed_at),
                "reversal_note": e.reversal_note,
            }
            for e in events
        ],
        "proposals": [
            {
                "id": p.pk,
                "party": p.party_id,
                "kind": p.kind,
                "points": p.points,
                "status": p.status,
            }
            for p in CreditProposal.objects.filter(dispute=dispute).order_by("pk")
        ],
        "appeals": [
            {
                "id": a.pk,
                "credit_event": a.event_id,
                "party": a.party_id,
                "statement": mask(a.statement),
                "status": a.status,
                "review_note": mask(a.review_note),
                "filed_at": _at(a.created_at),
                "reviewed_at": _at(a.reviewed_at),
            }
            for a in CreditAppeal.objects.filter(event__dispute=dispute).order_by("pk")
        ],
        "merchant_reports": [
            {
                "id": r.pk,
                "category": r.category,
                "statement": mask(r.statement),
                "status": r.status,
                "filed_at": _at(r.created_at),
            }
            for r in MerchantReport.objects.filter(dispute=dispute).order_by("pk")
        ],
    }


def case_content(dispute: Dispute, *, full: bool) -> tuple[dict, list[Member]]:
    """The case file's data, and the files to pack beside it."""
    mask = Masker.for_buyer(dispute.buyer, full=full)
    order = dispute.order
    items = list(Evidence.objects.filter(dispute=dispute).order_by("created_at", "pk")) + list(
        Evidence.objects.filter(order=order, role=Evidence.Role.LISTING).order_by("pk")
    )
    evidence, members = _evidence(items, mask, full=full)
    data = {
        "dispute": {
            "reference": dispute.reference,
            "id": dispute.pk,
            "platform": dispute.platform.name,
            "state": dispute.state,
            "reason": dispute.reason,
            "remedy": dispute.remedy,
            "description": mask(dispute.description),
            "claimed_amount_fen": dispute.claimed_amount_fen,
            "merchant_statement": mask(dispute.merchant_statement),
            "opened_at": _at(dispute.opened_at),
            "submitted_at": _at(dispute.submitted_at),
            "review_reason": dispute.review_reason,
        },
        "order": {
            "number": order.external_id,
            "title": order.title,
            "items": order.items,
            "amount_fen": order.amount_fen,
            "currency": order.currency,
            "placed_at": _at(order.placed_at),
            "delivered_at": _at(order.delivered_at),
        },
        "parties": {
            "buyer": _party(dispute.buyer, mask),
            "merchant": _party(dispute.merchant, Masker()),
        },
        "timeline": [
            {
                "at": _at(e.created_at),
                "action": e.action,
                "actor": e.actor,
                "user": e.actor_user.get_username() if e.actor_user else None,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "payload": mask(e.payload),
            }
            for e in dispute.events.select_related("actor_user").order_by("created_at", "pk")
        ],
        "offers": [
            {
                "id": o.pk,
                "by": o.made_by_id,
                "remedy": o.remedy,
                "amount_fen": o.amount_fen,
                "percent": o.percent,
                "message": mask(o.message),
                "status": o.status,
                "made_at": _at(o.created_at),
                "answered_at": _at(o.answered_at),
            }
            for o in dispute.offers.order_by("created_at", "pk")
        ],
        "evidence": evidence,
        "decision": _decision(dispute, mask),
        "appeals": [
            {
                "id": a.pk,
                "side": a.side,
                "statement": mask(a.statement),
                "evidence": sorted(a.evidence.values_list("pk", flat=True)),
                "status": a.status,
                "filed_at": _at(a.filed_at),
                "reviewed_by": a.reviewed_by.get_username() if a.reviewed_by else None,
                "reviewed_at": _at(a.reviewed_at),
                "outcome": a.outcome or None,
                "amount_fen": a.amount_fen,
                "adjustment_fen": a.adjustment_fen,
                "reasons": mask(a.reasons),
            }
            for a in dispute.appeals.select_related("reviewed_by").order_by("pk")
        ],
        "photo_flags": [
            {
                "evidence": f.evidence_id,
                "reason": f.reason,
                "note": mask(f.note),
                "status": f.status,
                "flagged_at": _at(f.created_at),
                "reviewed_at": _at(f.reviewed_at),
            }
            for f in dispute.photo_flags.order_by("pk")
        ],
        "refund": _refund(dispute),
        "recovery": _recovery(dispute),
        "credit": _credit(dispute, mask),
    }
    return data, members


def _recovery(dispute: Dispute) -> dict | None:
    recovery = getattr(dispute, "recovery", None)
    if recovery is None:
        return None
    return {
        "amount_fen": recovery.amount_fen,
        "currency": recovery.currency,
        "funded_by": recovery.funded_by,
        "status": recovery.status,
        "evidence": sorted(recovery.evidence.values_list("pk", flat=True)),
        "requested_at": _at(recovery.requested_at),
        "settled_at": _at(recovery.settled_at),
    }


def _refund(dispute: Dispute) -> dict | None:
    refund = getattr(dispute, "refund", None)
    if refund is None:
        return None
    return {
        "amount_fen": refund.amount_fen,
        "currency": refund.currency,
        "status": refund.status,
        "reference": refund.reference,
        "completed_at": _at(refund.completed_at),
    }
