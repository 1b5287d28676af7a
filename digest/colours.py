"""Colour arithmetic for the theme: WCAG contrast, and nudging an accent until text on it is readable."""

from __future__ import annotations


def parse_hex(value: str) -> tuple[int, int, int]:
    """'#abc' or '#aabbcc' → (r, g, b)."""
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


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


def readable_on(colour: str, background: str, minimum: float = 4.5) -> str:
    """The colour, darkened or lightened towards black/white until it reaches `minimum` contrast."""
    rgb, bg = parse_hex(colour), parse_hex(background)
    target = (0, 0, 0) if luminance(bg) > 0.5 else (255, 255, 255)
    mixed: tuple[float, float, float] = rgb
    for step in range(21):
        t = step / 20
        mixed = tuple(c + (tc - c) * t for c, tc in zip(rgb, target))  # type: ignore[assignment]
        if contrast(mixed, bg) >= minimum:
            break
    return to_hex(mixed)
