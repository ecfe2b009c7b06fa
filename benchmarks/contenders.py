"""How a backend's table of contenders becomes timed, checked cells; and the contenders every backend shares.

A backend file subclasses :class:`Backend` with ``put`` / ``view64`` / ``sync``, its framework's forward and
forward+backward, and one ``table_<kind>(problem)`` per problem kind it runs, each returning :class:`Row` objects.
The naive FFT recipe and the core's rows are written here once, against the array API.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from problems import Problem
from timing import Cell, check_close

import spectralcore as sc

FWD = ("fwd",)
BOTH = ("fwd", "f+b")


class Skip(Exception):
    """A backend, table or row cannot run here; the message says why (one line)."""


@dataclasses.dataclass
class Row:
    """One contender of a backend's table, before it becomes one cell per mode.

    ``f`` maps the backend's input to its output (``step`` mode: a no-argument training step). ``oracle`` names
    the float64 reference of :meth:`problems.Problem.expect` (``"periodic"``, ``"symmetric"``, ``"max"``,
    ``"avg"``); ``check`` replaces it with a callable taking the first call's output. ``check_with`` is a twin
    whose output is checked instead of ``f``'s (a dropout layer with a fixed band). ``prepare`` converts the input
    and cotangent once, outside the timed region (a memory format). ``opts`` are backend-specific switches.
    """

    variant: str
    f: Callable[..., Any]
    role: str = "ours"  # ours | ref (the ratios' denominator) | floor | naive | resample | baseline
    oracle: str | None = None
    modes: tuple[str, ...] = BOTH
    note: str = ""
    check: Callable[[Any], dict[str, Any]] | None = None
    check_with: Callable[[Any], Any] | None = None
    prepare: Callable[[Any], Any] | None = None
    params: Sequence[Any] = ()
    alias_of: str | None = None
    memory: bool = False
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)  # extra fields of the JSON record
    opts: dict[str, Any] = dataclasses.field(default_factory=dict)


class Backend:
    """One framework on one device; subclasses set ``name`` and define ``put``, ``view64``, ``sync`` and tables.

    ``table_<kind>(problem)`` returns the contenders of a problem kind as :class:`Row` objects (or raises
    :class:`Skip`); :meth:`cells` turns them into cells with the framework's forward and forward+backward.
    """

    name = "?"
    differentiable = False
    xp: Any = None  # the backend's array-API namespace, for the naive recipe

    def __init__(self, device: str) -> None:
        self.device = device
        self.notes: list[str] = []

    @property
    def key(self) -> str:
        """``backend:device``."""
        return f"{self.name}:{self.device}"

    def sync(self, out: Any) -> None:
        """Wait for asynchronous work (GPU, JAX) before the clock is read."""

    def put(self, a: Any) -> Any:  # pragma: no cover - abstract
        """NumPy (N, C, *spatial) float32 -> the backend's input (its layout, its device)."""
        raise NotImplementedError

    def view64(self, y: Any) -> Any:  # pragma: no cover - abstract
        """``y[:2, :2]`` in (N, C, *spatial) order as float64 NumPy."""
        raise NotImplementedError

    def forward(self, row: Row, x: Any) -> Callable[[], Any]:
        """One forward call (no gradient)."""
        return lambda: row.f(x)

    def fwd_bwd(self, row: Row, x: Any, g: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
        """One call of ``sum(f(x) * g)`` and its gradients; and how to read the input's gradient from the result."""
        raise Skip(f"{self.key} does not differentiate")

    def memory(self, fn: Callable[[], Any]) -> dict[str, Any] | None:
        """Peak memory of one call, where the backend reports it (``None`` = n/a)."""
        return None

    def close(self) -> None:
        """Release cached memory between problems."""

    def cells(self, p: Any) -> list[Cell]:
        """The cells of problem ``p``: one per row and mode, each with its oracle check."""
        table = getattr(self, f"table_{p.kind}", None)
        if table is None:
            raise Skip(f"{self.key} has no {p.kind} rows")
        base = {"section": p.section, "group": p.label, "backend": self.key, "spec": p.spec}
        if p.x is not None:
            base.update(shape=list(p.shape), size=list(p.size))
            x, g, g_win = self.put(p.x), self.put(p.g), self.put(p.g_win)
        out = []
        for row in table(p):
            prep = row.prepare or (lambda a: a)
            for mode in row.modes:
                if mode == "f+b" and not self.differentiable:
                    continue
                meta = dict(base, variant=row.variant, mode=mode, role=row.role, note=row.note, alias_of=row.alias_of)
                mem = self.memory if row.memory or self.device != "cpu" else None
                if mode in ("step", "call"):  # row.f takes no argument: a training step, one eager call
                    fn, check = row.f, row.check or (self._check_y(row, p, x) if mode == "call" else None)
                elif mode == "fwd":
                    fn, check = self.forward(row, prep(x)), row.check or self._check_y(row, p, prep(x))
                else:
                    fn, grad = self.fwd_bwd(row, prep(x), prep(g_win if row.oracle in ("max", "avg") else g))
                    check = self._check_grad(row, p, grad)
                out.append(Cell({**meta, **row.meta}, fn, self.sync, check, mem))
        return out

    def _check_y(self, row: Row, p: Any, x: Any) -> Callable[[Any], dict[str, Any]] | None:
        if row.oracle is None:
            return None

        def check(y: Any) -> dict[str, Any]:
            y = y if row.check_with is None else row.check_with(x)
            return check_close(self.view64(y), p.expect(row.oracle), getattr(y, "dtype", None))

        return check

    def _check_grad(self, row: Row, p: Any, grad: Callable[[Any], Any]) -> Callable[[Any], dict[str, Any]] | None:
        if row.oracle not in ("periodic", "symmetric") or row.check_with is not None:
            return None  # max pooling has no linear adjoint; a random dropout band has no fixed one
        return lambda out: check_close(self.view64(grad(out)), p.expect_grad(row.oracle), what="grad_x")


def naive_pool(x: Any, size: tuple[int, ...], xp: Any) -> Any:
    """The public recipe: fftn -> fftshift -> centre crop (+ the Nyquist slice, sum rule) -> ifftshift -> ifftn.

    Written once against the array API (``xp`` needs ``fft.fftn/ifftn/fftshift/ifftshift``, ``concat`` and
    ``real``), on the trailing ``len(size)`` axes.
    """
    axes = tuple(range(-len(size), 0))
    spec = xp.fft.fftshift(xp.fft.fftn(x, axes=axes), axes=axes)
    for ax, n, m in zip(axes, x.shape[-len(size) :], size, strict=True):

        def take(a: Any, start: int, stop: int, ax: int = ax) -> Any:
            index = (..., slice(start, stop), *(slice(None),) * (-ax - 1))
            return a[index]

        r0 = n // 2 - m // 2
        crop = take(spec, r0, r0 + m)
        if m % 2 == 0 and m < n:  # the bin at -m/2 also gets the one at +m/2 that the crop cut off
            crop = xp.concat([take(crop, 0, 1) + take(spec, r0 + m, r0 + m + 1), take(crop, 1, m)], axis=ax)
        spec = crop
    y = xp.real(xp.fft.ifftn(xp.fft.ifftshift(spec, axes=axes), axes=axes))
    return y * (math.prod(size) / math.prod(x.shape[-len(size) :]))


# --------------------------------------------------------------------------------------
# Contenders every array-API backend shares
# --------------------------------------------------------------------------------------
def auto_method(be: Backend, p: Problem) -> str:
    """What ``method="auto"`` picks on ``be``'s float32 arrays (its device) at ``p``'s lengths."""
    return sc.resolve_method(be.put(np.zeros((1,) * len(p.shape), np.float32)), p.spatial)


@functools.lru_cache(maxsize=1)
def symmetric_supported() -> bool:
    """Whether this core has the cosine basis (``boundary="symmetric"``)."""
    try:
        sc.spectral_pool(np.zeros((4,)), 2, axes=(-1,), boundary="symmetric")
    except TypeError:
        return False
    return True


def _pool(p: Problem, method: str, **kw: Any) -> Callable[[Any], Any]:
    axes = tuple(range(-p.rank, 0))
    return lambda t: sc.spectral_pool(t, p.size, axes=axes, method=method, **kw)


def core_pool_rows(be: Backend, p: Problem, modes: tuple[str, ...] = BOTH) -> list[Row]:
    """The core's rows, shared by every array-API backend: ``spectral_pool`` per method, cosine basis, naive recipe.

    ``p.params["full"]`` False (1-D/3-D problems) keeps only ``auto`` and the cosine basis.
    """
    full, meta = p.params["full"], {"auto_picks": (auto := auto_method(be, p))}
    rows = [
        Row(f"spectral_pool[{m}]", _pool(p, m), oracle="periodic", modes=modes, meta=meta) for m in ("matmul", "fft")
    ]
    rows = rows if full else []
    alias = f"spectral_pool[{auto}]" if full else None
    rows.append(Row("spectral_pool[auto]", _pool(p, "auto"), oracle="periodic", modes=modes, alias_of=alias, meta=meta))
    if symmetric_supported():
        sym = _pool(p, "auto", boundary="symmetric")
        rows.append(Row("spectral_pool[auto,symmetric]", sym, oracle="symmetric", modes=modes, meta=meta))
    if full:
        naive = lambda t: naive_pool(t, p.size, be.xp)  # noqa: E731
        rows.append(Row("naive_fft", naive, role="naive", oracle="periodic", modes=modes))
    return rows


def crossover_rows(be: Backend, p: Problem, modes: tuple[str, ...] = BOTH) -> list[Row]:
    """matmul (the ratios' reference) against fft; each row records what ``auto`` picks there."""
    meta = {"auto_picks": auto_method(be, p)}
    return [
        Row(f"spectral_pool[{m}]", _pool(p, m), role=role, oracle="periodic", modes=modes, meta=meta)
        for m, role in (("matmul", "ref"), ("fft", "ours"))
    ]


def roofline_rows(be: Backend, p: Problem) -> list[Row]:
    """An ``n x n`` float32 matmul (GEMM throughput, the matmul path's ceiling), a sum and a copy of ``mib`` MiB
    (read and read+write bandwidth, the floor's): the yardsticks a missed target is explained with."""
    n, count, xp = p.params["gemm"], p.params["stream_mib"] * 2**18, be.xp
    a32, b32 = np.random.default_rng(0).standard_normal((2, n, n), dtype=np.float32)
    a, b, ones = be.put(a32), be.put(b32), be.put(np.ones((count // 1024, 1024), np.float32))

    def row(name: str, f: Callable[[], Any], want: Any, role: str = "baseline", **meta: int) -> Row:
        def check(y: Any) -> dict[str, Any]:
            return check_close(be.view64(xp.reshape(y, (1, 1)) if y.ndim == 0 else y), want, y.dtype)

        return Row(name, f, role=role, modes=("call",), check=check, meta=meta)

    gemm = a32[:2].astype(np.float64) @ b32[:, :2].astype(np.float64)
    return [
        row(f"matmul {n}x{n}", lambda: a @ b, gemm, role="ref", flop=2 * n**3),
        row(f"sum of {p.params['stream_mib']} MiB (read)", lambda: xp.sum(ones), [[count]], bytes=4 * count),
        row("copy (read + write)", lambda: xp.asarray(ones, copy=True), np.ones((2, 2)), bytes=8 * count),
    ]
