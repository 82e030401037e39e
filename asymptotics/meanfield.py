r"""The mean-field limit of a two-layer network, in a case where its PDE closes on one ODE.

Mei, Montanari & Nguyen (2018, *PNAS* 115(33), arXiv:1804.06561; "MMN18") describe one-pass SGD on
a two-layer network in the mean-field scaling

.. math:: \hat y(x) = \frac1N \sum_{i=1}^N \sigma_*(x; w_i),
          \qquad w_i \leftarrow w_i + 2\varepsilon\,\xi\,(y - \hat y(x))\,\nabla_w \sigma_*(x; w_i),

as ``N → ∞``, ``ε → 0`` (time ``t = kε``) by a PDE for the law ``ρ_t`` of one neuron,
``∂_t ρ_t = 2ξ ∇·(ρ_t ∇Ψ(w; ρ_t))`` with ``Ψ(w; ρ) = E[(f_ρ(x) − y) σ_*(x; w)]``,
``f_ρ(x) = ∫ σ_*(x; w) ρ(dw)``.

This module solves that PDE exactly in MMN18's *centered isotropic Gaussians* problem with a
quadratic neuron:

* labels ``y = ±1`` with probability ½ each, ``x | y ~ N(0, s_y² I_d)``, ``s_± = 1 ± Δ``, ``0 < Δ < 1``;
* neuron ``σ_*(x; w) = ⟨w, x⟩² − 1``, so ``f_ρ(x) = xᵀ M x − 1`` with ``M = ∫ w wᵀ ρ(dw)``;
* any isotropic start ``ρ_0`` (a Gaussian ``N(0, (m_0/d) I)`` or the uniform law on the sphere of
  radius ``√m_0``).

Every neuron then feels the same linear force ``−4ξ g(t) w``, so ``ρ_t`` is ``ρ_0`` rescaled by
``√(m(t)/m_0)`` and the whole PDE reduces to one ODE for ``m(t) = ∫ ‖w‖² ρ_t(dw) = tr M``:

.. math:: \dot m = 4\xi\, m\,(2a - c_d\, m), \qquad a = s_+^2,\; b = s_-^2,\;
          c_d = (a^2 + b^2)\,(1 + 2/d),

exact at every finite ``d`` (``d = ∞`` drops the ``2/d``).  It is a logistic equation:
``m(t) = m_* / (1 + (m_*/m_0 − 1) e^{−8ξ a t})`` with fixed point ``m_* = 2a/c_d`` and
limiting risk ``R_* = 2 − 2a²/c_d``.  The derivation is in ``docs/meanfield.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import mpmath
import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._types import Real
from .errors import ParameterError

__all__ = ["Setting", "risk", "fixed_point", "second_moment", "second_moment_ode", "setting"]

FloatArray = NDArray[np.float64]


class Setting:
    """Validated parameters of the isotropic-Gaussians problem (``delta``, ``d``, ``m0``, ``xi``).

    Attributes
    ----------
    delta, d, m0, xi:
        As given (``d`` may be ``math.inf``).
    a, b:
        ``(1 + Δ)²`` and ``(1 − Δ)²``, the two class variances.
    c:
        ``(a² + b²)(1 + 2/d)``.
    """

    __slots__ = ("delta", "d", "m0", "xi", "a", "b", "c")

    def __init__(self, delta: float, d: float, m0: float, xi: float) -> None:
        self.delta, self.d, self.m0, self.xi = delta, d, m0, xi
        self.a = (1.0 + delta) ** 2
        self.b = (1.0 - delta) ** 2
        self.c = (self.a**2 + self.b**2) * (1.0 + (0.0 if math.isinf(d) else 2.0 / d))

    @property
    def rate(self) -> float:
        """The logistic rate ``λ = 8ξa``."""
        return 8.0 * self.xi * self.a

    @property
    def m_star(self) -> float:
        """The fixed point ``m_* = 2a/c_d``."""
        return 2.0 * self.a / self.c


def _real(name: str, value: object, *, low: float, high: float, low_open: bool, high_open: bool, rng: str) -> float:
    if isinstance(value, bool):
        raise ParameterError(f"parameter `{name}` must be a real number in {rng}; got {value!r}.")
    try:
        v = float(Fraction(value)) if isinstance(value, str) and "/" in value else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        raise ParameterError(f"parameter `{name}` must be a real number in {rng}; got {value!r}.") from None
    ok = not math.isnan(v)
    ok = ok and (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        raise ParameterError(f"parameter `{name}` must lie in {rng}; got {value!r}.")
    return v


def _mp(value: object) -> mpmath.mpf:
    """Exact value at the current mpmath precision (floats through their shortest repr, fractions exactly)."""
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, (float, np.floating)):
        return mpmath.mpf(repr(float(value)))
    if isinstance(value, str) and "/" in value:
        num, den = value.split("/", 1)
        return mpmath.mpf(num) / mpmath.mpf(den)
    return mpmath.mpf(value if isinstance(value, (int, str, mpmath.mpf)) else str(value))


def setting(*, delta: Real = 0.25, d: Real = math.inf, m0: Real = 0.1, xi: Real = 1.0) -> Setting:
    """Check the parameters of the problem and return a :class:`Setting`.

    Parameters
    ----------
    delta:
        Class separation ``Δ ∈ (0, 1)``: ``x | y = ±1 ~ N(0, (1 ± Δ)² I_d)``.
    d:
        Input dimension, an integer ``≥ 1`` or ``inf`` (the ``d → ∞`` form of the ODE).
    m0:
        Initial second moment ``m_0 = ∫‖w‖² ρ_0(dw) > 0`` of an isotropic start.
    xi:
        Step-size profile ``ξ > 0`` (constant), MMN18's ``s_k = εξ``.

    Raises
    ------
    ParameterError
        A value outside its range, naming the parameter.
    """
    dl = _real("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True, rng="(0, 1)")
    dd = _real("d", d, low=1.0, high=math.inf, low_open=False, high_open=False, rng="[1, ∞] (an integer or inf)")
    if not math.isinf(dd) and dd != int(dd):
        raise ParameterError(f"parameter `d` must be an integer ≥ 1 or inf; got {d!r}.")
    mm = _real("m0", m0, low=0.0, high=math.inf, low_open=True, high_open=True, rng="(0, ∞)")
    xx = _real("xi", xi, low=0.0, high=math.inf, low_open=True, high_open=True, rng="(0, ∞)")
    return Setting(dl, dd, mm, xx)


def _times(t: ArrayLike) -> FloatArray:
    arr = np.asarray(t, dtype=float)
    if arr.size and (not np.all(np.isfinite(arr)) or np.any(arr < 0)):
        raise ParameterError(f"parameter `t` must be finite times ≥ 0; got {t!r}.")
    return arr


def risk(m: ArrayLike, *, delta: Real = 0.25, d: Real = math.inf) -> FloatArray:
    r"""Population square loss of a network with isotropic second moment ``M = (m/d) I``.

    .. math:: R(m) = \mathbb E\,(y - x^\top M x + 1)^2 = 2 - 2a\,m + \tfrac12 c_d\, m^2,

    from ``E‖x‖²/d = s²`` and ``E(‖x‖²/d)² = s⁴(1 + 2/d)`` (``‖x‖²/s²`` is χ² with ``d`` degrees).
    Holds for the mean-field limit and for any finite width whose ``M`` is isotropic
    (MMN18's risk ``R(ρ)``, their eq. (4), in this problem).

    Parameters
    ----------
    m:
        ``tr M = ∫‖w‖² ρ(dw) ≥ 0`` (array-like).
    delta, d:
        As in :func:`setting`.

    Returns
    -------
    numpy.ndarray
        ``R(m)``, the shape of ``m``.
    """
    s = setting(delta=delta, d=d)
    mm = np.asarray(m, dtype=float)
    if mm.size and (not np.all(np.isfinite(mm)) or np.any(mm < 0)):
        raise ParameterError(f"parameter `m` must be finite and ≥ 0; got {m!r}.")
    return 2.0 - 2.0 * s.a * mm + 0.5 * s.c * mm**2


def fixed_point(*, delta: Real = 0.25, d: Real = math.inf) -> tuple[float, float]:
    r"""The stable fixed point ``(m_*, R_*)`` of the reduced ODE.

    .. math:: m_* = \frac{2a}{(a^2 + b^2)(1 + 2/d)}, \qquad R_* = 2 - \frac{2a^2}{(a^2+b^2)(1+2/d)},

    the minimum of :func:`risk` over ``m``; for width ``N ≥ d`` it is also the global minimum of the
    finite network's population risk (``tr M² ≥ (tr M)²/d``, equality iff ``M`` is isotropic).

    Parameters
    ----------
    delta, d:
        As in :func:`setting`.
    """
    s = setting(delta=delta, d=d)
    return s.m_star, 2.0 - 2.0 * s.a**2 / s.c


def second_moment(
    t: ArrayLike,
    *,
    delta: Real = 0.25,
    d: Real = math.inf,
    m0: Real = 0.1,
    xi: Real = 1.0,
) -> FloatArray:
    r"""Closed-form solution ``m(t)`` of the reduced mean-field ODE (MMN18, isotropic Gaussians).

    .. math:: m(t) = \frac{m_*}{1 + (m_*/m_0 - 1)\,e^{-8\xi a t}}

    solves ``ṁ = 4ξ m (2a − c_d m)``; the law of a neuron is ``ρ_t = ρ_0`` rescaled by
    ``√(m(t)/m_0)``.

    Parameters
    ----------
    t:
        Times ``≥ 0`` (array-like).
    delta, d, m0, xi:
        As in :func:`setting`.

    Returns
    -------
    numpy.ndarray
        ``m(t)``, the shape of ``t``.
    """
    s = setting(delta=delta, d=d, m0=m0, xi=xi)
    tt = _times(t)
    return s.m_star / (1.0 + (s.m_star / s.m0 - 1.0) * np.exp(-s.rate * tt))


def second_moment_ode(
    t: ArrayLike | Sequence[float],
    *,
    delta: Real = 0.25,
    d: Real = math.inf,
    m0: Real = 0.1,
    xi: Real = 1.0,
    dps: int | None = None,
) -> FloatArray | list[mpmath.mpf]:
    r"""Integrate the reduced ODE ``ṁ = −8ξ m g(m)``, ``g = ½(c_d m − 2a)``, numerically.

    ``g`` is the common eigenvalue of ``G = E[(f_ρ(x) − y) x xᵀ]``; each neuron moves by
    ``ẇ = −4ξ G w`` (MMN18's ``ẇ = −2ξ∇Ψ``).  This is the numerical route for the PDE's reduction,
    kept apart from the closed form :func:`second_moment` so that each checks the other.

    Parameters
    ----------
    t:
        Times ``≥ 0``.
    delta, d, m0, xi:
        As in :func:`setting`.
    dps:
        ``None``: float64 :func:`scipy.integrate.solve_ivp` (DOP853, ``rtol=1e-12``).  An integer
        ``≥ 5``: mpmath's Taylor integrator :func:`mpmath.odefun` at ``dps`` digits (the caller's
        precision is restored).

    Returns
    -------
    numpy.ndarray or list of mpmath.mpf
        ``m(t)`` at the requested times.
    """
    s = setting(delta=delta, d=d, m0=m0, xi=xi)
    tt = _times(t)
    if dps is None:
        from scipy.integrate import solve_ivp

        flat = tt.ravel()
        if flat.size == 0:
            return tt.copy()
        tmax = float(flat.max())
        if tmax == 0.0:
            return np.full(tt.shape, s.m0)

        def rhs(_t: float, y: FloatArray) -> FloatArray:
            g = 0.5 * (s.c * y - 2.0 * s.a)
            return -8.0 * s.xi * y * g

        sol = solve_ivp(rhs, (0.0, tmax), [s.m0], method="DOP853", rtol=1e-12, atol=1e-14, dense_output=True)
        if not sol.success:  # pragma: no cover - a smooth 1-D logistic flow
            raise RuntimeError(sol.message)
        return np.asarray(sol.sol(flat)[0], dtype=float).reshape(tt.shape)
    if int(dps) != dps or dps < 5:
        raise ParameterError(f"parameter `dps` must be an integer ≥ 5 or None; got {dps!r}.")
    with mpmath.workdps(int(dps) + 10):
        dl = _mp(delta)
        a, b = (1 + dl) ** 2, (1 - dl) ** 2
        c = (a**2 + b**2) * (1 if math.isinf(s.d) else 1 + mpmath.mpf(2) / int(s.d))
        x, m_0 = _mp(xi), _mp(m0)
        f = mpmath.odefun(lambda _t, y: -8 * x * y * (c * y - 2 * a) / 2, 0, m_0)
        out = [f(mpmath.mpf(str(v))) for v in tt.ravel().tolist()]
    with mpmath.workdps(int(dps)):
        return [+v for v in out]
