"""`python -m rooms.commands > docs/commands.md`: the command reference, from the table itself."""

from __future__ import annotations

from typing import Any

from rooms.commands import COMMANDS
from rooms.commands.writes import WRITES
from rooms.permissions import BOOTH_SCOPED, roles

RETRY = {
    "read": "reads",
    "idempotent": "sets a state: a retry changes nothing more",
    "op": "`op` makes a retry safe: the same op has one effect",
    "create": "makes a new one each time",
}


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return _type(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return " \\| ".join(_type(s, defs) for s in schema["anyOf"])
    if "enum" in schema:
        return " \\| ".join(f'"{v}"' for v in schema["enum"])
    if "const" in schema:
        return f'"{schema["const"]}"'
    kind = str(schema.get("type", "any"))
    limits = [
        f"{label} {schema[key]}"
        for key, label in (
            ("minLength", "≥"),
            ("maxLength", "≤"),
            ("minimum", "≥"),
            ("maximum", "≤"),
            ("format", ""),
        )
        if key in schema
    ]
    if "pattern" in schema:
        limits.append(f"`{schema['pattern']}`")
    return f"{kind} ({', '.join(x.strip() for x in limits)})" if limits else kind


def fields(model: Any) -> str:
    schema = model.model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    parts = []
    for name, spec in schema.get("properties", {}).items():
        optional = "" if name in required else "?"
        parts.append(f"`{name}{optional}`: {_type(spec, defs)}")
    return "<br>".join(parts) or "—"


def who(action: Any) -> str:
    names = sorted(role.value for role in roles(action))
    scope = " (a recruiter: their own booth)" if action in BOOTH_SCOPED else ""
    return ", ".join(names) + scope if names else "nobody"


def _rows(table: dict[str, Any], first: str) -> list[str]:
    rows = []
    for name, command in sorted(table.items()):
        action = command.action
        lead = f"`{command.route}`" if first == "route" else f"`{name}`"
        rows.append(
            f"| {lead} | `{action.value}`: {who(action)} | {RETRY[command.retry]} "
            f"| {fields(command.input)} | {command.doc} |"
        )
    return rows


def render() -> str:
    head = "| action: who | retry | data | what it does |\n|---|---|---|---|---|"
    lines = [
        "# Commands",
        "",
        "Generated from `rooms/commands/` by `python -m rooms.commands > docs/commands.md`; a test",
        "fails when this file and the code differ. Every websocket message and every HTTP write is",
        "one of these: its data is validated against the fields below (unknown fields are refused)",
        "and the sender's role checked against the action before anything is read or changed.",
        "A recruiter's booth-scoped action is checked against the booth the data names, or, when",
        "it names an entry, a question, a slot or an interview, against that thing's booth once",
        "it is read. The answer is one `ack` or one `error` frame with the message's id",
        "(docs/protocol.md); over HTTP, a JSON body or `{error, message}` with a 4xx/5xx status.",
        "",
        "## Websocket messages",
        "",
        "| message " + head,
        *_rows(COMMANDS, "name"),
        "",
        "## HTTP writes",
        "",
        "Each needs the session cookie and the `x-csrf-token` header; ids in the path are part",
        "of the data.",
        "",
        "| route " + head,
        *_rows(WRITES, "route"),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
