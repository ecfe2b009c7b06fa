"""Trigonometry with exact argument reduction, in pure Python floats (IEEE float64).

Every angle of the core's operators is ``pi * p / q`` with integers ``p`` and ``q``. Reducing it with integer
arithmetic before the float call keeps each entry accurate to float64 rounding even for large lengths, where
``math.cos(2 * math.pi * k * j / n)`` would lose digits to the rounding of its argument.
"""

from __future__ import annotations

import math

__all__ = ["cos_pi_frac", "dirichlet", "sin_pi_frac"]


def sin_pi_frac(p: int, q: int) -> float:
    """Return ``sin(pi * p / q)`` for integers ``p`` and ``q > 0``.

    Examples
    --------
    >>> from spectralcore._trig import sin_pi_frac
    >>> sin_pi_frac(1, 2), sin_pi_frac(7, 1), sin_pi_frac(-3, 2)
    (1.0, 0.0, 1.0)
    """
    r = p % (2 * q)  # sin has period 2 pi
    sign = 1.0
    if r >= q:  # sin(pi + a) = -sin(a)
        r -= q
        sign = -1.0
    if 2 * r > q:  # sin(pi - a) = sin(a): keep the argument in [0, pi/2] where sin is well conditioned
        r = q - r
    if r == 0:
        return 0.0
    if 2 * r == q:
        return sign
    return sign * math.sin(math.pi * r / q)


def cos_pi_frac(p: int, q: int) -> float:
    """Return ``cos(pi * p / q)`` (as ``sin(pi (2p + q) / 2q)``)."""
    return sin_pi_frac(2 * p + q, 2 * q)


def dirichlet(half_width: int, p: int, q: int) -> float:
    """Return ``sum_{|k| <= half_width} cos(2 pi k p / q)``, the closed form of a symmetric band of cosines.

    Examples
    --------
    >>> import math
    >>> from spectralcore._trig import dirichlet
    >>> direct = sum(math.cos(2 * math.pi * k * 3 / 10) for k in range(-4, 5))
    >>> math.isclose(dirichlet(4, 3, 10), direct, abs_tol=1e-12), dirichlet(4, 10, 10)
    (True, 9.0)
    """
    if p % q == 0:
        return float(2 * half_width + 1)
    return sin_pi_frac((2 * half_width + 1) * p, q) / sin_pi_frac(p, q)
