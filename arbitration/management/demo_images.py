"""Product photos for the demo data, drawn with Pillow so the demo needs no downloads.

Each drawing is a plausible product on a lit backdrop, softened and given sensor noise and
camera EXIF (Make, Model, capture time), so the forensic pipeline treats it like a photo.
"""

import io
import random
from datetime import datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = (800, 600)
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
EXIF_IFD = 0x8769


def _font(size: int):
    if CJK_FONT.exists():
        return ImageFont.truetype(str(CJK_FONT), size)
    return ImageFont.load_default(size=size)


def _backdrop(rng: random.Random) -> Image.Image:
    """A vertical gradient from wall to table, the way a product is shot on a desk."""
    top = np.array([rng.randint(200, 240), rng.randint(200, 235), rng.randint(195, 230)])
    bottom = np.array([rng.randint(120, 170), rng.randint(100, 140), rng.randint(80, 120)])
    t = np.linspace(0, 1, SIZE[1])[:, None, None]
    rows = top * (1 - t) + bottom * t
    return Image.fromarray(np.broadcast_to(rows, (SIZE[1], SIZE[0], 3)).astype(np.uint8))


def _shadow(img: Image.Image, box) -> None:
    layer = Image.new("L", SIZE, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=110)
    img.paste((40, 30, 25), mask=layer.filter(ImageFilter.GaussianBlur(18)))


def _mug(draw, rng):
    body = (300, 190, 500, 440)
    draw.rounded_rectangle(body, radius=24, fill=(245, 243, 236), outline=(200, 196, 188), width=3)
    draw.arc((440, 240, 570, 380), start=-80, end=80, fill=(235, 232, 224), width=22)
    draw.ellipse((300, 172, 500, 212), fill=(225, 220, 210), outline=(200, 196, 188), width=3)
    draw.ellipse((316, 180, 484, 206), fill=(90, 60, 40))
    for y in (300, 318):
        draw.line((316, y, 484, y), fill=(40, 80, 160), width=6)
    draw.text((340, 340), "景德镇", font=_font(34), fill=(40, 80, 160))


def _shirt(draw, rng):
    outline = [
        (270, 160),
        (350, 140),
        (400, 170),
        (450, 140),
        (530, 160),
        (600, 250),
        (540, 285),
        (520, 250),
        (520, 470),
        (280, 470),
        (280, 250),
        (260, 285),
        (200, 250),
    ]
    draw.polygon(outline, fill=(250, 250, 248), outline=(205, 205, 200))
    draw.arc((360, 130, 440, 200), start=0, end=180, fill=(200, 200, 196), width=5)
    draw.text((355, 280), "COTTON", font=_font(28), fill=(150, 150, 150))


def _phone_case(draw, rng):
    draw.rounded_rectangle(
        (320, 110, 480, 470), radius=34, fill=(215, 228, 240), outline=(170, 190, 210), width=4
    )
    draw.rounded_rectangle((335, 125, 410, 205), radius=18, fill=(60, 70, 80))
    for cx, cy in ((355, 148), (390, 148), (355, 183)):
        draw.ellipse((cx - 12, cy - 12, cx + 12, cy + 12), fill=(20, 24, 30))
    draw.text((352, 330), "CLEAR", font=_font(30), fill=(150, 170, 190))


def _plate(draw, rng):
    draw.ellipse((210, 150, 590, 470), fill=(248, 248, 245), outline=(205, 205, 200), width=3)
    draw.ellipse((250, 180, 550, 440), outline=(60, 110, 170), width=8)
    draw.ellipse((290, 210, 510, 410), fill=(242, 242, 238))
    for i in range(12):
        x = 400 + 132 * np.cos(i * np.pi / 6)
        y = 310 + 112 * np.sin(i * np.pi / 6)
        draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=(60, 110, 170))


