"""Typed domain errors; `server/` maps each `code` to an HTTP status or a websocket error frame."""


class DomainError(Exception):
    """Base of every refusal the domain makes; `code` is stable and part of the wire protocol."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    code = "invalid_input"


class CodecMismatch(InvalidInput):
    """A browser cannot send the video codec a stream's viewers were connected with (nothing is
    transcoded): taking over that stream needs another browser."""

    code = "codec_mismatch"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class InvalidState(DomainError):
    """A transition the current state does not allow (join a closed line, accept after timeout)."""

    code = "invalid_state"


class PollClosed(InvalidState):
    """A poll's deadline has passed or its host closed it: the answer is not counted."""

    code = "poll_closed"


class StaffBusy(InvalidState):
    """A staff member who already has a call or an interview under way presses "call next": the
    call goes to a free teammate instead, so the page names this case apart."""

    code = "staff_busy"


class Conflict(DomainError):
    code = "conflict"


class LimitReached(DomainError):
    """A quota: line length, lines per worker, questions per minute."""

    code = "limit_reached"


class Draining(DomainError):
    """This server is stopping: it starts no new stream or interview; another server will."""

    code = "draining"


def from_code(code: str, message: str) -> DomainError | None:
    """The error a wire `code` names (a Lua script's refusal, another node's reply), if any."""
    for cls in (
        InvalidInput,
        CodecMismatch,
        NotFound,
        Forbidden,
        InvalidState,
        PollClosed,
        StaffBusy,
        Conflict,
        LimitReached,
        Draining,
    ):
        if cls.code == code:
            return cls(message)
    return None
