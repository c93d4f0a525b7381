#!/usr/bin/env python3
"""Draws the packages' icons (128 x 128 PNG, standard library only): two overlapping discs, the images' and the
texts' embeddings, whose lens is F_eps, the pairs they share. One colour per package.

    python3 src/icons/make-icons.py        # rewrites src/icons/*.png
"""
import math, os, struct, zlib

SIZE, SAMPLES = 128, 4  # 4 x 4 supersampling for smooth edges
PACKAGES = {  # lens colour per package; the discs stay the same
    "FiberProduct": (214, 90, 34),
    "FiberProduct.Datasets": (46, 139, 87),
    "FiberProduct.Imaging": (128, 70, 170),
    "FiberProduct.Tokenizers": (200, 150, 20),
    "FiberProduct.Formats": (30, 150, 170),
    "FiberProduct.Cli": (40, 40, 40),
    "FiberProduct.Orleans": (180, 40, 90),
}
LEFT, RIGHT, RADIUS = (47.0, 64.0), (81.0, 64.0), 38.0
BLUE, GREY = (70, 130, 180), (120, 130, 140)


def colour_at(x, y, lens):
    in_left = math.dist((x, y), LEFT) <= RADIUS
    in_right = math.dist((x, y), RIGHT) <= RADIUS
    if in_left and in_right:
        return lens + (255,)
    if in_left:
        return BLUE + (255,)
    if in_right:
        return GREY + (255,)
    return (0, 0, 0, 0)


def png(pixels):
    raw = b"".join(b"\x00" + bytes(c for p in row for c in p) for row in pixels)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def icon(lens):
    rows = []
    for j in range(SIZE):
        row = []
        for i in range(SIZE):
            acc = [0, 0, 0, 0]
            for sj in range(SAMPLES):
                for si in range(SAMPLES):
                    r, g, b, a = colour_at(i + (si + 0.5) / SAMPLES, j + (sj + 0.5) / SAMPLES, lens)
                    acc = [acc[0] + r * a, acc[1] + g * a, acc[2] + b * a, acc[3] + a]
            alpha = acc[3] / SAMPLES ** 2
            row.append(tuple(round(c / acc[3]) if acc[3] else 0 for c in acc[:3]) + (round(alpha),))
        rows.append(row)
    return png(rows)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for package, lens in PACKAGES.items():
        with open(os.path.join(here, package + ".png"), "wb") as f:
            f.write(icon(lens))
        print("wrote", package + ".png")
