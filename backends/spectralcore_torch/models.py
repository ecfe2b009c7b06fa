"""The networks of Rippel, Snoek & Adams (NeurIPS 2015) as ``torch.nn`` modules, spatial or spectral.

* :class:`DeepNet`: the All-CNN-like "deep" net of the convergence experiments,
  ``C96 C96 MP C192 C192 C192 MP C192_1x1 C{classes}_1x1 GA``;
* :class:`GenericNet`: the "generic" net, ``C96 MP C192 MP FC1024 FC512 FC{classes}``;
* :class:`SpectralPoolNet`: the spectral-pooling net of the classification experiments (section 5.1), with frequency
  dropout, and a max-pooling twin with the same feature-map sizes;
* :func:`build_model`, :func:`with_parameterization` and :func:`count_parameters`.

``C^F_k`` is a ``k x k`` convolution with ``F`` filters, "same" padding and a ReLU; ``MP`` is max pooling ``3 x 3``
with stride 2 and padding 1 (32 -> 16 -> 8, 28 -> 14 -> 7); ``GA`` is global average pooling. Every net returns
logits ``(N, num_classes)``: no softmax, ``nn.CrossEntropyLoss`` applies it.

Every net is built with ``nn.Conv2d`` (PyTorch's default initialisation) and, for ``parameterization="spectral"``,
converted in place by :func:`spectralcore_torch.spectralize`, which consumes no random numbers. So a spectral net
and a spatial net built after the same ``torch.manual_seed`` compute the same function at initialisation (the
paper's "same spatial initialisation"), and so do a net and its :func:`with_parameterization` twin. Only the
convolution filters are reparameterized; fully connected layers stay ``nn.Linear``, as in the paper.

Examples
--------
>>> import torch
>>> from spectralcore_torch.models import DeepNet, with_parameterization
>>> _ = torch.manual_seed(0)
>>> net = DeepNet(in_channels=3, num_classes=10, width=0.125)
>>> twin = with_parameterization(net, "spectral")  # the same function, learned in the frequency domain
>>> x = torch.randn(2, 3, 32, 32)
>>> net(x).shape
torch.Size([2, 10])
>>> torch.allclose(net(x), twin(x), atol=1e-5), twin.parameterization
(True, 'spectral')
"""

from __future__ import annotations

import copy
import math
import numbers
from collections import OrderedDict
from fractions import Fraction
from typing import Any

import torch
from torch import nn

import spectralcore as sc

from . import _checks as ck
from ._conv import SpectralConv2d
from ._pool import FrequencyDropout2d, SpectralPool2d
from ._spectralize import despectralize, spectralize

__all__ = [
    "MODEL_NAMES",
    "PARAMETERIZATIONS",
    "DeepNet",
    "GenericNet",
    "SpectralPoolNet",
    "build_model",
    "count_parameters",
    "with_parameterization",
]

PARAMETERIZATIONS = ("spatial", "spectral")
INITS = ("he", "torch")
POOLS = ("spectral", "max")


# ---------------------------------------------------------------------------------------------
# Argument checks shared by the nets
# ---------------------------------------------------------------------------------------------
def _kernel_size(func: str, value: object) -> int:
    k = ck.positive_int(func, "kernel_size", value)
    # "same" padding of an even kernel is lopsided (PyTorch pads the extra row bottom/right), which shifts every
    # feature map by half a pixel per layer; the paper uses 3 and 5 only.
    if k % 2 == 0:
        raise ValueError(f"{func}: argument `kernel_size` expected an odd int >= 1, received {value!r}")
    return k


def _width(func: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: argument `width` expected a float > 0, received {value!r}")
    if not math.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"{func}: argument `width` expected a float > 0, received {value!r}")
    return float(value)


