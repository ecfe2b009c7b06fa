"""Spectral pooling on a real photo: information kept versus parameters kept.

Reproduces, on one bundled photo, the "information preservation" comparison of Rippel, Snoek &
Adams (2015, Fig. 2/3): pool an image to fewer parameters, bring it back to full size, and
measure the relative loss ``||x - x_hat|| / ||x||`` against the fraction of parameters kept.

* spectral pooling + spectral upsampling, with the default ``nyquist="sum"`` rule (the
  ``scipy.signal.resample`` rule: upsample-after-pool is an orthogonal projection) and with the
  paper's ``nyquist="average"`` rule;
* max pooling and average pooling with stride 2, 4, 8, 16, brought back by nearest-neighbour
  upsampling (what the paper's reproductions used), in plain NumPy.

It also times ``spectral_pool`` (``method="matmul"`` and ``"fft"``) on a batch of random crops
of the photo against ``scipy.signal.resample`` on both axes, and checks the results against it.

Outputs (written atomically into ``--out``, default ``results/demo/`` at the repo root):
``photo_demo.json`` (all numbers) and ``photo_demo.png`` (loss curves + image grid).

Checks (exit status 1 with a ``FAIL`` line if any is violated):

1. spectral pooling loses less than max pooling at every stride (equal fraction kept);
2. the sum rule loses no more than the average rule (it is the orthogonal projection onto the
   same band-limited images, so it must);
3. ``spectral_pool(spectral_upsample(y)) == y`` (pooling undoes upsampling);
4. ``spectral_pool`` agrees with ``scipy.signal.resample`` on the timing batch.

Run ``python examples/photo_demo.py --help``.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

IMAGES = ("astronaut", "chelsea", "coffee", "rocket")
STRIDES = (2, 4, 8, 16)
# Spectral output sizes as fractions of each side: the pooling strides' sizes (for a fair
# equal-fraction comparison with max pooling), 32x, two extra points, and a non-square,
# non-power-of-two size (181x200 on the 512x512 astronaut).
EXTRA_SIDE_FRACTIONS = ((0.75, 0.75), (181 / 512, 200 / 512), (1 / 3, 1 / 3))
REPO_ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _umask() -> int:
    """The process umask (reading it requires setting it; restore at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def ensure_importable() -> None:
    """Let a plain checkout run this script: fall back to the repo root if not installed."""
    if importlib.util.find_spec("spectralcore") is None:
        sys.path.insert(0, str(REPO_ROOT))


def load_image(name: str) -> np.ndarray:
    """Load a bundled scikit-image photo as float64 in [0, 1], shape ``(H, W, 3)``."""
    import skimage.data

    img = getattr(skimage.data, name)()
    if img.dtype != np.uint8 or img.ndim != 3:
        raise ValueError(f"expected an RGB uint8 image for {name!r}, got {img.dtype} {img.shape}")
    return img.astype(np.float64) / 255.0


def rel_loss(x: np.ndarray, x_hat: np.ndarray) -> float:
    """Relative L2 loss ``||x - x_hat|| / ||x||`` over the whole array."""
    return float(np.linalg.norm(x - x_hat) / np.linalg.norm(x))


def window_pool_roundtrip(x: np.ndarray, stride: int, kind: str) -> tuple[np.ndarray, tuple]:
    """Max or average pool ``(H, W, C)`` by ``stride`` and upsample back by nearest neighbour.

    Sides that are not a multiple of ``stride`` are edge-padded first (so every pixel belongs
    to a window) and the reconstruction is cropped back to ``(H, W)``.

    Parameters
    ----------
    x : ndarray, shape (H, W, C)
        Image.
    stride : int
        Window size and stride.
    kind : {"max", "avg"}
        Pooling operator.

    Returns
    -------
    x_hat : ndarray, shape (H, W, C)
        Reconstruction.
    pooled_hw : tuple of int
        Size of the pooled map.
    """
    h, w = x.shape[:2]
    ph, pw = math.ceil(h / stride), math.ceil(w / stride)
    xp = np.pad(x, ((0, ph * stride - h), (0, pw * stride - w), (0, 0)), mode="edge")
    # (ph, s, pw, s, C): axes 1 and 3 run over each window.
    blocks = xp.reshape(ph, stride, pw, stride, x.shape[2])
    pooled = blocks.max(axis=(1, 3)) if kind == "max" else blocks.mean(axis=(1, 3))
    up = np.repeat(np.repeat(pooled, stride, axis=0), stride, axis=1)
    return up[:h, :w], (ph, pw)


def median_time(fn, *, repeats: int = 7, warmup: int = 2) -> dict[str, float]:
    """Median and min wall time of ``fn()`` in milliseconds, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": float(np.median(ts)), "min_ms": float(np.min(ts)), "n_calls": repeats}


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------
# The experiment
# --------------------------------------------------------------------------------------


def spectral_sizes(h: int, w: int) -> list[tuple[int, int]]:
    """Output sizes for the spectral curves, largest first, without duplicates."""
    sizes = [(math.ceil(h / s), math.ceil(w / s)) for s in (*STRIDES, 32)]
    sizes += [(max(1, round(h * fh)), max(1, round(w * fw))) for fh, fw in EXTRA_SIDE_FRACTIONS]
    return sorted(set(sizes), key=lambda s: -s[0] * s[1])


def information_loss(x: np.ndarray) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Loss versus fraction kept for the spectral and window-pooling round trips.

    Returns
    -------
    rows : list of dict
        One row per (method, size): ``method``, ``pooled_hw``, ``fraction``, ``rel_loss``.
    recon : dict
        Reconstructions keyed ``"<method>/<stride>"`` for the figure (strides only).
    """
    import spectralcore as sc

    h, w = x.shape[:2]
    rows: list[dict[str, Any]] = []
    recon: dict[str, np.ndarray] = {}
    stride_of = {(math.ceil(h / s), math.ceil(w / s)): s for s in STRIDES}
    # Channels first, contiguous: the pooled axes are then the last two (the default `axes`),
    # the layout the operators are tuned for. `axes=(0, 1)` on (H, W, 3) gives the same result.
    x_chw = np.ascontiguousarray(x.transpose(2, 0, 1))
    for size in spectral_sizes(h, w):
        for rule in ("sum", "average"):
            y = sc.spectral_pool(x_chw, size, nyquist=rule)
            x_hat = sc.spectral_upsample(y, (h, w)).transpose(1, 2, 0)
            rows.append(
                {
                    "method": f"spectral[{rule}]",
                    "pooled_hw": list(size),
                    "fraction": size[0] * size[1] / (h * w),
                    "rel_loss": rel_loss(x, x_hat),
                    "stride": stride_of.get(size),
                }
            )
            if rule == "sum" and size in stride_of:
                recon[f"spectral/{stride_of[size]}"] = x_hat
    for stride in STRIDES:
        for kind in ("max", "avg"):
            x_hat, pooled = window_pool_roundtrip(x, stride, kind)
            rows.append(
                {
                    "method": f"{kind}_pool+nearest",
                    "pooled_hw": list(pooled),
                    "fraction": pooled[0] * pooled[1] / (h * w),
                    "rel_loss": rel_loss(x, x_hat),
                    "stride": stride,
                }
            )
            recon[f"{kind}/{stride}"] = x_hat
    return rows, recon


def check_results(x: np.ndarray, rows: list[dict[str, Any]]) -> list[str]:
    """Checks 1-3 of the module docstring; returns the failure messages (empty if all pass)."""
    import spectralcore as sc

    fails: list[str] = []
    by = {(r["method"], tuple(r["pooled_hw"])): r for r in rows}
    for r in rows:
        if r["method"] != "max_pool+nearest":
            continue
        spec = by.get(("spectral[sum]", tuple(r["pooled_hw"])))
        if spec is None:
            fails.append(f"no spectral point at the max-pool size {r['pooled_hw']}")
        elif not spec["rel_loss"] < r["rel_loss"]:
            fails.append(
                f"spectral loss {spec['rel_loss']:.4f} >= max-pool loss {r['rel_loss']:.4f} "
                f"at stride {r['stride']} (fraction {r['fraction']:.5f})"
            )
    for (method, size), r in by.items():
        if method == "spectral[sum]":
            avg = by[("spectral[average]", size)]
            if r["rel_loss"] > avg["rel_loss"] + 1e-12:
                fails.append(
                    f"sum rule loss {r['rel_loss']:.6f} > average rule loss "
                    f"{avg['rel_loss']:.6f} at {list(size)}: U D_sum should be the projection"
                )
    # Pooling must undo upsampling exactly (D U = I), non-square and odd sizes included.
    rng = np.random.default_rng(0)
    for small, big in (((181, 200), x.shape[:2]), ((16, 17), (64, 48))):
        y = rng.standard_normal((*small, 3))
        back = sc.spectral_pool(sc.spectral_upsample(y, big, axes=(0, 1)), small, axes=(0, 1))
        err = float(np.max(np.abs(back - y)))
        if not err < 1e-10:
            fails.append(f"spectral_pool(spectral_upsample(y)) != y for {small}->{big}: {err:.2e}")
    return fails


def timing(x: np.ndarray, n_crops: int, crop: int, seed: int) -> dict[str, Any]:
    """Time ``spectral_pool`` (matmul, fft) and ``scipy.signal.resample`` on random crops.

    The batch is ``(n_crops, 3, crop, crop)`` float32 pooled to ``crop // 2``.
    """
    from scipy.signal import resample

    import spectralcore as sc

    h, w = x.shape[:2]
    crop = min(crop, h, w)
    rng = np.random.default_rng(seed)
    tops = rng.integers(0, h - crop + 1, n_crops)
    lefts = rng.integers(0, w - crop + 1, n_crops)
    batch = np.stack([x[t : t + crop, s : s + crop].transpose(2, 0, 1) for t, s in zip(tops, lefts, strict=True)])
    batch = np.ascontiguousarray(batch, dtype=np.float32)
    m = crop // 2
    ref = resample(resample(batch.astype(np.float64), m, axis=-2), m, axis=-1)
    out: dict[str, Any] = {"batch_shape": list(batch.shape), "dtype": "float32", "out": [m, m]}
    variants = {
        "spectral_pool[matmul]": lambda: sc.spectral_pool(batch, m, method="matmul"),
        "spectral_pool[fft]": lambda: sc.spectral_pool(batch, m, method="fft"),
        "scipy_resample": lambda: resample(resample(batch, m, axis=-2), m, axis=-1),
    }
    for name, fn in variants.items():
        y = fn()
        out[name] = median_time(fn)
        out[name]["max_abs_err_vs_float64_resample"] = float(np.max(np.abs(y - ref)))
        out[name]["out_dtype"] = str(y.dtype)
    base = out["scipy_resample"]["median_ms"]
    for name in ("spectral_pool[matmul]", "spectral_pool[fft]"):
        out[name]["speedup_vs_resample"] = base / out[name]["median_ms"]
    return out


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def make_figure(x: np.ndarray, rows: list[dict[str, Any]], recon: dict[str, np.ndarray], title: str):
    """Loss curves on the left; photo reconstructions (spectral vs max pooling) on the right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(15, 6.2), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=(1, 1.35))
    ax = left.subplots()
    styles = {
        "spectral[sum]": ("o-", "spectral pooling (sum rule, default)"),
        "spectral[average]": ("x--", "spectral pooling (paper's average rule)"),
        "max_pool+nearest": ("s-", "max pooling + nearest upsampling"),
        "avg_pool+nearest": ("^-", "average pooling + nearest upsampling"),
    }
    for method, (style, label) in styles.items():
        pts = sorted((r["fraction"], r["rel_loss"]) for r in rows if r["method"] == method)
        ax.plot(*zip(*pts, strict=True), style, label=label, ms=5)
    ax.set_xscale("log")
    ax.set_xlabel("fraction of parameters kept")
    ax.set_ylabel(r"relative loss $\|x-\hat{x}\|\,/\,\|x\|$")
    ax.set_title(f"Information kept: {title}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9)

    strides = [s for s in (4, 8, 16) if f"max/{s}" in recon]
    axes = right.subplots(2, len(strides) + 1, squeeze=False)
    rows_def = (("spectral", "spectral"), ("max", "max pool"))
    for i, (key, label) in enumerate(rows_def):
        axes[i, 0].imshow(x)
        axes[i, 0].set_ylabel(label)
        for j, s in enumerate(strides, start=1):
            # Clipped for display only; the losses use the unclipped reconstructions.
            axes[i, j].imshow(np.clip(recon[f"{key}/{s}"], 0.0, 1.0))
            if i == 0:
                axes[i, j].set_title(f"1/{s} per side\n{1 / s**2:.2%} kept", fontsize=10)
    axes[0, 0].set_title("original", fontsize=10)
    right.suptitle("reconstructions at full size: spectral (top) vs max pooling (bottom)")
    for a in axes.ravel():
        a.set_xticks([])
        a.set_yticks([])
    return fig


def save_figure(fig, path: Path) -> None:
    """Render the figure to PNG in memory and write it atomically."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    atomic_write_bytes(path, buf.getvalue())


def print_loss_table(rows: list[dict[str, Any]]) -> None:
    """Loss table: one line per pooled size, methods as columns."""
    methods = ("spectral[sum]", "spectral[average]", "max_pool+nearest", "avg_pool+nearest")
    by_size: dict[tuple[int, int], dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_size.setdefault(tuple(r["pooled_hw"]), {})[r["method"]] = r
    print(f"{'pooled HxW':>11} {'fraction':>9} {'stride':>6} " + " ".join(f"{m:>18}" for m in methods))
    for size in sorted(by_size, key=lambda s: -s[0] * s[1]):
        cells = by_size[size]
        any_row = next(iter(cells.values()))
        stride = any_row.get("stride")
        print(
            f"{size[0]:>5}x{size[1]:<5} {any_row['fraction']:>9.5f} {stride or '':>6} "
            + " ".join(f"{cells[m]['rel_loss']:>18.4f}" if m in cells else f"{'-':>18}" for m in methods)
        )


def main(argv: list[str] | None = None) -> int:
    """Run the demo; return the exit status (1 if a check fails)."""
    p = argparse.ArgumentParser(
        description=(
            "Spectral pooling vs max/average pooling on a bundled real photo: relative L2 "
            "loss after pooling and upsampling back, vs fraction of parameters kept; plus a "
            "timing of spectral_pool vs scipy.signal.resample. Exit status 1 if a check fails."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--image", choices=IMAGES, default="astronaut", help="bundled skimage photo")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "demo", help="output folder")
    p.add_argument("--crops", type=int, default=64, help="random crops in the timing batch")
    p.add_argument("--crop-size", type=int, default=128, help="side of each (square) crop")
    p.add_argument("--seed", type=int, default=0, help="seed for the crop positions")
    args = p.parse_args(argv)
    if args.crops < 1 or args.crop_size < 2:
        p.error("--crops must be >= 1 and --crop-size >= 2")

    ensure_importable()
    t0 = time.perf_counter()
    import spectralcore as sc

    x = load_image(args.image)
    h, w = x.shape[:2]
    print(f"photo_demo: skimage.data.{args.image}() {h}x{w}x3, float64 in [0, 1]")

    rows, recon = information_loss(x)
    print("\nRelative L2 loss ||x - x_hat|| / ||x|| after pooling and upsampling back:")
    print_loss_table(rows)
    fails = check_results(x, rows)

    t = timing(x, args.crops, args.crop_size, args.seed)
    print(
        f"\nTiming on {args.crops} random {t['batch_shape'][-1]}x{t['batch_shape'][-1]} RGB crops "
        f"{tuple(t['batch_shape'])} float32 -> {t['out'][0]}x{t['out'][1]} (median of 7, ms):"
    )
    for name in ("spectral_pool[matmul]", "spectral_pool[fft]", "scipy_resample"):
        r = t[name]
        extra = f"  {r['speedup_vs_resample']:.2f}x vs resample" if "speedup_vs_resample" in r else ""
        print(
            f"  {name:<22} {r['median_ms']:9.3f} ms (min {r['min_ms']:.3f})  "
            f"max err vs float64 {r['max_abs_err_vs_float64_resample']:.1e}{extra}"
        )
        # float32 against float64: errors of ~1e-6 are rounding; 1e-4 would be a bug.
        if not r["max_abs_err_vs_float64_resample"] < 1e-4 or r["out_dtype"] != "float32":
            fails.append(f"{name} disagrees with resample or changed dtype: {r}")

    args.out.mkdir(parents=True, exist_ok=True)
    png = args.out / "photo_demo.png"
    js = args.out / "photo_demo.json"
    fig = make_figure(x, rows, recon, f"skimage.data.{args.image}() {h}x{w}")
    save_figure(fig, png)
    payload = {
        "image": f"skimage.data.{args.image}()",
        "image_shape": list(x.shape),
        "loss_definition": "||x - x_hat||_F / ||x||_F over all pixels and channels, unclipped",
        "window_pool_padding": "edge padding to a multiple of the stride, cropped back after",
        "rows": rows,
        "timing": t,
        "checks_failed": fails,
        "versions": {
            "spectralcore": getattr(sc, "__version__", "unknown"),
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "wall_s": time.perf_counter() - t0,
    }
    atomic_write_bytes(js, (json.dumps(payload, indent=1) + "\n").encode())
    print(f"\nwrote {png}\nwrote {js}\n(wall {payload['wall_s']:.1f} s)")

    if fails:
        for f in fails:
            print(f"FAIL: {f}")
        return 1
    print(
        "OK: spectral pooling loses less than max pooling at every stride; the sum rule "
        "never loses more than the average rule; pool(upsample(y)) == y; timings agree "
        "with scipy.signal.resample."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
