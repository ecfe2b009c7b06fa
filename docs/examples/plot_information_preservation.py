"""
Information preservation on one photo
=====================================

The paper's first claim (its Fig. 2 and 4a): for the same number of parameters kept, spectral pooling loses far
less of an image than max pooling. Here one photo is reduced by both, brought back to full size, and compared
with itself. Spectral pooling can keep any number of parameters, max pooling only 1/4, 1/16, 1/64, ... of them.
"""

# %%
# One photo, 128×128 pixels in [0, 1], from the images bundled with scikit-image.
import matplotlib.pyplot as plt
import numpy as np
from skimage import data

import spectralcore as sc

photo = data.astronaut()[30:286:2, 120:376:2].astype(np.float64) / 255  # (128, 128, 3)
image = np.moveaxis(photo, -1, 0)  # channels first: the core pools the last two axes
n = image.shape[-1]


def relative_loss(x, x_hat):
    return float(np.linalg.norm(x - x_hat) / np.linalg.norm(x))


# %%
# Spectral pooling to m×m, then spectral upsampling back: the low-pass projection. Max pooling over s×s windows,
# then nearest-neighbour upsampling back (what public reproductions compare against).
#
# The sweep below visits all 128 sizes once, so it asks for ``method="fft"``: the default matmul path would first
# build two exact matrices per size (in float64, by pure Python, then cached), which only pays off when a size is
# used again and again, as in a network. Both methods give the same result to rounding.


def spectral_round_trip(x, m):
    return sc.spectral_upsample(sc.spectral_pool(x, m, method="fft"), n, method="fft")


def max_round_trip(x, stride):
    c = x.shape[0]
    pooled = x.reshape(c, n // stride, stride, n // stride, stride).max(axis=(2, 4))
    return pooled.repeat(stride, axis=1).repeat(stride, axis=2)


sizes = np.arange(1, n + 1)
spectral_losses = [relative_loss(image, spectral_round_trip(image, m)) for m in sizes]
strides = [2, 4, 8, 16]
max_losses = [relative_loss(image, max_round_trip(image, s)) for s in strides]

# %%
# The loss against the fraction of parameters kept. Spectral pooling is a curve, max pooling a few points; the
# dashed line marks where spectral pooling matches max pooling's loss at 2×2.
fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
ax.plot((sizes / n) ** 2, spectral_losses, label="spectral pooling (any m×m)")
ax.plot([1 / s**2 for s in strides], max_losses, "o", label="max pooling (s×s windows)")
match = int(np.argmax(np.array(spectral_losses) <= max_losses[0]))
ax.axvline((sizes[match] / n) ** 2, ls="--", color="gray")
ax.set_xscale("log")
ax.set_xlabel("fraction of parameters kept")
ax.set_ylabel("relative loss ‖x − x̂‖ / ‖x‖")
ax.legend()
print(f"max pooling 2x2 keeps 25 % with loss {max_losses[0]:.3f};")
print(f"spectral pooling reaches that loss at {sizes[match]}x{sizes[match]}, keeping {(sizes[match] / n) ** 2:.1%}")

# %%
# The images themselves, at the fractions both methods can reach.
fig, axes = plt.subplots(2, 4, figsize=(9, 4.9), layout="constrained")
for column, stride in enumerate([2, 4, 8, 16]):
    for row, (name, x_hat) in enumerate(
        [("spectral", spectral_round_trip(image, n // stride)), ("max", max_round_trip(image, stride))]
    ):
        ax = axes[row, column]
        ax.imshow(np.clip(np.moveaxis(x_hat, 0, -1), 0, 1))
        ax.set_title(f"{name}, 1/{stride**2}: loss {relative_loss(image, x_hat):.3f}", fontsize=9)
        ax.set_axis_off()
plt.show()
