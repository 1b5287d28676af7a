"""Colours: the one CSS colour parser (tinycss2), WCAG contrast, and nudging an accent until text on it is readable.

tinycss2's CSS Color 4 module reads every colour syntax — the 148 named colours, #rgb/#rrggbb, rgb(), hsl(),
hwb() — so the theme and `digest check` agree on what a colour is.
"""

from __future__ import annotations

from functools import lru_cache

import tinycss2.color4

RGB = tuple[int, int, int]


@lru_cache(maxsize=4096)  # an email repeats a few colours hundreds of times
def parse_colour(value: str) -> RGB | None:
    """An opaque CSS colour as 0–255 sRGB; None for transparent ones, currentColor and anything not a colour."""
    colour = tinycss2.color4.parse_color(value.strip())
    if not isinstance(colour, tinycss2.color4.Color) or colour.alpha < 1:
        return None
    try:
        srgb = colour.to("srgb").coordinates
    except NotImplementedError:  # lab(), oklch()…: not convertible here, so unknown
        return None
    return tuple(max(0, min(255, round(c * 255))) for c in srgb)


def is_hex_colour(value: str) -> bool:
    """#rgb or #rrggbb: the form the theme's arithmetic and every email client understand."""
    return value.startswith("#") and len(value) in (4, 7) and parse_colour(value) is not None


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance."""
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG contrast ratio, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast_of(colour: str, background: str) -> float:
    """WCAG contrast of two opaque CSS colours (1 when either is not one)."""
    a, b = parse_colour(colour), parse_colour(background)
    return contrast(a, b) if a and b else 1.0


def readable_on(colour: str, background: str, minimum: float = 4.5) -> str:
    """The colour, darkened or lightened towards black/white until it reaches `minimum` contrast."""
    rgb, bg = parse_colour(colour), parse_colour(background)
    if rgb is None or bg is None:
        raise ValueError(f"not an opaque colour: {colour!r} on {background!r}")
    target = (0, 0, 0) if luminance(bg) > 0.5 else (255, 255, 255)
    mixed: tuple[float, float, float] = rgb
    (r, g, b), (tr, tg, tb) = rgb, target
    for step in range(21):
        t = step / 20
        mixed = (r + (tr - r) * t, g + (tg - g) * t, b + (tb - b) * t)
        if contrast(mixed, bg) >= minimum:
            break
    return to_hex(mixed)
