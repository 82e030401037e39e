r"""Random features in the polynomial regime: the per-level precise formula (``rf risk_asymptotic``).

Setting
-------
As in :mod:`asymptotics.models.random_features`, with ``N = α₁B(d, ℓ)`` random features and ``n = α₂B(d, ℓ)``
samples, ``B(d, ℓ)`` the number of degree-``ℓ`` spherical harmonics (``≈ d^ℓ/ℓ!``), ``d → ∞``, and the
ridge penalty ``(Nλ/B(d, ℓ))‖a‖²`` (equivalently kernel ridge regression with the empirical kernel
``K = ΦΦᵀ/N`` and the unnormalized ridge ``α₂λ = nλ/B(d, ℓ)``; at ``ℓ = 1`` this is Mei–Montanari's
``Nλ/d``, as ``B(d, 1) = d``).  The target has energies ``F_k²`` per degree (``F = "F0²,F1²,..."``).

Derivation (docs/models/rf.md, 'Polynomial scalings: per-level formula and phase figures')
------------------------------------------------------------------------------------------
The activation's kernel is ``h(s) = E σ(G)σ(G')`` with ``corr(G, G') = s``, i.e.
``h(s) = Σ_k ξ_k s^k``, ``ξ_k = μ_k²/k!``, ``μ_k = E σ(G) He_k(G)`` (Mehler).  Expanding each feature
``σ(⟨θ, x⟩/√d)`` in spherical harmonics splits the feature matrix by degree:

* degrees ``k < ℓ`` span ``B(d, k) ≪ N, n`` directions: low-rank spikes, learned exactly when ``μ_k ≠ 0``.
  When ``μ_k = 0`` the RF kernel's degree-``k`` eigenvalue ``λ_k(d)²`` (weights uniform on the sphere) comes
  from the ``1/d`` corrections of the sphere, ``d^{k/2}λ_k(d) = c/d + …`` with ``c = −kμ_{k+2} − μ_{k+4}/4``:
  :func:`_lower_degree_lost` decides learned / lost (then it acts as noise) / partly learned (refused);
* degree ``ℓ``: ``√ξ_ℓ · Y_ℓ(X)Y_ℓ(Θ)ᵀ/B(d, ℓ)^{1/2}``-type product of two ``B(d, ℓ)``-dimensional
  isotropic feature maps: the *linear* part of Mei–Montanari's problem with ``d → B(d, ℓ)``,
  ``μ₁² → ξ_ℓ``;
* degrees ``k > ℓ``: each has ``B(d, k) ≫ N, n`` directions and behaves as independent noise in the
  features, of total variance ``Σ_{k>ℓ} ξ_k = E σ(G)² − Σ_{k≤ℓ} ξ_k``: Mei–Montanari's ``μ_⋆²``
  (the *self-induced ridge* of the higher levels).

Hence, at level ``ℓ`` (Hu, Lu & Misiakiewicz, arXiv 2403.08160, the Gaussian-equivalent model of their
polynomial-regime theorem at ``κ₁ = κ₂ = ℓ``; Mei, Misiakiewicz & Montanari, arXiv 2101.10588 away from it)

.. math:: R_\ell(\alpha_1, \alpha_2, \lambda) = R_{\rm MM}\big(\psi_1 = \alpha_1,\ \psi_2 = \alpha_2,\ \lambda;\
          \mu_1^2 = \xi_\ell,\
          \mu_\star^2 = \textstyle\sum_{k>\ell}\xi_k;\ F_1^2 = F_\ell^2,\ F_\star^2 = F^2_{>\ell} + F^2_{\rm lost},\ \tau^2\big),

``R_MM`` Mei–Montanari's risk, evaluated by rf's one solver (:class:`~asymptotics.models.random_features._Solver`,
with these coefficients in place of ``μ₁², μ_⋆²``).  Checks (tests/models/test_rf_levels.py): ``ℓ = 1`` is
``rf risk``; ``α₁ = ∞`` is ``krr risk_asymptotic`` with the activation's kernel and ridge ``α₂λ``
(``relu`` ↔ ``relu_nngp``, ``quadratic`` ↔ ``coef:1,0,2``); ``α₁ → 0`` gives ``F²_{>ℓ−1}``,
``α₁, α₂ → ∞`` (``λ = 0``) ``F²_{>ℓ}``, the ends of :func:`~asymptotics.models._staircase.rf_phase`.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import mpmath

from .._types import ActivationLike, Energies, IntLike, Real
from .._validate import check_int, check_real, shown_params, to_mpf
from ..activations import Activation, Coefficients, get_activation
from ..errors import ParameterError
from ..precision import DEFAULT_DPS, certify
from ..references import Source
from ..result import Result

__all__ = ["HLM_2024", "MAX_LEVEL", "level_coefficients", "risk_asymptotic", "risk_from_coefficients", "sphere_coefficient"]

HLM_2024 = Source(
    "H. Hu, Y. M. Lu, T. Misiakiewicz",
    "Asymptotics of random feature regression beyond the linear scaling regime",
    2024,
    arxiv="2403.08160",
)
MAX_LEVEL = 12
"""Largest level accepted (the Hermite coefficients up to ``2ℓ`` are computed)."""


class _LevelActivation:
    """The activation seen by rf's solver at level ``ℓ``: ``μ₁² → ξ_ℓ``, ``μ_⋆² → Σ_{k>ℓ} ξ_k``.

    Every other attribute (name, expression, closed form: the proof route's checks) is the base activation's.
    """

    def __init__(self, base: Activation, level: int) -> None:
        self.base, self.level = base, level
        self._cache: dict[Any, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def coefficients(self) -> Coefficients:
        key = ("coef", mpmath.mp.prec)
        if key not in self._cache:
            c = self.base.coefficients()
            if self.level == 1:
                out = c
            else:
                err = c.error
                parts = []
                for k in range(2, self.level + 1):
                    mu, e = self.base.hermite(k)
                    parts.append(mu * mu / mpmath.factorial(k))
                    err += 2 * abs(mu) * e / mpmath.factorial(k) + e * e
                xi_l = parts[-1]
                tail = c.mustar2 - mpmath.fsum(parts)
                if abs(tail) <= 10 * err:  # a polynomial of degree ≤ ℓ (exact) or zero to within the quadrature
                    tail = mpmath.mpf(0) if err == 0 or tail < 0 else tail
                out = Coefficients(c.mu0, mpmath.sqrt(xi_l), tail, err)
            self._cache[key] = out
        return self._cache[key]

    def ball_coefficients(self) -> tuple[Any, Any, Any]:
        from flint import ctx

        from ..ball import AB

        key = ("ball", ctx.prec)
        if key not in self._cache:
            mu0, mu1, ms2 = self.base.ball_coefficients()
            if self.level > 1:
                parts = [self.base.ball_hermite(k) ** 2 / AB.num(math.factorial(k)) for k in range(2, self.level + 1)]
                mu1 = AB.sqrt(parts[-1])
                ms2 = ms2 - AB.fsum(parts)
            self._cache[key] = (mu0, mu1, ms2)
        return self._cache[key]


class _FixedCoefficients:
    """An activation stand-in with given ``μ₁² = ξ``, ``μ_⋆² = t`` (for :func:`risk_from_coefficients`)."""

    closed = None
    expr = None

    def __init__(self, xi: Any, tail: Any) -> None:
        self.name = "given coefficients"
        self.xi, self.tail = xi, tail

    def coefficients(self) -> Coefficients:
        xi, tail = (mpmath.mpf(x) if isinstance(x, mpmath.mpf | float) else to_mpf(x) for x in (self.xi, self.tail))
        return Coefficients(mpmath.mpf(0), mpmath.sqrt(xi), tail, mpmath.mpf(0))


def risk_from_coefficients(
    alpha1: Real, alpha2: Real, lam: Real, xi_level: Real, self_ridge: Real, F_level: Real, F_above: Real, tau2: Real = 0,
    *, dps: int = 20,
) -> Any:
    r"""The level-``ℓ`` Mei–Montanari risk with given coefficients (an mpmath number at ``dps`` digits, not certified).

    ``R_MM(ψ₁ = α₁, ψ₂ = α₂, λ; μ₁² = ξ_level, μ_⋆² = self_ridge; F₁² = F_level, F_⋆² = F_above, τ²)``: with the
    ``d → ∞`` coefficients it is :func:`risk_asymptotic`; with finite-``d`` ones (``ξ_{d,ℓ} = B(d, ℓ)λ_{d,ℓ}(σ)²``,
    ``λ_{d,ℓ}(σ)`` the Gegenbauer coefficient of ``σ(√d t)``, and the tail ``E σ² − Σ_{k≤ℓ} ξ_{d,k}``) it is the
    finite-``d`` per-level comparison of the Monte Carlo tests.
    """
    from . import random_features as rf

    params = rf.RFParams(alpha1, alpha2, lam, "relu", F_level, F_above, tau2)
    object.__setattr__(params, "activation", _FixedCoefficients(xi_level, self_ridge))
    with mpmath.workdps(dps):
        out, _ = rf._Solver(params).evaluate()
        return +out["risk"]


def level_coefficients(activation: ActivationLike, level: int, top: int) -> list[Any]:
    """``[ξ_0, …, ξ_top]``, ``ξ_k = μ_k²/k!`` at the current mpmath precision (exact zeros from parity stay 0)."""
    act = get_activation(activation)
    return [act.hermite(k)[0] ** 2 / mpmath.factorial(k) for k in range(top + 1)]


def _series_mul(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    """Product of two power series in ``u = 1/d`` (same truncation order)."""
    out = [Fraction(0)] * len(a)
    for i, x in enumerate(a):
        if x:
            for j in range(len(a) - i):
                out[i + j] += x * b[j]
    return out


@functools.cache
def sphere_coefficient(k: int, j: int, m: int) -> Fraction:
    r"""``a_{k,j,m}``: the ``d^{−m}`` coefficient of ``d^{k/2} E[He_j(z) Q_k(z/√d)]/j!``, exactly.

    ``z = ⟨θ, x⟩/√d`` with ``θ, x`` uniform on the sphere of radius ``√d``, ``Q_k`` the Gegenbauer polynomial
    of ``S^{d−1}`` with ``Q_k(1) = 1``.  So ``d^{k/2}λ_k(d) = Σ_m d^{−m} Σ_j μ_j a_{k,j,m}`` for
    ``σ = Σ_j μ_j He_j/j!``, ``λ_k(d) = E σ(z)Q_k(z/√d)`` the degree-``k`` Gegenbauer coefficient (the RF kernel's
    eigenvalue is ``λ_k(d)²``).  Exact series in ``u = 1/d`` of the two rational ingredients: the moments
    ``E z^{2p} = (2p − 1)!! Π_{i<p} 1/(1 + 2iu)`` and
    ``d^{k/2}Q_k(z/√d) = Σ_i (−1)^i k!/(2^i i!(k − 2i)!) Π_{r<k−i}(1 + (2r − 2)u)/Π_{r<k}(1 + (r − 2)u) z^{k−2i}``.
    ``a_{k,k,0} = 1``; ``a_{k,k+2,1} = −k``, ``a_{k,k+4,1} = −1/4``
    (docs/models/rf.md, 'Polynomial scalings: per-level formula and phase figures');
    ``a_{k,j,m} = 0`` for ``j > k + 4m`` or ``j ≢ k (mod 2)``.
    """
    if (j - k) % 2 or j < k:
        return Fraction(0)
    M = m
    one = [Fraction(1)] + [Fraction(0)] * M

    def lin(c: int) -> list[Fraction]:
        return [Fraction(1), Fraction(c)] + [Fraction(0)] * (M - 1) if M else [Fraction(1)]

    def inv_lin(c: int) -> list[Fraction]:
        return [Fraction(-c) ** n for n in range(M + 1)]

    def moment(p: int) -> list[Fraction]:
        if p % 2:
            return [Fraction(0)] * (M + 1)
        out = [Fraction(math.prod(range(1, p, 2)))] + [Fraction(0)] * M
        for i in range(p // 2):
            out = _series_mul(out, inv_lin(2 * i))
        return out

    den = one
    for r in range(k):
        den = _series_mul(den, inv_lin(r - 2))
    total = Fraction(0)
    for i in range(k // 2 + 1):
        g = [Fraction((-1) ** i * math.factorial(k), 2**i * math.factorial(i) * math.factorial(k - 2 * i))] + [Fraction(0)] * M
        for r in range(k - i):
            g = _series_mul(g, lin(2 * r - 2))
        g = _series_mul(g, den)
        for q in range(j // 2 + 1):
            h = Fraction((-1) ** q * math.factorial(j), 2**q * math.factorial(q) * math.factorial(j - 2 * q))
            total += h * _series_mul(g, moment(k - 2 * i + j - 2 * q))[M]
    return total / math.factorial(j)


def _lower_degree_lost(act: Activation, k: int, ell: int) -> bool:
    r"""Whether degree ``k < ℓ`` is unlearned by random features at ``N, n ≍ d^ℓ`` (True) or learned (False).

    RF's kernel (weights uniform on the sphere) has degree-``k`` eigenvalue ``λ_k(d)²`` with
    ``d^{k/2}λ_k(d) = Σ_m c_m d^{−m}``, ``c_m = Σ_j a_{k,j,m}μ_j`` (:func:`sphere_coefficient`; ``c_0 = μ_k``,
    ``c_1 = −kμ_{k+2} − μ_{k+4}/4`` when ``μ_k = 0``).  With ``m`` the first order where ``c_m ≠ 0``,
    ``nλ_k² ≍ d^{ℓ−k−2m}``: learned if ``k + 2m < ℓ``, lost if ``k + 2m > ℓ`` or no such ``m``;
    ``k + 2m = ℓ`` is only partly learned (:class:`ParameterError`).  A coefficient is zero when every Hermite
    coefficient in it is (parity, polynomial exactness, or the activation's certified zero test
    :meth:`~asymptotics.activations.Activation.hermite`); a sum within its error bound of 0 is undecidable:
    :class:`ParameterError`.
    """
    with mpmath.workdps(30):
        for m in range((ell - k) // 2 + 1):
            coefs = [(sphere_coefficient(k, j, m), j) for j in range(k, k + 4 * m + 1, 2)]
            terms = [(a, *act.hermite(j)) for a, j in coefs if a != 0]
            if all(mu == 0 for _, mu, _ in terms):
                continue
            value = mpmath.fsum(mpmath.mpf(a.numerator) / a.denominator * mu for a, mu, _ in terms)
            err = mpmath.fsum(abs(mpmath.mpf(a.numerator) / a.denominator) * e for a, _, e in terms)
            if abs(value) <= 2 * err:
                raise ParameterError(
                    f"activation {act.name!r}: whether degree {k} is learned at level {ell} depends on a combination of "
                    f"Hermite coefficients (order d^-{m} of its Gegenbauer coefficient) that is zero to within the "
                    "quadrature error; pass the activation as a polynomial or a SymPy expression with exact parity."
                )
            if k + 2 * m == ell:
                raise ParameterError(
                    f"activation {act.name!r}: at level {ell} the RF kernel's degree-{k} eigenvalue is of order 1/n "
                    f"(mu_{k} = 0, its Gegenbauer coefficient ~ d^-{k / 2 + m:g}), so degree {k} is only partly learned "
                    "and the per-level formula does not apply."
                )
            return False
    return True


def _lost(act: Activation, energies: tuple[Fraction, ...], ell: int) -> Fraction:
    """``F²_lost``: the energy of the lower degrees ``k < ℓ`` that stay unlearned (:func:`_lower_degree_lost`)."""
    need = [k for k in range(min(ell, len(energies))) if energies[k] != 0]
    return sum((energies[k] for k in need if _lower_degree_lost(act, k, ell)), Fraction(0))


def risk_asymptotic(
    alpha1: Real | None = None,
    alpha2: Real | None = None,
    level: IntLike | None = None,
    activation: ActivationLike = "relu",
    lam: Real = 0,
    F: Energies = "0,1",
    tau2: Real = 0,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""``d → ∞`` test error of random features at ``N = α₁B(d, ℓ)``, ``n = α₂B(d, ℓ)`` (the per-level formula).

    .. math:: R = F_\ell^2\,\mathcal B + (\tau^2 + F^2_{>\ell} + F^2_{\rm lost})\,\mathcal V
              + F^2_{>\ell} + F^2_{\rm lost},

    ``𝓑, 𝓥`` Mei–Montanari's bias and variance (arXiv 1908.05355) at ``ψ₁ = α₁``, ``ψ₂ = α₂``, penalty ``λ``,
    ``μ₁² = ξ_ℓ = μ_ℓ(σ)²/ℓ!`` and ``μ_⋆² = Σ_{k>ℓ} ξ_k`` (Hu, Lu & Misiakiewicz, arXiv 2403.08160;
    derivation in the module docstring and docs/models/rf.md).

    Parameters
    ----------
    alpha1 : N/B(d, ℓ) > 0, or ``"inf"`` (the kernel limit: ``krr risk_asymptotic`` with the activation's kernel).
    alpha2 : n/B(d, ℓ) > 0, or ``"inf"`` (infinite data: the approximation error of ``N`` features).
    level : ℓ ≥ 1 (``ℓ = 1`` is ``rf risk``).
    activation : as for ``rf``.
    lam : ridge λ ≥ 0 with the penalty ``(Nλ/B(d, ℓ))‖a‖²`` (KRR ridge ``α₂λ``).
    F : energies ``F_0², F_1², …`` by degree.
    tau2 : label-noise variance ≥ 0.
    dps : significant digits.

    Returns
    -------
    Result
        Certified (proven where rf's ball route and the activation's Hermite coefficients are); ``extra``:
        ``xi_level``, ``self_ridge`` (``Σ_{k>ℓ} ξ_k``), ``B``, ``V``.
    """
    from . import random_features as rf

    if alpha1 is None or alpha2 is None or level is None:
        raise ParameterError("`alpha1` (= N/B(d, level) > 0 or inf), `alpha2` (= n/B(d, level) > 0 or inf) and `level` "
                             "(integer >= 1) are required.")
    ell = check_int("level", level, low=1, high=MAX_LEVEL)
    a1 = check_real("alpha1", alpha1, low=0, low_open=True, allow_inf=True)
    a2 = check_real("alpha2", alpha2, low=0, low_open=True, allow_inf=True)
    if a1 == math.inf and a2 == math.inf:
        raise ParameterError("`alpha1` and `alpha2` cannot both be inf (the double limit depends on the order).")
    from .krr import parse_energies

    energies = parse_energies(F)
    act = get_activation(activation)
    lost = _lost(act, energies, ell)
    f_l = energies[ell] if ell < len(energies) else Fraction(0)
    f_gt = sum(energies[ell + 1 :], Fraction(0))
    params = rf.RFParams(a1, a2, lam, act, f_l, f_gt + lost, tau2)
    shown = shown_params(alpha1=a1, alpha2=a2, level=ell, lam=params.lam)
    shown["activation"] = act.name
    shown["F"] = ",".join(shown_params(x=v)["x"] for v in energies)
    shown.update(shown_params(tau2=params.tau2))
    level_act = _LevelActivation(act, ell)
    object.__setattr__(params, "activation", level_act)
    solver = rf._Solver(params)
    extras: dict[str, Any] = {}

    def plain() -> bool:
        c = level_act.coefficients()
        return c.mu1 == 0 and c.mustar2 == 0  # σ a polynomial of degree < ℓ: the features miss every degree ≥ ℓ

    def evaluate() -> tuple[Any, Any]:
        if plain():
            extras.update(B=mpmath.mpf(1), V=mpmath.mpf(0))
            return to_mpf(f_l + f_gt + lost), None
        out, residual = solver.evaluate()
        extras.update(out)
        return out["risk"], residual

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import AB

        if plain():
            return AB.num(f_l + f_gt + lost), None
        out, residual = rf._ball_evaluate(solver)
        extras.update(out)
        return out["risk"], residual

    c = certify(evaluate, dps, what="rf risk_asymptotic", params=shown, prove=ball_evaluate)
    with mpmath.workdps(dps):
        co = level_act.coefficients()
        extra = {"xi_level": +co.mu1**2, "self_ridge": +co.mustar2}
        extra.update({k: +rf._mid(extras[k]) for k in ("B", "V") if k in extras})
    return Result(
        c.value, "rf", "risk_asymptotic", shown, dps, c.residual, c.error_estimate, rf.BRANCH_RULE, HLM_2024, extra,
        **c.proof_fields(),
    )
