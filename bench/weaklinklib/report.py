"""The comparison table (one column per run) and the RESULT lines."""

from __future__ import annotations

from collections.abc import Callable

from bench.weaklinklib.analysis import Run


def _ms(v: float | None) -> str:
    return "na" if v is None else f"{v:.0f}"


ROWS: list[tuple[str, Callable[[Run], str]]] = [
    ("link (down/up/loss)", lambda r: r.link),
    ("publisher sends", lambda r: r.publish),
    ("page open -> ICE connected, ms", lambda r: _ms(r.connected_ms)),
    ("page open -> first decoded frame, ms", lambda r: _ms(r.first_frame_ms)),
    ("first frame -> server moves it to the low layer, ms", lambda r: _ms(r.switch_ms)),
    ("playback window (from that move, if any), s", lambda r: f"{r.window_s:.0f}"),
    ("levels during the window", lambda r: r.levels),
    ("video decoded fps", lambda r: f"{r.fps:.1f}"),
    ("video frozen (gaps > 0.6 s), s", lambda r: f"{r.freeze_s:.1f}"),
    (
        "Chromium freezeCount / totalFreezesDuration s",
        lambda r: f"{r.chromium_freezes} / {r.chromium_freeze_s:.1f}",
    ),
    ("video framesDropped", lambda r: str(r.frames_dropped)),
    ("video resolution at the end", lambda r: r.resolution),
    ("video received, kbps", lambda r: f"{r.video_kbps:.0f}"),
    ("video packets lost, %", lambda r: f"{r.video_loss_pct:.1f}"),
    ("video bytes that were retransmissions, %", lambda r: f"{r.video_rtx_pct:.0f}"),
    ("video jitter at the end, ms", lambda r: f"{r.jitter_ms:.0f}"),
    ("video NACKs / PLIs sent", lambda r: f"{r.nacks} / {r.plis}"),
    ("audio received, kbps", lambda r: f"{r.audio_kbps:.0f}"),
    ("audio packets lost, %", lambda r: f"{r.audio_loss_pct:.1f}"),
    ("audio concealed samples, %", lambda r: f"{r.audio_concealed_pct:.1f}"),
    ("audio only on -> video bytes stop, ms", lambda r: _ms(r.video_stop_ms)),
    ("audio only: video received, kbps", lambda r: f"{r.ao_video_kbps:.1f}"),
    ("audio only: audio received, kbps", lambda r: f"{r.ao_audio_kbps:.0f}"),
    ("audio only: audio packets lost, %", lambda r: f"{r.ao_audio_loss_pct:.1f}"),
    ("audio only: audio concealed, %", lambda r: f"{r.ao_audio_concealed_pct:.1f}"),
    ("video back on -> first new frame, ms", lambda r: _ms(r.video_back_ms)),
    ("page open -> weak-link notice shown, ms", lambda r: _ms(r.notice_ms)),
]


def table(runs: list[Run]) -> str:
    width = max(len(name) for name, _ in ROWS)
    cols = [[r.kind, *(value(r) for _, value in ROWS)] for r in runs]
    widths = [max(len(c) for c in col) for col in cols]
    lines = []
    for i, name in enumerate(["run", *(n for n, _ in ROWS)]):
        cells = [col[i].rjust(w) for col, w in zip(cols, widths, strict=True)]
        lines.append(f"{name.ljust(width)}  " + "  ".join(cells))
    return "\n".join(lines)


def markdown(runs: list[Run]) -> str:
    head = "| | " + " | ".join(r.kind for r in runs) + " |"
    rule = "|---|" + "---:|" * len(runs)
    body = ["| " + name + " | " + " | ".join(value(r) for r in runs) + " |" for name, value in ROWS]
    return "\n".join([head, rule, *body])


def result_line(run: Run) -> str:
    """fps, freeze_s and audio_concealed_pct are over the window after the move to the low layer
    (from the first frame when there was none); level: where the window ended."""
    return (
        f"RESULT link={run.link} level={run.level_end} switch_ms={_ms(run.switch_ms)} "
        f"fps={run.fps:.1f} freeze_s={run.freeze_s:.1f} "
        f"audio_concealed_pct={run.audio_concealed_pct:.1f} "
        f"first_frame_ms={_ms(run.first_frame_ms)} audio_only_video_kbps={run.ao_video_kbps:.1f} "
        f"audio_kbps={run.ao_audio_kbps:.0f} publish={run.publish.replace(' ', '_')}"
    )