def _dropout_p(func: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: argument `dropout` expected a float in [0, 1), received {value!r}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{func}: argument `dropout` expected a float in [0, 1), received {value!r}")
    return float(value)


def _scaled(count: int, width: float) -> int:
    # Half-up rounding, not Python's round-half-even, so that a width reads the same way at every layer.
    return max(1, math.floor(count * width + 0.5))


def _decimal(value: float) -> Fraction:
    # The core reads factors as the decimal written (0.85 is 17/20, not the binary double just below it), so
    # ``floor(0.85 * 20)`` is 17 here exactly as in spectralcore.scaled_size.
    return Fraction(repr(float(value)))


# ---------------------------------------------------------------------------------------------
# Shared base
# ---------------------------------------------------------------------------------------------
class _PaperNet(nn.Module):
    """``layers`` (an ``nn.Sequential`` of named layers) behind an input check; the rest is bookkeeping."""

    layers: nn.Sequential

    def __init__(
        self,
        func: str,
        in_channels: int,
        num_classes: int,
        kernel_size: int,
        width: float,
        parameterization: str,
        init: str = "he",
    ) -> None:
        super().__init__()
        self.in_channels = ck.positive_int(func, "in_channels", in_channels)
        self.num_classes = ck.positive_int(func, "num_classes", num_classes)
        self.kernel_size = _kernel_size(func, kernel_size)
        self.width = _width(func, width)
        self._initial_parameterization = ck.choice(func, "parameterization", parameterization, PARAMETERIZATIONS)
        self.init = ck.choice(func, "init", init, INITS)
        self.input_size: tuple[int, int] | None = None

    def _finish(self, layers: OrderedDict[str, nn.Module]) -> None:
        self.layers = nn.Sequential(layers)
        if self.init == "he":
            # PyTorch's default (uniform, gain 1/sqrt(3)) shrinks the signal at every ReLU layer: the 9-conv
            # spectral-pooling net then sits at chance under SGD (measured). He init keeps the variance.
            for module in self.layers.modules():
                if isinstance(module, (nn.Conv2d, nn.Linear)):
                    nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
                    if module.bias is not None:
                        nn.init.zeros_(module.bias)
        if self._initial_parameterization == "spectral":
            # Built with nn.Conv2d first, so the initial function is exactly the spatial net's for the same seed.
            spectralize(self.layers)

    def _conv(self, in_channels: int, out_channels: int, kernel_size: int) -> nn.Conv2d:
        return nn.Conv2d(in_channels, out_channels, kernel_size, padding="same")

    @property
    def parameterization(self) -> str:
        """``"spectral"`` when the net holds a :class:`~spectralcore_torch.SpectralConv2d`, else ``"spatial"``.

        Read from the modules, so it stays true after :func:`spectralize` / :func:`despectralize` in place.
        """
        return "spectral" if any(isinstance(m, SpectralConv2d) for m in self.modules()) else "spatial"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        func = type(self).__name__
        if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] != self.in_channels:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(
                f"{func}: argument `input` expected a (N, {self.in_channels}, H, W) tensor, received {got}"
            )
        if self.input_size is not None and tuple(x.shape[-2:]) != self.input_size:
            raise ValueError(
                f"{func}: argument `input` expected spatial size {self.input_size} (the `input_size` the net was "
                f"built for), received shape {tuple(x.shape)}"
            )
        return self.layers(x)

    def extra_repr(self) -> str:
        parts = [f"in_channels={self.in_channels}", f"num_classes={self.num_classes}"]
        if self.input_size is not None:
            parts.append(f"input_size={self.input_size}")
        parts += [f"kernel_size={self.kernel_size}", f"width={self.width}"]
        return ", ".join(parts)


def _max_pool() -> nn.MaxPool2d:
    return nn.MaxPool2d(3, stride=2, padding=1)


def _max_pooled(n: int) -> int:
    # nn.MaxPool2d(3, stride=2, padding=1): floor((n + 2 - 3) / 2) + 1 = ceil(n / 2).
    return (n - 1) // 2 + 1


