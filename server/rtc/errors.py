"""Errors the stream hub raises; the server layer maps them to wire errors in one place."""


class RtcError(Exception):
    """Base class for stream hub errors."""


class UnsupportedOffer(RtcError):
    """The SDP offer cannot be parsed or shares no usable codec (VP8/H.264 video, Opus audio)."""


class UnknownViewer(RtcError):
    """No viewer with this id watches this stream."""


class Published(RtcError):
    """The stream has a publisher on this node: no cascade leg may feed it."""


class StreamClosed(RtcError):
    """The stream (or the whole hub) was stopped while the request was in progress."""


class CodecMismatch(UnsupportedOffer):
    """A hand-over offer lacks the stream's video codec: viewers' connections are negotiated for
    it and nothing is transcoded."""
