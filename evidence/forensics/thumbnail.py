"""EXIF IFD1 thumbnail vs the main image: a thumbnail left stale by an editor still shows
the content before the change.

What cameras really do, and why the comparison looks the way it does (calibrated on the 63
camera and phone originals of the real corpus, 1996-2016, a dozen makes):

- They letterbox: a 3:2 or 16:9 frame gets a 4:3 thumbnail with uniform bars. Bars are
  removed only where the two aspect ratios say they must be and the strip really is uniform,
  never by brightness (a dark sky or a black border of the photo itself is content).
- They crop: a portrait or digitally zoomed main image sits inside a wider thumbnail, or a
  4:3 thumbnail is cut from a 3:2 frame. The two are aligned crop-tolerantly (`align`), in
  both directions and all four quarter turns, before anything is compared.
- They resample, sharpen, tone-map and compress the thumbnail their own way: both sides are
  blurred to the thumbnail's real detail, the main image's tones are mapped onto the
  thumbnail's (a monotone histogram match, not a straight line), and only a compact area
  that differs by far more than the whole frame does counts. On the corpus's originals the
  largest changed cell after this is 23 grey levels; a painted-on stain behind the same
  camera thumbnail differs by 120-190.
- Flat frames (lens cap, dark room) and main images smaller than their thumbnail have
  nothing to compare: no finding, rather than a guess.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import ExifTags, Image

from . import regions
from .align import Alignment, align
from .decoded import Decoded
from .types import Context, Result, Signal
from .wording import said

JPEG_IF_OFFSET, JPEG_IF_LENGTH = 0x0201, 0x0202
MIN_SIDE = 48  # a thumbnail (or main image) smaller than this has too little to compare
FLAT_STD = 6.0  # grey-level spread below which a frame shows nothing to compare
ASPECT_TOLERANCE = 0.03  # thumbnails whose aspect is this close to the main's are not letterboxed
BAR_STD = 4.0  # a letterbox bar is uniform
MIN_COVER = 0.45  # a camera's crop (portrait from landscape, digital zoom) keeps this much
SAME_SHAPE_COVER = 0.76  # between frames of one aspect: a zoom or a slight reframing
REPLACED_NCC = 0.5  # below this, at the best crop and turn, the thumbnail is another picture
MATCHED_NCC = 0.8  # above this the frames are aligned well enough to look for a local change
SAME_FRAME_NCC = 0.9  # the thumbnail shows the image's own frame: try it without a search
SAME_FRAME = (0.0, 0.0, 1.0, 1.0)  # the compared area is the whole main image
CELL = 8  # thumbnail pixels per comparison cell
SHIFT = 2  # thumbnail pixels a cell may be out of register
CELL_DIFF = 40.0  # mean grey-level difference of a changed cell (originals: at most 23)
CELL_DIFF_VS_MEDIAN = 6.0
MAX_CHANGED_AREA = 0.35  # more than this changed is a different exposure, not an edit
REPLACED_SCORE = 0.9
CHANGED_SCORE = 0.8


def run(img: Decoded, context: Context) -> Result:
    thumb = _thumbnail(img)
    if thumb is None:
        return Result([])
    t = np.asarray(thumb, np.float32)
    main = img.work
    if min(t.shape) < MIN_SIDE or min(img.width, img.height) < min(t.shape):
        return Result([], metadata={"thumbnail": "too small to compare"})
    if t.std() < FLAT_STD or np.asarray(main, np.float32).std() < FLAT_STD:
        return Result([], metadata={"thumbnail": "flat frame, nothing to compare"})
    ncc, turns, pair = _best_match(t, main, search=False)
    if ncc < REPLACED_NCC:
        return Result(
            [
                Signal(
                    "metadata.thumbnail_mismatch",
                    REPLACED_SCORE,
                    **said("thumbnail.replaced"),
                    data={"ncc": round(ncc, 3)},
                )
            ]
        )
    if turns:
        return Result([], metadata={"thumbnail": f"matches after a {90 * turns}° turn"})
    if ncc < MATCHED_NCC:
        return Result([], metadata={"thumbnail": f"inconclusive (ncc {ncc:.2f})"})
    found = _local_change(*pair, ncc)
    if found.signals and pair[2] == SAME_FRAME:
        # Never accuse on the quick comparison: a finding stands only after the search.
        ncc, turns, pair = _best_match(t, main, search=True)
        if turns or ncc < MATCHED_NCC:
            return Result([], metadata={"thumbnail": f"inconclusive (ncc {ncc:.2f})"})
        found = _local_change(*pair, ncc)
    return found


def _best_match(t: np.ndarray, main: Image.Image, search: bool):
    """The best of `_match` over the quarter turns, cheapest first: most thumbnails show the
    same frame as the image, which a direct comparison settles in a millisecond (unless
    `search`); the crop-tolerant search, and the turns after it, run only while nothing
    matched yet."""
    if not search:
        content = _content(t, main.size[0] / main.size[1])
        same = np.asarray(
            main.resize((content.shape[1], content.shape[0]), Image.Resampling.BOX), np.float32
        )
        ncc = _ncc(content, same)
        if ncc >= SAME_FRAME_NCC:
            return ncc, 0, (content, same, SAME_FRAME)
    best = None
    for turns in (0, 1, 2, 3):
        found = _match(t, main.rotate(90 * turns, expand=True) if turns else main, turns)
        if best is None or found[0] > best[0]:
            best = found
        if best[0] >= MATCHED_NCC:
            break
    return best


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 0 else 0.0


def _match(t: np.ndarray, main: Image.Image, turns: int):
    """(ncc, turns, (thumbnail area, main area, where)) for the best alignment of the two:
    the main image as a crop of the thumbnail's content when it is the narrower of the two
    (a portrait cut from a landscape frame, digital zoom), the thumbnail as a crop of the
    main image when that is narrower (a 4:3 thumbnail cut from a 3:2 frame); both, within
    a tighter crop, when their aspects agree. `where` places the compared area in the main
    image (x, y, w, h as fractions)."""
    content = _content(t, main.size[0] / main.size[1])
    thumb_img = Image.fromarray(content)
    ratio = (main.size[0] / main.size[1]) / (content.shape[1] / content.shape[0])
    same_shape = abs(ratio - 1) <= ASPECT_TOLERANCE
    cover = SAME_SHAPE_COVER if same_shape else MIN_COVER
    candidates = []
    if same_shape or ratio < 1:
        inside = align(main, thumb_img, mirror=False, min_cover=cover)
        candidates.append((inside.ncc, _pair_main_in_thumb(content, main, inside)))
    if same_shape or ratio > 1:
        around = align(thumb_img, main, mirror=False, min_cover=cover)
        candidates.append((around.ncc, _pair_thumb_in_main(content, main, around)))
    ncc, pair = max(candidates, key=lambda c: c[0])
    return ncc, turns, pair


def _pair_main_in_thumb(content: np.ndarray, main: Image.Image, a: Alignment):
    h, w = content.shape
    x0, y0 = round(a.x * w), round(a.y * h)
    cw, ch = max(8, round(a.w * w)), max(8, round(a.h * h))
    t = content[y0 : y0 + ch, x0 : x0 + cw]
    m = np.asarray(main.resize((t.shape[1], t.shape[0]), Image.Resampling.BOX), np.float32)
    return t, m, SAME_FRAME


def _pair_thumb_in_main(content: np.ndarray, main: Image.Image, a: Alignment):
    mw, mh = main.size
    box = (a.x * mw, a.y * mh, (a.x + a.w) * mw, (a.y + a.h) * mh)
    h, w = content.shape
    m = np.asarray(main.resize((w, h), Image.Resampling.BOX, box=box), np.float32)
    return content, m, (a.x, a.y, a.w, a.h)


def _content(t: np.ndarray, main_aspect: float) -> np.ndarray:
    """The thumbnail without letterbox bars: the strips its aspect ratio implies when they
    are uniform, then any uniform rows and columns left at the edges (some cameras pad all
    round). A dark sky trimmed by mistake does no harm: the alignment is crop-tolerant."""
    h, w = t.shape
    aspect = w / h
    if abs(aspect / main_aspect - 1) > ASPECT_TOLERANCE:
        if aspect > main_aspect:  # pillarbox: bars left and right
            cw = round(h * main_aspect)
            x0 = (w - cw) // 2
            bars, inner = [t[:, :x0], t[:, x0 + cw :]], t[:, x0 : x0 + cw]
        else:  # letterbox: bars top and bottom
            ch = round(w / main_aspect)
            y0 = (h - ch) // 2
            bars, inner = [t[:y0], t[y0 + ch :]], t[y0 : y0 + ch]
        bars = [b for b in bars if b.size]
        if bars and all(b.std() < BAR_STD for b in bars) and min(inner.shape) >= MIN_SIDE:
            t = inner
    rows = np.flatnonzero(t.std(axis=1) >= BAR_STD)
    cols = np.flatnonzero(t.std(axis=0) >= BAR_STD)
    if len(rows) < MIN_SIDE or len(cols) < MIN_SIDE:
        return t
    inner = t[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return inner if min(inner.shape) >= MIN_SIDE else t


def _local_change(t: np.ndarray, m: np.ndarray, where, ncc: float) -> Result:
    m = _match_tones(m, t)
    gh, gw = t.shape[0] // CELL, t.shape[1] // CELL
    if gh < 3 or gw < 3:
        return Result([], metadata={"thumbnail": "matches"})
    # Cell means, not pixel differences, and the best of small shifts: texture a pixel or
    # two out of register (the camera's own resampling, non-square camcorder pixels) drops
    # out, while a painted-on area moves the mean wherever the cell is placed.
    ref = _cell_means(t[SHIFT:-SHIFT, SHIFT:-SHIFT], gh - 1, gw - 1)
    cells = np.min(
        [
            np.abs(ref - _cell_means(m[dy : dy + t.shape[0] - 2 * SHIFT, dx:], gh - 1, gw - 1))
            for dy in range(2 * SHIFT + 1)
            for dx in range(2 * SHIFT + 1)
        ],
        axis=0,
    )
    floor = max(CELL_DIFF, CELL_DIFF_VS_MEDIAN * float(np.median(cells)))
    changed = cells > floor
    changed[0, :] = changed[-1, :] = changed[:, 0] = changed[:, -1] = False  # alignment seams
    found = regions.boxes(changed, min_cells=1, limit=1)
    meta = {"thumbnail": "matches", "thumbnail_max_cell_diff": round(float(cells.max()), 1)}
    if not found or changed.mean() > MAX_CHANGED_AREA:
        return Result([], metadata=meta)
    bx0, by0, bx1, by1, _ = found[0]
    th, tw = t.shape
    ox, oy, sx, sy = where  # the compared area's place in the main image, as fractions
    reg = {
        "x": round(ox + (SHIFT + bx0 * CELL) / tw * sx, 4),
        "y": round(oy + (SHIFT + by0 * CELL) / th * sy, 4),
        "w": round((bx1 - bx0) * CELL / tw * sx, 4),
        "h": round((by1 - by0) * CELL / th * sy, 4),
    }
    return Result(
        [
            Signal(
                "metadata.thumbnail_mismatch",
                CHANGED_SCORE,
                **said("thumbnail.changed"),
                region=reg,
                data={"ncc": round(ncc, 3), "max_cell_diff": round(float(cells.max()), 1)},
            )
        ],
        metadata=meta,
    )


def _cell_means(a: np.ndarray, gh: int, gw: int) -> np.ndarray:
    return a[: gh * CELL, : gw * CELL].reshape(gh, CELL, gw, CELL).mean(axis=(1, 3))


def _match_tones(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """`source` with its grey levels mapped monotonically onto `target`'s distribution: the
    camera's own tone curve for the thumbnail, undone."""
    qs = np.linspace(0, 100, 65)
    src_q = np.percentile(source, qs)
    dst_q = np.percentile(target, qs)
    src_q, keep = np.unique(src_q, return_index=True)
    return np.interp(source, src_q, dst_q[keep]).astype(np.float32)


def _thumbnail(img: Decoded) -> Image.Image | None:
    raw = img.info.get("exif")
    if not raw or not img.exif:
        return None
    try:
        ifd1 = img.exif.get_ifd(ExifTags.IFD.IFD1)
    except (KeyError, ValueError, SyntaxError):
        return None
    offset, length = ifd1.get(JPEG_IF_OFFSET), ifd1.get(JPEG_IF_LENGTH)
    if not offset or not length:
        return None
    base = 6 if raw.startswith(b"Exif\0\0") else 0
    blob = raw[base + offset : base + offset + length]
    try:
        thumb = Image.open(io.BytesIO(blob))
        thumb.draft("L", thumb.size)
        return thumb.convert("L")
    except (OSError, ValueError, SyntaxError):
        return None
