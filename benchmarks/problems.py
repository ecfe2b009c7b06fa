"""Benchmark problems and their float64 oracles.

The oracles are independent of spectralcore: ``scipy.signal.resample`` (periodic) and ``scipy.fft.dct`` (symmetric)
as matrices per axis, window pooling from strided slices, and a direct convolution.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import numpy as np


@functools.lru_cache(maxsize=64)
def resample_matrix(n: int, m: int) -> Any:
    """``(m, n)`` float64 matrix of ``scipy.signal.resample`` from length ``n`` to ``m``."""
    from scipy.signal import resample  # scipy is imported only where an oracle is needed

    return resample(np.eye(n), m, axis=0)


@functools.lru_cache(maxsize=64)
def cosine_matrix(n: int, m: int) -> Any:
    """``(m, n)`` float64 cosine-basis pooling: the lowest m DCT-II coefficients, amplitude-normalised."""
    from scipy.fft import dct, idct

    coeffs = dct(np.eye(n), type=2, norm="ortho", axis=0)[:m]
    return idct(coeffs, type=2, norm="ortho", axis=0) * math.sqrt(m / n)  # sqrt(m/n): a constant stays constant


def lowpass_matrix(n: int, keep: int, boundary: str) -> Any:
    """``(n, n)`` float64 low-pass keeping ``keep`` frequencies: pool to ``keep``, then back up (its adjoint)."""
    if boundary == "symmetric":
        a = cosine_matrix(n, keep)
        return a.T @ a * (n / keep)
    return resample_matrix(keep, n) @ resample_matrix(n, keep)


def apply_axes(x: Any, mats: list[Any]) -> Any:
    """Apply ``mats[i]`` along trailing axis ``i - len(mats)`` of ``x``."""
    for i, a in enumerate(mats):
        x = np.moveaxis(np.tensordot(a, x, axes=([1], [i - len(mats) + x.ndim])), 0, i - len(mats) + x.ndim)
    return x


def window_for(spatial: tuple[int, ...], size: tuple[int, ...]) -> tuple[int, int, str]:
    """The max/avg pooling window of a reduction: ``(kernel, stride, note)``.

    The stride is the nearest integer to the reduction factor and the kernel equals it (at least 2). For 32 -> 25
    that is a 2-window with stride 1 (31 out); the note says so.
    """
    factor = spatial[0] / size[0]
    stride = max(1, round(factor))
    kernel = max(2, stride)
    if any(abs(n / m - stride) > 1e-9 for n, m in zip(spatial, size, strict=True)):
        out = "x".join(str((n - kernel) // stride + 1) for n in spatial)
        return kernel, stride, f"non-integer reduction: window {kernel}, stride {stride} ({out} out)"
    return kernel, stride, ""


def window_pool(x: Any, kernel: int, stride: int, kind: str, rank: int, xp: Any) -> Any:
    """Max or mean over ``kernel**rank`` strided slices of the last ``rank`` axes (NumPy, CuPy: no pooling op)."""
    outs = [(n - kernel) // stride + 1 for n in x.shape[-rank:]]
    taps = []
    for offs in itertools.product(range(kernel), repeat=rank):
        index = (..., *(slice(o, o + stride * (k - 1) + 1, stride) for o, k in zip(offs, outs, strict=True)))
        taps.append(x[index])
    if kind == "max":
        return functools.reduce(xp.maximum, taps)
    return functools.reduce(lambda a, b: a + b, taps) * (1.0 / len(taps))


def parse_sizes(spec: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``"NxCxHxW:h[xw]"`` -> ``((N, C, H, W), (h, w))``: the output (or keep) size of the trailing axes."""
    try:
        left, right = spec.split(":")
        shape = tuple(int(v) for v in left.lower().split("x"))
        size = tuple(int(v) for v in right.lower().split("x"))
    except ValueError:
        raise ValueError(f"expected 'NxCx...:m[xm...]', received {spec!r}") from None
    rank = len(shape) - 2
    size = size * rank if len(size) == 1 else size
    if (
        rank < 1
        or len(size) != rank
        or min(shape + size) < 1
        or any(m > n for m, n in zip(size, shape[2:], strict=False))
    ):
        raise ValueError(f"expected 'NxCx...:m[xm...]' with 1 <= m <= n per spatial axis, received {spec!r}")
    return shape, size


