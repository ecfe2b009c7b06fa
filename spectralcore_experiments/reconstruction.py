"""The measurements of experiment 1: pool an image, bring it back to full size, and measure what was lost.

Images are ``(N, C, n, n)`` float64 arrays: the pooled axes last, the layout the core is fast on. The loss is the
relative approximation loss ``||x - x_hat|| / ||x||`` per image, over all its pixels and channels.

**Which upsampling pairs with which rule.** ``spectral_upsample`` has a single rule: it zero-pads the spectrum and
splits an even length's Nyquist bin into equal halves at ``+m/2`` and ``-m/2``. That equals the real part of the
literal "centre the spectrum and zero-pad it" recipe, and under ``norm="ortho"`` it is exactly the transpose of
``spectral_pool(..., nyquist="average")``, i.e. the backward pass the paper describes (zero-pad the spectrum). So
the paper's pair is ``spectral_upsample`` after the ``"average"`` pooling, and the same ``spectral_upsample`` is
also the right inverse of the ``"sum"`` pooling, for which upsample∘pool is the orthogonal projection onto the
band-limited images (hence the least loss, per image). :func:`nyquist_pairing_check` verifies all of this on the
per-axis matrices and the run records the result.

The relative loss does not depend on ``norm`` as long as pooling and upsampling use the same one (the two scale
factors cancel); the run verifies it on a subset of every dataset.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

import spectralcore as sc

RULES = ("sum", "average")
WINDOWS = ("max", "avg")
PERCENTILES = (10, 25, 50, 75, 90)
NORM_CHECK_IMAGES = 32
TOLERANCE = 1e-12
# Cached real matrices: at n <= 64 a matmul per axis is about twice as fast as the FFT path (measured here).
METHOD = "matmul"


def relative_loss(x: np.ndarray, x_hat: np.ndarray) -> np.ndarray:
    """Per-image relative loss ``||x - x_hat|| / ||x||`` over every axis but the first.

    Parameters
    ----------
    x, x_hat : ndarray, shape (N, ...)
        Images and their reconstructions.

    Returns
    -------
    ndarray, shape (N,)
    """
    diff = (x - x_hat).reshape(len(x), -1)
    flat = x.reshape(len(x), -1)
    return np.sqrt(np.einsum("ij,ij->i", diff, diff) / np.einsum("ij,ij->i", flat, flat))


def spectral_reconstruct(x: np.ndarray, m: int, *, nyquist: str = "sum", norm: str = "amplitude") -> np.ndarray:
    """Spectral pooling of the last two axes to ``m x m``, then spectral upsampling back to the input's size.

    Parameters
    ----------
    x : ndarray, shape (..., h, w)
        Real images; leading axes are batch axes.
    m : int
        Pooled side, ``1 <= m <= min(h, w)``.
    nyquist : {"sum", "average"}
        Nyquist rule of the pooling (the upsampling has only one, see the module docstring).
    norm : {"amplitude", "ortho"}
        DFT normalisation, the same for both steps.

    Returns
    -------
    ndarray, shape (..., h, w)
    """
    h, w = x.shape[-2:]
    pooled = sc.spectral_pool(x, (m, m), axes=(-2, -1), nyquist=nyquist, norm=norm, method=METHOD)
    return sc.spectral_upsample(pooled, (h, w), axes=(-2, -1), norm=norm, method=METHOD)


def window_reconstruct(x: np.ndarray, stride: int, kind: str) -> np.ndarray:
    """Max or average pooling over non-overlapping ``stride x stride`` windows, then nearest-neighbour upsampling.

    Parameters
    ----------
    x : ndarray, shape (..., h, w)
        Images; ``h`` and ``w`` must be multiples of ``stride``.
    stride : int
        Window side and stride.
    kind : {"max", "avg"}
        Pooling operator.

    Returns
    -------
    ndarray, shape (..., h, w)
    """
    return _window_blocks(x, stride, kind)[1].reshape(x.shape)


def _window_blocks(x: np.ndarray, stride: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """``x`` viewed as windows ``(..., h/s, s, w/s, s)`` and the reconstruction broadcast to that shape."""
    h, w = x.shape[-2:]
    if h % stride or w % stride:
        raise ValueError(f"window pooling needs sides divisible by the stride: got {h}x{w} and stride {stride}")
    if kind not in WINDOWS:
        raise ValueError(f"kind: expected one of {WINDOWS}, got {kind!r}")
    blocks = x.reshape(*x.shape[:-2], h // stride, stride, w // stride, stride)
    pooled = blocks.max(axis=(-3, -1), keepdims=True) if kind == "max" else blocks.mean(axis=(-3, -1), keepdims=True)
    # Broadcasting the pooled value over its window *is* nearest-neighbour upsampling (np.repeat on both axes).
    return blocks, np.broadcast_to(pooled, blocks.shape)


def window_strides(n: int) -> list[int]:
    """Strides ``s >= 2`` whose non-overlapping ``s x s`` windows tile an ``n x n`` image exactly."""
    return [s for s in range(2, n + 1) if n % s == 0]


def _batches(count: int, batch: int) -> Iterator[slice]:
    for start in range(0, count, batch):
        yield slice(start, min(start + batch, count))


def spectral_losses(
    images: np.ndarray, *, rules: tuple[str, ...] = RULES, norm: str = "amplitude", batch: int = 128
) -> dict[str, np.ndarray]:
    """Relative loss of spectral pooling + upsampling for every pooled side ``m = 1 .. n``.

    Parameters
    ----------
    images : ndarray, shape (N, C, n, n)
        Images with non-zero norm.
    rules : tuple of str
        Nyquist rules to measure.
    norm : {"amplitude", "ortho"}
        DFT normalisation (the losses do not depend on it).
    batch : int
        Images processed at once.

    Returns
    -------
    dict
        ``rule -> ndarray (N, n)``; column ``m - 1`` holds the loss at side ``m`` (the last column is 0: pooling
        to the full size is the identity).
    """
    n = images.shape[-1]
    out = {rule: np.empty((len(images), n)) for rule in rules}
    for part in _batches(len(images), batch):
        x = images[part]
        for rule in rules:
            for m in range(1, n + 1):
                out[rule][part, m - 1] = relative_loss(x, spectral_reconstruct(x, m, nyquist=rule, norm=norm))
    return out


def window_losses(images: np.ndarray, strides: list[int], *, batch: int = 128) -> dict[str, np.ndarray]:
    """Relative loss of max / average pooling + nearest-neighbour upsampling at each stride.

    Returns
    -------
    dict
        ``"max"`` and ``"avg"`` -> ndarray ``(N, len(strides))``.
    """
    out = {kind: np.empty((len(images), len(strides))) for kind in WINDOWS}
    for part in _batches(len(images), batch):
        x = images[part]
        for j, stride in enumerate(strides):
            for kind in WINDOWS:
                blocks, recon = _window_blocks(x, stride, kind)
                out[kind][part, j] = relative_loss(blocks, recon)
    return out


def summarize(losses: np.ndarray) -> dict[str, list[float]]:
    """Mean and percentiles (10, 25, 50 = median, 75, 90) over images (axis 0) of an ``(N, K)`` loss array."""
    pct = np.percentile(losses, PERCENTILES, axis=0)
    stats = {"mean": losses.mean(axis=0).tolist(), "median": pct[PERCENTILES.index(50)].tolist()}
    stats.update({f"p{p}": pct[i].tolist() for i, p in enumerate(PERCENTILES) if p != 50})
    return stats


def nearest_side(n: int, fraction: float) -> int:
    """The square side ``m`` in ``1..n`` whose fraction ``m**2 / n**2`` is nearest to ``fraction`` (in log scale)."""
    target = n * math.sqrt(fraction)
    candidates = {min(n, max(1, math.floor(target))), min(n, max(1, math.ceil(target)))}
    return min(sorted(candidates), key=lambda m: abs(math.log(m / target)))


def nyquist_pairing_check(n: int) -> dict[str, float]:
    """Check, on the per-axis ``n``-point matrices, which upsampling pairs with which Nyquist rule.

    For every ``m < n`` (``D`` pooling ``n -> m``, ``U`` upsampling ``m -> n``):

    * ``upsample_minus_avg_pool_transpose``: ``max |U - D_average^T|`` under ``norm="ortho"``: the upsampling is
      the adjoint of the paper's pooling (its backward pass, "zero-pad the spectrum");
    * ``upsample_minus_literal_zero_pad``: ``max |U - Re(literal zero-padding)|``: the centred spectrum padded
      with zeros (the Nyquist bin on one side only), inverse transformed, real part;
    * ``sum_pool_after_upsample_minus_identity``: ``max |D_sum U - I|``;
    * ``sum_projection_asymmetry`` and ``sum_projection_idempotency``: ``U D_sum`` is an orthogonal projection.

    Returns
    -------
    dict
        The largest deviation of each, over all ``m``.
    """
    worst = dict.fromkeys(
        (
            "upsample_minus_avg_pool_transpose",
            "upsample_minus_literal_zero_pad",
            "sum_pool_after_upsample_minus_identity",
            "sum_projection_asymmetry",
            "sum_projection_idempotency",
        ),
        0.0,
    )
    eye_n = np.eye(n)
    for m in range(1, n):
        # Column j of op(I) is op(e_j): the operator's matrix (axis 0 is the transformed one).
        d_avg = sc.spectral_pool(eye_n, m, axes=0, norm="ortho", nyquist="average", method=METHOD)
        d_sum = sc.spectral_pool(eye_n, m, axes=0, norm="ortho", nyquist="sum", method=METHOD)
        up = sc.spectral_upsample(np.eye(m), n, axes=0, norm="ortho", method=METHOD)
        centred = np.fft.fftshift(np.fft.fft(np.eye(m), axis=0, norm="ortho"), axes=0)
        padded = np.zeros((n, m), dtype=complex)
        padded[n // 2 - m // 2 : n // 2 - m // 2 + m] = centred
        literal = np.fft.ifft(np.fft.ifftshift(padded, axes=0), axis=0, norm="ortho").real
        proj = up @ d_sum
        for key, value in (
            ("upsample_minus_avg_pool_transpose", up - d_avg.T),
            ("upsample_minus_literal_zero_pad", up - literal),
            ("sum_pool_after_upsample_minus_identity", d_sum @ up - np.eye(m)),
            ("sum_projection_asymmetry", proj - proj.T),
            ("sum_projection_idempotency", proj @ proj - proj),
        ):
            worst[key] = max(worst[key], float(np.max(np.abs(value))))
    return worst


def measure(images: np.ndarray, *, batch: int = 128) -> dict[str, Any]:
    """All statistics of one dataset.

    Parameters
    ----------
    images : ndarray, shape (N, C, n, n)
        Float images in ``[0, 1]``; all-zero images are skipped and counted.
    batch : int
        Images processed at once.

    Returns
    -------
    dict
        ``count``, ``skipped_zero_norm``, ``spectral`` (per rule: ``m``, ``fraction`` and the statistics over images
        per side), ``window`` (per kind: ``stride``, ``pooled``, ``fraction``, statistics), ``comparison`` (one row
        per max-pooling stride), ``match_max_2x2`` and ``checks``.
    """
    if images.ndim != 4 or images.shape[-1] != images.shape[-2]:
        raise ValueError(f"expected square images of shape (N, C, n, n), got {images.shape}")
    n = images.shape[-1]
    nonzero = np.einsum("ijkl,ijkl->i", images, images) > 0
    images = images[nonzero]
    if len(images) == 0:
        raise ValueError("every image has norm 0: the relative loss is undefined")
    spec = spectral_losses(images, batch=batch)
    strides = window_strides(n)
    win = window_losses(images, strides, batch=batch)

    sides = list(range(1, n + 1))
    result: dict[str, Any] = {
        "n": n,
        "channels": int(images.shape[1]),
        "count": len(images),
        "skipped_zero_norm": int(np.count_nonzero(~nonzero)),
        "spectral": {
            rule: {"m": sides, "fraction": [m * m / (n * n) for m in sides], **summarize(spec[rule])} for rule in RULES
        },
        "window": {
            kind: {
                "stride": strides,
                "pooled": [n // s for s in strides],
                "fraction": [1 / (s * s) for s in strides],
                **summarize(win[kind]),
            }
            for kind in WINDOWS
        },
    }

    def median(a: np.ndarray) -> float:
        return float(np.median(a))

    def ratio_stats(num: np.ndarray, den: np.ndarray) -> dict[str, float]:
        # Per-image ratios need a non-zero denominator (a window-constant image is reconstructed exactly).
        ok = den > 0
        return {
            "ratio_of_medians": median(num) / median(den) if median(den) > 0 else math.nan,
            "median_of_ratios": median(num[ok] / den[ok]) if ok.any() else math.nan,
            "fraction_of_images_below": float(np.mean(num < den)),
        }

    comparison = []
    for j, stride in enumerate(strides):
        m = n // stride
        row: dict[str, Any] = {
            "stride": stride,
            "m": m,
            "fraction": 1 / (stride * stride),
            "median": {
                "sum": median(spec["sum"][:, m - 1]),
                "average": median(spec["average"][:, m - 1]),
                "max": median(win["max"][:, j]),
                "avg": median(win["avg"][:, j]),
            },
        }
        for rule in RULES:
            for kind in WINDOWS:
                row[f"{rule}_vs_{kind}"] = ratio_stats(spec[rule][:, m - 1], win[kind][:, j])
        comparison.append(row)
    result["comparison"] = comparison

    # The paper's headline: the fewest parameters with which spectral pooling (median over images) loses no more
    # than max pooling does at its smallest reduction, 2x2.
    match = None
    if strides and strides[0] == 2:
        target = median(win["max"][:, 0])
        medians = np.median(spec["sum"], axis=0)
        m_match = int(np.argmax(medians <= target)) + 1  # medians[-1] == 0, so a match always exists
        match = {
            "max_2x2_median": target,
            "m": m_match,
            "fraction": m_match * m_match / (n * n),
            "parameter_ratio": 0.25 / (m_match * m_match / (n * n)),
        }
    result["match_max_2x2"] = match

    k = min(NORM_CHECK_IMAGES, len(images))
    ortho = spectral_losses(images[:k], norm="ortho", batch=batch)
    result["checks"] = {
        # U D_sum is the orthogonal projection onto the band-limited images, U D_average is not: sum <= average.
        "sum_minus_average_max": float(np.max(spec["sum"] - spec["average"])),
        # Nested band-limited subspaces: the projection loss cannot grow with m.
        "sum_max_increase_in_m": float(np.max(np.diff(spec["sum"], axis=1))) if n > 1 else 0.0,
        "loss_at_full_size_max": float(np.max(np.abs([spec[r][:, -1] for r in RULES]))),
        "norm_invariance_images": k,
        "norm_invariance_max_abs_diff": float(max(np.max(np.abs(ortho[r] - spec[r][:k])) for r in RULES)),
        "tolerance": TOLERANCE,
    }
    result["checks"]["all_hold"] = bool(
        result["checks"]["sum_minus_average_max"] <= TOLERANCE
        and result["checks"]["sum_max_increase_in_m"] <= TOLERANCE
        and result["checks"]["loss_at_full_size_max"] <= TOLERANCE
        and result["checks"]["norm_invariance_max_abs_diff"] <= 1e-10
    )
    return result
