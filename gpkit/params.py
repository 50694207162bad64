"""Parameter validation and profile resolution.

Every public entry point validates its inputs with these helpers, so a bad value
fails fast with a ``ValueError`` that names the parameter and what is allowed.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "check_choice",
    "check_subset",
    "check_positive",
    "check_int",
    "check_range",
    "resolve_profile",
]


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``; else raise ``ValueError`` naming ``name``."""
    allowed = list(allowed)
    if value not in allowed:
        hint = ""
        if isinstance(value, str):
            close = difflib.get_close_matches(value, [a for a in allowed if isinstance(a, str)], n=1)
            if close:
                hint = f" (did you mean {close[0]!r}?)"
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}{hint}")
    return value


def check_subset(name: str, values: Any, allowed: Iterable[Any]) -> list[Any]:
    """A selection parameter: ``None`` means every one of ``allowed``; a single string or a non-empty list names some
    (each checked with :func:`check_choice`). Returns the list; ``ValueError`` naming ``name`` for an empty list or a
    value not allowed."""
    allowed = list(allowed)
    if values is None:
        return allowed
    values = [values] if isinstance(values, str) else list(values)
    if not values:
        raise ValueError(f"{name} must name at least one of {allowed}, got []")
    return [check_choice(name, v, allowed) for v in values]


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Return ``value`` as float if finite and > 0 (or >= 0 with ``allow_zero``)."""
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a number, got {value!r}") from err
    ok = math.isfinite(v) and (v >= 0 if allow_zero else v > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return v


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """Return ``value`` as int if it is an integer (bools refused) and >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_range(name: str, value: Any, low: float, high: float) -> float:
    """Return ``value`` as float if ``low <= value <= high``."""
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}") from err
    if not (low <= v <= high):
        raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
    return v


def resolve_profile(
    profiles: Mapping[str, Mapping[str, Any]], profile: str, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Merge one named preset with per-field overrides.

    ``profiles`` maps a profile name (``smoke``, ``quick``, ``paper``) to a dict of
    fields. Unknown profile names and unknown override fields raise ``ValueError``.
    Overrides whose value is ``None`` are ignored (papermill passes defaults as None).
    """
    check_choice("profile", profile, profiles.keys())
    params = copy.deepcopy(dict(profiles[profile]))
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in params:
            close = difflib.get_close_matches(key, params.keys(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown parameter {key!r}{hint}; known parameters: {sorted(params)}")
        params[key] = value
    return params
