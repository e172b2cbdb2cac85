"""The synthetic clip every server is fed: pre-encoded once, then looped.

Pre-encoding (rather than an aiortc encoder in the publisher) pins the bitrate: aiortc's
``Vp8Encoder`` follows REMB and rebuilds itself, emitting a keyframe, whenever the estimate moves
by more than 10%, so each server would otherwise see a different stream. It also keeps the
publisher process cheap and gives every server byte-identical input.

The picture is a coarse random texture scrolling sideways with a box of fresh noise wandering
over it: enough new detail each frame that libvpx in CBR mode spends its whole budget (~1 Mbps)
instead of undershooting on a static picture.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from aiortc.codecs.vpx import Vp8Encoder

WIDTH, HEIGHT = 640, 360
FPS = 30
BITRATE = 1_000_000
KEYFRAME_INTERVAL = 2 * FPS  # the publisher ignores PLI, so new viewers wait at most 2 s
_BOX_W, _BOX_H = 160, 90
_TEXTURE_BLOCK = 8
_HEADER = struct.Struct("<IB")  # frame length, keyframe flag


@dataclass(frozen=True)
class Clip:
    """Encoded VP8 frames in display order; ``frames[0]`` is a keyframe, so the clip loops."""

    frames: list[bytes]
    keyframes: list[bool]

    @property
    def kbps(self) -> float:
        return sum(map(len, self.frames)) * 8 * FPS / len(self.frames) / 1000

    @property
    def packets_per_second(self) -> float:
        """RTP packets per second once aiortc packetizes the clip (to cost one packet)."""
        packets = sum(len(Vp8Encoder._packetize(frame, 0)) for frame in self.frames)
        return packets * FPS / len(self.frames)


def _texture(rnd: random.Random) -> bytes:
    """A luma texture twice the picture width, made of flat 8×8 blocks."""
    width = 2 * WIDTH
    blocks = [
        [rnd.randrange(68, 188) for _ in range(width // _TEXTURE_BLOCK)]
        for _ in range(HEIGHT // _TEXTURE_BLOCK)
    ]
    rows = []
    for y in range(HEIGHT):
        row = blocks[y // _TEXTURE_BLOCK]
        rows.append(bytes(row[x // _TEXTURE_BLOCK] for x in range(width)))
    return b"".join(rows)


def _picture(index: int, texture: bytes, rnd: random.Random) -> av.VideoFrame:
    width = 2 * WIDTH
    shift = (index * 3) % WIDTH
    luma = bytearray(b"".join(texture[y * width + shift :][:WIDTH] for y in range(HEIGHT)))
    box_x = (index * 7) % (WIDTH - _BOX_W)
    box_y = (index * 3) % (HEIGHT - _BOX_H)
    noise = bytes(68 + b % 120 for b in rnd.randbytes(_BOX_W * _BOX_H))
    for r in range(_BOX_H):
        start = (box_y + r) * WIDTH + box_x
        luma[start : start + _BOX_W] = noise[r * _BOX_W : (r + 1) * _BOX_W]
    frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
    frame.planes[0].update(bytes(luma))
    grey = bytes([128]) * (WIDTH * HEIGHT // 4)
    frame.planes[1].update(grey)
    frame.planes[2].update(grey)
    frame.pts = index
    return frame


def _encoder(
    width: int, height: int, bitrate: int, keyframe_interval: int
) -> av.video.codeccontext.VideoCodecContext:
    """libvpx in CBR with the real-time settings aiortc itself uses, but a fixed bitrate."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuv420p"
    codec.framerate = Fraction(FPS, 1)
    codec.time_base = Fraction(1, FPS)
    codec.bit_rate = bitrate
    codec.gop_size = keyframe_interval
    codec.qmin, codec.qmax = 2, 56
    codec.options = {
        "bufsize": str(bitrate),
        "cpu-used": "4",
        "deadline": "realtime",
        "lag-in-frames": "0",
        "minrate": str(bitrate),
        "maxrate": str(bitrate),
        "overshoot-pct": "15",
        "undershoot-pct": "100",
        "partitions": "0",
        "static-thresh": "1",
    }
    return codec


def encode(
    seconds: int = 10,
    seed: int = 1,
    *,
    size: tuple[int, int] = (WIDTH, HEIGHT),
    bitrate: int = BITRATE,
    keyframe_interval: int = KEYFRAME_INTERVAL,
) -> Clip:
    """Encode ``seconds`` of the synthetic picture (deterministic for a given seed), scaled to
    ``size`` (a publisher's small layer is the same picture, smaller)."""
    rnd = random.Random(seed)
    texture = _texture(rnd)
    codec = _encoder(*size, bitrate, keyframe_interval)
    frames: list[bytes] = []
    keyframes: list[bool] = []
    for index in range(seconds * FPS):
        picture = _picture(index, texture, rnd)
        if size != (WIDTH, HEIGHT):
            picture = picture.reformat(width=size[0], height=size[1])
            picture.pts = index
        for packet in codec.encode(picture):
            frames.append(bytes(packet))
            keyframes.append(packet.is_keyframe)
    for packet in codec.encode(None):
        frames.append(bytes(packet))
        keyframes.append(packet.is_keyframe)
    return Clip(frames, keyframes)


def save(clip: Clip, path: Path) -> None:
    with path.open("wb") as f:
        for data, key in zip(clip.frames, clip.keyframes, strict=True):
            f.write(_HEADER.pack(len(data), key))
            f.write(data)


def load(path: Path) -> Clip:
    blob = path.read_bytes()
    frames: list[bytes] = []
    keyframes: list[bool] = []
    pos = 0
    while pos < len(blob):
        size, key = _HEADER.unpack_from(blob, pos)
        pos += _HEADER.size
        frames.append(blob[pos : pos + size])
        keyframes.append(bool(key))
        pos += size
    return Clip(frames, keyframes)
