"""A dark-mode copy of a recorded matplotlib SVG figure, made when the site is built.

Matplotlib draws on white, in black: in the dark colour scheme the page shows this copy instead,
where the background is the page's dark background and the black and greys (text, axes, ticks,
legend frames, grey reference lines) are flipped to the same lightness on the dark side. The data
colours stay what they are, except one that would be too faint on the dark background (under 3:1,
WCAG's minimum for the parts of a chart a reader needs; 4.5:1 for coloured text), which is
lightened just enough, keeping its hue. Text that sits on a light-coloured box (a token in the
tokens figure) stays black. Pictures inside the figure (an attention pattern, say) are drawn
through a filter that flips their lightness and keeps their hues, so white turns dark and a strong
colour stays strong. The record keeps the light figure only; this copy is derived from it on every build.
"""

import colorsys
import re

BACKGROUND = (0x1E, 0x21, 0x29)  # Material's slate background, hsl(225deg 15% 14%)
FOREGROUND = (0xD5, 0xD8, 0xDE)  # its text colour, a little brighter: black turns into this
LINES = 3.0  # the least contrast of a data colour with the background (WCAG 1.4.11)
TEXT = 4.5  # ... of coloured text (WCAG 1.4.3)

# Lightness flipped (1 - each channel), then hues turned back half a circle: white turns black, a dark
# purple turns light purple.
PICTURE_FILTER = (
    '<defs><filter id="dark-picture" color-interpolation-filters="sRGB">'
    '<feColorMatrix type="matrix" values="-1 0 0 0 1 0 -1 0 0 1 0 0 -1 0 1 0 0 0 1 0"/>'
    '<feColorMatrix type="hueRotate" values="180"/></filter></defs>'
)

COLOUR = re.compile(r"(fill|stroke):\s*(#[0-9a-fA-F]{6})")
GROUP = re.compile(r'<g id="(text|patch)_\d+">.*?\n\s*</g>\n', re.S)  # matplotlib's, one per artist
RECTANGLE = re.compile(
    r'<path d="M ([-\d.]+) ([-\d.]+) \s*L ([-\d.]+) ([-\d.]+) \s*L ([-\d.]+) ([-\d.]+) \s*'
    r'L ([-\d.]+) ([-\d.]+) \s*z\s*"[^>]*style="fill: (#[0-9a-fA-F]{6})'
)
ANCHOR = re.compile(r'<g (?:style="[^"]*" )?transform="translate\(([-\d.]+) ([-\d.]+)\)')


def hex_of(rgb):
    return "#%02x%02x%02x" % tuple(round(c) for c in rgb)


def rgb_of(colour):
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def luminance(rgb):
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_grey(rgb):
    return max(rgb) - min(rgb) <= 2


def flipped(rgb):
    """A grey at the same distance from the dark background as it was from black: white becomes the
    background, black the foreground, #808080 halfway."""
    t = 1 - rgb[0] / 255
    return tuple(b + (f - b) * t for b, f in zip(BACKGROUND, FOREGROUND))


def legible(rgb, least):
    """The colour, lightened (same hue and saturation) until it has `least` contrast with the background."""
    h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    while contrast(rgb, BACKGROUND) < least and lightness < 1:
        lightness = min(1, lightness + 0.01)
        rgb = tuple(255 * c for c in colorsys.hls_to_rgb(h, lightness, s))
    return rgb


def recolour(colour, least=LINES):
    rgb = rgb_of(colour)
    return hex_of(flipped(rgb) if is_grey(rgb) else legible(rgb, least))


def dark_variant(svg):
    """The dark-mode copy of a matplotlib SVG (text in, text out)."""
    boxes = []  # light, coloured rectangles drawn so far: text on one of them stays black

    def recoloured(text):  # lines, bars and boxes: 3:1
        return COLOUR.sub(lambda m: f"{m[1]}: {recolour(m[2])}", text)

    def group(match):
        block = match[0]
        if match[1] == "patch":
            for *corners, fill in RECTANGLE.findall(block):
                rgb = rgb_of(fill)
                if not is_grey(rgb) and luminance(rgb) > 0.4:
                    xs, ys = [float(v) for v in corners[0::2]], [float(v) for v in corners[1::2]]
                    boxes.append((min(xs), max(xs), min(ys), max(ys)))
            return recoloured(block)
        anchor = ANCHOR.search(block)
        on_a_box = anchor and any(
            x0 <= float(anchor[1]) <= x1 and y0 <= float(anchor[2]) <= y1
            for x0, x1, y0, y1 in boxes
        )
        if on_a_box:  # keep it as it was drawn, black by default
            if "fill:" in block:
                return block
            return block.replace("<g transform=", '<g style="fill: #000000" transform=', 1)
        return COLOUR.sub(
            lambda m: f"{m[1]}: {recolour(m[2], TEXT if m[1] == 'fill' else LINES)}", block
        )

    out, at = [], 0
    for match in GROUP.finditer(svg):
        out += [recoloured(svg[at : match.start()]), group(match)]
        at = match.end()
    dark = "".join(out) + recoloured(svg[at:])
    if "<image " in dark:
        dark = re.sub(r"(<svg [^>]*>)", r"\1" + PICTURE_FILTER, dark, count=1)
        dark = dark.replace("<image ", '<image filter="url(#dark-picture)" ')
    # Black is the default fill of text (matplotlib writes no colour for it): make the default light.
    return dark.replace("<svg ", f'<svg style="fill: {hex_of(FOREGROUND)}" ', 1)


def dark_name(file):
    """abc123.svg -> abc123-dark.svg: the dark copy's file name on the site."""
    return file.removesuffix(".svg") + "-dark.svg"


def size(svg):
    """The figure's width and height in CSS pixels (matplotlib writes them in points), for the page
    to keep its place before it loads."""
    found = re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return (round(float(found[1]) * 4 / 3), round(float(found[2]) * 4 / 3)) if found else None
