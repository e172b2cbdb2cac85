"""The layer chooser alone, with synthetic receiver reports and a hand-driven clock: loss,
round-trip time and jitter rules, and the hysteresis between levels."""

import random

from server.rtc.layers import LayerChooser, Level, LinkReport

CLEAN = LinkReport(loss=0.0, jitter=0.005, rtt=0.05)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def feed(
    chooser: LayerChooser, clock: Clock, report: LinkReport, seconds: float, layers: int = 2
) -> list[Level]:
    """One report a second for `seconds`; the levels it changed to."""
    changes = []
    for _ in range(int(seconds)):
        clock.now += 1.0
        # a viewer on audio only is sent (and reports on) audio alone
        kind = "video" if chooser.level.layer is not None else "audio"
        level = chooser.report(kind, report, layers)
        if level is not None:
            changes.append(level)
    return changes


def chooser_at(clock: Clock, **timings: float) -> LayerChooser:
    return LayerChooser(clock=clock, **timings)


def test_sustained_loss_moves_down_within_three_reports_and_a_blip_does_not() -> None:
    clock = Clock()
    chooser = chooser_at(clock)
    assert feed(chooser, clock, LinkReport(0.5, 0.005, 0.05), 1) == []  # one bad report
    assert feed(chooser, clock, CLEAN, 3) == []
    assert feed(chooser, clock, LinkReport(0.10, 0.005, 0.05), 3) == [Level.LOW]
    assert chooser.loss >= 0.08


def test_the_low_layer_tolerates_what_the_high_one_does_not() -> None:
    clock = Clock()
    chooser = chooser_at(clock)
    lossy = LinkReport(0.12, 0.005, 0.05)
    assert feed(chooser, clock, lossy, 3) == [Level.LOW]
    assert feed(chooser, clock, lossy, 30) == [], "12% loss stays on low (no flapping)"
    assert feed(chooser, clock, LinkReport(0.25, 0.005, 0.05), 3) == [Level.AUDIO]


def test_bursts_of_loss_on_the_low_layer_do_not_stop_the_picture_but_three_in_a_row_do() -> None:
    clock = Clock()
    chooser = chooser_at(clock)
    burst = LinkReport(0.5, 0.005, 0.05)  # the page loading beside the stream on a weak link
    assert feed(chooser, clock, LinkReport(0.12, 0.005, 0.05), 3) == [Level.LOW]
    for _ in range(5):
        assert feed(chooser, clock, burst, 2) == [], "two bad measurements are a burst"
        assert feed(chooser, clock, LinkReport(0.05, 0.005, 0.05), 1) == []
    assert feed(chooser, clock, burst, 3) == [Level.AUDIO]


def test_up_only_after_clean_reports_for_long_enough() -> None:
    clock = Clock()
    chooser = chooser_at(clock, up_after=8.0)
    feed(chooser, clock, LinkReport(0.10, 0.005, 0.05), 3)
    assert chooser.level is Level.LOW
    assert feed(chooser, clock, CLEAN, 7) == []
    assert feed(chooser, clock, LinkReport(0.03, 0.005, 0.05), 1) == [], "not clean: starts over"
    assert feed(chooser, clock, CLEAN, 8) == []
    assert feed(chooser, clock, CLEAN, 2) == [Level.HIGH]


def test_round_trip_time_and_jitter_move_down_too() -> None:
    clock = Clock()
    slow = chooser_at(clock)
    assert feed(slow, clock, LinkReport(0.0, 0.005, 0.6), 3) == [Level.LOW]
    assert feed(slow, clock, LinkReport(0.0, 0.005, 1.2), 3) == [Level.AUDIO]
    jittery = chooser_at(clock)
    assert feed(jittery, clock, LinkReport(0.0, 0.1, 0.05), 3) == [Level.LOW]
    unknown_rtt = chooser_at(clock)
    assert feed(unknown_rtt, clock, LinkReport(0.0, 0.005, None), 10) == []
    moderate = chooser_at(clock, up_after=8.0)
    feed(moderate, clock, LinkReport(0.10, 0.005, 0.05), 3)
    assert feed(moderate, clock, LinkReport(0.0, 0.005, 0.4), 20) == [], "no climb at 400 ms"


def test_audio_failing_badly_is_text_and_recovers_to_audio() -> None:
    clock = Clock()
    chooser = chooser_at(clock, probe_after=1000.0)
    assert feed(chooser, clock, LinkReport(0.4, 0.005, 0.05), 12) == [
        Level.LOW,
        Level.AUDIO,
        Level.TEXT,
    ]
    assert feed(chooser, clock, LinkReport(0.05, 0.005, 0.05), 10) == [Level.AUDIO]


