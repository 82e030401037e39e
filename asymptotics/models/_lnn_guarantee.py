r"""Deep linear networks: the convergence guarantee and the local implicit-acceleration criterion.

Two results of the linear-networks notes (Cohen & Razin, arXiv 2408.13767), as quantities of the
``lnn`` model (docs/models/lnn.md, 'Convergence guarantee'; docs/models/lnn.md, 'When depth accelerates').

Convergence guarantee (Arora, Cohen, Golowich & Hu 2019, arXiv 1810.02281, Theorem 1)
----------------------------------------------------------------------------------------
Gradient descent with step ``η`` on the layers of ``W = W_N ⋯ W_1`` for ``ℓ(W) = ½‖W − Φ‖_F²``
(whitened ``ℓ₂`` regression, ``Φ`` full rank, hidden widths ``≥ min(d₀, d_N)``).  If the start has
*deficiency margin* ``c > 0`` (``‖W(0) − Φ‖_F ≤ σ_min(Φ) − c``), its layers are ``δ``-balanced
(``‖W_{j+1}ᵀW_{j+1} − W_jW_jᵀ‖_F ≤ δ``) with

.. math:: \delta \le \frac{c^2}{256\,N^3\,\|\Phi\|_F^{2(N-1)/N}},\qquad
          \eta \le \frac{c^{(4N-2)/N}}{6144\,N^3\,\|\Phi\|_F^{(6N-4)/N}},

then every iteration contracts the loss, ``ℓ(t+1) ≤ (1 − ηc^{2(N−1)/N}) ℓ(t)``, so
``ℓ(T) ≤ ε`` as soon as ``T ≥ ln(ℓ(0)/ε)/(ηc^{2(N−1)/N})``.  :func:`guarantee_step`,
:func:`guarantee_delta`, :func:`guarantee_rate` (the contraction factor) and
:func:`guarantee_iterations` evaluate these closed forms, certified and proven on balls.

Necessary ranges: ``0 < c < ‖Φ‖_F`` (``c ≤ σ_min(Φ) ≤ ‖Φ‖_F``, equality only at ``W(0) = Φ``), and
``ℓ(0) = ½‖W(0) − Φ‖_F² ≤ ½(σ_min(Φ) − c)² ≤ ½(‖Φ‖_F − c)²``.

Local acceleration criterion (derived here from Arora, Cohen & Hazan 2018, arXiv 1802.06509)
--------------------------------------------------------------------------------------------
For a single output (``w ∈ ℝ^{1×d}``) ACH18's end-to-end rule reads
``w ← w − η‖w‖^{2−2/N}(∇ℓ + (N − 1)P_w∇ℓ)``, ``P_w = wᵀw/‖w‖²``, i.e. the preconditioner
``P = ‖w‖^{2−2/N}(I + (N − 1)uuᵀ)``, ``u = w/‖w‖``.  Near a minimizer ``w⋆ ≠ 0`` with Hessian
``H ≻ 0`` the layer iteration is, to first order in the error, ``e ← e − ηP⋆He`` on the loss-changing
directions (the layer Jacobian ``J`` has ``JJᵀ = P⋆`` at a balanced point; the directions that move
along the fibre of factorizations have zero curvature).  A fixed step can at best contract the error
by ``ρ = (κ − 1)/(κ + 1)`` per iteration, ``κ`` the condition number of ``P⋆^{1/2}HP⋆^{1/2}`` (the
classical optimal step ``2/(μ_max + μ_min)``).  Depth therefore accelerates the tuned local rate iff
``κ_N < κ_1 = κ(H)``; the speed-up in iterations is ``ln ρ_N / ln ρ_1`` (:func:`local_speedup`).
It cannot accelerate when ``H`` is isotropic (``κ_1 = 1``: one tuned step of depth 1 already solves
the local quadratic, while ``κ_N = N``), and it slows down when ``w⋆`` lies along the stiffest
direction; it accelerates when ``w⋆`` lies along soft directions: along the softest eigenvector and
for ``N ≤ κ_1``, ``κ_N = λ_max / min(Nλ_min, λ_2)`` (``λ_2`` the second-smallest eigenvalue of ``H``),
which is ``κ_1/N`` only when ``λ_2 ≥ Nλ_min`` (always in ``d = 2``; ``H = diag(1, 2, 10)``, ``N = 5``
gives ``κ_N = 5``, not 2).  :func:`acceleration_speedup` is the closed form for a two-dimensional
``H = diag(1, κ)`` with ``overlap = (u · e_soft)²``; :func:`local_criterion` handles any ``H``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from .._types import IntLike, Real
from .._validate import check_int, check_real, shown_params, to_mpf
from ..backend import MP, Backend
from ..errors import ParameterError
from ..precision import DEFAULT_DPS, certify
from ..references import Source
from ..result import Result

NAME = "lnn"
MAX_GUARANTEE_DEPTH = 1000
"""Largest depth the guarantee quantities accept (the exact step-size check raises to the power N)."""

ACGH_2019 = Source(
    "S. Arora, N. Cohen, N. Golowich, W. Hu",
    "A Convergence Analysis of Gradient Descent for Deep Linear Neural Networks",
    2019,
    arxiv="1810.02281",
    journal="ICLR 2019",
)
ACH_2018 = Source(
    "S. Arora, N. Cohen, E. Hazan",
    "On the Optimization of Deep Networks: Implicit Acceleration by Overparameterization",
    2018,
    arxiv="1802.06509",
    journal="ICML 2018",
)

STEP_CONSTANT = 6144
DELTA_CONSTANT = 256


# ----------------------------------------------------------------------------- closed forms over B
def _rpow(B: Backend, x: Any, e: Fraction) -> Any:
    """``x**e`` (``x > 0``) for a rational exponent; integer exponents stay exact on exact inputs."""
    base = B.num(x) if isinstance(x, Fraction | int) else x
    if e.denominator == 1:
        return base ** int(e)
    return base ** B.num(e)


def rate_exponent(depth: int) -> Fraction:
    """``2(N − 1)/N``: the power of the margin in the guaranteed rate."""
    return Fraction(2 * (depth - 1), depth)


def step_bound(depth: int, margin: Any, phi_norm: Any, B: Backend = MP) -> Any:
    r"""``η_max = c^{(4N−2)/N} / (6144 N³ ‖Φ‖_F^{(6N−4)/N})`` (ACGH19, Theorem 1)."""
    n = depth
    return _rpow(B, margin, Fraction(4 * n - 2, n)) / (STEP_CONSTANT * n**3 * _rpow(B, phi_norm, Fraction(6 * n - 4, n)))


def delta_bound(depth: int, margin: Any, phi_norm: Any, B: Backend = MP) -> Any:
    r"""``δ_max = c² / (256 N³ ‖Φ‖_F^{2(N−1)/N})`` (ACGH19, Theorem 1)."""
    n = depth
    return _rpow(B, margin, Fraction(2)) / (DELTA_CONSTANT * n**3 * _rpow(B, phi_norm, rate_exponent(n)))


def contraction(depth: int, margin: Any, step: Any, B: Backend = MP) -> Any:
    r"""``1 − η c^{2(N−1)/N}``: the guaranteed per-iteration factor of the loss."""
    return 1 - (B.num(step) if isinstance(step, Fraction | int) else step) * _rpow(B, margin, rate_exponent(depth))


def iteration_bound(depth: int, margin: Any, step: Any, loss0: Any, eps: Any, B: Backend = MP) -> Any:
    r"""``T = ln(ℓ(0)/ε) / (η c^{2(N−1)/N})``: iterations after which ``ℓ ≤ ε`` is guaranteed."""
    ratio = loss0 / eps
    s = B.num(step) if isinstance(step, Fraction | int) else step
    return B.log(B.num(ratio) if isinstance(ratio, Fraction | int) else ratio) / (s * _rpow(B, margin, rate_exponent(depth)))


# ----------------------------------------------------------------------------- parameters
def _guarantee_params(depth: Any, margin: Any, phi_norm: Any) -> tuple[int, Fraction, Fraction]:
    if depth is None or margin is None or phi_norm is None:
        missing = [n for n, v in (("depth", depth), ("margin", margin), ("phi_norm", phi_norm)) if v is None]
        raise ParameterError(
            f"missing parameter(s) {', '.join(missing)}: depth (integer 1..{MAX_GUARANTEE_DEPTH}), "
            "margin (deficiency margin c > 0), phi_norm (‖Φ‖_F > c)."
        )
    n = check_int("depth", depth, low=1, high=MAX_GUARANTEE_DEPTH)
    c = check_real("margin", margin, low=0, low_open=True)
    phi = check_real("phi_norm", phi_norm, low=0, low_open=True)
    if c >= phi:
        raise ParameterError(
            f"`margin` = {shown_params(x=c)['x']} must be below `phi_norm` = {shown_params(x=phi)['x']}: "
            "the deficiency margin c ≤ σ_min(Φ) − ‖W(0) − Φ‖_F < ‖Φ‖_F (0 < margin < phi_norm)."
        )
    return n, Fraction(c), Fraction(phi)


def _log_gap_decided(depth: int, margin: Fraction, phi_norm: Fraction, step: Fraction) -> bool | None:
    """Decide ``step ≤ η_max`` from a rigorous enclosure of the log gap, or ``None`` if the balls cannot.

    ``g = N ln step + N ln(6144N³) + (6N − 4) ln‖Φ‖_F − (4N − 2) ln c`` on Arb balls (outward rounded), at 64
    and then 256 bits: ``g < 0`` proves admissibility, ``g > 0`` proves the opposite; an enclosure that
    contains 0 (the two sides agree to about 75 digits, e.g. ``step = η_max`` exactly) returns ``None``.
    """
    from flint import arb, fmpz

    from ..ball import workprec
    from ..precision import MPMATH_LOCK

    def ln(x: Fraction) -> Any:
        return arb(fmpz(x.numerator)).log() - arb(fmpz(x.denominator)).log()

    n = depth
    with MPMATH_LOCK:
        for bits in (64, 256):
            with workprec(bits):
                g = n * ln(step) + n * ln(Fraction(STEP_CONSTANT * n**3)) + (6 * n - 4) * ln(phi_norm)
                g -= (4 * n - 2) * ln(margin)
                if g < 0:
                    return True
                if g > 0:
                    return False
    return None


def step_admissible(depth: int, margin: Fraction, phi_norm: Fraction, step: Fraction) -> bool:
    """Decide ``step ≤ η_max`` exactly: ``step^N (6144N³)^N ‖Φ‖_F^{6N−4} ≤ c^{4N−2}``.

    A rigorous ball enclosure of the logarithms of both sides decides at once unless they agree to
    about 75 digits; only then are the powers formed, exactly, in FLINT rationals (GMP: a fraction of
    a second even at depth 1000 with 300-digit exponents).
    """
    decided = _log_gap_decided(depth, margin, phi_norm, step)
    if decided is not None:
        return decided
    from flint import fmpq

    def q(x: Fraction) -> Any:
        return fmpq(x.numerator, x.denominator)

    n = depth
    return bool(q(step) ** n * fmpq(STEP_CONSTANT * n**3) ** n * q(phi_norm) ** (6 * n - 4) <= q(margin) ** (4 * n - 2))


def _check_step(step: Any, n: int, c: Fraction, phi: Fraction) -> Fraction | None:
    if step is None:
        return None
    s = Fraction(check_real("step", step, low=0, low_open=True))
    if not step_admissible(n, c, phi, s):
        with mpmath.workdps(30):  # mpf: no float64 underflow (η_max can be far below 1e-308)
            bound = mpmath.nstr(step_bound(n, to_mpf(c), to_mpf(phi)), 6)
        raise ParameterError(
            f"`step` = {shown_params(x=s)['x']} exceeds the admissible step size of ACGH19's Theorem 1, "
            f"c^((4N-2)/N)/(6144 N^3 ||Phi||_F^((6N-4)/N)) = {bound}: valid range 0 < step <= {bound}."
        )
    return s


def _result(quantity: str, fn: Any, proof: Any, shown: dict[str, str], dps: int, source: Source) -> Result:
    prove = None if proof is None else (lambda: (proof(), None))
    c = certify(lambda: (fn(), None), dps, what=f"lnn {quantity}", params=shown, prove=prove)
    return Result(c.value, NAME, quantity, shown, dps, None, c.error_estimate, None, source, **c.proof_fields())


def _ball() -> Backend:
    from ..ball import AB

    return AB


# ----------------------------------------------------------------------------- public quantities
def guarantee_step(
    depth: IntLike | None = None, margin: Real | None = None, phi_norm: Real | None = None, *, dps: int = DEFAULT_DPS
) -> Result:
    r"""Largest step size of ACGH19's Theorem 1: ``η_max = c^{(4N−2)/N}/(6144 N³ ‖Φ‖_F^{(6N−4)/N})``.

    Parameters
    ----------
    depth : int
        Number of layers ``N`` (1 to 1000).
    margin : real
        Deficiency margin ``c`` of the start, ``0 < c < ‖Φ‖_F``.
    phi_norm : real
        ``‖Φ‖_F`` of the target.

    Examples: ``N = 1, c = 1/2, ‖Φ‖_F = 1``: ``1/24576``.
    """
    n, c, phi = _guarantee_params(depth, margin, phi_norm)
    shown = {"depth": str(n), **shown_params(margin=c, phi_norm=phi)}
    return _result(
        "guarantee_step",
        lambda: step_bound(n, to_mpf(c), to_mpf(phi)),
        lambda: _ball().num(step_bound(n, c, phi, _ball())),
        shown,
        dps,
        ACGH_2019,
    )


def guarantee_delta(
    depth: IntLike | None = None, margin: Real | None = None, phi_norm: Real | None = None, *, dps: int = DEFAULT_DPS
) -> Result:
    r"""Balancedness tolerance of ACGH19's Theorem 1: ``δ = c²/(256 N³ ‖Φ‖_F^{2(N−1)/N})``.

    The layers must satisfy ``‖W_{j+1}ᵀW_{j+1} − W_jW_jᵀ‖_F ≤ δ`` for ``j = 1..N−1`` at the start.
    """
    n, c, phi = _guarantee_params(depth, margin, phi_norm)
    shown = {"depth": str(n), **shown_params(margin=c, phi_norm=phi)}
    return _result(
        "guarantee_delta",
        lambda: delta_bound(n, to_mpf(c), to_mpf(phi)),
        lambda: _ball().num(delta_bound(n, c, phi, _ball())),
        shown,
        dps,
        ACGH_2019,
    )


def guarantee_rate(
    depth: IntLike | None = None,
    margin: Real | None = None,
    phi_norm: Real | None = None,
    step: Real | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Guaranteed per-iteration loss factor ``1 − η c^{2(N−1)/N}`` (ACGH19, Theorem 1 and its proof).

    ``step`` defaults to the admissible maximum :func:`guarantee_step`, where the factor is
    ``1 − (c/‖Φ‖_F)^{(6N−4)/N}/(6144 N³)``; a given ``step`` must satisfy ``0 < step ≤ η_max``.
    """
    n, c, phi = _guarantee_params(depth, margin, phi_norm)
    s = _check_step(step, n, c, phi)
    shown = {"depth": str(n), **shown_params(margin=c, phi_norm=phi)}
    if s is not None:
        shown.update(shown_params(step=s))

    def value(B: Backend, cc: Any, pp: Any, ss: Any) -> Any:
        eta = step_bound(n, cc, pp, B) if ss is None else ss
        return contraction(n, cc, eta, B)

    return _result(
        "guarantee_rate",
        lambda: value(MP, to_mpf(c), to_mpf(phi), None if s is None else to_mpf(s)),
        lambda: _ball().num(value(_ball(), c, phi, s)),
        shown,
        dps,
        ACGH_2019,
    )


