"""Booth stream and interview media signalling: complete SDP offers and answers."""

from __future__ import annotations

from rooms.commands.base import BoothInput, Command, Flag, Id, Input, Sdp
from rooms.permissions import Action


class Publish(BoothInput):
    sdp: Sdp


class View(BoothInput):
    sdp: Sdp
    audio_only: Flag = False


class AudioOnly(BoothInput):
    on: Flag


class Interview(Input):
    interview_id: Id


class InterviewPublish(Interview):
    sdp: Sdp


class InterviewView(Interview):
    sdp: Sdp
    audio_only: Flag = False


class InterviewAudioOnly(Interview):
    on: Flag


COMMANDS = {
    "stream.publish": Command(Publish, Action.STREAM, "idempotent", "go live (replaces)"),
    "stream.stop": Command(BoothInput, Action.STREAM, "idempotent", "end the booth's stream"),
    "stream.view": Command(View, Action.ATTEND, "idempotent", "watch a booth"),
    "stream.audio_only": Command(AudioOnly, Action.ATTEND, "idempotent", "drop or restore video"),
    "stream.leave": Command(BoothInput, Action.ATTEND, "idempotent", "stop watching"),
    "interview.publish": Command(
        InterviewPublish, Action.ATTEND, "idempotent", "send one's camera"
    ),
    "interview.view": Command(InterviewView, Action.ATTEND, "idempotent", "receive the other side"),
    "interview.audio_only": Command(
        InterviewAudioOnly, Action.ATTEND, "idempotent", "drop or restore the other's video"
    ),
    "interview.leave": Command(Interview, Action.ATTEND, "idempotent", "end one's media"),
}