# ---------------------------------------------------------------------------------------------
# The nets
# ---------------------------------------------------------------------------------------------
class DeepNet(_PaperNet):
    """The paper's "deep" net: ``C96 C96 MP C192 C192 C192 MP C192_1x1 C{classes}_1x1 GA``.

    The ``k x k`` convolutions use "same" padding and each convolution but the last (the ``1 x 1`` classifier) is
    followed by a ReLU. Global average pooling makes it work for any input size; the max pools halve it twice
    (rounding up). Returns logits.

    Parameters
    ----------
    in_channels : int
        Input channels (3 for CIFAR, 1 for Fashion-MNIST).
    num_classes : int
        Output logits.
    kernel_size : int
        Side ``k`` of the ``k x k`` convolutions, odd (3 and 5 in the paper).
    width : float
        Multiplies every filter count (rounded half up, at least 1); the classifier keeps ``num_classes``.
    parameterization : {"spatial", "spectral"}
        ``"spectral"`` learns every convolution filter as its ``k * k`` real spectral coefficients
        (:class:`~spectralcore_torch.SpectralConv2d`), starting from the same function as the spatial net built
        after the same seed.
    dropout : float
        Probability of an ``nn.Dropout`` after each max pool (where All-CNN puts it); 0 adds no layer. It draws
        from PyTorch's global generator.
    init : {"he", "torch"}
        ``"he"`` (default): He-normal weights (fan-in, ReLU gain) and zero biases for every convolution and FC
        layer, drawn from PyTorch's global generator. ``"torch"``: PyTorch's own ``nn.Conv2d``/``nn.Linear``
        init, whose smaller gain makes deep ReLU nets without normalization start near chance and train slowly.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch.models import DeepNet
    >>> net = DeepNet(in_channels=1, num_classes=10, kernel_size=5, width=0.125)
    >>> net(torch.randn(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        *,
        kernel_size: int = 3,
        width: float = 1.0,
        parameterization: str = "spatial",
        dropout: float = 0.0,
        init: str = "he",
    ) -> None:
        func = type(self).__name__
        super().__init__(func, in_channels, num_classes, kernel_size, width, parameterization, init)
        self.dropout = _dropout_p(func, dropout)
        k, f96, f192 = self.kernel_size, _scaled(96, self.width), _scaled(192, self.width)
        plan: list[tuple[str, int, int]] = [  # (name, filters, kernel side); "pool" marks MP
            ("conv1", f96, k),
            ("conv2", f96, k),
            ("pool", 0, 0),
            ("conv3", f192, k),
            ("conv4", f192, k),
            ("conv5", f192, k),
            ("pool", 0, 0),
            ("conv6", f192, 1),
        ]
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        channels, pools = self.in_channels, 0
        for name, filters, side in plan:
            if name == "pool":
                pools += 1
                layers[f"pool{pools}"] = _max_pool()
                if self.dropout > 0:
                    layers[f"drop{pools}"] = nn.Dropout(self.dropout)
                continue
            layers[name] = self._conv(channels, filters, side)
            layers[f"relu{name[4:]}"] = nn.ReLU()
            channels = filters
        layers["classifier"] = self._conv(channels, self.num_classes, 1)
        layers["gap"] = nn.AdaptiveAvgPool2d(1)
        layers["flatten"] = nn.Flatten()
        self._finish(layers)

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", dropout={self.dropout}" if self.dropout else "")


class GenericNet(_PaperNet):
    """The paper's "generic" net: ``C96 MP C192 MP FC1024 FC512 FC{classes}``.

    "Same" padding and a ReLU after each convolution and each hidden FC layer; the last FC returns logits. The
    first FC layer's size follows from ``input_size``: each max pool maps ``n`` to ``ceil(n / 2)``.

    Parameters
    ----------
    in_channels, num_classes, kernel_size, parameterization, init
        As in :class:`DeepNet`.
    input_size : int or tuple of two ints
        ``(H, W)`` of the inputs (an int for square ones); the forward pass checks it.
    width : float
        Multiplies the filter counts and the hidden FC sizes (rounded half up, at least 1).
    dropout : float
        Probability of an ``nn.Dropout`` after each max pool and after each hidden FC layer, so before every FC
        layer; 0 adds no layer. It draws from PyTorch's global generator.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch.models import GenericNet
    >>> net = GenericNet(3, 10, input_size=32, width=0.125, dropout=0.5)
    >>> net(torch.randn(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    >>> net.flat_features  # 24 channels of 8 x 8 after two max pools
    1536
    """

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        *,
        input_size: int | tuple[int, int],
        kernel_size: int = 3,
        width: float = 1.0,
        parameterization: str = "spatial",
        dropout: float = 0.0,
        init: str = "he",
    ) -> None:
        func = type(self).__name__
        super().__init__(func, in_channels, num_classes, kernel_size, width, parameterization, init)
        self.input_size = ck.int_pair(func, "input_size", input_size)
        self.dropout = _dropout_p(func, dropout)
        k, w = self.kernel_size, self.width
        f96, f192, h1024, h512 = _scaled(96, w), _scaled(192, w), _scaled(1024, w), _scaled(512, w)
        h, wd = (_max_pooled(_max_pooled(n)) for n in self.input_size)
        self.flat_features = f192 * h * wd

        layers: OrderedDict[str, nn.Module] = OrderedDict()

        def drop(name: str) -> None:
            if self.dropout > 0:
                layers[name] = nn.Dropout(self.dropout)

        layers["conv1"], layers["relu1"], layers["pool1"] = self._conv(self.in_channels, f96, k), nn.ReLU(), _max_pool()
        drop("drop1")
        layers["conv2"], layers["relu2"], layers["pool2"] = self._conv(f96, f192, k), nn.ReLU(), _max_pool()
        drop("drop2")
        layers["flatten"] = nn.Flatten()
        layers["fc1"], layers["relu3"] = nn.Linear(self.flat_features, h1024), nn.ReLU()
        drop("drop3")
        layers["fc2"], layers["relu4"] = nn.Linear(h1024, h512), nn.ReLU()
        drop("drop4")
        layers["classifier"] = nn.Linear(h512, self.num_classes)
        self._finish(layers)

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", dropout={self.dropout}" if self.dropout else "")


class SpectralPoolNet(_PaperNet):
    """The paper's spectral-pooling net (section 5.1), with frequency dropout; or its max-pooling twin.

    For stage ``m = 1..M``: ``C^{F_m}_k`` with ``F_m = min(96 + 32 m, 288)`` filters ("same" padding), ReLU, then
    pooling from ``H_m x W_m`` to ``floor(gamma H_m) x floor(gamma W_m)`` (``gamma`` read as the decimal written,
    as :func:`spectralcore.scaled_size`). Then ``C^{F_M}_1x1``, ReLU, ``C^{classes}_1x1`` and global average
    pooling; returns logits. No ReLU follows the pooling (the paper leaves it open; the next convolution's ReLU
    follows soon enough).

    Frequency dropout at stage ``m`` keeps, in training mode only, a random low-frequency band of the pooled
    ``h x w`` map: ``R`` uniform on the integers ``ceil(c_m n) .. n`` of each side ``n`` (the core's rule,
    :func:`spectralcore.dropout_keep_range`), one draw per forward call shared by every sample and channel (the
    paper's rule), with ``c_m = alpha + (m / M)(beta - alpha)``.

    Parameters
    ----------
    in_channels, num_classes, kernel_size, parameterization, init
        As in :class:`DeepNet`.
    input_size : int or tuple of two ints
        ``(H, W)`` of the inputs; fixes the stage sizes (the forward pass checks it).
    num_stages : int
        ``M``, the number of convolution + pooling stages. Every stage must keep at least one pixel per side.
    gamma : float
        Pooling factor in ``(0, 1]`` (the paper's optimum is about 0.85).
    alpha, beta : float
        The frequency-dropout schedule's end points in ``(0, 1]`` (the paper's optimum: 0.30 and 0.15).
    pool : {"spectral", "max"}
        ``"spectral"``: :class:`~spectralcore_torch.SpectralPool2d` with ``scale=gamma``. ``"max"``:
        ``nn.AdaptiveMaxPool2d`` to the same sizes, followed (with ``frequency_dropout``) by
        :class:`~spectralcore_torch.FrequencyDropout2d` with the same ``c_m``, a like-for-like comparison the
        paper does not specify.
    frequency_dropout : bool
        Apply the frequency-dropout schedule (training mode only).
    width : float
        Multiplies the filter counts (after the cap at 288; rounded half up, at least 1).
    generator : torch.Generator, optional
        Shared by every dropout layer, for reproducible draws whose state can be checkpointed; it must live on the
        input's device. None draws from PyTorch's global generator.
    pool_norm : {"amplitude", "ortho"}
        Spectral pooling's normalization: ``"amplitude"`` keeps constant maps constant, like max pooling.
    nyquist : {"sum", "average"}
        Even-size Nyquist rule of the pooling and frequency dropout (``"average"`` is the paper's).

    Attributes
    ----------
    stage_sizes : list of tuple of two ints
        The pooled ``(h, w)`` of each stage (``[(27, 27), (22, 22), (18, 18)]`` for 32, ``gamma=0.85``, ``M=3``).
    filter_counts : list of int
        The filters of each stage's convolution, after ``width``.
    dropout_min_fractions : list of float
        ``c_m`` of each stage, as applied; empty when ``frequency_dropout`` is False.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch.models import SpectralPoolNet
    >>> net = SpectralPoolNet(3, 10, input_size=32, width=0.125, generator=torch.Generator().manual_seed(0))
    >>> net.stage_sizes, net.filter_counts, net.dropout_min_fractions
    ([(27, 27), (22, 22), (18, 18)], [16, 20, 24], [0.25, 0.2, 0.15])
    >>> x = torch.randn(2, 3, 32, 32)
    >>> net(x).shape
    torch.Size([2, 10])
    >>> torch.equal(net.eval()(x), net(x))  # frequency dropout is off in eval mode
    True
    """

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        *,
        input_size: int | tuple[int, int],
        num_stages: int = 3,
        gamma: float = 0.85,
        alpha: float = 0.30,
        beta: float = 0.15,
        pool: str = "spectral",
        frequency_dropout: bool = True,
        kernel_size: int = 3,
        width: float = 1.0,
        parameterization: str = "spatial",
        init: str = "he",
        generator: torch.Generator | None = None,
        pool_norm: str = "amplitude",
        nyquist: str = "sum",
    ) -> None:
        func = type(self).__name__
        super().__init__(func, in_channels, num_classes, kernel_size, width, parameterization, init)
        self.input_size = ck.int_pair(func, "input_size", input_size)
        self.num_stages = ck.positive_int(func, "num_stages", num_stages)
        self.gamma = ck.fraction(func, "gamma", gamma)
        self.alpha = ck.fraction(func, "alpha", alpha)
        self.beta = ck.fraction(func, "beta", beta)
        self.pool = ck.choice(func, "pool", pool, POOLS)
        self.frequency_dropout = bool(frequency_dropout)
        self.pool_norm = ck.choice(func, "pool_norm", pool_norm, ck.POOL_NORMS)
        self.nyquist = ck.choice(func, "nyquist", nyquist, ck.NYQUIST_RULES)
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"{func}: argument `generator` expected a torch.Generator or None, received {generator!r}")
        self.generator = generator

        self.stage_sizes = _stage_sizes(func, self.input_size, self.num_stages, self.gamma)
        self.filter_counts = [_scaled(min(96 + 32 * m, 288), self.width) for m in range(1, self.num_stages + 1)]
        self.dropout_min_fractions = (
            _dropout_schedule(self.alpha, self.beta, self.num_stages) if self.frequency_dropout else []
        )

        layers: OrderedDict[str, nn.Module] = OrderedDict()
        channels = self.in_channels
        for m, (filters, size) in enumerate(zip(self.filter_counts, self.stage_sizes, strict=True), start=1):
            c = self.dropout_min_fractions[m - 1] if self.frequency_dropout else None
            layers[f"conv{m}"] = self._conv(channels, filters, self.kernel_size)
            layers[f"relu{m}"] = nn.ReLU()
            if self.pool == "spectral":
                layers[f"pool{m}"] = SpectralPool2d(
                    scale=self.gamma,
                    norm=self.pool_norm,
                    nyquist=self.nyquist,
                    dropout_min_fraction=c,
                    generator=generator,
                )
            else:
                # The paper does not say how a max-pooled twin would reach floor(gamma H); adaptive max pooling
                # gives exactly the spectral net's sizes, so only the pooling operator differs.
                layers[f"pool{m}"] = nn.AdaptiveMaxPool2d(size)
                if c is not None:
                    layers[f"drop{m}"] = FrequencyDropout2d(min_fraction=c, nyquist=self.nyquist, generator=generator)
            channels = filters
        layers[f"conv{self.num_stages + 1}"] = self._conv(channels, self.filter_counts[-1], 1)
        layers[f"relu{self.num_stages + 1}"] = nn.ReLU()
        layers["classifier"] = self._conv(self.filter_counts[-1], self.num_classes, 1)
        layers["gap"] = nn.AdaptiveAvgPool2d(1)
        layers["flatten"] = nn.Flatten()
        self._finish(layers)

    def extra_repr(self) -> str:
        parts = [
            super().extra_repr(),
            f"num_stages={self.num_stages}",
            f"gamma={self.gamma}",
            f"pool={self.pool!r}",
            f"frequency_dropout={self.frequency_dropout}",
        ]
        if self.frequency_dropout:
            parts += [f"alpha={self.alpha}", f"beta={self.beta}"]
        return ", ".join(parts)


def _stage_sizes(func: str, input_size: tuple[int, int], num_stages: int, gamma: float) -> list[tuple[int, int]]:
    g = _decimal(gamma)
    sizes: list[tuple[int, int]] = []
    h, w = input_size
    for m in range(1, num_stages + 1):
        # spectralcore.scaled_size clamps to 1 silently; a net that needs the clamp is a configuration error.
        if math.floor(g * h) < 1 or math.floor(g * w) < 1:
            raise ValueError(
                f"{func}: arguments `num_stages`, `gamma` and `input_size` expected every stage to pool to at least "
                f"1 x 1, received num_stages={num_stages}, gamma={gamma}, input_size={input_size}: stage {m} would "
                f"pool {h} x {w} to {math.floor(g * h)} x {math.floor(g * w)} (at most {m - 1} stages fit)"
            )
        h, w = sc.scaled_size(h, gamma), sc.scaled_size(w, gamma)
        sizes.append((h, w))
    return sizes


def _dropout_schedule(alpha: float, beta: float, num_stages: int) -> list[float]:
    # Exact decimal arithmetic: in binary, 0.30 + (1/3)(0.15 - 0.30) could land a hair above 0.25, and the core
    # reads c as the decimal written, so ceil(c n) would then keep one frequency more whenever 0.25 n is whole.
    a, b = _decimal(alpha), _decimal(beta)
    return [float(a + Fraction(m, num_stages) * (b - a)) for m in range(1, num_stages + 1)]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
_BUILDERS: dict[str, type[_PaperNet]] = {"deep": DeepNet, "generic": GenericNet, "spectral_pool": SpectralPoolNet}
MODEL_NAMES = tuple(_BUILDERS)


def build_model(name: str, **kwargs: Any) -> nn.Module:
    """The net called ``name`` (``"deep"``, ``"generic"`` or ``"spectral_pool"``), built with ``kwargs``.

    Parameters
    ----------
    name : {"deep", "generic", "spectral_pool"}
        :class:`DeepNet`, :class:`GenericNet` or :class:`SpectralPoolNet`.
    **kwargs
        The constructor's arguments.

    Returns
    -------
    nn.Module
        The new net.

    Examples
    --------
    >>> from spectralcore_torch.models import build_model, count_parameters
    >>> net = build_model("generic", in_channels=1, num_classes=10, input_size=28, width=0.125)
    >>> type(net).__name__, count_parameters(net)
    ('GenericNet', 162298)
    """
    builder = _BUILDERS.get(name) if isinstance(name, str) else None
    if builder is None:
        options = ", ".join(repr(n) for n in MODEL_NAMES)
        raise ValueError(f"build_model: argument `name` expected one of {options}, received {name!r}")
    return builder(**kwargs)


def with_parameterization(model: nn.Module, parameterization: str) -> nn.Module:
    """A deep copy of ``model`` with every convolution in ``parameterization``; ``model`` is left alone.

    ``"spectral"`` converts each ``nn.Conv2d`` by :func:`~spectralcore_torch.spectralize`, ``"spatial"`` each
    :class:`~spectralcore_torch.SpectralConv2d` back by :func:`~spectralcore_torch.despectralize`. The copy
    computes the same function (to rounding) and its generators start from the same state, so it is the twin an
    experiment compares against. Create its optimizer after this call.

    Parameters
    ----------
    model : nn.Module
        Any model.
    parameterization : {"spatial", "spectral"}
        The filters' parameterization in the copy.

    Returns
    -------
    nn.Module
        The converted copy.

    Examples
    --------
    >>> from spectralcore_torch.models import SpectralPoolNet, count_parameters, with_parameterization
    >>> net = SpectralPoolNet(1, 10, input_size=28, width=0.125, parameterization="spectral")
    >>> back = with_parameterization(net, "spatial")
    >>> back.parameterization, count_parameters(back) == count_parameters(net)
    ('spatial', True)
    """
    ck.choice("with_parameterization", "parameterization", parameterization, PARAMETERIZATIONS)
    if not isinstance(model, nn.Module):
        raise TypeError(f"with_parameterization: argument `model` expected an nn.Module, received {model!r}")
    twin = copy.deepcopy(model)
    return spectralize(twin) if parameterization == "spectral" else despectralize(twin)


def count_parameters(model: nn.Module, *, trainable_only: bool = False) -> int:
    """The number of scalar parameters of ``model`` (shared ones once), or only those with ``requires_grad``.

    A spectral net and its spatial twin have the same count: ``SpectralConv2d`` stores ``kh * kw`` reals per filter.

    Examples
    --------
    >>> from torch import nn
    >>> from spectralcore_torch.models import count_parameters
    >>> count_parameters(nn.Conv2d(3, 96, 3))  # 3 * 96 * 9 weights + 96 biases
    2688
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"count_parameters: argument `model` expected an nn.Module, received {model!r}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