def _headphones(draw, rng):
    draw.arc((260, 110, 540, 420), start=190, end=350, fill=(40, 40, 45), width=26)
    for x in (250, 470):
        draw.rounded_rectangle((x, 260, x + 80, 400), radius=30, fill=(30, 30, 34))
        draw.rounded_rectangle((x + 12, 275, x + 68, 385), radius=22, fill=(70, 70, 76))
    draw.text((355, 430), "ANC", font=_font(28), fill=(60, 60, 60))


def _thermos(draw, rng):
    draw.rounded_rectangle(
        (345, 170, 455, 480), radius=30, fill=(70, 120, 110), outline=(50, 90, 80), width=3
    )
    draw.rounded_rectangle((350, 120, 450, 185), radius=12, fill=(200, 200, 205))
    draw.rectangle((360, 240, 370, 440), fill=(110, 165, 150))
    draw.text((378, 300), "500ml", font=_font(24), fill=(230, 240, 236))


def _scarf(draw, rng):
    draw.polygon([(200, 200), (600, 170), (620, 420), (220, 450)], fill=(160, 40, 60))
    for i in range(9):
        x = 230 + i * 42
        draw.line((x, 200 - i * 3, x + 20, 440 - i * 3), fill=(230, 190, 90), width=6)
    draw.text((330, 280), "真丝", font=_font(56), fill=(250, 230, 200))


def _books(draw, rng):
    colours = [(200, 80, 60), (60, 130, 190), (240, 190, 60), (90, 160, 90), (150, 90, 170)]
    for i, colour in enumerate(colours):
        y = 430 - i * 52
        x = 260 + rng.randint(-20, 20)
        draw.rectangle((x, y, x + 280, y + 46), fill=colour, outline=(40, 40, 40), width=2)
        draw.text((x + 20, y + 6), f"绘本 {i + 1}", font=_font(26), fill=(255, 255, 255))


DRAWINGS = {
    "mug": _mug,
    "shirt": _shirt,
    "phone_case": _phone_case,
    "plate": _plate,
    "headphones": _headphones,
    "thermos": _thermos,
    "scarf": _scarf,
    "books": _books,
}


def _photographic(img: Image.Image, rng: random.Random) -> Image.Image:
    """Lens softness and sensor noise, so the drawing has the texture of a photo."""
    img = img.filter(ImageFilter.GaussianBlur(1.1))
    noise_rng = np.random.default_rng(rng.randint(0, 2**32 - 1))
    noise = noise_rng.standard_normal((*SIZE[::-1], 3), dtype=np.float32) * 4.0
    return Image.fromarray(np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype("u1"))


def _jpeg(img: Image.Image, make: str, model: str, taken: datetime) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x0132] = stamp
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[0x9003] = stamp
    ifd[0x8827] = 100
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def product_photo(kind: str, *, seed: int, taken: datetime, camera=("Canon", "EOS R6")) -> bytes:
    """A JPEG of product ``kind`` (one of ``DRAWINGS``), the same bytes for the same seed."""
    rng = random.Random(seed)
    img = _backdrop(rng)
    _shadow(img, (200, 420, 600, 500))
    DRAWINGS[kind](ImageDraw.Draw(img), rng)
    return _jpeg(_photographic(img, rng), *camera, taken)


def with_stain(photo: bytes, *, taken: datetime, camera=("Xiaomi", "Redmi K70")) -> bytes:
    """The listing photo with a painted brown stain: a buyer's "damaged" photo that is
    really the merchant's own picture, edited (what the reuse analyzer should catch)."""
    img = Image.open(io.BytesIO(photo)).convert("RGB")
    stain = Image.new("L", img.size, 0)
    ImageDraw.Draw(stain).ellipse((350, 250, 440, 320), fill=170)
    ImageDraw.Draw(stain).ellipse((420, 290, 460, 330), fill=140)
    img.paste((110, 70, 30), mask=stain.filter(ImageFilter.GaussianBlur(6)))
    return _jpeg(img, *camera, taken)
