"""Statistics over seeds, for the experiments' summaries and figures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def mean_std(curves: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise mean and sample standard deviation (0 for one curve) of equal-length curves.

    Examples
    --------
    >>> mean, std = mean_std([[1.0, 2.0], [3.0, 2.0]])
    >>> mean.tolist(), std.round(4).tolist()
    ([2.0, 2.0], [1.4142, 0.0])
    """
    array = np.asarray(curves, dtype=np.float64)
    std = array.std(axis=0, ddof=1) if array.shape[0] > 1 else np.zeros(array.shape[1])
    return array.mean(axis=0), std
