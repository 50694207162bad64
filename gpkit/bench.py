"""Benchmark harness: side-by-side timings reported as ratios (``gpkit bench``, ``make bench``).

Benchmarks live in ``benchmarks/bench_*.py`` at the repository root. Each module defines functions
``bench_<name>(ctx: BenchContext) -> list[BenchResult]``. A function times two or more *variants*
of the same work with :func:`compare`, which runs them interleaved in one process (the order rotates
every repeat, so drift in the machine's load hits every variant alike), and turns the paired times
into a :class:`BenchResult` with :func:`ratio_result`: the median and quartiles of the per-repeat
ratios ``time(numerator) / time(denominator)``, checked against a target. Absolute times are kept
for the table but only ratios are compared across machines.

:func:`run_suite` discovers and runs the modules, prints a table and writes
``benchmarks/results.json``::

    {"created": ISO time, "smoke": bool, "device": "cpu", "environment": {...},
     "results": [BenchResult.to_dict(), ...], "errors": [{"benchmark": ..., "error": ...}]}

``ctx.smoke`` shrinks every benchmark to a few milliseconds (used by the tests, which never check
timings).
"""

from __future__ import annotations

import importlib.util
import json
import math
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

from gpkit.params import check_choice, check_int
from gpkit.utils import atomic_write_text, environment_info, project_root, resolve_device

__all__ = [
    "BenchContext",
    "BenchResult",
    "TARGET_OPS",
    "compare",
    "count_flops",
    "ratio_result",
    "value_result",
    "discover",
    "run_suite",
    "format_table",
    "load_results",
    "default_folder",
]

TARGET_OPS = ("<=", ">=")


@dataclass
class BenchContext:
    """What every benchmark function receives.

    ``device``: where models run; ``smoke``: shrink sizes and repeats to a quick functional check;
    ``repeats``: timed repeats per variant (after one warm-up); ``seed``: seeds data and models.
    """

    device: torch.device
    smoke: bool = False
    repeats: int = 7
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def pick(self, full: Any, smoke: Any) -> Any:
        """``smoke`` in smoke mode, else ``full`` (sizes, iteration counts)."""
        return smoke if self.smoke else full

    def sync(self) -> None:
        """Wait for queued GPU work (a no-op on CPU), so timings cover the work itself."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)


@dataclass
class BenchResult:
    """One benchmark case: a ratio of two variants' times (or one measured value) and its target.

    ``ratio``: median over repeats of ``time(numerator) / time(denominator)`` (for value results the
    value itself); ``q25``/``q75`` its quartiles. ``seconds``: median seconds per call of every
    variant. ``target``: ``(op, value)`` with op ``<=`` or ``>=``, or None; ``passed``: whether the
    median meets it. ``extra``: further numbers (images per second, iterations per second, ...).
    ``measured``: when it was measured (ISO time; set by :func:`run_suite`).
    """

    benchmark: str
    case: str
    what: str
    numerator: str
    denominator: str
    ratio: float
    q25: float
    q75: float
    seconds: dict[str, float]
    repeats: int
    target: tuple[str, float] | None = None
    passed: bool | None = None
    unit: str = "x"
    extra: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    measured: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["target"] = list(self.target) if self.target is not None else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "BenchResult":
        d = dict(d)
        if d.get("target") is not None:
            d["target"] = (str(d["target"][0]), float(d["target"][1]))
        return cls(**d)


def _check_target(target: tuple[str, float] | None) -> tuple[str, float] | None:
    if target is None:
        return None
    op, value = target
    check_choice("target op", op, TARGET_OPS)
    return (op, float(value))


def _meets(value: float, target: tuple[str, float] | None) -> bool | None:
    if target is None or not math.isfinite(value):
        return None
    op, bound = target
    return value <= bound if op == "<=" else value >= bound


def compare(
    variants: Mapping[str, Callable[[], Any]],
    *,
    repeats: int = 7,
    warmup: int = 1,
    sync: Callable[[], None] | None = None,
    timer: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Time every variant ``repeats`` times, interleaved; returns ``{name: [seconds, ...]}``.

    Each variant is a no-argument callable doing one unit of work (a step, an iteration). Every
    variant runs ``warmup`` untimed calls first. Repeat ``r`` runs the variants in an order rotated
    by ``r``. ``sync`` is called before reading the clock (``torch.cuda.synchronize`` on a GPU).
    """
    repeats = check_int("repeats", repeats, minimum=1)
    warmup = check_int("warmup", warmup, minimum=0)
    if not variants:
        raise ValueError("variants must name at least one callable")
    names = list(variants)
    sync = sync or (lambda: None)
    for name in names:
        for _ in range(warmup):
            variants[name]()
        sync()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            sync()
            t0 = timer()
            variants[name]()
            sync()
            times[name].append(timer() - t0)
    return times


