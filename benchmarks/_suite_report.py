"""Ratios, goals, the terminal table and the PNG plot of ``benchmarks/suite.py``."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

from bench_pool import fmt_ratio

STAT_KEYS = ("median_ms", "q1_ms", "q3_ms", "iqr_ms", "min_ms", "max_ms", "n_samples", "calls_per_sample", "times_ms")
CIFAR_MAX_SIDE = 32  # "the CIFAR shapes" of the GPU goal: inputs of at most 32 x 32

# The variant that stands for "spectral pooling" in the goals: what a user gets by default.
GOAL_VARIANTS = {"tensorflow": ("SpectralPooling2D", "spectral_pool[core matrices]")}
DEFAULT_GOAL_VARIANT = ("spectral_pool[auto]",)


def shape_key(rec: dict[str, Any]) -> str:
    """``(N,C,H,W)->(h,w)``."""
    return "(" + ",".join(map(str, rec["shape"])) + f")->({rec['out'][0]},{rec['out'][1]})"


def _index(records: list[dict[str, Any]]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    return {(shape_key(r), r["backend"], r["variant"], r["mode"]): r for r in records}


def resolve_aliases(records: list[dict[str, Any]]) -> None:
    """Give an untimed ``auto`` cell the statistics of the method it resolves to (marked ``alias_of``)."""
    idx = _index(records)
    for r in records:
        if r.get("alias_of") and "median_ms" not in r:
            src = idx.get((shape_key(r), r["backend"], r["alias_of"], r["mode"]))
            if src is not None and "median_ms" in src:
                r.update({k: src[k] for k in STAT_KEYS if k in src})
                for k in ("check", "first_call_s", "peak_memory"):
                    if src.get(k) is not None:
                        r[k] = src[k]


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0 or not math.isfinite(a) or not math.isfinite(b):
        return None
    return a / b


def compute_ratios(records: list[dict[str, Any]]) -> None:
    """Add ``ratios`` to every timed record (ratios of medians).

    * ``vs_max_pool2d``: this / the same backend's max pooling, same mode (below 1 = faster);
    * ``vs_read_once``: this / the time to read the input once (``x.sum()``, forward);
    * ``speedup_vs_<ref>``: ref / this, for spectral rows: the naive fft2 recipe, ``scipy``/``cupyx`` resample
      (forward), and for spectral convolution the plain convolution of the same framework (above 1 = faster).
    """
    idx = _index(records)
    for r in records:
        med = r.get("median_ms")
        if med is None:
            continue
        sk, be, mode = shape_key(r), r["backend"], r["mode"]

        def ref(variant: str, m: str = mode, sk: str = sk, be: str = be) -> float | None:
            x = idx.get((sk, be, variant, m))
            return None if x is None else x.get("median_ms")

        max_name = next(
            (v for (s, b, v, _m), x in idx.items() if s == sk and b == be and x["role"] == "max_pool2d"), None
        )
        ratios: dict[str, Any] = {
            "vs_max_pool2d": _ratio(med, ref(max_name) if max_name else None),
            "vs_read_once": _ratio(med, ref("read_once[x.sum]", "fwd")),
        }
        if r["role"] == "ours" and r["op"] == "pool":
            ratios["speedup_vs_naive_fft2"] = _ratio(ref("naive_fft2"), med)
            for rs in ("scipy_resample", "cupyx_resample"):
                if (sk, be, rs, "fwd") in idx and mode == "fwd":
                    ratios[f"speedup_vs_{rs}"] = _ratio(ref(rs), med)
        if r["role"] == "ours" and r["op"] == "conv":
            base = "keras.Conv2D" if r["variant"] == "SpectralConv2D" else "conv2d"
            ratios["speedup_vs_conv2d"] = _ratio(ref(base), med)
        r["ratios"] = ratios


def _goal(
    rows: list[dict[str, Any]],
    goal: str,
    rec: dict[str, Any] | None,
    key: str,
    value: float | None,
    thr: float,
    le: bool,
) -> None:
    if rec is None:
        return
    status = "n/a" if value is None else ("MET" if (value <= thr if le else value >= thr) else "MISSED")
    rows.append(
        {
            "goal": goal,
            "backend": rec["backend"],
            "shape": shape_key(rec),
            "variant": rec["variant"],
            "mode": rec["mode"],
            "metric": key,
            "value": value,
            "threshold": thr,
            "comparison": "<=" if le else ">=",
            "status": status,
        }
    )


def evaluate_goals(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MET / MISSED per goal of issue 6, per backend, shape and mode (the goals are reported, never asserted)."""
    rows: list[dict[str, Any]] = []
    shapes = list(dict.fromkeys(shape_key(r) for r in records))
    backends = list(dict.fromkeys(r["backend"] for r in records))
    idx = _index(records)

    def ours(sk: str, be: str, mode: str) -> dict[str, Any] | None:
        for v in GOAL_VARIANTS.get(be.split(":")[0], DEFAULT_GOAL_VARIANT):
            rec = idx.get((sk, be, v, mode))
            if rec is not None and "median_ms" in rec:
                return rec
        return None

    for sk in shapes:
        for be in backends:
            name, device = be.split(":")
            fb = ours(sk, be, "fb")
            fwd = ours(sk, be, "fwd")
            if be == "torch:cpu" and fb is not None:
                r = fb["ratios"]
                _goal(rows, "CPU torch f+b <= 0.3x max_pool2d", fb, "vs_max_pool2d", r.get("vs_max_pool2d"), 0.3, True)
                _goal(
                    rows,
                    "CPU torch >= 30x faster than naive (f+b)",
                    fb,
                    "speedup_vs_naive_fft2",
                    r.get("speedup_vs_naive_fft2"),
                    30.0,
                    False,
                )
            if name == "tensorflow":
                for rec in (fwd, fb):
                    if rec is not None:
                        value = rec["ratios"].get("vs_max_pool2d")
                        _goal(rows, "TF <= 3x tf.nn.max_pool2d", rec, "vs_max_pool2d", value, 3.0, True)
            if fwd is not None:
                value = fwd["ratios"].get("vs_read_once")
                _goal(rows, "forward <= 3x read-once floor", fwd, "vs_read_once", value, 3.0, True)
            cifar = max(fb["shape"][-2:]) <= CIFAR_MAX_SIDE if fb is not None else False
            if device == "cuda" and fb is not None and cifar:
                value = fb["ratios"].get("vs_max_pool2d")
                _goal(rows, "GPU f+b <= 1.5x max_pool2d (CIFAR shapes)", fb, "vs_max_pool2d", value, 1.5, True)
    return rows


