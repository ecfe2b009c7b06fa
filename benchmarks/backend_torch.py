"""PyTorch (CPU, CUDA): the core and the ``spectralcore_torch`` layers against ``torch.nn.functional``.

Forward runs under ``no_grad``; forward+backward is ``(f(x) * g).sum().backward()``; a ``step`` is one whole
training step (forward, backward, optimizer) of a model; a ``call`` is one eager forward with grad mode on.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from contenders import FWD, Backend, Row, Skip, core_pool_rows, crossover_rows, roofline_rows
from problems import conv_patch, resample_matrix
from timing import check_close

import spectralcore as sc


class TorchBackend(Backend):
    """``torch:cpu`` or ``torch:cuda`` (TF32 off: every backend computes in full float32)."""

    name = "torch"
    differentiable = True

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        try:
            import torch
        except ImportError:
            raise Skip(f"torch:{device}: torch not installed") from None
        if device not in ("cpu", "cuda"):
            raise Skip(f"torch:{device}: unsupported device")
        if device == "cuda" and not torch.cuda.is_available():
            raise Skip("torch:cuda: no CUDA device")
        if threads:
            torch.set_num_threads(threads)
        super().__init__(device)
        self.torch, self.F, self.dev = torch, torch.nn.functional, torch.device(device)
        from array_api_compat import torch as xp

        self.xp = xp
        if device == "cuda":
            with warnings.catch_warnings():  # newer torch prefers the fp32_precision API; both still work
                warnings.simplefilter("ignore")
                torch.backends.cuda.matmul.allow_tf32 = False
                torch.backends.cudnn.allow_tf32 = False
            self.notes.append("torch:cuda: TF32 off for matmul and cuDNN (full float32)")
        try:
            self.sct: Any = importlib.import_module("spectralcore_torch")
            from spectralcore_torch import models

            self.models: Any = models
        except Exception as exc:
            self.sct = self.models = None
            self.notes.append(f"torch:{device}: layer rows skipped (spectralcore_torch: {type(exc).__name__}: {exc})")

    def put(self, a: Any) -> Any:
        """NumPy -> tensor on the device."""
        return self.torch.from_numpy(np.ascontiguousarray(a)).to(self.dev)

    def view64(self, y: Any) -> Any:
        """``y[:2, :2]`` as float64 NumPy (any memory format)."""
        return y[:2, :2].detach().to("cpu", self.torch.float64).numpy()

    def sync(self, out: Any) -> None:
        """CUDA work is asynchronous: wait for it before reading the clock."""
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def forward(self, row: Row, x: Any) -> Callable[[], Any]:
        """One call under ``no_grad``."""

        def run() -> Any:
            with self.torch.no_grad():
                return row.f(x)

        return run

    def fwd_bwd(self, row: Row, x: Any, g: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
        """``(f(x) * g).sum().backward()``; returns ``x.grad``."""
        xg = x.detach().clone().requires_grad_(True)  # clone keeps the memory format

        def run() -> Any:
            xg.grad = None
            for prm in row.params:
                prm.grad = None
            (row.f(xg) * g).sum().backward()
            return xg.grad

        return run, lambda gx: gx

    def memory(self, fn: Callable[[], Any]) -> dict[str, Any] | None:
        """Peak bytes one call allocates above those live before it: CUDA's counter, or the CPU profiler's."""
        torch = self.torch
        if self.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
            out = fn()
            torch.cuda.synchronize()
            del out
            return {"extra_bytes": int(torch.cuda.max_memory_allocated() - base), "source": "torch.cuda"}
        from torch.profiler import ProfilerActivity, profile

        # Every allocation and free of torch's CPU allocator is a "[memory]" event with a signed size; their running
        # sum in time order is the bytes live above the start, and its maximum the call's peak (what CUDA's
        # max_memory_allocated reports on a GPU). Allocations outside torch (NumPy, Python) are not counted.
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            out = fn()
        del out
        events = prof.profiler.kineto_results.events()
        live = peak = 0
        for _, nbytes in sorted((e.start_ns(), e.nbytes()) for e in events if e.name() == "[memory]"):
            live += nbytes
            peak = max(peak, live)
        return {"extra_bytes": int(peak), "source": "torch.profiler(profile_memory=True) [memory] events"}

    def close(self) -> None:
        """Return cached CUDA blocks (other backends share the GPU)."""
        if self.device == "cuda":
            self.torch.cuda.empty_cache()

    # ------------------------------------------------------------------------------ tables
    def layer(self, stem: str, rank: int) -> Any:
        """``spectralcore_torch.<stem>{rank}d`` if this adapter has it, else None."""
        return getattr(self.sct, f"{stem}{rank}d", None) if self.sct is not None else None

    def table_pool(self, p: Any) -> list[Row]:
        """Floor, max/avg pooling, naive recipe, the core per method, the layers (fused dropout, channels_last)."""
        F, k, full = self.F, p.rank, p.params["full"]
        kern, stride = p.kernel, p.stride
        max_pool, avg_pool = getattr(F, f"max_pool{k}d"), getattr(F, f"avg_pool{k}d")
        rows = [
            Row("read_once[x.sum]", lambda t: t.sum(), role="floor", modes=FWD),
            Row(f"max_pool{k}d", lambda t: max_pool(t, kern, stride), role="ref", oracle="max", note=p.window_note),
        ]
        if full:
            rows.append(Row(f"avg_pool{k}d", lambda t: avg_pool(t, kern, stride), role="baseline", oracle="avg"))
            if p.window_note and k == 2:  # what a user would otherwise pick for a non-integer reduction
                rows.append(Row("adaptive_avg_pool2d", lambda t: F.adaptive_avg_pool2d(t, p.size), role="baseline"))
        rows += core_pool_rows(self, p)
        layer = self.layer("SpectralPool", k)
        if layer is None:
            self.notes.append(f"torch: no SpectralPool{k}d in spectralcore_torch: its rows are skipped")
            return rows
        plain = layer(p.size)
        rows.append(Row(f"SpectralPool{k}d", plain, oracle="periodic"))
        if full and k == 2:
            low = math.ceil(min(p.size) / 2)
            for per_sample in (False, True):
                timed = layer(p.size, dropout_min_fraction=0.5, dropout_per_sample=per_sample).train()
                fixed = layer(p.size, dropout_bounds=(min(p.size),) * 2, dropout_per_sample=per_sample).train()
                name = "SpectralPool2d+dropout" + ("[per_sample]" if per_sample else "")
                note = f"training mode, keep drawn from [{low}, {min(p.size)}]; checked with the full band"
                rows.append(Row(name, timed, oracle="periodic", check_with=fixed, note=note))
            to_cl = lambda t: t.contiguous(memory_format=self.torch.channels_last)  # noqa: E731
            rows.append(Row("max_pool2d[channels_last]", rows[1].f, role="baseline", oracle="max", prepare=to_cl))
            check = self._channels_last_check(p)
            rows.append(Row("SpectralPool2d[channels_last]", plain, oracle="periodic", prepare=to_cl, check=check))
        learnable = self.layer("LearnableSpectralPool", k)
        if full and k == 2 and learnable is not None:
            # At the fixed layer's output size: stride n/m with ramp 1 gives exactly m (and equals SpectralPool2d,
            # so the same oracle checks it); f+b also backpropagates to the stride.
            strides = tuple(n / m for n, m in zip(p.spatial, p.size, strict=True))
            layer = learnable(stride=strides, ramp=1.0).to(self.dev).train()
            note = f"stride {'x'.join(f'{s:.4g}' for s in strides)}, ramp 1 (output {p.size}); grad to the stride too"
            rows.append(Row("LearnableSpectralPool2d", layer, oracle="periodic", params=[layer.stride], note=note))
        return rows

    def _channels_last_check(self, p: Any) -> Callable[[Any], dict[str, Any]]:
        def check(y: Any) -> dict[str, Any]:
            rec = check_close(self.view64(y), p.expect("periodic"), y.dtype)
            rec["channels_last_out"] = bool(y.is_contiguous(memory_format=self.torch.channels_last))
            return rec

        return check

    table_nd = table_pool  # 1-D and 3-D: max_pool1d/3d, the core along ``axes``, SpectralPool1d/3d when they exist

    def table_dropout(self, p: Any) -> list[Row]:
        """Standalone frequency dropout at the input size against max_pool2d."""
        kern, stride, keep = p.kernel, p.stride, min(p.size)
        rows = [
            Row("max_pool2d", lambda t: self.F.max_pool2d(t, kern, stride), role="ref", oracle="max"),
            Row("lowpass[keep]", lambda t: sc.lowpass(t, p.size), oracle="periodic"),
        ]
        layer = self.layer("FrequencyDropout", 2)
        if layer is not None:
            timed = layer(bounds=(math.ceil(keep / 2), keep)).train()
            fixed = layer(bounds=(keep, keep)).train()
            note = f"training mode, keep drawn from [{math.ceil(keep / 2)}, {keep}]; checked with keep {keep}"
            rows.append(Row("FrequencyDropout2d", timed, oracle="periodic", check_with=fixed, note=note))
        return rows

    def table_crossover(self, p: Any) -> list[Row]:
        """matmul against fft, forward and forward+backward."""
        return crossover_rows(self, p)

    def table_overhead(self, p: Any) -> list[Row]:
        """Host time of one eager call on a tiny input; the two raw matmuls of the same operator are the floor."""
        x = self.put(p.x)
        a_h, a_w = (
            sc.pool_matrix(n, m, xp=self.torch, dtype=self.torch.float32, device=self.dev)
            for n, m in zip(p.spatial, p.size, strict=True)
        )
        a_wt = a_w.T.contiguous()
        rows = [
            Row("raw matmuls a_h @ x @ a_w.T", lambda: a_h @ x @ a_wt, role="ref", oracle="periodic"),
            Row("spectral_pool[auto]", lambda: sc.spectral_pool(x, p.size), role="baseline", oracle="periodic"),
            Row("max_pool2d", lambda: self.F.max_pool2d(x, p.kernel, p.stride), role="baseline", oracle="max"),
        ]
        plan = getattr(sc, "plan_spectral_pool", None)
        if plan is not None:
            planned = plan(tuple(x.shape), p.size, xp=self.torch, dtype=x.dtype, device=self.dev)
            rows.append(Row("plan_spectral_pool(...)(x)", lambda: planned(x), role="baseline", oracle="periodic"))
        layer = self.layer("SpectralPool", 2)
        if layer is not None:
            plain, drop = layer(p.size), layer(p.size, dropout_min_fraction=0.5).train()
            fixed = layer(p.size, dropout_bounds=(min(p.size),) * 2).train()
            rows.append(Row("SpectralPool2d", lambda: plain(x), oracle="periodic"))
            rows.append(
                Row("SpectralPool2d+dropout", lambda: drop(x), oracle="periodic", check_with=lambda _: fixed(x))
            )
        for r in rows:
            r.modes = ("call",)
        return rows

    def table_roofline(self, p: Any) -> list[Row]:
        """This device's GEMM throughput and memory bandwidth."""
        return roofline_rows(self, p)

    def table_steps(self, p: Any) -> list[Row]:
        """One SGD step (forward, backward, optimizer) of a paper net with spectral or max pooling."""
        if self.models is None:
            raise Skip("steps need spectralcore_torch.models")
        torch, prm = self.torch, p.params
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(prm["batch"], 3, 32, 32, generator=gen).to(self.dev)
        labels = torch.randint(0, 10, (prm["batch"],), generator=gen).to(self.dev)
        if prm["net"] == "SpectralPoolNet":
            kw = dict(input_size=32, num_stages=prm.get("stages", 6), width=prm["width"])
            nets = {
                "spectral": dict(kw, pool="spectral", frequency_dropout=False),
                "spectral+fused_dropout": dict(kw, pool="spectral", frequency_dropout=True),
                "max": dict(kw, pool="max", frequency_dropout=False),
                "max+FrequencyDropout2d": dict(kw, pool="max", frequency_dropout=True),
            }
        else:
            nets = {"spectral": {"width": prm["width"], "pool": "spectral"}, "max": {"width": prm["width"]}}
        rows = []
        for name, kwargs in nets.items():
            # Compiled twins (on CUDA, or with --compile) of the two nets the GPU goal compares; each costs a compile.
            twins = (prm["compile"] or self.device == "cuda") and name in ("spectral", "max")
            for compiled in (False, True) if twins else (False,):
                torch.manual_seed(0)  # the same convolution weights in every twin
                net = self._net(prm["net"], kwargs).to(self.dev).train()
                opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
                run = torch.compile(net) if compiled else net
                step = self._step(run, opt, x, labels)
                variant = name + ("[compiled]" if compiled else "")
                role = "ref" if variant == "max" else "baseline" if name == "max" else "ours"
                rows.append(Row(variant, step, role=role, modes=("step",), check=self._net_check(net, x), memory=True))
        return rows

    def _net(self, name: str, kwargs: dict[str, Any]) -> Any:
        cls = getattr(self.models, name)
        swap = kwargs.get("pool") == "spectral" and "pool" not in inspect.signature(cls).parameters
        net = cls(3, 10, **{k: v for k, v in kwargs.items() if not (swap and k == "pool")})
        if swap:  # a net without a pool= option: its max pools (32 -> 16 -> 8) become spectral pools of the same sizes
            for child, module in list(net.layers.named_children()):
                if isinstance(module, self.torch.nn.MaxPool2d):
                    setattr(net.layers, child, self.sct.SpectralPool2d(scale=0.5))
        return net

    def _step(self, net: Any, opt: Any, x: Any, labels: Any) -> Callable[[], Any]:
        F = self.F

        def step() -> Any:
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(x), labels)
            loss.backward()
            opt.step()
            return loss

        return step

    def _net_check(self, net: Any, x: Any) -> Callable[[Any], dict[str, Any]]:
        """Eval-mode logits of ``net`` against a float64 copy whose spectral pools apply scipy's resample matrices."""
        torch, sct = self.torch, self.sct

        class OraclePool(torch.nn.Module):
            def __init__(self, layer: Any) -> None:
                super().__init__()
                self.layer = layer

            def forward(self, t: Any) -> Any:
                h, w = self.layer(t).shape[-2:]  # the layer's size rule; the values come from the oracle
                a, b = (torch.from_numpy(resample_matrix(n, m)).to(t) for n, m in ((t.shape[-2], h), (t.shape[-1], w)))
                return a @ t @ b.T

        def swap(module: Any) -> None:
            for name, child in module.named_children():
                if isinstance(child, sct.SpectralPool2d):
                    setattr(module, name, OraclePool(child))
                else:
                    swap(child)

        def check(loss: Any) -> dict[str, Any]:
            ref = copy.deepcopy(net).double().eval()
            swap(ref)
            with torch.no_grad():
                got = net.eval()(x[:2])
                want = ref(x[:2].double())
            net.train()
            rec = check_close(got.cpu().numpy(), want.cpu().numpy(), got.dtype, "eval logits vs float64 oracle net")
            if not bool(torch.isfinite(loss)):
                rec.update(ok=False, why=f"loss {float(loss)}")
            return rec

        return check

    def table_conv(self, p: Any) -> list[Row]:
        """One Adam step of ``SpectralConv2d`` against the ``nn.Conv2d`` it was converted from (issue 3)."""
        if self.sct is None or not hasattr(self.sct, "SpectralConv2d"):
            raise Skip("conv rows need spectralcore_torch.SpectralConv2d")
        torch, prm = self.torch, p.params
        torch.manual_seed(0)
        conv = torch.nn.Conv2d(prm["cin"], prm["cout"], 3, padding=1).to(self.dev)
        layers = {"nn.Conv2d": conv, "SpectralConv2d": self.sct.SpectralConv2d.from_conv(conv)}
        x = torch.randn(prm["batch"], prm["cin"], prm["hw"], prm["hw"], generator=torch.Generator().manual_seed(0))
        x = x.to(self.dev)
        rows = []
        for name, layer in layers.items():
            opt = torch.optim.Adam(layer.parameters(), lr=1e-3)

            def step(layer: Any = layer, opt: Any = opt) -> Any:
                loss = layer(x).square().mean()
                loss.backward()
                opt.step()
                opt.zero_grad()
                return loss

            def check(_: Any, layer: Any = layer) -> dict[str, Any]:
                with torch.no_grad():
                    y = layer(x[:2])[:, :, :16, :16]
                    w64, b64 = (t.detach().double().cpu().numpy() for t in (layer.weight, layer.bias))
                ref = conv_patch(x[:2].double().cpu().numpy(), w64, 16) + b64[None, :, None, None]
                return check_close(y.cpu().numpy(), ref, y.dtype, "y[:2, :, :16, :16] vs float64 conv")

            role = "ref" if name == "nn.Conv2d" else "ours"
            rows.append(Row(name, step, role=role, modes=("step",), check=check, note="Adam step, loss mean(y^2)"))
        return rows
