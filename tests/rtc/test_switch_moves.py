"""Moving viewers' tracks between layers at the switch, with a stand-in feed and writer and a
hand-driven clock: moves that cannot complete, moves around a pause, and nothing left behind."""

from dataclasses import dataclass, field

from server.rtc.encoded import EncodedTrack
from server.rtc.frames import EncodedFrame
from server.rtc.packetizer import PacketizedFrame
from server.rtc.source import MOVE_TIMEOUT, Switch


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Writer:
    """Records what a track writes: ("frame", timestamp, keyframe) and ("continue", timestamp)."""

    congested = False

    def __init__(self) -> None:
        self.log: list[tuple[str, int, bool]] = []

    def write(self, frame: PacketizedFrame) -> None:
        self.log.append(("frame", frame.timestamp, frame.keyframe))

    def continue_from(self, timestamp: int) -> None:
        self.log.append(("continue", timestamp, False))

    def forget(self, keep: int = 0) -> None:
        pass

    @property
    def frames(self) -> list[tuple[int, bool]]:
        return [(ts, key) for what, ts, key in self.log if what == "frame"]


@dataclass
class Feed:
    """A two-layer feed whose layer count the test sets (a layer stops or starts sending)."""

    epoch: int = 1
    layer_count: int = 2
    plis: list[int] = field(default_factory=list)

    async def send_pli(self) -> None:
        self.plis.append(0)

    def layer_pli(self, layer: int):  # type: ignore[no-untyped-def]
        async def send() -> None:
            self.plis.append(layer)

        return send


def frame(timestamp: int, keyframe: bool) -> EncodedFrame:
    return EncodedFrame(b"\x00" if keyframe else b"\x01", timestamp, 90000, "video/vp8", keyframe)


def viewer(switch: Switch) -> tuple[EncodedTrack, Writer]:
    track, writer = EncodedTrack("video", "video/vp8"), Writer()
    track.bind(writer)
    switch.attach([track])
    return track, writer


def setup() -> tuple[Switch, Feed, Clock]:
    clock = Clock()
    switch, feed = Switch(clock=clock), Feed()
    switch.select(feed)
    return switch, feed, clock


def send(switch: Switch, feed: Feed, clock: Clock, layer: int, keyframe: bool = False) -> None:
    clock.now += 0.033
    switch.frame(feed, "video", frame(round(clock.now * 90000), keyframe), layer)


async def test_a_move_to_a_layer_that_sends_no_keyframe_is_cancelled_and_the_track_stays() -> None:
    switch, feed, clock = setup()
    track, writer = viewer(switch)
    send(switch, feed, clock, 0, keyframe=True)
    switch.move(track, 1)
    for _ in range(int(MOVE_TIMEOUT / 0.033) - 5):
        send(switch, feed, clock, 0)
    assert switch.settle(track) is None, "not yet"
    for _ in range(10):
        send(switch, feed, clock, 0)
    assert switch.settle(track) == 0, "cancelled: still on the high layer"
    assert switch.settle(track) is None
    send(switch, feed, clock, 1, keyframe=True)  # too late: the move was given up
    send(switch, feed, clock, 0)
    assert all(not key for _, key in writer.frames[1:]), "no low-layer keyframe written"
    assert len(writer.frames) == int(MOVE_TIMEOUT / 0.033) + 7, "every high frame, nothing else"


async def test_a_layer_that_stops_sending_is_left_by_the_tracks_on_it_and_joining_it() -> None:
    switch, feed, clock = setup()
    (on_low, low_writer), (joining, _) = viewer(switch), viewer(switch)
    send(switch, feed, clock, 0, keyframe=True)
    switch.move(on_low, 1)
    send(switch, feed, clock, 1, keyframe=True)
    switch.move(joining, 1)
    feed.layer_count = 1  # the low layer went silent
    assert switch.layers() == 1
    send(switch, feed, clock, 0, keyframe=True)
    assert low_writer.frames[-1][1] and len(low_writer.frames) == 3, "back on the high layer"
    assert switch.settle(joining) is None, "its move was not left waiting"
    feed.layer_count = 2
    assert switch.layers() == 2
    send(switch, feed, clock, 1, keyframe=True)
    assert low_writer.frames[-1][1] and len(low_writer.frames) == 4, "and on the low one again"


async def test_a_move_made_while_the_stream_is_paused_completes_after_it() -> None:
    switch, feed, clock = setup()
    track, writer = viewer(switch)
    send(switch, feed, clock, 0, keyframe=True)
    switch.move(track, 1)
    switch.pause()
    clock.now += 60.0
    send(switch, feed, clock, 1, keyframe=True)  # consumed and dropped at the switch
    switch.resume()
    send(switch, feed, clock, 0)
    assert switch.settle(track) is None, "the wait started again at the resume"
    send(switch, feed, clock, 1, keyframe=True)
    assert [key for _, key in writer.frames] == [True, True], "the high keyframe, the low one"
    send(switch, feed, clock, 0)
    send(switch, feed, clock, 1)
    assert [key for _, key in writer.frames] == [True, True, False], "then low frames only"


async def test_a_paused_track_moved_to_the_layer_it_was_joining_gets_its_keyframe_once() -> None:
    switch, feed, clock = setup()
    track, writer = viewer(switch)
    send(switch, feed, clock, 0, keyframe=True)
    switch.move(track, 1)  # joining the low layer
    track.pause()  # the chooser: audio only
    switch.move(track, 1)  # its probe: the low layer
    track.resume()
    send(switch, feed, clock, 1, keyframe=True)
    assert [key for _, key in writer.frames] == [True, True], "the low keyframe once"


async def test_audio_only_and_back_to_another_layer_steps_the_timestamp_forward() -> None:
    switch, feed, clock = setup()
    track, writer = viewer(switch)
    send(switch, feed, clock, 0, keyframe=True)
    track.pause()
    switch.move(track, 1)  # a paused track moves at once
    track.resume()
    send(switch, feed, clock, 1, keyframe=True)
    keyframe = writer.frames[-1]
    assert keyframe[1]
    assert writer.log[-2] == ("continue", keyframe[0], False), "told before the keyframe"


async def test_tracks_moved_detached_and_reported_on_leave_nothing_behind() -> None:
    switch, _, _ = setup()
    for number in range(50):
        track, _ = viewer(switch)
        switch.move(track, number % 2)
        switch.detach([track])
        switch.move(track, 1)  # a report arriving while the viewer closes
        assert switch.settle(track) is None
    assert not (switch._wanted or switch._route_of or switch._joining)
    assert not any(route.fanout._joining or route.fanout._tracks for route in switch.routes)
