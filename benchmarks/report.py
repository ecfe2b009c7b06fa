"""Ratios, goals, the matmul/FFT crossover, the text and the plot of ``benchmarks/run.py``; the machine; files.

Every ratio is a ratio of medians measured in the same run, on the same backend and in the same mode. Goals are
reported (MET / MISSED with the measured value), never asserted: machines are noisy.
"""

from __future__ import annotations

import dataclasses
import datetime
import fnmatch
import importlib.metadata
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

STATS = ("median_ms", "q1_ms", "q3_ms", "iqr_ms", "min_ms", "max_ms", "n_samples", "calls_per_sample", "times_ms")
OURS = "SpectralPool2d|SpectralPooling2D|spectral_pool[auto]"  # what a user gets: the layer, else the core
ND = "SpectralPool1d|SpectralPool3d|SpectralPooling1D|SpectralPooling3D|spectral_pool[auto]"
DROPOUT = "FrequencyDropout2d|FrequencyDropout2D|lowpass[keep]"
LEARNABLE = "LearnableSpectralPool2d|LearnableSpectralPooling2D"


@dataclasses.dataclass(frozen=True)
class Goal:
    """``value = metric(ours) / metric(base)``, one row per group of ``section`` and backend matching ``backends``.

    ``modes``, ``ours`` and ``base`` list alternatives (``","`` and ``"|"``): the first present wins. ``base``
    ``"@ref"`` is the group's reference row (max pooling, the max-pool net, the raw matmuls), ``"@floor"`` the
    read-once floor, ``""`` none: the value is ``metric(ours) * scale``. ``where`` keeps only one problem spec, or
    ``"H<=32"`` the CIFAR-sized ones. ``limit=None`` reports the value without a verdict. Goals come from issue 15
    unless the text names another (``#11``).
    """

    section: str
    backends: str
    modes: str
    ours: str
    base: str
    limit: float | None
    text: str
    where: str = ""
    metric: str = "median_ms"
    scale: float = 1.0

    def applies(self, r: dict[str, Any]) -> bool:
        """Whether the goal's ``where`` admits the record's problem."""
        if self.where == "H<=32":
            return max(r.get("shape", [0, 0, 99])[2:]) <= 32
        return not self.where or r.get("spec") == self.where


GOALS = (
    Goal("steps", "*:cpu", "step", "spectral", "max", 0.75, "train step: spectral net / max-pool net"),
    Goal("steps", "*", "step", "spectral+fused_dropout", "spectral", 1.03, "train step: fused dropout adds <= 3 %"),
    Goal("steps", "*", "step", "max+FrequencyDropout2d", "max", 1.10, "train step: standalone dropout adds <= 10 %"),
    Goal("steps", "*", "step", "spectral", "max", 1.0, "train step peak memory: spectral / max", metric="peak"),
    Goal("steps", "*:cuda", "step", "spectral", "max", 1.0, "GPU train step: spectral net / max-pool net"),
    Goal("steps", "*:cuda", "step", "spectral[compiled]", "max[compiled]", 1.0, "GPU compiled train step"),
    Goal("overhead", "*", "call", "SpectralPool2d", "", 20.0, "eager SpectralPool2d call, us", scale=1e3),
    Goal("overhead", "*", "call", "SpectralPool2d+dropout", "", 30.0, "... with dropout, us", scale=1e3),
    Goal("pool", "torch:cpu", "f+b", OURS, "@ref", 0.3, "CPU f+b / NCHW max_pool2d", "128x96x32x32:16"),
    Goal("pool", "torch:cpu", "f+b", OURS, "@ref", 1.0, "CPU f+b / NCHW max_pool2d", "16x64x224x224:112"),
    Goal("pool", "torch:cpu", "f+b", OURS, "@ref", 1.5, "CPU f+b / NCHW max_pool2d", "32x3x512x512:256"),
    Goal("pool", "*", "fwd", OURS, "@floor", 2.0, "forward / read-once floor x.sum()", "H<=32"),
    Goal("dropout", "*", "f+b,fwd", DROPOUT, "@ref", 1.5, "standalone frequency dropout / max_pool2d"),
    Goal("pool", "torch:*", "fwd", "SpectralPool2d[channels_last]", "", 0.0, "channels_last lost", metric="lost"),
    Goal("pool", "torch:*", "f+b", "SpectralPool2d[channels_last]", "@ref", None, "channels_last / NCHW max_pool2d"),
    Goal("pool", "tensorflow:*", "f+b", OURS, "@ref", 1.0, "Keras f+b / tf.nn.max_pool2d NHWC", "H<=32"),
    Goal("pool", "*:cuda", "f+b,fwd", OURS, "@ref", 1.5, "GPU eager / max_pool2d", "H<=32"),
    Goal("nd", "*:cpu", "f+b", ND, "@ref", 1.0, "#11 1-D/3-D f+b / max_pool1d/3d"),
    Goal("pool", "*", "f+b,fwd", "spectral_pool[auto,symmetric]", "spectral_pool[auto]", 1.2, "#11 cosine / periodic"),
    Goal("pool", "*", "f+b", LEARNABLE, "SpectralPool2d|SpectralPooling2D", 1.5, "#12 learnable / fixed"),
    Goal("conv", "torch:*", "step", "SpectralConv2d", "@ref", 1.10, "#3 SpectralConv2d Adam step / nn.Conv2d"),
    Goal("conv", "tensorflow:*", "step", "SpectralConv2D", "@ref", None, "#3 SpectralConv2D / keras.Conv2D"),
    # Issue 17 (flax:cpu against flax.linen.max_pool in nnx.jit): its goal goes here, with the flax backend's rows.
)


