"""Turns raw client input into validated models, or one clear `InvalidInput`."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from rooms.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any) -> M:
    if not isinstance(data, dict):
        raise InvalidInput("expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "input"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def merge(model: type[M], current: BaseModel, patch: dict[str, Any]) -> M:
    """Apply a partial update to the editable fields of `current`, validated as a whole."""
    unknown = set(patch) - set(model.model_fields)
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: field cannot be changed")
    base = current.model_dump(include=set(model.model_fields))
    return parse(model, {**base, **patch})


def fields_of(model: type[BaseModel], given: BaseModel) -> dict[str, Any]:
    """`model`'s fields as `given` holds them (an input may carry more: the ids of its path)."""
    return {name: getattr(given, name) for name in model.model_fields}
