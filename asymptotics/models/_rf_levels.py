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

* degrees ``k < ℓ`` span ``B(d, k) ≪ N, n`` directions: low-rank spikes, learned exactly (as in krr's
  per-level formula; a lower degree whose coefficient vanishes follows krr's rule
  :func:`asymptotics.models.krr._lower_level_lost` and then acts as noise);
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

__all__ = ["HLM_2024", "MAX_LEVEL", "level_coefficients", "risk_asymptotic", "risk_from_coefficients"]

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


def _lost(act: Activation, energies: tuple[Fraction, ...], ell: int) -> Fraction:
    """``F²_lost``: the energy of the lower degrees ``k < ℓ`` that stay unlearned (krr's rule on the activation's kernel)."""
    from .krr import _lower_level_lost

    need = [k for k in range(min(ell, len(energies))) if energies[k] != 0]
    if not need:
        return Fraction(0)
    with mpmath.workdps(30):
        xi = level_coefficients(act, ell, 2 * ell)
    name = f"activation {act.name}"
    return sum((energies[k] for k in need if _lower_level_lost(name, xi, k, ell)), Fraction(0))


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