# --------------------------------------------------------------------------------------
# Terminal output
# --------------------------------------------------------------------------------------


def fmt_ms(rec: dict[str, Any] | None) -> str:
    """``median±IQR`` in ms (``=`` marks an ``auto`` row that reuses the method it resolves to)."""
    if rec is None:
        return "-"
    if "error" in rec:
        return "ERROR"
    if "median_ms" not in rec:
        return "-"
    med, iqr = rec["median_ms"], rec["iqr_ms"]
    d = 3 if med < 1 else 2 if med < 10 else 1 if med < 100 else 0
    return ("=" if rec.get("alias_of") else "") + f"{med:.{d}f}±{iqr:.{d}f}"


def fmt_mem(rec: dict[str, Any] | None) -> str:
    """Peak memory in MiB: ``+extra`` over the live arrays (torch, CuPy), JAX's process-wide peak, ``n/a`` on CPU."""
    pm = (rec or {}).get("peak_memory")
    if not pm:
        return "n/a"
    extra = pm.get("extra_bytes")  # what the call needs on top of the live arrays (torch, CuPy)
    if extra is not None:
        return f"+{extra / (1 << 20):.0f}"
    return "n/a" if pm.get("peak_bytes") is None else f"{pm['peak_bytes'] / (1 << 20):.0f}"


def fmt_check(recs: list[dict[str, Any] | None]) -> str:
    """Max abs error of the forward (and gradient) check, ``FAIL`` if it exceeds the tolerance."""
    parts = []
    for r in recs:
        c = (r or {}).get("check")
        if c is None:
            continue
        if c.get("ok") is None:
            parts.append("unchecked")
            continue
        err = c.get("max_abs_err")
        parts.append(("-" if err is None else f"{err:.1e}") + ("" if c.get("ok") else " FAIL"))
    return "/".join(parts) or "-"


def _speedup(rec: dict[str, Any] | None) -> str:
    if rec is None or "ratios" not in rec:
        return "-"
    r = rec["ratios"]
    for key, short in (
        ("speedup_vs_naive_fft2", "naive"),
        ("speedup_vs_scipy_resample", "scipy"),
        ("speedup_vs_cupyx_resample", "cupyx"),
        ("speedup_vs_conv2d", "conv"),
    ):
        if r.get(key) is not None:
            return f"{r[key]:.3g}x {short}"
    return "-"


