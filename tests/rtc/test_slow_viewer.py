"""A viewer that stops reading neither holds up the others nor grows the server's memory."""

import asyncio

from server.rtc.encoded import EncodedTrack
from server.rtc.fanout import Fanout
from server.rtc.frames import VP8, EncodedFrame
from server.rtc.viewer import CAPACITY

KEYFRAME_EVERY = 60


def vp8_frame(number: int) -> EncodedFrame:
    keyframe = number % KEYFRAME_EVERY == 0
    # Byte 0 bit 0 is VP8's "not a keyframe" flag; the rest carries the frame number.
    data = bytes([0x00 if keyframe else 0x01]) + number.to_bytes(4, "big") + bytes(3000)
    return EncodedFrame(data, number * 3000, 90_000, VP8, keyframe)


async def read_all(track: EncodedTrack, into: list[int]) -> None:
    while True:
        packet = await track.recv()
        into.append(int.from_bytes(bytes(packet)[1:5], "big"))


async def test_a_stuck_viewer_does_not_delay_others_and_its_buffer_stays_bounded() -> None:
    requests: list[None] = []
    fanout = Fanout(request_keyframe=lambda: requests.append(None))
    stuck = EncodedTrack("video", VP8, CAPACITY["video"])
    readers = [EncodedTrack("video", VP8, CAPACITY["video"]) for _ in range(3)]
    received: list[list[int]] = [[] for _ in readers]
    tasks = [
        asyncio.create_task(read_all(track, into))
        for track, into in zip(readers, received, strict=True)
    ]
    for track in [stuck, *readers]:
        fanout.attach(track)

    largest = 0
    for number in range(10 * KEYFRAME_EVERY):
        fanout.publish(vp8_frame(number), epoch=1)
        largest = max(largest, stuck.buffered)
        await asyncio.sleep(
            0
        )  # one loop turn per frame: readers keep up, the stuck one never reads
        assert all(into[-1] == number for into in received), "no reader waits for the stuck one"

    assert all(into == list(range(10 * KEYFRAME_EVERY)) for into in received)
    assert largest <= CAPACITY["video"]
    assert stuck.dropped > 0
    assert requests, "falling behind asks the publisher for a keyframe"

    # When it reads again it resumes at a keyframe, never at a delta frame missing its past.
    for number in range(10 * KEYFRAME_EVERY, 10 * KEYFRAME_EVERY + 5):
        fanout.publish(vp8_frame(number), epoch=1)
    first = int.from_bytes(bytes(await stuck.recv())[1:5], "big")
    assert first % KEYFRAME_EVERY == 0

    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for track in [stuck, *readers]:
        track.stop()
    fanout.close()


async def test_a_slow_audio_viewer_loses_its_oldest_frames_only() -> None:
    fanout = Fanout(request_keyframe=lambda: None)
    track = EncodedTrack("audio", "audio/opus", CAPACITY["audio"])
    fanout.attach(track)
    for number in range(3 * CAPACITY["audio"]):
        frame = EncodedFrame(number.to_bytes(4, "big"), number * 960, 48_000, "audio/opus", True)
        fanout.publish(frame, epoch=1)
    assert track.buffered == CAPACITY["audio"]
    assert int.from_bytes(bytes(await track.recv()), "big") == 2 * CAPACITY["audio"]
    track.stop()
