#!/usr/bin/env python3
"""Draws the tray's state icons (and the app icon) as PNG files.

Run once after changing a shape: `python3 src-tauri/icons/generate.py`.
The PNGs are committed, so building needs no Python. Standard library only.

Every state has its own *shape*, not only its own colour, and every shape
has a dark outline around a coloured fill with a white glyph: the icon
reads on light panels (the outline) and on dark ones (the fill).

| state            | shape                                  |
|------------------|----------------------------------------|
| in step          | green circle, check mark               |
| exporting        | blue circle, circular arrow            |
| not exported yet | blue ring (hollow), three dots         |
| needs the user   | orange triangle, exclamation mark      |
| needs IT         | red diamond, wrench-like "T" bar       |
| retrying         | amber circle, clock hands              |
| signed out       | grey ring (hollow), minus              |
| paused           | slate rounded square, two bars         |
"""

import math
import os
import struct
import zlib

SIZE = 64
SS = 4  # supersampling per axis
HERE = os.path.dirname(os.path.abspath(__file__))

DARK = (0x1E, 0x1E, 0x1E)
WHITE = (0xFF, 0xFF, 0xFF)


# --- signed distance functions (negative inside), in pixels ---------------
def circle(cx, cy, r):
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def ring(cx, cy, r, w):
    return lambda x, y: abs(math.hypot(x - cx, y - cy) - r) - w / 2


def segment(ax, ay, bx, by, w):
    def d(x, y):
        px, py, vx, vy = x - ax, y - ay, bx - ax, by - ay
        t = max(0.0, min(1.0, (px * vx + py * vy) / (vx * vx + vy * vy)))
        return math.hypot(px - vx * t, py - vy * t) - w / 2

    return d


def polygon(points):
    n = len(points)

    def d(x, y):
        best = float("inf")
        inside = False
        for i in range(n):
            (ax, ay), (bx, by) = points[i], points[(i + 1) % n]
            vx, vy, px, py = bx - ax, by - ay, x - ax, y - ay
            t = max(0.0, min(1.0, (px * vx + py * vy) / (vx * vx + vy * vy)))
            best = min(best, math.hypot(px - vx * t, py - vy * t))
            if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
                inside = not inside
        return -best if inside else best

    return d


def rounded_rect(x0, y0, x1, y1, r):
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 - r, (y1 - y0) / 2 - r

    def d(x, y):
        qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
        return math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - r

    return d


def union(*fs):
    return lambda x, y: min(f(x, y) for f in fs)


def arc(cx, cy, r, w, start, end):
    """A ring from angle start to end (degrees, clockwise from east)."""

    def d(x, y):
        a = math.degrees(math.atan2(y - cy, x - cx)) % 360
        s, e = start % 360, end % 360
        on = (s <= a <= e) if s <= e else (a >= s or a <= e)
        if on:
            return abs(math.hypot(x - cx, y - cy) - r) - w / 2
        ends = [
            (cx + r * math.cos(math.radians(t)), cy + r * math.sin(math.radians(t)))
            for t in (start, end)
        ]
        return min(math.hypot(x - ex, y - ey) for ex, ey in ends) - w / 2

    return d


def arrowhead(cx, cy, r, at, size):
    """A triangle at angle `at` on a circle, pointing clockwise."""
    a = math.radians(at)
    px, py = cx + r * math.cos(a), cy + r * math.sin(a)
    tx, ty = -math.sin(a), math.cos(a)  # clockwise tangent (y points down)
    nx, ny = math.cos(a), math.sin(a)
    tip = (px + tx * size, py + ty * size)
    return polygon([tip, (px + nx * size, py + ny * size), (px - nx * size, py - ny * size)])


# --- the states -------------------------------------------------------------
C = SIZE / 2
OUTLINE = 3.0


def badge(body, fill, glyph):
    """Layers, back to front: outline, body, glyph."""
    return [
        (lambda x, y: body(x, y) - OUTLINE, DARK),
        (body, fill),
        (glyph, WHITE),
    ]


STATES = {
    "in-step": badge(
        circle(C, C, 26),
        (0x1F, 0x8A, 0x3A),
        union(segment(18, 33, 28, 43, 7), segment(28, 43, 46, 22, 7)),
    ),
    "exporting": badge(
        circle(C, C, 26),
        (0x1D, 0x5F, 0xC8),
        union(arc(C, C, 14, 6, 200, 110), arrowhead(C, C, 14, 110, 9)),
    ),
    "not-exported": [
        (ring(C, C, 22, 10 + 2 * OUTLINE), DARK),
        (ring(C, C, 22, 10), (0x1D, 0x5F, 0xC8)),
        (union(*(circle(x, C, 3 + OUTLINE) for x in (24, C, 40))), DARK),
        (union(*(circle(x, C, 3) for x in (24, C, 40))), WHITE),
    ],
    "needs-user": badge(
        polygon([(C, 5), (60, 57), (4, 57)]),
        (0xE0, 0x6A, 0x00),
        union(segment(C, 22, C, 39, 7), circle(C, 48, 4)),
    ),
    "needs-admin": badge(
        polygon([(C, 3), (61, C), (C, 61), (3, C)]),
        (0xC6, 0x28, 0x28),
        union(segment(20, 22, 44, 22, 7), segment(C, 22, C, 44, 7)),
    ),
    "retrying": badge(
        circle(C, C, 26),
        (0xC8, 0x8F, 0x00),
        union(segment(C, C, C, 15, 6), segment(C, C, 44, 38, 6), circle(C, C, 4)),
    ),
    "signed-out": [
        (ring(C, C, 22, 10 + 2 * OUTLINE), DARK),
        (ring(C, C, 22, 10), (0x9A, 0x9A, 0x9A)),
        (lambda x, y: segment(19, C, 45, C, 7 + 2 * OUTLINE)(x, y), DARK),
        (segment(19, C, 45, C, 7), WHITE),
    ],
    "paused": badge(
        rounded_rect(7, 7, 57, 57, 10),
        (0x4A, 0x5A, 0x70),
        union(segment(25, 19, 25, 45, 8), segment(39, 19, 39, 45, 8)),
    ),
}


def render(layers, size=SIZE):
    scale = SIZE / size
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    x = (px + (sx + 0.5) / SS) * scale
                    y = (py + (sy + 0.5) / SS) * scale
                    rgb, a = (0, 0, 0), 0.0
                    for f, colour in layers:
                        if f(x, y) <= 0:
                            rgb, a = colour, 1.0
                    acc[0] += rgb[0] * a
                    acc[1] += rgb[1] * a
                    acc[2] += rgb[2] * a
                    acc[3] += a
            n = SS * SS
            alpha = acc[3] / n
            if alpha > 0:
                row += bytes(round(acc[i] / acc[3]) for i in range(3))
            else:
                row += b"\0\0\0"
            row.append(round(alpha * 255))
        rows.append(bytes(row))
    return png(size, size, rows)


def png(w, h, rows):
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    raw = b"".join(b"\0" + r for r in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico(png_bytes, size):
    """A Windows icon holding one PNG image (Vista and later read these)."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png_bytes), 22)
    return header + entry + png_bytes


def main():
    for name, layers in STATES.items():
        with open(os.path.join(HERE, f"state-{name}.png"), "wb") as f:
            f.write(render(layers))
    # The app icon (window, bundle): the in-step badge, larger.
    big = render(STATES["in-step"], 128)
    with open(os.path.join(HERE, "icon.png"), "wb") as f:
        f.write(big)
    with open(os.path.join(HERE, "icon.ico"), "wb") as f:
        f.write(ico(big, 128))


if __name__ == "__main__":
    main()