def print_table(records: list[dict[str, Any]]) -> None:
    """One block per shape; one line per (backend, variant) with both modes."""
    idx = _index(records)
    header = (
        f"{'backend':<15}{'op':<8}{'variant':<34}{'fwd ms':>14}{'f+b ms':>14}{'fwd/max':>9}{'f+b/max':>9}"
        f"{'fwd/floor':>10}{'speedup f+b|fwd':>17}{'peak MiB':>10}  check y/grad"
    )
    for sk in dict.fromkeys(shape_key(r) for r in records):
        print(f"\n== {sk}   median±IQR ms; ratios of medians; floor = read x once (x.sum())")
        print(header)
        seen: set[tuple[str, str]] = set()
        for r in records:
            if shape_key(r) != sk or (r["backend"], r["variant"]) in seen:
                continue
            seen.add((r["backend"], r["variant"]))
            fwd = idx.get((sk, r["backend"], r["variant"], "fwd"))
            fb = idx.get((sk, r["backend"], r["variant"], "fb"))
            rf = (fwd or {}).get("ratios", {})
            rb = (fb or {}).get("ratios", {})
            sp = _speedup(fb) if fb is not None and _speedup(fb) != "-" else _speedup(fwd)
            print(
                f"{r['backend']:<15}{r['op']:<8}{r['variant'][:33]:<34}{fmt_ms(fwd):>14}{fmt_ms(fb):>14}"
                f"{fmt_ratio(rf.get('vs_max_pool2d')):>9}{fmt_ratio(rb.get('vs_max_pool2d')):>9}"
                f"{fmt_ratio(rf.get('vs_read_once')):>10}{sp:>17}{fmt_mem(fwd or fb):>10}  {fmt_check([fwd, fb])}"
            )
        notes = dict.fromkeys(r["note"] for r in records if shape_key(r) == sk and r.get("note"))
        for n in notes:
            print(f"   note: {n}")


def print_goals(goals: list[dict[str, Any]]) -> None:
    """The goals table: value against threshold, MET / MISSED."""
    print("\n== Goals (issue 6; reported, not asserted)")
    if not goals:
        print("   (no goal applies to the backends and shapes run)")
        return
    print(f"{'goal':<44}{'backend':<16}{'shape':<28}{'mode':<5}{'variant':<30}{'value':>9}  target  status")
    for g in goals:
        val = "-" if g["value"] is None else f"{g['value']:.3g}"
        print(
            f"{g['goal']:<44}{g['backend']:<16}{g['shape']:<28}{g['mode']:<5}{g['variant'][:29]:<30}{val:>9}  "
            f"{g['comparison']}{g['threshold']:<5g}  {g['status']}"
        )


# --------------------------------------------------------------------------------------
# Plot
# --------------------------------------------------------------------------------------


def write_plot(records: list[dict[str, Any]], path: Path, title: str) -> str | None:
    """Bar charts: spectral pooling / max_pool2d (f+b, else fwd) and forward / read-once floor, per backend/shape.

    Returns the reason when no plot was written (matplotlib missing, nothing to plot), else ``None``.
    """
    if importlib.util.find_spec("matplotlib") is None:
        return "matplotlib not installed"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    idx = _index(records)
    shapes = list(dict.fromkeys(shape_key(r) for r in records))
    backends = list(dict.fromkeys(r["backend"] for r in records))

    def ours(sk: str, be: str, mode: str) -> dict[str, Any] | None:
        for v in GOAL_VARIANTS.get(be.split(":")[0], DEFAULT_GOAL_VARIANT):
            rec = idx.get((sk, be, v, mode))
            if rec is not None and rec.get("ratios"):
                return rec
        return None

    panels = [
        (
            "spectral pooling / max_pool2d (f+b; fwd where no autograd)",
            "vs_max_pool2d",
            [(0.3, "CPU torch f+b goal"), (1.5, "GPU goal"), (3.0, "TF goal")],
        ),
        ("spectral pooling forward / read-once floor", "vs_read_once", [(3.0, "goal")]),
    ]
    fig, axes = plt.subplots(2, 1, figsize=(max(8, 1.6 * len(shapes) * max(1, len(backends)) / 2), 8.5))
    width = 0.8 / max(1, len(backends))
    plotted = 0
    for ax, (label, key, lines) in zip(axes, panels, strict=True):
        for j, be in enumerate(backends):
            xs, ys = [], []
            for i, sk in enumerate(shapes):
                rec = ours(sk, be, "fb") if key == "vs_max_pool2d" else None
                rec = rec or ours(sk, be, "fwd")
                val = rec["ratios"].get(key) if rec else None
                if val:
                    xs.append(i + (j - (len(backends) - 1) / 2) * width)
                    ys.append(val)
            if xs:
                ax.bar(xs, ys, width=width, label=be)
                plotted += 1
        for y, text in lines:
            ax.axhline(y, color="k", lw=0.8, ls="--")
            ax.text(len(shapes) - 0.5, y, f" {text} ({y:g}x)", va="bottom", ha="right", fontsize=7)
        ax.set_yscale("log")
        ax.set_ylabel("ratio (lower is better)")
        ax.set_title(label, fontsize=10)
        ax.set_xticks(range(len(shapes)))
        ax.set_xticklabels(shapes, fontsize=7, rotation=10)
        ax.legend(fontsize=7, ncol=min(4, max(1, len(backends))))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    if not plotted:
        plt.close(fig)
        return "nothing to plot (no spectral pooling rows with ratios)"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)  # atomic, like the JSON
    return None