# --------------------------------------------------------------------------------------
# Ratios, goals, crossover
# --------------------------------------------------------------------------------------
def _div(a: Any, b: Any) -> float | None:
    return a / b if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0 else None


def add_ratios(records: list[dict[str, Any]]) -> None:
    """Resolve ``auto`` aliases, then ``ratios``: ``vs_ref``, ``vs_floor`` (fwd), ``speedup_vs_<naive|resample>``."""
    idx = {(r["group"], r["backend"], r["variant"], r["mode"]): r for r in records}
    for r in records:
        src = idx.get((r["group"], r["backend"], r.get("alias_of") or "", r["mode"]))
        if src is not None and "median_ms" in src:
            r.update({k: src[k] for k in STATS}, check=src.get("check"), peak_memory=src.get("peak_memory"))
    role = {(r["role"], r["group"], r["backend"], r["mode"]): r.get("median_ms") for r in records}
    for r in records:
        key, med = (r["group"], r["backend"], r["mode"]), r.get("median_ms")
        r["ratios"] = {"vs_ref": _div(med, role.get(("ref", *key)))}
        if r["mode"] == "fwd":
            r["ratios"]["vs_floor"] = _div(med, role.get(("floor", *key)))
        if med and "flop" in r:
            r["ratios"]["gflop_per_s"] = r["flop"] / med / 1e6
        if med and "bytes" in r:
            r["ratios"]["gb_per_s"] = r["bytes"] / med / 1e6
        for name in ("naive", "resample"):
            if r["role"] == "ours" and (ref := role.get((name, *key))) is not None:
                r["ratios"][f"speedup_vs_{name}"] = _div(ref, med)


def _metric(r: dict[str, Any] | None, metric: str) -> Any:
    if r is None:
        return None
    if metric == "peak":
        return (r.get("peak_memory") or {}).get("extra_bytes")
    if metric == "lost":  # channels_last in, something else out
        kept = (r.get("check") or {}).get("channels_last_out")
        return None if kept is None else float(not kept)
    return r.get(metric)


