"""Draw the Easy Read edition's plain icons (templates/icons/*.png), committed with the theme.

Run by hand when a drawing changes (`pip install pillow`, then `python scripts/make_icons.py`):
the icons are package data, so neither installing nor building digest needs Pillow.
Each is 192 × 192 (shown at 96 × 96, sharp on high-density screens): one dark drawing on a
pale round background, no words, so one set serves every language (the alt text is translated).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 192
INK = (31, 29, 36)
PALE = (226, 236, 246)
WHITE = (255, 255, 255)
ACCENT = (29, 90, 140)
OUT = Path(__file__).resolve().parent.parent / "templates" / "icons"
SCALE = 4  # drawn 4× larger, then shrunk: smooth edges without anti-aliasing support in ImageDraw


def canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGBA", (SIZE * SCALE, SIZE * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse(box(4, 4, 188, 188), fill=PALE)
    return img, draw


def box(*xy: float) -> list[float]:
    return [v * SCALE for v in xy]


def w(px: float) -> int:
    return round(px * SCALE)


def event() -> Image.Image:
    """A calendar page with one day marked."""
    img, d = canvas()
    d.rounded_rectangle(box(44, 52, 148, 146), radius=w(10), fill=WHITE, outline=INK, width=w(7))
    d.rectangle(box(47, 55, 145, 80), fill=ACCENT)
    for x in (70, 122):
        d.rounded_rectangle(box(x - 5, 38, x + 5, 64), radius=w(4), fill=INK)
    for row in range(2):
        for col in range(3):
            x, y = 60 + col * 26, 92 + row * 24
            d.rectangle(box(x, y, x + 16, y + 14), fill=INK if (row, col) == (1, 1) else (170, 178, 190))
    return img


def news() -> Image.Image:
    """A newspaper: a headline bar, a picture and lines of text."""
    img, d = canvas()
    d.rounded_rectangle(box(42, 50, 150, 142), radius=w(8), fill=WHITE, outline=INK, width=w(7))
    d.rectangle(box(56, 64, 136, 76), fill=INK)
    d.rectangle(box(56, 86, 90, 116), fill=ACCENT)
    for y in (88, 102, 116):
        d.rectangle(box(98, y, 136, y + 6), fill=INK)
    d.rectangle(box(56, 126, 136, 132), fill=INK)
    return img


def online() -> Image.Image:
    """A laptop with a person on its screen: a video call."""
    img, d = canvas()
    d.rounded_rectangle(box(50, 54, 142, 118), radius=w(6), fill=WHITE, outline=INK, width=w(7))
    d.ellipse(box(86, 66, 106, 86), fill=ACCENT)
    d.pieslice(box(76, 88, 116, 128), 180, 360, fill=ACCENT)
    d.rectangle(box(53, 108, 139, 115), fill=WHITE)
    d.line(box(50, 118, 142, 118), fill=INK, width=w(7))
    d.polygon(box(36, 124, 156, 124, 148, 138, 44, 138), fill=INK)
    return img


def in_person() -> Image.Image:
    """Two people side by side: meeting in a room."""
    img, d = canvas()
    for cx, colour in ((74, ACCENT), (118, INK)):
        d.ellipse(box(cx - 15, 52, cx + 15, 82), fill=colour)
        d.pieslice(box(cx - 30, 90, cx + 30, 160), 180, 360, fill=colour)
    d.rectangle(box(40, 124, 152, 140), fill=PALE)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in (("event", event), ("news", news), ("online", online), ("in-person", in_person)):
        img = draw().resize((SIZE, SIZE), Image.Resampling.LANCZOS)
        img.quantize(colors=32, method=Image.Quantize.FASTOCTREE).save(OUT / f"{name}.png", optimize=True)
        print(OUT / f"{name}.png", (OUT / f"{name}.png").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
