"""
A spectral net trained for a few steps on Fashion-MNIST
=======================================================

A small network built only from spectral layers: convolutions learned in the frequency domain
(:class:`~spectralcore_torch.SpectralConv2d`) and spectral pooling with frequency dropout
(:class:`~spectralcore_torch.SpectralPool2d`). It trains for 120 steps of Adam on Fashion-MNIST, a few seconds on a
CPU: far from converged, but enough to see it learn. The data is read from the Debian package
``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``), or from the folder that
``$SPECTRALCORE_FASHION_MNIST`` names, by the reproduction package's offline loader; nothing is downloaded.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import spectralcore_torch as sct
from spectralcore_experiments.datasets import FASHION_MNIST_CLASSES, load_fashion_mnist

torch.manual_seed(0)
train_images, train_labels = load_fashion_mnist(subset="train")  # (60000, 28, 28) uint8, (60000,) int64
test_images, test_labels = load_fashion_mnist(subset="test")


def to_tensor(images):
    return torch.from_numpy(images[:, None].astype(np.float32) / 255 - 0.5)  # (N, 1, 28, 28)


# %%
# The net: two stages of spectral convolution and spectral pooling (28 → 14 → 7), then a linear classifier on
# the global average. The pooling layers draw a random frequency band in training mode only.
net = nn.Sequential(
    sct.SpectralConv2d(1, 16, 3, padding="same"),
    nn.ReLU(),
    sct.SpectralPool2d(14, dropout_min_fraction=0.5),
    sct.SpectralConv2d(16, 32, 3, padding="same"),
    nn.ReLU(),
    sct.SpectralPool2d(7, dropout_min_fraction=0.5),
    nn.Flatten(),
    nn.Linear(32 * 7 * 7, 10),
)
optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
print(net)

# %%
# 120 steps on random minibatches of 32 training images.
rng = np.random.default_rng(0)
losses = []
net.train()
for _ in range(120):
    batch = rng.choice(len(train_images), size=32, replace=False)
    x, y = to_tensor(train_images[batch]), torch.from_numpy(train_labels[batch])
    loss = nn.functional.cross_entropy(net(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

# %%
# The test error on the first 2000 test images (frequency dropout is off in evaluation mode).
net.eval()
with torch.no_grad():
    logits = net(to_tensor(test_images[:2000]))
predictions = logits.argmax(dim=1).numpy()
error = float(np.mean(predictions != test_labels[:2000]))
print(f"test error after 120 steps: {error:.1%} (chance: 90 %)")

fig = plt.figure(figsize=(9, 3.8), layout="constrained")
curve, samples = fig.subfigures(1, 2, width_ratios=[1, 1.1])
ax = curve.subplots()
ax.plot(losses, alpha=0.4, label="minibatch")
ax.plot(np.arange(9, len(losses)), np.convolve(losses, np.ones(10) / 10, mode="valid"), label="mean of the last 10")
ax.set_xlabel("step")
ax.set_ylabel("training loss")
ax.legend()
samples.suptitle(f"test predictions (error on 2000 images: {error:.1%})", fontsize=10)
for i, ax in enumerate(samples.subplots(3, 4).flat):
    ax.imshow(test_images[i], cmap="gray_r")
    right = predictions[i] == test_labels[i]
    ax.set_title(FASHION_MNIST_CLASSES[predictions[i]], fontsize=8, color="green" if right else "red")
    ax.set_axis_off()
plt.show()