class _FlopCounter(TorchDispatchMode):
    """Adds up :data:`torch.utils.flop_counter.flop_registry`'s count of every operator it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        formula = flop_registry.get(func._overloadpacket)
        if formula is not None:
            self.flops += int(formula(*args, **kwargs, out_val=out))
        return out


def count_flops(fn: Callable[[], Any]) -> int:
    """Floating-point operations of one call of ``fn``, forward and backward passes included.

    Counted with PyTorch's own FLOP formulas (``torch.utils.flop_counter``: matrix products and
    convolutions, 2 per multiply-add; elementwise work is not counted), through a dispatch mode, so
    double backward passes are counted too. Deterministic: a machine-independent measure of work.
    """
    with _FlopCounter() as counter:
        fn()
    return counter.flops


def _quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]


def ratio_result(
    benchmark: str,
    case: str,
    times: Mapping[str, Sequence[float]],
    numerator: str,
    denominator: str,
    *,
    what: str,
    target: tuple[str, float] | None = None,
    per: float = 1.0,
    extra: Mapping[str, Any] | None = None,
    note: str = "",
) -> BenchResult:
    """A :class:`BenchResult` from :func:`compare`'s times: per-repeat ratios numerator / denominator.

    ``per`` divides the absolute seconds (e.g. the number of steps one call ran) so the table shows
    seconds per unit; ratios do not depend on it.
    """
    for name in (numerator, denominator):
        if name not in times:
            raise ValueError(f"variant {name!r} not among the timed variants {sorted(times)}")
    num, den = list(times[numerator]), list(times[denominator])
    if len(num) != len(den) or not num:
        raise ValueError(f"{numerator!r} and {denominator!r} need the same non-zero number of repeats")
    ratios = [a / b if b > 0 else float("inf") for a, b in zip(num, den)]
    q25, med, q75 = _quartiles(ratios)
    target = _check_target(target)
    return BenchResult(
        benchmark=benchmark, case=case, what=what, numerator=numerator, denominator=denominator,
        ratio=med, q25=q25, q75=q75,
        seconds={name: statistics.median(ts) / per for name, ts in times.items()},
        repeats=len(num), target=target, passed=_meets(med, target), extra=dict(extra or {}), note=note,
    )


def value_result(
    benchmark: str,
    case: str,
    value: float,
    *,
    what: str,
    unit: str,
    target: tuple[str, float] | None = None,
    seconds: Mapping[str, float] | None = None,
    extra: Mapping[str, Any] | None = None,
    note: str = "",
) -> BenchResult:
    """A :class:`BenchResult` holding one measured value (e.g. total minutes) rather than a ratio."""
    target = _check_target(target)
    return BenchResult(
        benchmark=benchmark, case=case, what=what, numerator="", denominator="", ratio=float(value),
        q25=float(value), q75=float(value), seconds=dict(seconds or {}), repeats=1, target=target,
        passed=_meets(float(value), target), unit=unit, extra=dict(extra or {}), note=note,
    )


def default_folder() -> Path:
    """``benchmarks/`` at the repository root."""
    return project_root() / "benchmarks"


def discover(folder: str | Path | None = None) -> list[tuple[str, Callable[[BenchContext], list[BenchResult]]]]:
    """``(name, function)`` for every ``bench_*`` function in ``folder/bench_*.py``, in file order."""
    folder = Path(folder) if folder is not None else default_folder()
    if not folder.is_dir():
        raise ValueError(f"benchmark folder {folder} does not exist")
    found = []
    if str(folder.resolve()) not in sys.path:  # benchmark modules import their helpers (``_common``) by name
        sys.path.insert(0, str(folder.resolve()))
    for path in sorted(folder.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(f"gpkit_benchmarks.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses (and pickling) look their module up by name
        spec.loader.exec_module(module)
        names = getattr(module, "BENCHMARKS", None) or sorted(
            n for n in vars(module) if n.startswith("bench_") and callable(getattr(module, n)))
        found.extend((n.removeprefix("bench_"), getattr(module, n)) for n in names)
    return found


def _fmt_seconds(s: float) -> str:
    if not math.isfinite(s):
        return "-"
    if s >= 60:
        return f"{s / 60:.1f} min"
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s * 1e3:.1f} ms"


def _fmt_result(r: BenchResult) -> tuple[str, ...]:
    target = f"{r.target[0]} {r.target[1]:g}" if r.target else ""
    verdict = {True: "met", False: "MISSED", None: ""}[r.passed]
    spread = f"[{r.q25:.2f}, {r.q75:.2f}]" if r.repeats > 1 else ""
    times = ", ".join(f"{k} {_fmt_seconds(v)}" for k, v in r.seconds.items())
    return (r.benchmark, r.case, r.what, f"{r.ratio:.2f}{'' if r.unit == 'x' else ' ' + r.unit}", spread,
            target, verdict, times)


def format_table(results: Iterable[BenchResult]) -> str:
    """A plain-text table: benchmark, case, what, median (spread), target, verdict, absolute times."""
    header = ("benchmark", "case", "ratio of", "median", "IQR", "target", "", "median time per unit")
    rows = [header] + [_fmt_result(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_suite(
    folder: str | Path | None = None,
    *,
    only: Sequence[str] | None = None,
    smoke: bool = False,
    repeats: int | None = None,
    device: str | torch.device = "auto",
    out: str | Path | None = None,
    seed: int = 0,
    extra: Mapping[str, Any] | None = None,
    echo: bool = True,
) -> dict[str, Any]:
    """Run the benchmarks (all, or the names in ``only``), print the table, write ``results.json``.

    ``out`` defaults to ``<folder>/results.json`` (``None`` there and ``smoke``: not written, so a
    smoke check never overwrites real numbers). With ``only``, the file keeps its earlier results of the
    benchmarks that did not run (same device, not smoke), each with its own ``measured`` time. A benchmark that raises is recorded under
    ``errors`` and the others still run. ``extra`` goes to :attr:`BenchContext.extra` (e.g. ``data_root``,
    ``dataset``, ``runs_root``). Returns the JSON document.
    """
    folder = Path(folder) if folder is not None else default_folder()
    benches = discover(folder)
    names = [n for n, _ in benches]
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ValueError(f"only must name benchmarks among {names}, got {unknown}")
        benches = [(n, f) for n, f in benches if n in set(only)]
    dev = resolve_device(device)
    ctx = BenchContext(device=dev, smoke=smoke, repeats=repeats or (2 if smoke else 7), seed=seed,
                       extra=dict(extra or {}))
    results: list[BenchResult] = []
    errors: list[dict[str, str]] = []
    t_start = time.perf_counter()
    for name, fn in benches:
        if echo:
            print(f"[gpkit bench] {name} ...", flush=True)
        t0 = time.perf_counter()
        try:
            got = fn(ctx)
        except Exception as err:  # noqa: BLE001 - recorded, the other benchmarks still run
            errors.append({"benchmark": name, "error": f"{type(err).__name__}: {err}",
                           "traceback": traceback.format_exc(limit=4)})
            if echo:
                print(f"[gpkit bench] {name} FAILED: {type(err).__name__}: {err}", flush=True)
            continue
        results.extend(got)
        if echo:
            print(f"[gpkit bench] {name}: {len(got)} case(s) in {time.perf_counter() - t0:.0f} s", flush=True)
    doc = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "smoke": smoke,
        "device": str(dev),
        "repeats": ctx.repeats,
        "seconds": time.perf_counter() - t_start,
        "environment": environment_info(dev),
        "results": [r.to_dict() for r in results],
        "errors": errors,
    }
    for r in results:
        r.measured = doc["created"]
    doc["results"] = [r.to_dict() for r in results]
    if echo:
        print(format_table(results))
    if out is None and not smoke:
        out = folder / "results.json"
    if out is not None and only:
        doc = _merge_previous(doc, Path(out), ran=[n for n, _ in benches], order=names, echo=echo)
    if out is not None:
        atomic_write_text(Path(out), json.dumps(doc, indent=1) + "\n")
        if echo:
            print(f"[gpkit bench] wrote {out}")
    return doc


def _merge_previous(doc: dict[str, Any], path: Path, *, ran: Sequence[str], order: Sequence[str],
                    echo: bool) -> dict[str, Any]:
    """``doc`` plus the results and errors that ``path`` holds for the benchmarks that did not run now.

    Kept only when the earlier file was measured on the same kind of device and not in smoke mode; each
    result keeps its own ``measured`` time, so a merged table says when every row was measured.
    """
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError):
        return doc
    if old.get("smoke") or old.get("device") != doc["device"]:
        if echo:
            print(f"[gpkit bench] {path} was measured on {old.get('device')} (smoke={old.get('smoke')}); replaced")
        return doc
    rank = {name: i for i, name in enumerate(order)}
    kept = [r for r in old.get("results", []) if r.get("benchmark") not in ran]
    for r in kept:
        r.setdefault("measured", old.get("created", ""))
    merged = sorted(kept + doc["results"], key=lambda r: rank.get(r.get("benchmark"), len(rank)))
    errors = [e for e in old.get("errors", []) if e.get("benchmark") not in ran] + doc["errors"]
    if echo and kept:
        print(f"[gpkit bench] kept {len(kept)} earlier result(s) of the benchmarks not run now")
    return {**doc, "results": merged, "errors": errors, "benchmarks_run": list(ran)}


def load_results(path: str | Path | None = None) -> tuple[dict[str, Any], list[BenchResult]] | None:
    """The document and results of ``benchmarks/results.json`` (or ``path``), or None if absent."""
    path = Path(path) if path is not None else default_folder() / "results.json"
    if not path.is_file():
        return None
    doc = json.loads(path.read_text())
    return doc, [BenchResult.from_dict(d) for d in doc.get("results", [])]
