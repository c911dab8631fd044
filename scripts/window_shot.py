#!/usr/bin/python3
"""Save a PNG of the X window titled TITLE (the README's screenshots):
    /usr/bin/python3 scripts/window_shot.py TITLE OUT.png
Reads the window's pixels from the X server (python3-xlib, Debian) and
writes the PNG with the standard library, so it works under a bare Xvfb
without a window manager or compositor."""

import struct
import sys
import zlib

from Xlib import X, display


def find(w, title):
    try:
        attrs = w.get_attributes()
        if w.get_wm_name() == title and attrs.map_state == X.IsViewable:
            return w
        for c in w.query_tree().children:
            hit = find(c, title)
            if hit:
                return hit
    except Exception:  # a window that went away meanwhile
        return None
    return None


def png(width, height, rgb_rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rgb_rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main():
    title, out = sys.argv[1], sys.argv[2]
    d = display.Display()
    w = find(d.screen().root, title)
    if w is None:
        sys.exit(f"window_shot: no visible window titled {title!r}")
    g = w.get_geometry()
    image = w.get_image(0, 0, g.width, g.height, X.ZPixmap, 0xFFFFFFFF)
    data = image.data
    stride = len(data) // g.height
    rows = []
    for y in range(g.height):
        line = data[y * stride : y * stride + g.width * 4]
        # 24-bit depth in 32-bit pixels, little endian: B, G, R, pad.
        rgb = bytearray(g.width * 3)
        rgb[0::3] = line[2::4]
        rgb[1::3] = line[1::4]
        rgb[2::3] = line[0::4]
        rows.append(bytes(rgb))
    with open(out, "wb") as f:
        f.write(png(g.width, g.height, rows))


if __name__ == "__main__":
    main()
