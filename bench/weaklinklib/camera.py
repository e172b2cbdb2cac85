"""A busy fake camera for the recruiter's Chromium (`--use-file-for-fake-video-capture`).

Chromium's built-in fake camera (a pie turning on a flat background, 20 fps) compresses so well
that VP8 sends ~200 kbit/s of it, far under stream.js's 1 Mbps cap, which would make a weak link
look better than a real webcam does. This clip (640x360, 30 fps, a coarse texture scrolling
sideways with a box of fresh noise wandering over it, like bench/streamlib/clip.py) has enough new
detail each frame that the encoder spends its whole budget. It loops seamlessly: the texture
scrolls exactly one texture width in LENGTH frames. Pure Python (no numpy here): ~55 MB of Y4M.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

WIDTH, HEIGHT, FPS = 640, 360, 30
LENGTH = 160  # frames; 4 px a frame scrolls the 640 px texture once
STEP = WIDTH // LENGTH
BLOCK = 16
BOX_W, BOX_H = 96, 56  # fresh noise in 4-pixel squares: detail motion search cannot find
NOISE = 4


def _texture(width: int, height: int, block: int, rng: random.Random) -> list[bytes]:
    """Rows of random `block`-square tiles, each row doubled so a slice can wrap around."""
    rows = []
    for _ in range(-(-height // block)):
        row = bytes(v for _ in range(width // block) for v in [rng.randrange(96, 160)] * block)
        rows += [row * 2] * block
    return rows[:height]


def write_clip(path: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    luma = _texture(WIDTH, HEIGHT, BLOCK, rng)
    chroma_u = _texture(WIDTH // 2, HEIGHT // 2, BLOCK // 2, rng)
    chroma_v = _texture(WIDTH // 2, HEIGHT // 2, BLOCK // 2, rng)
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for n in range(LENGTH):
            f.write(b"FRAME\n")
            x, box_x = n * STEP, (n * 7) % (WIDTH - BOX_W)
            box_y, noise = (n * 3) % (HEIGHT - BOX_H), b""
            for y, row in enumerate(luma):
                line = row[x : x + WIDTH]
                if box_y <= y < box_y + BOX_H:
                    if (y - box_y) % NOISE == 0:
                        noise = bytes(v for v in os.urandom(BOX_W // NOISE) for _ in range(NOISE))
                    line = line[:box_x] + noise + line[box_x + BOX_W :]
                f.write(line)
            for plane in (chroma_u, chroma_v):
                for row in plane:
                    f.write(row[x // 2 : x // 2 + WIDTH // 2])
    return path
