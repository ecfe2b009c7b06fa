"""Where each real parameter of a spectral filter lives: the N-d Hermitian layout, its basis and gather plans.

For a kernel of shape ``(k_1, ..., k_N)`` (N = 1, 2 or 3) the DFT ``C`` of a real kernel is Hermitian:
``C[u] == conj(C[-u mod k])`` on every axis at once. The independent real numbers are the real parts of the
self-conjugate bins (``u == -u``, i.e. every index 0 or ``k_i/2``), plus the real and imaginary parts of one bin of
every other pair: exactly ``prod(k)`` reals. The canonical bin of a pair is chosen axis by axis from the last one:
the bin whose last index is in the open lower half ``0 < u_N < k_N/2``; on a tie (``u_N`` self-conjugate), the same
rule on the previous axis. For two axes that is the layout of the first release (columns ``0 < v < kw/2``, then the
rows ``0 < u < kh/2`` of column 0 and of the Nyquist column), so existing parameters keep their meaning.

The real part of a canonical bin is stored at its own position and its imaginary part at the mirror position; a
self-conjugate bin is stored in place. Under ``norm="ortho"`` paired entries carry a factor ``sqrt(2)``, which makes
the map orthogonal.
"""

from __future__ import annotations

import functools
import math

from ._cache import Flat
from ._trig import cos_pi_frac, sin_pi_frac

__all__ = ["Plan", "analysis_plan", "filter_basis_flat", "filter_layout", "filter_scales", "synthesis_plans"]

Shape = tuple[int, ...]
Entry = tuple[str, Shape]  # ("self" | "re" | "im", the canonical bin)


def _ravel(index: Shape, shape: Shape) -> int:
    flat = 0
    for i, k in zip(index, shape, strict=True):
        flat = flat * k + i
    return flat


def _positions(shape: Shape) -> list[Shape]:
    """Every index of ``shape`` in row-major order."""
    result: list[Shape] = [()]
    for k in shape:
        result = [(*prefix, i) for prefix in result for i in range(k)]
    return result


def _mirror(index: Shape, shape: Shape) -> Shape:
    return tuple((-i) % k for i, k in zip(index, shape, strict=True))


def _is_canonical(index: Shape, shape: Shape) -> bool:
    """Whether ``index`` is the stored bin of its Hermitian pair (the rule in the module docstring)."""
    for i, k in zip(reversed(index), reversed(shape), strict=True):
        if 0 < 2 * i < k:
            return True
        if 2 * i > k:
            return False
    return False  # self-conjugate on every axis


@functools.lru_cache(maxsize=128)
def filter_layout(shape: Shape) -> tuple[Entry, ...]:
    """For each kernel position (row-major): its kind ("self", "re", "im") and its canonical DFT bin."""
    layout: list[Entry] = []
    for index in _positions(shape):
        mirror = _mirror(index, shape)
        if mirror == index:
            layout.append(("self", index))
        elif _is_canonical(index, shape):
            layout.append(("re", index))
        else:
            layout.append(("im", mirror))
    return tuple(layout)


def filter_scales(norm: str, count: int) -> tuple[float, float]:
    """Return ``(beta, s)``: the inverse-DFT factor of ``norm`` and the extra factor on paired bins."""
    beta = {"backward": 1.0 / count, "ortho": 1.0 / math.sqrt(count), "forward": 1.0}[norm]
    return beta, (math.sqrt(2.0) if norm == "ortho" else 1.0)


@functools.lru_cache(maxsize=128)
def filter_basis_flat(shape: Shape, norm: str, inverse: bool) -> Flat:
    """``(count, count)`` matrix ``B`` with ``w.ravel() = B @ theta.ravel()`` (or ``B^-1`` with ``inverse``)."""
    count = math.prod(shape)
    layout = filter_layout(shape)
    beta, s = filter_scales(norm, count)
    pixels = _positions(shape)
    strides = [count // k for k in shape]  # phase 2 pi sum_i u_i y_i / k_i = pi * p / count with integer p

    columns = []  # columns[p][pixel] = kernel produced by a unit parameter at position p
    for kind, bin_ in layout:
        column = []
        for pixel in pixels:
            p = 2 * sum(u * y * st for u, y, st in zip(bin_, pixel, strides, strict=True))
            if kind == "self":
                column.append(beta * cos_pi_frac(p, count))
            elif kind == "re":
                column.append(2.0 * beta / s * cos_pi_frac(p, count))
            else:
                column.append(-2.0 * beta / s * sin_pi_frac(p, count))
        columns.append(column)
    if not inverse:
        return tuple(columns[p][pix] for pix in range(count) for p in range(count)), (count, count)
    # The columns are mutually orthogonal (distinct real Fourier modes), so the inverse is the transpose with
    # each row divided by its column's squared norm; under "ortho" those norms are all 1.
    norms2 = [math.fsum(e * e for e in col) for col in columns]
    return tuple(columns[p][pix] / norms2[p] for p in range(count) for pix in range(count)), (count, count)


# A gather plan: (sources of a, factors on a, sources of b, factors on b), so that
# out[p] = a[src_a[p]] * fa[p] + b[src_b[p]] * fb[p] along the last axis.
Plan = tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[float, ...]]


def _as_plan(rows: list[tuple[int, float, int, float]]) -> Plan:
    src_a, fa, src_b, fb = zip(*rows, strict=True)
    return tuple(src_a), tuple(fa), tuple(src_b), tuple(fb)


@functools.lru_cache(maxsize=128)
def synthesis_plans(shape: Shape, norm: str) -> tuple[Plan, Plan]:
    """Where each bin's real and imaginary parts come from in ``theta``, and with which factor."""
    _, s = filter_scales(norm, math.prod(shape))
    real: list[tuple[int, float, int, float]] = []
    imag: list[tuple[int, float, int, float]] = []
    for p, (kind, bin_) in enumerate(filter_layout(shape)):
        if kind == "self":
            real.append((p, 1.0, p, 0.0))
            imag.append((p, 0.0, p, 0.0))
        elif kind == "re":
            mirror = _ravel(_mirror(bin_, shape), shape)
            real.append((p, 1.0 / s, p, 0.0))
            imag.append((mirror, 1.0 / s, p, 0.0))
        else:  # p is the mirror of the canonical `bin_`: C[p] = conj(C[bin_])
            canonical = _ravel(bin_, shape)
            real.append((canonical, 1.0 / s, p, 0.0))
            imag.append((p, -1.0 / s, p, 0.0))
    return _as_plan(real), _as_plan(imag)


@functools.lru_cache(maxsize=128)
def analysis_plan(shape: Shape, norm: str) -> Plan:
    """``theta[p]`` from the real (``a``) and imaginary (``b``) parts of the flattened rfftn half-space."""
    _, s = filter_scales(norm, math.prod(shape))
    half = (*shape[:-1], shape[-1] // 2 + 1)  # every canonical and self-conjugate bin lies in it
    rows: list[tuple[int, float, int, float]] = []
    for kind, bin_ in filter_layout(shape):
        canonical = _ravel(bin_, half)
        if kind == "self":
            rows.append((canonical, 1.0, canonical, 0.0))
        elif kind == "re":
            rows.append((canonical, s, canonical, 0.0))
        else:
            rows.append((canonical, 0.0, canonical, s))
    return _as_plan(rows)
