"""A notebook's parameters: what its parameters cell declares, and checking what a caller passes.

Every notebook's cell tagged ``parameters`` declares its own parameters (``profile``, ``seed``, ``device``,
``out_dir``, ``progress``, ``resume``, data paths, a few profile fields worth a line of their own) and
``overrides = None``: a dict of any other field of the experiment's profile. :func:`papermill_parameters`
turns what a user passes to ``gpkit run -p NAME VALUE`` (or a sweep's parameter dict) into papermill
parameters: declared names pass through, other profile fields go into ``overrides``, and anything else
— a typo, a field of another notebook — stops the run before it starts with the allowed names. Each value's
type is checked against its default (the cell's, or the profile field's), then the experiment's own
``validate`` checks the resolved profile, so a bad value fails before any folder or file is written.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["declared_parameters", "check_type", "papermill_parameters"]

#: Parameters that ``gpkit run`` and sweeps set themselves.
_RESERVED = ("profile", "out_dir")


def declared_parameters(notebook: str | Path) -> dict[str, Any]:
    """Name -> default of every assignment in ``notebook``'s ``parameters`` cell (defaults that are not literals
    are given as None). ``ValueError`` when the notebook has no such cell."""
    import nbformat

    book = nbformat.read(str(notebook), as_version=4)
    cell = next((c for c in book.cells if "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        raise ValueError(f"{Path(notebook).name} has no cell tagged 'parameters'")
    out: dict[str, Any] = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                out[node.targets[0].id] = None
    return out


def _kind(default: Any) -> tuple[tuple[type, ...], str] | None:
    if isinstance(default, bool):
        return (bool,), "True or False"
    if isinstance(default, int):
        return (int,), "an integer"
    if isinstance(default, float):
        return (int, float), "a number"
    if isinstance(default, str):
        return (str,), "a string"
    if isinstance(default, (list, tuple)):
        return (list, tuple), "a list"
    if isinstance(default, dict):
        return (dict,), "a dict"
    return None


def check_type(name: str, value: Any, default: Any, where: str = "") -> Any:
    """``value`` if it has the type of ``default`` (None: any type; an integral float passes as an integer; an
    integer as a float); else ``ValueError`` naming ``name``, the expected type and the default."""
    if value is None or default is None:
        return value
    kind = _kind(default)
    if kind is None:
        return value
    types, text = kind
    ok = isinstance(value, types) and (bool in types or not isinstance(value, bool))
    if not ok and types == (int,) and isinstance(value, float) and value.is_integer():
        return int(value)
    if not ok:
        raise ValueError(f"{name} must be {text}{where} (default {default!r}), got {value!r}")
    return value


def papermill_parameters(notebook: str | Path, profile: str, parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The papermill parameters for running ``notebook`` at ``profile`` with the user's ``parameters``.

    Names the parameters cell declares pass through; other fields of the experiment's profile are gathered into
    the notebook's ``overrides`` dict. Raises ``ValueError`` — before anything runs or is written — for a name
    that is neither (listing the allowed ones), for ``profile``/``out_dir`` (set by the caller), for a value of
    the wrong type, and for a value the experiment's ``validate`` refuses.
    """
    from gpkit.experiments import MODULES, check_profile, profile_fields
    from gpkit.params import check_choice, check_int

    path = Path(notebook)
    stem = path.stem
    declared = declared_parameters(path)
    fields = profile_fields(stem, profile) if stem in MODULES else {}
    given = dict(parameters or {})
    for key in _RESERVED:
        if key in given:
            raise ValueError(f"parameter {key!r} is set by the caller (gpkit run --profile / --out-dir), not with -p")
    extra = given.pop("overrides", None) or {}
    if not isinstance(extra, Mapping):
        raise ValueError(f"overrides must be a dict of profile fields, got {extra!r}")
    allowed = sorted((set(declared) - {"overrides", *_RESERVED}) | set(fields))

    def unknown(name: str) -> ValueError:
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return ValueError(f"unknown parameter {name!r} for {stem}{hint}; allowed: {', '.join(allowed)}")

    field_where = f" (field of profile {profile!r})"
    out: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    for name, value in given.items():
        if name in declared:
            out[name] = check_type(name, value, declared[name], f" (parameter of {stem})")
            if name in fields:
                out[name] = check_type(name, out[name], fields[name], field_where)
        elif name in fields:
            overrides[name] = check_type(name, value, fields[name], field_where)
        else:
            raise unknown(name)
    for name, value in dict(extra).items():
        if name not in fields:
            raise unknown(name)
        if name in given:
            raise ValueError(f"{name} is given twice: as a parameter and in overrides")
        overrides[name] = check_type(name, value, fields[name], field_where)
    if out.get("seed") is not None:
        check_int("seed", out["seed"], minimum=0)
    if out.get("precision") is not None:
        from gpkit.precision import PRECISIONS

        check_choice("precision", out["precision"], PRECISIONS)
    if out.get("device") is not None:
        from gpkit.utils import resolve_device

        resolve_device(out["device"])
    if overrides:
        if "overrides" not in declared:
            raise ValueError(f"{stem} declares no 'overrides' parameter; it takes only {sorted(declared)}")
        out["overrides"] = overrides
    merged = {**{k: v for k, v in out.items() if k in fields}, **overrides}
    if stem in MODULES:
        check_profile(stem, profile, merged)
    return out