def test_a_probe_from_audio_backs_off_twice_as_long_after_each_failure() -> None:
    clock = Clock()
    chooser = chooser_at(clock, probe_after=10.0, up_after=8.0)
    bad = LinkReport(0.3, 0.005, 0.05)

    def until(level: Level, report: LinkReport) -> float:
        """Seconds of `report`s until the chooser is at `level`."""
        started = clock.now
        while chooser.level is not level:
            feed(chooser, clock, report, 1)
        return clock.now - started

    until(Level.AUDIO, bad)
    # clean audio: the low layer is tried after 10 s, and fails at once
    probes = []
    for _ in range(3):
        probes.append(until(Level.LOW, CLEAN))
        until(Level.AUDIO, bad)
    assert probes == [10.0, 20.0, 40.0]
    # a probe that holds resets the back-off
    until(Level.LOW, CLEAN)
    assert until(Level.HIGH, CLEAN) == 9.0  # 8 s of clean reports, from the first one
    until(Level.AUDIO, bad)
    assert until(Level.LOW, CLEAN) == 10.0


def test_audio_chosen_by_hand_is_never_left_upwards_and_video_again_starts_low() -> None:
    clock = Clock()
    chooser = chooser_at(clock, probe_after=1.0)
    chooser.hold_audio()
    assert chooser.level is Level.AUDIO
    assert feed(chooser, clock, CLEAN, 60) == []
    assert chooser.restart(layers=2) is Level.LOW
    assert feed(chooser, clock, CLEAN, 9) == [Level.HIGH]


def test_with_a_single_layer_the_one_layer_is_left_for_audio_only_under_the_low_limits() -> None:
    clock = Clock()
    chooser = chooser_at(clock, probe_after=10.0)
    assert feed(chooser, clock, LinkReport(0.12, 0.005, 0.05), 10, layers=1) == []
    assert feed(chooser, clock, LinkReport(0.25, 0.005, 0.05), 3, layers=1) == [Level.AUDIO]
    assert chooser.restart(layers=1) is Level.HIGH
    low = chooser_at(clock)
    feed(low, clock, LinkReport(0.10, 0.005, 0.05), 3)
    assert low.level is Level.LOW
    assert feed(low, clock, CLEAN, 1, layers=1) == [Level.HIGH], "a feed with one layer left"


def test_clean_audio_reports_do_not_dilute_lossy_video_and_lossy_audio_alone_moves_nothing() -> (
    None
):
    for seed in range(20):
        clock = Clock()
        chooser = chooser_at(clock)
        rng = random.Random(seed)
        # each kind reports every 0.5-1.5 s (aiortc's RTCP interval), interleaved at random
        due = {"video": rng.uniform(0.5, 1.5), "audio": rng.uniform(0.5, 1.5)}
        start = clock.now
        while chooser.level is Level.HIGH and clock.now - start < 10.0:
            kind = min(due, key=lambda k: due[k])
            clock.now = start + due[kind]
            due[kind] += rng.uniform(0.5, 1.5)
            loss = 0.10 if kind == "video" else 0.0
            chooser.report(kind, LinkReport(loss, 0.005, 0.05), 2)
        assert chooser.level is Level.LOW, f"seed {seed}: 10% video loss moves down within 10 s"
        assert chooser.loss >= 0.08, "the loss shown is the video's"
    clock = Clock()
    chooser = chooser_at(clock)
    for _ in range(20):
        clock.now += 0.5
        chooser.report("audio", LinkReport(0.5, 0.005, 0.05), 2)
        chooser.report("video", CLEAN, 2)
    assert chooser.level is Level.HIGH, "lossy audio says nothing about the video layer"


def test_a_gap_in_what_was_sent_starts_the_clean_time_afresh() -> None:
    clock = Clock()
    chooser = chooser_at(clock, up_after=8.0)
    feed(chooser, clock, LinkReport(0.10, 0.005, 0.05), 3)
    assert chooser.level is Level.LOW
    assert feed(chooser, clock, CLEAN, 7) == []
    clock.now += 300.0  # the stream paused: reports said nothing was sent
    chooser.idle("video")
    assert feed(chooser, clock, CLEAN, 7) == [], "not up on the first clean report after a pause"
    assert feed(chooser, clock, CLEAN, 2) == [Level.HIGH]


def test_a_level_is_judged_only_from_when_its_layer_took_effect() -> None:
    clock = Clock()
    chooser = chooser_at(clock)
    flood = LinkReport(0.6, 0.005, 0.05)
    assert feed(chooser, clock, flood, 2) == [Level.LOW]
    # the move waits for the low layer's keyframe: the high layer still floods the link
    assert feed(chooser, clock, flood, 1) == []
    chooser.moved()  # its keyframe went out: what was measured before is not about this layer
    assert feed(chooser, clock, flood, 1) == [], "2 s after the change, but 1 s on the layer"
    assert feed(chooser, clock, LinkReport(0.05, 0.005, 0.05), 30) == [], "5% holds on low"
    assert chooser.level is Level.LOW