def evaluate_goals(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per goal, group and backend that has the goal's variants: value, limit, MET / MISSED / info."""
    idx = {(r["group"], r["backend"], r["variant"], r["mode"]): r for r in records}
    by_role = {(r["role"], r["group"], r["backend"], r["mode"]): r for r in records}
    rows = []
    for goal in GOALS:
        for section, group, backend in dict.fromkeys((r["section"], r["group"], r["backend"]) for r in records):
            if section != goal.section or not fnmatch.fnmatch(backend, goal.backends):
                continue
            for mode in goal.modes.split(","):
                ours = next((idx[k] for v in goal.ours.split("|") if (k := (group, backend, v, mode)) in idx), None)
                if ours is None or not goal.applies(ours) or _metric(ours, goal.metric) is None:
                    continue
                if goal.base in ("@ref", "@floor"):
                    base = by_role.get((goal.base[1:], group, backend, "fwd" if goal.base == "@floor" else mode))
                else:
                    base = next((idx[k] for v in goal.base.split("|") if (k := (group, backend, v, mode)) in idx), None)
                value = _div(_metric(ours, goal.metric) * goal.scale, _metric(base, goal.metric) if goal.base else 1.0)
                if value is None:
                    continue
                status = "info" if goal.limit is None else ("MET" if value <= goal.limit else "MISSED")
                rows.append(
                    dict(goal=goal.text, group=group, backend=backend, mode=mode, value=value)
                    | dict(ours=ours["variant"], base=base and base["variant"], limit=goal.limit, status=status)
                )
                break
    return rows


def crossover(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per backend and mode: where fft beats matmul, and the longest length ``method="auto"`` should give matmul."""
    out = []
    rows = [r for r in records if r["section"] == "crossover" and "median_ms" in r]
    for backend, mode in dict.fromkeys((r["backend"], r["mode"]) for r in rows):
        by_n: dict[int, dict[str, Any]] = {}
        for r in rows:
            if (r["backend"], r["mode"]) == (backend, mode):
                by_n.setdefault(r["shape"][-1], {})[r["variant"][len("spectral_pool[") : -1]] = r
        sizes = sorted(n for n, v in by_n.items() if {"matmul", "fft"} <= set(v))
        ratio = {n: by_n[n]["fft"]["median_ms"] / by_n[n]["matmul"]["median_ms"] for n in sizes}
        fft_from = next((n for n in sizes if all(ratio[m] < 1 for m in sizes if m >= n)), None)
        suggested = max((n for n in sizes if fft_from is None or n < fft_from), default=None)
        picks = {n: by_n[n]["matmul"].get("auto_picks") for n in sizes}
        now = max((n for n in sizes if picks[n] == "matmul"), default=None)
        if fft_from is None:
            limit = f"matmul faster at every tested n: auto's matmul limit >= {suggested}"
        else:
            limit = f"fft faster at every n >= {fft_from}: auto's matmul limit in [{suggested or 1}, {fft_from})"
        text = f"{backend} {mode}: {limit}; auto now gives matmul up to {now or 'none'} of the tested n"
        text += "" if now == suggested else "  <- auto differs"
        out.append(dict(backend=backend, mode=mode, fft_over_matmul=ratio, auto_picks=picks, fft_faster_from=fft_from))
        out[-1].update(suggested_matmul_max=suggested, suggestion_is_lower_bound=fft_from is None, text=text)
    return out


# --------------------------------------------------------------------------------------
# Text and plot
# --------------------------------------------------------------------------------------
def _ms(r: dict[str, Any]) -> str:
    if "median_ms" not in r:
        return "ERROR" if "error" in r else "-"
    med, iqr, alias = r["median_ms"], r["iqr_ms"], "=" if r.get("alias_of") else ""
    if med < 0.1:
        return f"{alias}{med * 1e3:.1f}±{iqr * 1e3:.1f}us"
    d = 3 if med < 1 else 2 if med < 10 else 1 if med < 100 else 0
    return f"{alias}{med:.{d}f}±{iqr:.{d}f}"


def _row(r: dict[str, Any]) -> str:
    ratios, c, mem = r.get("ratios", {}), r.get("check") or {}, r.get("peak_memory") or {}
    x = {k: "-" if ratios.get(k) is None else f"{ratios[k]:.3g}x" for k in ("vs_ref", "vs_floor")}
    speed = next((f"{v:.3g}x {k[11:]}" for k, v in ratios.items() if k.startswith("speedup") and v), "-")
    speed = f"{ratios['gflop_per_s']:.0f} GFLOP/s" if "gflop_per_s" in ratios else speed
    speed = f"{ratios['gb_per_s']:.1f} GB/s" if "gb_per_s" in ratios else speed
    peak = mem.get("extra_bytes", mem.get("peak_bytes"))
    check = "-" if not c else (f"{c['max_abs_err']:.1e}" if "max_abs_err" in c else "") + ("" if c["ok"] else " FAIL")
    return (
        f"{r['backend']:<16}{r['variant'][:37]:<38}{r['mode']:<6}{_ms(r):>17}{x['vs_ref']:>9}{x['vs_floor']:>9}"
        f"{speed:>16}{'n/a' if peak is None else f'{peak / 2**20:.1f}':>10}  {check}"
    )


def render(records: list[dict[str, Any]], goals: list[dict[str, Any]], cross: list[dict[str, Any]]) -> str:
    """The terminal report: one block per problem, the goal table and the crossover's conclusions."""
    out = []
    head = f"{'backend':<16}{'variant':<38}{'mode':<6}{'median±IQR ms':>17}{'/ref':>9}{'/floor':>9}{'speedup':>16}"
    for group in dict.fromkeys(r["group"] for r in records):
        rows = [r for r in records if r["group"] == group]
        refs = ", ".join(dict.fromkeys(r["variant"] for r in rows if r["role"] == "ref")) or "-"
        out += [f"\n== {group}   (ratios of medians; /ref = / {refs})", f"{head}{'peak MiB':>10}  check"]
        out += [_row(r) for r in rows] + [f"   note: {n}" for n in dict.fromkeys(r["note"] for r in rows) if n]
    out.append("\n== Goals (reported, never asserted; ours / base in one run, or an absolute value)")
    for g in goals:
        limit = "" if g["limit"] is None else f"<= {g['limit']:g}"
        out.append(
            f"{g['status']:<7}{g['goal'][:44]:<46}{g['backend']:<16}{g['group'][:50]:<52}{g['value']:>8.3g} {limit}"
        )
    out += ["\n== matmul/FFT crossover (n -> n/2)"] + [f"  {c['text']}" for c in cross] if cross else []
    return "\n".join(out)


def finish(payload: dict[str, Any], stem: Path) -> str:
    """The verdict (failures: a crash, or a check of ours; a baseline's is a warning), the plot and the text file."""
    records, bad = payload["results"], lambda r: (r.get("check") or {}).get("ok") is False
    failed = [r for r in records if "error" in r or (r["role"] == "ours" and bad(r))]
    payload["failures"] = [
        f"{r['backend']} {r['group']} {r['variant']} {r['mode']}: {r.get('error') or r['check']}" for r in failed
    ]
    payload["baseline_mismatches"] = [
        f"{r['backend']} {r['group']} {r['variant']}: {r['check']}" for r in records if r["role"] != "ours" and bad(r)
    ]
    payload["checks_passed"] = not failed
    machine = payload["machine"]
    title = f"spectralcore {payload['preset']} ({machine['cpu_model']}; {', '.join(machine['gpus']) or 'no GPU'})"
    why = plot(payload["goals"], payload["crossover"], stem.with_suffix(".png"), title)
    payload["plot"] = None if why else stem.with_suffix(".png").name
    lines = [render(records, payload["goals"], payload["crossover"])]
    lines += [f"note: {n}" for n in payload["notes"]] + [f"skipped {s}" for s in payload["skipped"]]
    lines.append(f"\nwall time {payload['wall_s']:.1f} s, max RSS {payload['max_rss_mib']:.0f} MiB; {stem}.json, .txt")
    lines[-1] += f" (no plot: {why})" if why else ", .png"
    lines += [f"WARNING: a baseline disagrees with its oracle (not fatal): {m}" for m in payload["baseline_mismatches"]]
    lines += ["FAIL: checks failed or contenders crashed:", *payload["failures"]] if failed else ["all checks passed"]
    write_atomic(stem.with_suffix(".txt"), "\n".join(lines) + "\n")
    return "\n".join(lines)


def plot(goals: list[dict[str, Any]], cross: list[dict[str, Any]], path: Path, title: str) -> str | None:
    """Goal value / limit (log scale; < 1 met) and the crossover's fft / matmul per n, as a PNG (atomic).

    Returns why no plot was written (matplotlib missing, nothing to plot), else None.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib not installed"
    scored = [g for g in goals if g["limit"]]
    if not scored and not cross:
        return "nothing to plot (no goal with a limit, no crossover)"
    fig, axes = plt.subplots(bool(scored) + bool(cross), 1, figsize=(11, 1.5 + 0.2 * len(scored) + 3 * bool(cross)))
    axes = list(axes) if bool(scored) + bool(cross) > 1 else [axes]
    if scored:
        ax = axes.pop(0)
        colors = ["tab:green" if g["status"] == "MET" else "tab:red" for g in scored]
        ax.barh(range(len(scored)), [g["value"] / g["limit"] for g in scored], color=colors)
        ax.set_yticks(range(len(scored)), [f"{g['goal']} | {g['backend']} | {g['group']}" for g in scored], fontsize=6)
        ax.axvline(1.0, color="k", lw=0.8, ls="--")
        ax.set(xscale="log", xlabel="measured / target (< 1: met)")
        ax.invert_yaxis()
    if cross:
        ax = axes.pop(0)
        for c in cross:
            ns = sorted(c["fft_over_matmul"])
            ax.plot(ns, [c["fft_over_matmul"][n] for n in ns], marker="o", label=f"{c['backend']} {c['mode']}")
        ax.axhline(1.0, color="k", lw=0.8, ls="--")
        ax.set(xscale="log", yscale="log", xlabel="n (pooled to n/2)", ylabel="fft / matmul time (> 1: matmul wins)")
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    write_atomic(path, buf.getvalue())
    return None


# --------------------------------------------------------------------------------------
# Machine description and files
# --------------------------------------------------------------------------------------
ENV_VARS = (  # noqa: SIM905 (one string: the list is long and only read)
    "OMP_NUM_THREADS OPENBLAS_NUM_THREADS MKL_NUM_THREADS MALLOC_MMAP_MAX_ MALLOC_TRIM_THRESHOLD_ MALLOC_TOP_PAD_ "
    "MALLOC_ARENA_MAX LD_PRELOAD KERAS_BACKEND TF_NUM_INTRAOP_THREADS TF_ENABLE_ONEDNN_OPTS XLA_FLAGS "
    "XLA_PYTHON_CLIENT_PREALLOCATE JAX_PLATFORMS CUDA_VISIBLE_DEVICES"
).split()
DISTRIBUTIONS = (  # noqa: SIM905
    "numpy scipy torch jax jaxlib flax tensorflow tensorflow-cpu keras cupy-cuda12x cupy-cuda13x array-api-compat "
    "spectralcore"
).split()


def _cpu_field(prefix: str) -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine_info() -> dict[str, Any]:
    """CPU (model, SIMD flags), cores, memory, GPUs (``nvidia-smi``), versions, BLAS, environment, argv."""
    flags = set((_cpu_field("flags") or "").split())
    try:
        smi = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        gpus = [s.strip() for s in smi.stdout.splitlines() if s.strip()] if smi.returncode == 0 else []
    except (OSError, subprocess.SubprocessError):
        gpus = []
    versions = {}
    for dist in DISTRIBUTIONS:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    info: dict[str, Any] = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": _cpu_field("model name") or platform.processor() or "unknown",
        "cpu_simd_flags": [f for f in ("avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if f in flags],
        "cpu_count": os.cpu_count(),
        "affinity_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "mem_total_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30), 1),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "gpus": gpus,
        "versions": versions,
        "env": {k: os.environ[k] for k in ENV_VARS if k in os.environ},
        "argv": sys.argv,
    }
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy_blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # show_config's layout is not a stable API
        info["numpy_blas"] = None
    return info


def thread_info() -> dict[str, Any]:
    """Thread counts of the frameworks already imported (nothing new is imported for it)."""
    out: dict[str, Any] = {}
    if (torch := sys.modules.get("torch")) is not None:
        out.update(torch_threads=torch.get_num_threads(), torch_interop_threads=torch.get_num_interop_threads())
    if (tf := sys.modules.get("tensorflow")) is not None:
        out["tf_intra_op_threads"] = tf.config.threading.get_intra_op_parallelism_threads()
    if (jax := sys.modules.get("jax")) is not None:
        out["jax_devices"] = [str(d) for d in jax.devices()]
    return out


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # mkstemp makes 0600; give the usual file mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """:func:`write_atomic` of ``payload`` as indented JSON."""
    write_atomic(path, json.dumps(payload, indent=1) + "\n")
