"""
Converting a torchvision-style ResNet with ``spectralize``
==========================================================

:func:`~spectralcore_torch.spectralize` replaces every ``nn.Conv2d`` of a model, in place, by a
:class:`~spectralcore_torch.SpectralConv2d` that computes the same function from exactly kh·kw real spectral
coefficients per filter. Here the model is a small ResNet written the way torchvision writes them (a 7×7 stem with
stride 2, max pooling, basic blocks with 1×1 strided shortcuts, batch norm, global average pooling); torchvision
itself is not needed. :func:`~spectralcore_torch.despectralize` goes back.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import spectralcore as sc
import spectralcore_torch as sct


class BasicBlock(nn.Module):
    def __init__(self, in_channels, channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = None
        if stride != 1 or in_channels != channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, channels, 1, stride=stride, bias=False), nn.BatchNorm2d(channels)
            )

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class ResNet(nn.Module):
    def __init__(self, widths=(16, 32, 64, 128), num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        layers, in_channels = [], widths[0]
        for i, width in enumerate(widths):
            layers.append(nn.Sequential(BasicBlock(in_channels, width, 1 if i == 0 else 2), BasicBlock(width, width)))
            in_channels = width
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


torch.manual_seed(0)
model = ResNet().eval()
x = torch.randn(4, 3, 64, 64)
with torch.no_grad():
    before = model(x)
count_before = sum(p.numel() for p in model.parameters())

# %%
# Convert. Every convolution is replaced, stride, padding, groups and bias included; the outputs do not change,
# and neither does the number of parameters: k·k reals per filter, not 2·k·k.
sct.spectralize(model)
with torch.no_grad():
    after = model(x)
converted = [name for name, module in model.named_modules() if isinstance(module, sct.SpectralConv2d)]
print(f"{len(converted)} convolutions converted, e.g. {converted[:3]}")
print(f"largest output change: {float((after - before).abs().max()):.1e}")
print(f"parameters: {count_before} before, {sum(p.numel() for p in model.parameters())} after")

# %%
# Each converted layer keeps its spatial kernel as ``.weight`` (computed) and learns ``.spectral_weight``. Under
# the default ``norm="ortho"`` the map is orthogonal, so both have the same norm, and L2 weight decay acts
# identically.
#
# At initialisation the kernels are random (top row), and so are their spectral coordinates: no structure to
# exploit. (The share of the energy in the five largest coefficients differs a little, because PyTorch draws
# uniform values, and mixtures of uniform values are closer to Gaussian, whose tails are heavier.) The difference
# the paper exploits appears with training, when filters grow smooth, like the oriented edge detector of the bottom
# row: in spectral coordinates its energy gathers in a few low-frequency coefficients, and Adam's per-coordinate
# step sizes can adapt to them.
stem = model.conv1
assert torch.allclose(stem.spectral_weight.norm(), stem.weight.norm())
random_spatial = stem.weight.detach()[0, 0].numpy()
random_spectral = stem.spectral_weight.detach()[0, 0].numpy()
assert np.allclose(sc.spectral_to_spatial(random_spectral), random_spatial, atol=1e-6)
grid = np.arange(7) - 3
edge = grid[None, :] * np.exp(-(grid[:, None] ** 2 + grid[None, :] ** 2) / 4.0)  # a derivative of a Gaussian
edge /= np.linalg.norm(edge)
rows = [("random init", random_spatial, random_spectral), ("smooth edge", edge, sc.spatial_to_spectral(edge))]


def top_energy(kernel, count=5):
    energy = np.sort(kernel.ravel() ** 2)[::-1]
    return energy[:count].sum() / energy.sum()


fig, axes = plt.subplots(2, 2, figsize=(5.6, 5.6), layout="constrained")
for row, (name, spatial, spectral) in enumerate(rows):
    for column, (coordinates, kernel) in enumerate([("weight", spatial), ("spectral_weight", spectral)]):
        ax = axes[row, column]
        limit = np.abs(kernel).max()
        ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"{name}: {coordinates}\n5 largest of 49 hold {top_energy(kernel):.0%}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])

# %%
# And back: ``despectralize`` restores plain ``nn.Conv2d`` layers with the same kernels. A training loop would
# create its optimiser after ``spectralize``, which replaces the parameters.
sct.despectralize(model)
with torch.no_grad():
    back = model(x)
assert not any(isinstance(module, sct.SpectralConv2d) for module in model.modules())
print(f"after despectralize, largest output change: {float((back - before).abs().max()):.1e}")
plt.show()