def guarantee_iterations(
    depth: IntLike | None = None,
    margin: Real | None = None,
    phi_norm: Real | None = None,
    loss0: Real | None = None,
    eps: Real | None = None,
    step: Real | None = None,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Iterations after which ACGH19 guarantee ``ℓ ≤ ε``: ``T = ln(ℓ(0)/ε)/(η c^{2(N−1)/N})``.

    Parameters
    ----------
    loss0 : real
        Initial loss ``ℓ(0) = ½‖W(0) − Φ‖_F²``, ``0 < ℓ(0) ≤ ½(‖Φ‖_F − c)²`` (the margin bounds it).
    eps : real
        Target loss, ``0 < ε < ℓ(0)``.
    step : real, optional
        Step size ``η`` (default: the admissible maximum :func:`guarantee_step`).

    Any integer ``T`` at or above the value works; with ``η = η_max`` it is
    ``6144 N³ (‖Φ‖_F/c)^{(6N−4)/N} ln(ℓ(0)/ε)``.
    """
    n, c, phi = _guarantee_params(depth, margin, phi_norm)
    if loss0 is None or eps is None:
        raise ParameterError("missing parameter(s) loss0 (0 < ℓ(0) ≤ ½(phi_norm − margin)²) and/or eps (0 < ε < ℓ(0)).")
    top = (phi - c) ** 2 / 2
    l0 = Fraction(check_real("loss0", loss0, low=0, high=top, low_open=True))
    e = Fraction(check_real("eps", eps, low=0, high=l0, low_open=True, high_open=True))
    s = _check_step(step, n, c, phi)
    shown = {"depth": str(n), **shown_params(margin=c, phi_norm=phi, loss0=l0, eps=e)}
    if s is not None:
        shown.update(shown_params(step=s))

    def value(B: Backend, cc: Any, pp: Any, ss: Any, ll: Any, ee: Any) -> Any:
        eta = step_bound(n, cc, pp, B) if ss is None else ss
        return iteration_bound(n, cc, eta, ll, ee, B)

    return _result(
        "guarantee_iterations",
        lambda: value(MP, to_mpf(c), to_mpf(phi), None if s is None else to_mpf(s), to_mpf(l0), to_mpf(e)),
        lambda: _ball().num(value(_ball(), c, phi, s, l0, e)),
        shown,
        dps,
        ACGH_2019,
    )


# ----------------------------------------------------------------------------- acceleration criterion
def two_by_two_condition(depth: int, kappa: Any, overlap: Any, B: Backend = MP) -> Any:
    r"""``κ_N`` of ``D^{1/2}HD^{1/2}``, ``H = diag(1, κ)``, ``D = I + (N − 1)uuᵀ``, ``(u·e₁)² = overlap``.

    ``det = Nκ`` and ``tr = 1 + κ + (N − 1)(overlap + (1 − overlap)κ)``, so the eigenvalues are
    ``(tr ± √(tr² − 4Nκ))/2`` and ``κ_N = (tr + r)/(tr − r) = (tr + r)²/(4Nκ)``, ``r = √(tr² − 4Nκ)``.
    """
    tr = 1 + kappa + (depth - 1) * (overlap + (1 - overlap) * kappa)
    disc = tr * tr - 4 * depth * kappa
    r = B.sqrt(B.num(disc) if isinstance(disc, Fraction | int) else disc)
    return (tr + r) ** 2 / (4 * depth * kappa)


def _log_ratio(B: Backend, k: Any) -> Any:
    """``ln((κ + 1)/(κ − 1)) = −ln ρ`` for ``κ > 1``."""
    return B.log1p(2 / (k - 1))


def speedup_from_conditions(kappa_1: Any, kappa_n: Any, B: Backend = MP) -> Any:
    """``ln ρ_N / ln ρ_1``: the ratio of tuned local iteration counts, depth 1 over depth N."""
    return _log_ratio(B, kappa_n) / _log_ratio(B, kappa_1)


def acceleration_speedup(
    depth: IntLike | None = None, kappa: Real | None = None, overlap: Real | None = None, *, dps: int = DEFAULT_DPS
) -> Result:
    r"""Tuned local speed-up of depth ``N`` over depth 1 near a minimizer (derived from ACH18's end-to-end rule).

    With ``H = diag(1, κ)`` the Hessian at the minimizer ``w⋆`` and ``overlap = (u·e₁)²`` the squared
    cosine between ``u = w⋆/‖w⋆‖`` and the soft direction, the speed-up is
    ``ln((κ_N + 1)/(κ_N − 1)) / ln((κ + 1)/(κ − 1))`` with ``κ_N`` from :func:`two_by_two_condition`
    (> 1: depth accelerates; < 1: it slows down).  ``κ = 1`` (isotropic) gives 0 for ``N ≥ 2``: a tuned
    step of depth 1 solves the local quadratic at once, depth cannot accelerate.  ``N = 1`` gives 1.

    Parameters
    ----------
    depth : int
        ``N ≥ 1``.
    kappa : real
        Condition number ``κ ≥ 1`` of the Hessian at the minimizer.
    overlap : real
        ``(u·e_soft)² ∈ [0, 1]``.
    """
    if depth is None or kappa is None or overlap is None:
        raise ParameterError("missing parameter(s): depth (integer ≥ 1), kappa (≥ 1), overlap (in [0, 1]).")
    n = check_int("depth", depth, low=1, high=MAX_GUARANTEE_DEPTH)
    k = Fraction(check_real("kappa", kappa, low=1))
    a = Fraction(check_real("overlap", overlap, low=0, high=1))
    shown = {"depth": str(n), **shown_params(kappa=k, overlap=a)}
    if n == 1 or k == 1:
        exact = Fraction(1) if n == 1 else Fraction(0)
        return _result("acceleration_speedup", lambda: to_mpf(exact), lambda: _ball().num(exact), shown, dps, ACH_2018)

    tr = 1 + k + (n - 1) * (a + (1 - a) * k)
    if tr * tr == 4 * n * k:  # κ_N = 1: one tuned step of depth N solves the local quadratic
        return _result("acceleration_speedup", lambda: mpmath.inf, None, shown, dps, ACH_2018)

    def value(B: Backend) -> Any:
        # κ_N from the exact rationals tr and tr² − 4Nκ (no cancellation inside the square root)
        kn = two_by_two_condition(n, k, a, B)
        return speedup_from_conditions(B.num(k), kn, B)

    return _result("acceleration_speedup", lambda: value(MP), lambda: value(_ball()), shown, dps, ACH_2018)


# ----------------------------------------------------------------------------- general d (float64)
@dataclass(frozen=True)
class AccelerationCriterion:
    """The local criterion for one minimizer: condition numbers, best steps, predicted contraction."""

    depth: int
    kappa_1: float
    kappa_n: float
    rho_1: float
    rho_n: float
    step_1: float
    step_n: float
    speedup: float

    @property
    def accelerates(self) -> bool:
        """Whether depth ``N`` beats depth 1 locally with both steps tuned (``κ_N < κ_1``)."""
        return self.kappa_n < self.kappa_1


def end_to_end_preconditioner(w: np.ndarray, depth: int) -> np.ndarray:
    r"""``P = ‖w‖^{2−2/N}(I + (N − 1)uuᵀ)`` for a single-output ``w`` (ACH18's end-to-end rule)."""
    v = np.asarray(w, dtype=float).ravel()
    nrm = float(np.linalg.norm(v))
    if nrm == 0.0:
        raise ParameterError("`w` must be nonzero: the end-to-end preconditioner vanishes at w = 0 for N >= 2.")
    u = v / nrm
    return nrm ** (2 - 2 / depth) * (np.eye(v.size) + (depth - 1) * np.outer(u, u))


def local_criterion(H: np.ndarray, w_star: np.ndarray, depth: int) -> AccelerationCriterion:
    """Tuned local rates of depth 1 and depth ``N`` at the minimizer ``w_star`` with Hessian ``H ≻ 0``.

    ``step`` values are the optimal constant steps ``2/(μ_max + μ_min)`` of the respective
    linearizations (``μ`` the eigenvalues of ``H`` and of ``P^{1/2}HP^{1/2}``), ``ρ = (κ − 1)/(κ + 1)``.
    """
    n = check_int("depth", depth, low=1)
    Hs = np.asarray(H, dtype=float)
    Hs = (Hs + Hs.T) / 2
    lam = np.linalg.eigvalsh(Hs)
    if lam[0] <= 0:
        raise ParameterError("`H` must be positive definite (the local criterion needs a strict minimizer).")
    P = end_to_end_preconditioner(w_star, n)
    e, V = np.linalg.eigh(P)
    root = (V * np.sqrt(e)) @ V.T
    mu = np.linalg.eigvalsh(root @ Hs @ root)
    k1, kn = lam[-1] / lam[0], mu[-1] / mu[0]
    r1, rn = (k1 - 1) / (k1 + 1), (kn - 1) / (kn + 1)
    if n == 1:
        sp = 1.0
    elif k1 == 1.0:
        sp = 0.0
    else:
        sp = float(np.log1p(2 / (kn - 1)) / np.log1p(2 / (k1 - 1))) if kn > 1 else float("inf")
    return AccelerationCriterion(n, k1, kn, r1, rn, 2 / (lam[-1] + lam[0]), 2 / (mu[-1] + mu[0]), sp)