class Problem:
    """One problem of a section; ``kind`` picks each backend's table (``table_<kind>``). Specs by kind:

    * ``pool``, ``nd``, ``overhead``: ``"NxCx...:m"``, pool the trailing axes to ``m``;
    * ``dropout``: ``"NxCx...:k"``, low-pass keeping ``k`` frequencies at the input size;
    * ``crossover``: ``"n"``, square ``n -> n // 2``, the batch making the float32 input about ``mib`` MiB;
    * ``steps``: ``"Net:batch"`` (plus ``width``, ``compile``); ``conv``: ``"NxCxHxW:out_channels"``;
    * ``roofline``: ``"n:mib"``, an ``n x n`` matmul and a sum and copy of ``mib`` MiB: this machine's GEMM
      throughput and memory bandwidth, the yardsticks a missed target is explained with.

    Array problems carry a float32 input ``x`` ``(N, C, *spatial)``, a cotangent ``g`` of the output, ``g_win``
    of the window baseline's output, and float64 references on ``x[:2, :2]`` only, cheap even at ImageNet sizes.
    """

    def __init__(self, section: str, kind: str, spec: str, **params: Any) -> None:
        self.section, self.kind, self.spec, self.params = section, kind, spec, params
        params.setdefault("full", kind == "pool")  # every baseline and method, or only max pooling against ours
        self.x = None
        if kind == "steps":
            net, batch = spec.split(":")
            params.update(net=net, batch=int(batch))
            self.label = f"{section} {net} batch {batch} width {params['width']:g}"
            return
        if kind == "conv":
            shape, cout = tuple(int(v) for v in spec.split(":")[0].split("x")), int(spec.split(":")[1])
            params.update(batch=shape[0], cin=shape[1], hw=shape[2], cout=cout)
            self.label = f"{section} 3x3 {shape[1]}->{cout} on ({','.join(map(str, shape))})"
            return
        if kind == "roofline":
            n, mib = map(int, spec.split(":"))
            params.update(gemm=n, stream_mib=mib)
            self.label = f"{section}: float32 matmul {n}x{n}, streams of {mib} MiB"
            return
        if kind == "crossover":
            n = int(spec)
            spec = f"{max(2, math.ceil(params['mib'] * 2**20 / (4 * n * n)))}x1x{n}x{n}:{n // 2}"
        self.shape, self.size = parse_sizes(spec)
        self.rank, self.spatial = len(self.size), self.shape[2:]
        out = self.size if kind != "dropout" else self.spatial
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal(self.shape, dtype=np.float32)
        self.g = rng.standard_normal(self.shape[:2] + out, dtype=np.float32)
        self.kernel, self.stride, self.window_note = window_for(self.spatial, self.size)
        win = tuple((n - self.kernel) // self.stride + 1 for n in self.spatial)
        self.g_win = rng.standard_normal(self.shape[:2] + win, dtype=np.float32)
        self.x64 = self.x[:2, :2].astype(np.float64)
        self.label = f"{section} ({','.join(map(str, self.shape))})->({','.join(map(str, out))})"
        self.label += f" keep {'x'.join(map(str, self.size))}" if kind == "dropout" else ""

    def mats(self, boundary: str) -> list[Any]:
        """The float64 operator of each spatial axis (pooling, or low-pass for ``dropout``)."""
        if self.kind == "dropout":
            return [lowpass_matrix(n, k, boundary) for n, k in zip(self.spatial, self.size, strict=True)]
        build = cosine_matrix if boundary == "symmetric" else resample_matrix
        return [build(n, m) for n, m in zip(self.spatial, self.size, strict=True)]

    def expect(self, oracle: str) -> Any:
        """The float64 output on ``x[:2, :2]``: a linear operator (``periodic``/``symmetric``) or a window pool."""
        if oracle in ("max", "avg"):
            return window_pool(self.x64, self.kernel, self.stride, oracle, self.rank, np)
        return apply_axes(self.x64, self.mats(oracle))

    def expect_grad(self, oracle: str) -> Any:
        """The float64 input gradient of ``sum(f(x) * g)`` on ``[:2, :2]``: the transposed operator applied to g."""
        return apply_axes(self.g[:2, :2].astype(np.float64), [a.T for a in self.mats(oracle)])


def conv_patch(x64: Any, w64: Any, patch: int) -> Any:
    """Float64 'same' cross-correlation (stride 1) of ``(B, C, H, W)`` by ``(O, C, k, k)``: outputs ``[:patch]^2``.

    The patch's border rows and columns are the zero-padded ones, so padding is checked too.
    """
    k = w64.shape[-1]
    xp = np.pad(x64[:, :, : patch + k, : patch + k], ((0, 0), (0, 0), (k // 2, k // 2), (k // 2, k // 2)))
    y = np.zeros((x64.shape[0], w64.shape[0], patch, patch))
    for i, j in itertools.product(range(k), repeat=2):
        y += np.einsum("bchw,oc->bohw", xp[:, :, i : i + patch, j : j + patch], w64[:, :, i, j])
    return y
