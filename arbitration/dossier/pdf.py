"""The case file for people: the same data as case.json, laid out as a PDF.

Chinese text uses Adobe's STSong-Light CID font, which every PDF reader supplies, so no
font file is embedded or needed on the server. The font has no middle dot or bullet, so
the layout separates with slashes. Photos are shown as thumbnails of the files
packed beside the PDF.
"""

import io
import json
from functools import cache
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..services.common import yuan

FONT = "STSong-Light"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=22, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=10),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7, leading=10),
    }


def _p(text, style="body") -> Paragraph:
    text = escape(str(text if text is not None else "—")).replace("\n", "<br/>")
    return Paragraph(text, _styles()[style])


def _table(rows, widths) -> Table:
    table = Table(
        [[cell if isinstance(cell, Flowable) else _p(cell) for cell in r] for r in rows],
        colWidths=widths,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _money(fen) -> str:
    return yuan(fen) if fen is not None else "—"


def _thumbnail(data: bytes | None):
    if not data:
        return _p("—")
    try:
        with PILImage.open(io.BytesIO(data)) as img:
            img.thumbnail((400, 400))
            buf = io.BytesIO()
            img.convert("RGB").save(buf, "JPEG", quality=80)
            width, height = img.size
    except (OSError, ValueError):  # a video or a file Pillow cannot read
        return _p(_("(no preview)"))
    scale = 35 * mm / max(width, height)
    return Image(io.BytesIO(buf.getvalue()), width=width * scale, height=height * scale)


def case_pdf(data: dict, files: dict[str, bytes], *, generated: dict) -> bytes:
    """The PDF of ``data`` (``content.case_content``); ``files`` maps archive paths to the
    packed bytes, for thumbnails."""
    d, order = data["dispute"], data["order"]
    buyer, merchant = data["parties"]["buyer"], data["parties"]["merchant"]
    story = [
        _p(_("Tianping case file %(ref)s") % {"ref": d["reference"]}, "title"),
        _p(
            _("Generated %(at)s by %(by)s. Personal data: %(pii)s. Signing key %(key)s.")
            % {
                "at": generated["at"],
                "by": generated["by"],
                "pii": _("complete") if generated["full"] else _("masked"),
                "key": generated["key_id"][:16],
            },
            "small",
        ),
        _p(_("The dispute"), "h2"),
        _table(
            [
                [_("field"), _("value")],
                [_("platform"), d["platform"]],
                [_("order"), f"{order['number']} / {order['title']}"],
                [_("paid"), _money(order["amount_fen"])],
                [_("delivered at"), order["delivered_at"]],
                [_("reason / remedy"), f"{d['reason']} / {d['remedy']}"],
                [_("amount claimed"), _money(d["claimed_amount_fen"])],
                [_("state"), d["state"]],
                [_("buyer"), f"{buyer['name']} / {buyer['phone']} / {buyer['address']}"],
                [_("merchant"), merchant["name"]],
                [_("buyer's description"), d["description"]],
                [_("merchant's response"), d["merchant_statement"]],
            ],
            [40 * mm, 130 * mm],
        ),
        _p(_("Timeline"), "h2"),
        _table(
            [[_("time"), _("who"), _("action"), _("state"), _("details")]]
            + [
                [
                    e["at"][:19].replace("T", " "),
                    e["user"] or e["actor"],
                    e["action"],
                    f"{e['from_state']} → {e['to_state']}",
                    _p(json.dumps(e["payload"], ensure_ascii=False)[:400], "small"),
                ]
                for e in data["timeline"]
            ],
            [28 * mm, 22 * mm, 30 * mm, 40 * mm, 50 * mm],
        ),
        _p(_("Evidence"), "h2"),
        _table(
            [[_("file"), _("details"), _("analysis")]]
            + [
                [
                    _thumbnail(files.get(item["file"])),
                    _p(
                        f"#{item['id']} {item['role']} / {item['file_name']}\n"
                        f"{_('uploaded')} {item['uploaded_at'][:19]}\n"
                        f"SHA-256 {item['original']['sha256']}",
                        "small",
                    ),
                    _p(_analysis_text(item["analysis"]), "small"),
                ]
                for item in data["evidence"]
            ],
            [40 * mm, 65 * mm, 65 * mm],
        ),
    ]
    story += _decision_part(data)
    if data["appeals"]:
        story += [
            _p(_("Appeals"), "h2"),
            _table(
                [[_("filed"), _("by"), _("statement"), _("outcome"), _("reasons")]]
                + [
                    [
                        a["filed_at"][:19],
                        a["side"],
                        a["statement"],
                        f"{a['status']} / {a['outcome'] or '—'} / {_money(a['amount_fen'])}",
                        a["reasons"],
                    ]
                    for a in data["appeals"]
                ],
                [28 * mm, 18 * mm, 50 * mm, 34 * mm, 40 * mm],
            ),
        ]
    credit = data["credit"]["events"]
    if credit:
        story += [
            _p(_("Credit events caused by this dispute"), "h2"),
            _table(
                [[_("party"), _("kind"), _("points"), _("booked"), _("reversed")]]
                + [
                    [e["party"], e["kind"], e["points"], e["at"][:19], e["reversed_at"] or ""]
                    for e in credit
                ],
                [20 * mm, 55 * mm, 20 * mm, 40 * mm, 35 * mm],
            ),
        ]
    story += [
        Spacer(1, 6 * mm),
        _p(
            _(
                "Check this file: sha256sum -c SHA256SUMS, then verify SHA256SUMS.sig with the "
                "published public key (README.txt in the archive)."
            ),
            "small",
        ),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, title=d["reference"], leftMargin=18 * mm, rightMargin=18 * mm
    )
    doc.build(story)
    return buf.getvalue()


def _analysis_text(analysis: dict | None) -> str:
    if analysis is None:
        return _("not analysed")
    lines = [f"{analysis['verdict']} / {analysis['forgery_score']:.2f}"]
    lines += [f"{s['code']} {s['score']:.2f}" for s in analysis["signals"]]
    if analysis["provenance"]["c2pa"]:
        lines.append(f"C2PA: {analysis['provenance']['c2pa']}")
    return "\n".join(lines)


def _decision_part(data: dict) -> list:
    decision = data["decision"]
    if decision is None:
        return []
    rows = [
        [_("field"), _("value")],
        [_("outcome"), decision["outcome"]],
        [_("refund"), _money(decision["amount_fen"])],
        [_("decided by"), decision["decided_by"] or decision["source"]],
        [_("decided at"), decision["decided_at"]],
        [
            _("suggested"),
            f"{decision['suggested_outcome'] or '—'} / {_money(decision['suggested_amount_fen'])}",
        ],
        [_("reasons"), decision["reasoning"]],
        [_("evidence relied on"), ", ".join(f"#{i}" for i in decision["evidence_relied_on"])],
    ]
    return [_p(_("Decision"), "h2"), _table(rows, [40 * mm, 130 * mm])]
