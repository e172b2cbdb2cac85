"""Hostile and faulty messages, generated from the command models and then broken (wrong types,
huge lengths, JSON nested 10,000 deep, lone surrogates, NUL, huge numbers, NaN): every one gets
exactly one answer, never an `internal` one, the node logs no traceback, and a well-behaved
client's pings stay answered throughout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from rooms.commands import COMMANDS
from rooms.fairs import Fairs
from rooms.models import Participant
from rooms.people import People
from server.auth import Tokens
from tests.clients import Fixture
from tests.procs import Node, RedisProcess

BATCHES, BATCH = 100, 25  # 2,500 messages
DEEP = "[" * 10_000 + "]" * 10_000
# raw JSON put in place of a marker string after encoding: what json.dumps cannot produce
RAW = {"@deep@": DEEP, "@digits@": "9" * 5000, "@inf@": "1e999", "@nan@": "NaN"}
ANSWERS = {"invalid_input", "forbidden", "not_found", "invalid_state", "conflict", "limit_reached"}

hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1),
    st.sampled_from(["\x00", "a\x00b", "x" * 30_000, "stage", "", " "]),
    st.sampled_from(list(RAW)),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.lists(st.integers(), max_size=3),
)


def from_schema(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """Valid data for the part of JSON Schema our command models use."""
    defs = schema.get("$defs", defs or {})
    if "$ref" in schema:
        return from_schema(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return st.one_of([from_schema(s, defs) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        required = set(schema.get("required", ()))
        props = {k: from_schema(v, defs) for k, v in schema.get("properties", {}).items()}
        return st.fixed_dictionaries(
            {k: v for k, v in props.items() if k in required},
            optional={k: v for k, v in props.items() if k not in required},
        )
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if schema.get("format") == "date-time":
            return st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
        return st.text(
            min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 50), 50)
        )
    if kind == "array":
        items = from_schema(schema.get("items", {"type": "string"}), defs)
        return st.lists(
            items, min_size=schema.get("minItems", 0), max_size=schema.get("maxItems", 5)
        )
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    raise AssertionError(f"no strategy for {schema}")


@st.composite
def message(draw: st.DrawFn, n: int) -> tuple[str, str | None]:
    """One frame as text, and the id its answer must carry (None: it has no usable id)."""
    name = draw(st.sampled_from(sorted(COMMANDS)) | st.text(max_size=10))
    command = COMMANDS.get(name)
    data: Any = {}
    if command is not None:
        data = draw(from_schema(command.input.model_json_schema(by_alias=True)))
    msg_id: Any = f"m{n}"
    frame: dict[str, Any] = {"id": msg_id, "type": name, "data": data}
    damage = draw(st.sampled_from(["none", "field", "data", "type", "id", "drop", "raw"]))
    if damage == "field":
        field = draw(st.sampled_from([*data, "extra"]) if isinstance(data, dict) else st.just("x"))
        frame["data"] = {**data, field: draw(hostile)}
    elif damage == "data":
        frame["data"] = draw(hostile)
    elif damage == "type":
        frame["type"] = draw(hostile)
    elif damage == "id":
        frame["id"] = msg_id = draw(hostile)
    elif damage == "drop":
        del frame[draw(st.sampled_from(["id", "type", "data"]))]
        msg_id = frame.get("id")
    text = json.dumps(frame)  # ensure_ascii: a lone surrogate becomes its \ud8xx escape
    for marker, raw in RAW.items():
        text = text.replace(f'"{marker}"', raw)  # none of which we accept as JSON
    if damage == "raw":
        return draw(st.sampled_from([DEEP, "{" * 5000, "not json", "NaN", '{"id": "'])), None
    usable = text == json.dumps(frame) and isinstance(msg_id, str) and 0 < len(msg_id) <= 64
    usable = usable and not any(0xD800 <= ord(c) <= 0xDFFF for c in msg_id)
    return text, msg_id if usable else None


@pytest.fixture(scope="module")
def fuzz_node(
    redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Node]:
    """A node that lets every message through the rate limit, so the handlers get them all."""
    node = Node(
        tmp_path_factory.mktemp("fuzz"),
        redis_server.url,
        JOBFAIR_LIMIT_WS_RATE_PER_MINUTE="1000000",
        JOBFAIR_LIMIT_WS_BURST="100000",
    ).start()
    yield node
    node.stop()


def _socket(base: str, link: str, fair_id: str) -> ClientConnection:
    with httpx.Client(base_url=base) as http:
        http.get(link)
        cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    url = base.replace("http", "ws", 1) + f"/ws/fairs/{fair_id}"
    ws = connect(url, additional_headers={"cookie": cookies}, origin=base, compression=None)  # type: ignore[arg-type]
    assert json.loads(ws.recv(timeout=5))["type"] == "welcome"
    return ws


def _answers(ws: ClientConnection, fence: str) -> list[dict[str, Any]]:
    """Every answer up to the ack of a ping sent after the batch: a message answered twice, or
    not at all, shows up here and not in the next batch."""
    ws.send(json.dumps({"id": fence, "type": "ping"}))
    answers = []
    while True:
        frame = json.loads(ws.recv(timeout=10))  # no answer within 10 s fails the test
        if frame.get("id") == fence:
            return answers
        if frame["type"] != "event":
            answers.append(frame)


@pytest.fixture
async def people_of_a_fair(
    redis: Any, fairs: Fairs, people: People, tokens: Tokens, fuzz_node: Node
) -> Fixture:
    return await Fixture.build(fairs, people, tokens, fuzz_node.url)


def generated() -> list[list[tuple[str, str | None]]]:
    """The batches hypothesis draws (drawn first: the socket I/O then runs outside it)."""
    batches: list[list[tuple[str, str | None]]] = []

    @settings(
        max_examples=BATCHES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(st.integers(0, 10**6).flatmap(message), min_size=BATCH, max_size=BATCH))
    def draw(batch: list[tuple[str, str | None]]) -> None:
        batches.append(batch)

    draw()
    return batches


def test_every_hostile_message_gets_exactly_one_answer(
    people_of_a_fair: Fixture, fuzz_node: Node
) -> None:
    fx = people_of_a_fair
    senders: list[Participant] = [fx.moderator, fx.worker, fx.recruiter_a]
    sockets = [_socket(fx.base, fx.link(who), fx.fair.id) for who in senders]
    calm = _socket(fx.base, fx.link(fx.worker), fx.fair.id)
    codes: dict[str, int] = {}
    batches = generated()
    for n, batch in enumerate(batches):
        ws = sockets[n % len(sockets)]
        for text, _ in batch:
            ws.send(text)
        answers = _answers(ws, f"fence{n}")
        expected = sorted(str(i) for _, i in batch)
        got = sorted(str(a["id"]) for a in answers)
        assert got == expected, ([(t[:300], i) for t, i in batch], answers)
        for answer in answers:
            code = answer.get("code", answer["type"])
            codes[code] = codes.get(code, 0) + 1
            assert answer["type"] == "ack" or answer["code"] in ANSWERS, (answer, batch)
        calm.send(json.dumps({"id": "ping", "type": "ping"}))
        assert json.loads(calm.recv(timeout=2))["type"] == "ack"
    for ws in [*sockets, calm]:
        ws.close()
    assert sum(codes.values()) >= 2000
    assert codes.get("ack", 0) > 0 and codes.get("invalid_input", 0) > 0  # both kinds were made
    log = Path(fuzz_node.log).read_text()
    assert "Traceback" not in log and "internal error" not in log
