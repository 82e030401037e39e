r"""Neural tangent (NT) model and the full two-layer NTK (staircases and lazy rates: :mod:`._staircase`).

Which result holds where (read this first)
------------------------------------------
Inputs ``x`` uniform on ``S^{d−1}(√d)``, target ``f(x) = ⟨β₁, x⟩ + f_NL(x)`` (``‖β₁‖² = F₁²``,
``E f_NL² = F_⋆²``, degrees ≥ 2), labels ``y = f(x) + ε``, ``Var ε = τ²``; ``n = ψ₂d`` samples,
``N = ψ₁d`` hidden neurons, activation ``σ`` with Hermite data ``μ₁ = E Gσ(G)``,
``μ_⋆² = E σ² − μ₀² − μ₁²`` and the *self-induced ridge*

.. math:: \lambda_{\rm self} = \mathbb E\,\sigma'(G)^2 - \mu_1^2 = \sum_{k\ge1}\frac{\mu_{k+1}^2}{k!}
          = \mu_1(\sigma')^2 + \mu_\star(\sigma')^2 .

* ``layers="first"`` — **NT regression** (Montanari & Zhong, arXiv 2007.12826): kernel ridge
  regression ``f̂ = k(x)ᵀ(K_N + λI)⁻¹y`` with the gradient (NT) kernel of the first layer,
  ``K_N(x, x') = (⟨x, x'⟩/d)·(1/N)Σⱼ σ'(⟨wⱼ, x⟩)σ'(⟨wⱼ, x'⟩)``, ``‖wⱼ‖ = 1`` (``λ = 0``: the minimum-norm
  interpolator).  **Regime: ``n ∝ d`` and ``Nd/n → ∞``.**  There ``K_N`` acts as
  ``μ₁²XXᵀ/d + λ_self I`` (plus a rank-one part a centred target never sees), so the NT
  model *is* ridge regression on the raw inputs with the extra ridge ``λ_self`` (Montanari & Zhong
  state a "self-induced" ridge from the high-degree components of ``σ``; the explicit form
  ``λ_self = E σ'(G)² − μ₁²`` and the formula below are our derivation (docs/models/nt.md,
  'The NT model and the self-induced ridge'), verified by a second route and by simulation):

  .. math:: R = F_1^2\,\frac{\kappa^2}{(1+\kappa)^2-\gamma} + (\tau^2+F_\star^2)\frac{\gamma}{(1+\kappa)^2-\gamma}
            + F_\star^2,\quad \gamma = \frac1{\psi_2},\quad \lambda' = \frac{\lambda_{\rm self}+\lambda}{\mu_1^2\psi_2},
            \quad \lambda' = \kappa\Big(1 - \frac{\gamma}{1+\kappa}\Big),

  i.e. ``asymptotics eval ridge risk gamma=1/ψ₂ lam=λ' r2=F₁² sigma2=τ² tau2=F⋆²``
  (docs/models/nt.md, 'The NT model and the self-induced ridge'; two routes and Monte Carlo).  It does not
  depend on ``ψ₁``.  Training error ``T = (λ/(λ + λ_self))²(λ'/κ')²(R + τ²)``: for any non-affine
  ``σ`` (``λ_self > 0``) the kernel still interpolates at ``λ = 0`` although its test error is
  that of a ridge; an affine ``σ`` is plain least squares on ``x`` (``T > 0`` when ``n > d``).
  **Outside the regime**: at ``Nd ≈ n`` (the NT interpolation threshold) the interpolator
  is not the kernel limit (simulated risk 1.33 against 0.259 at ReLU, ``ψ₂ = 2``, ``Nd = n``),
  and the finite-width bias is about ``2n/(Nd)`` (measured +10–14 % at ``Nd/n = 15``, +6 % at 30,
  +2 % at 150).  Pass the
  input dimension ``d`` (with ``psi1``) to have this checked: ``Nd/n < 10`` raises
  :class:`~asymptotics.errors.RegimeError`, ``Nd/n < 100`` warns (:class:`RegimeWarning`),
  and ``n ≥ d^{3/2}`` (closer to the next polynomial regime) warns.

* ``layers="both"`` — **NTK of the whole two-layer network** (both layers linearized at
  initialization with a zero initial function; the setting of Adlam & Pennington, arXiv
  2008.06786, whose printed equations we did not transcribe).  **Regime: ``N, n ∝ d``.**
  Our derivation (docs/models/nt.md, 'The two-layer NTK'; verified against Monte Carlo, and in our tests
  against the NT and kernel limits and an independent quadrature): the kernel
  ``K_RF + K_NT`` is ridge regression with total ridge ``λ + λ_self`` on the Gaussian
  equivalent features ``[(μ₁Θx/√d + μ_⋆g)/√N ; μ₁x/√d]``.  With ``W = ΘΘᵀ/d`` (Marchenko–
  Pastur, ratio ``ψ₁``) the feature covariance splits into ``2 × 2`` blocks, one per
  eigenvalue ``ω`` of ``W``,

  .. math:: M(\omega) = \begin{pmatrix}(\mu_1^2\omega+\mu_\star^2)/\psi_1 & \mu_1^2\sqrt{\omega/\psi_1}\\
            \mu_1^2\sqrt{\omega/\psi_1} & \mu_1^2\end{pmatrix},\qquad
            \tilde a(\omega) = \big(\mu_1\sqrt{\omega/\psi_1},\ \mu_1\big),

  plus ``(ψ₁ − 1)₊d`` pure-noise directions (``μ_⋆²/ψ₁``) and ``(1 − ψ₁)₊d`` linear ones
  (``μ₁²``, overlap ``μ₁``).  ``κ`` solves ``κ(1 − T₁(κ)/ψ₂) = (λ + λ_self)/ψ₂`` with
  ``T₁ = (1/d)Σ tr M(M + κ)⁻¹``; ``D = (1/ψ₂)(1/d)Σ tr M²(M + κ)⁻²``,
  ``A = (1/d)Σ κ²ãᵀM⁻¹(M + κ)⁻²ã`` and, because ``ãᵀM⁻¹ã = 1`` in every block (the linear
  target is fully explained), ``𝓑 = A/(1 − D)``, ``𝓥 = D/(1 − D)``.  ``det M(ω) = μ₁²μ_⋆²/ψ₁``
  does not depend on ``ω`` and ``det(M + κ)`` is linear in it, so every block sum is a
  rational function of ``ω`` with one double pole at ``ω = −z₀`` and reduces to the
  Marchenko–Pastur Stieltjes transform ``m(−z₀)`` and its derivative (derived for this
  module; :func:`ntk_terms`).  ``psi1=inf``: ridge on ``x`` with weight ``2μ₁²`` and ridge
  ``μ_⋆² + λ_self + λ``; ``ψ₁ → 0``: the NT model.

* :func:`staircase` (approximation staircases, polynomial scaling) and :data:`LAZY_RATES` (the lazy
  regime) live in :mod:`asymptotics.models._staircase` and are re-exported here (their public names are
  this module's).

Branch rule: ``κ`` is the unique zero of the increasing ``h(κ) = κ(1 − T₁(κ)/ψ₂) − λ̃``
(``h' = 1 − D > 0``) in the bracket ``[λ̃, λ̃ + (2μ₁² + μ_⋆²)/ψ₂]``; for the NT model the
isotropic ``κ`` is the positive root of a quadratic (as in :mod:`.ridge`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import mpmath
import numpy as np

from .._lazy import sympy as sp
from .._types import ActivationLike, ArrayLike, IntLike, Real
from .._validate import check_int, check_known, check_real, float_arrays, shown_params, to_mpf
from ..activations import Activation, get_activation
from ..backend import MP, NP, Backend
from ..errors import ConvergenceError, ParameterError, RegimeError, RegimeWarning
from ..formulas import mp_stieltjes_neg, positive_root, status_ladder
from ..precision import DEFAULT_DPS, certify, check_dps, residual_tolerance
from ..references import ADLAM_PENNINGTON_2020, MONTANARI_ZHONG_2020, Source
from ..result import Result
from ..solve.optimize import exact_penalty
from ..solve.roots import increasing_root
from ..symbolic import symbols as S
from ..symbolic.system import FixedPointSystem
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register
from ._rf_common import ridge_on_x, ridge_on_x_error
from ._staircase import LAZY_RATES, METHODS, nt_phase, nt_phase_curve, staircase  # noqa: F401 - re-exported (public names)

NAME = "nt"
LAYERS = ("first", "both")
QUANTITIES = ("risk", "bias", "variance", "train_error", "kappa")
FORMS = ("nt", "ntk")
REGIME_ERROR_RATIO = 10
"""``Nd/n`` below this (with ``d`` given): :class:`RegimeError` (the NT interpolation threshold is ``Nd = n``)."""
REGIME_WARN_RATIO = 100
"""``Nd/n`` below this (with ``d`` given): :class:`RegimeWarning` (finite-width bias of a few percent)."""
NTK_SOURCE = Source(
    ADLAM_PENNINGTON_2020.authors,
    ADLAM_PENNINGTON_2020.title,
    ADLAM_PENNINGTON_2020.year,
    arxiv=ADLAM_PENNINGTON_2020.arxiv,
    journal=ADLAM_PENNINGTON_2020.journal,
    where="their setting; the closed form used here is our derivation (docs/models/nt.md, two-layer NTK), checked by simulation",
)
BRANCH_RULE = (
    "kappa: unique zero of the increasing h(kappa) = kappa(1 - T1(kappa)/psi2) - (lam + lambda_self)/psi2 "
    "(h' = 1 - D > 0) in [lam_tilde, lam_tilde + (2 mu1^2 + mu*^2)/psi2]"
)


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class NTParams:
    """Validated NT/NTK parameters (exact fractions).

    ``psi2 = n/d > 0`` (finite), ``lam ≥ 0`` the kernel ridge (``0``: minimum-norm
    interpolation), ``activation`` (name, SymPy expression in ``x``, or a callable with
    ``derivative=``), ``F1sq, Fstar2, tau2 ≥ 0``, ``layers`` (``"first"``: NT model;
    ``"both"``: full two-layer NTK), ``psi1 = N/d > 0`` (``inf`` allowed; required for
    ``layers="both"``), ``d`` (optional integer ≥ 2: turns on the finite-size regime check).
    """

    psi2: Any = None
    lam: Any = 0
    activation: Any = "relu"
    F1sq: Any = 1
    Fstar2: Any = 0
    tau2: Any = 0
    layers: Any = "first"
    psi1: Any = None
    d: Any = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.psi2 is None:
            raise ParameterError("`psi2` (= n/d, > 0) is required.")
        set_(self, "psi2", check_real("psi2", self.psi2, low=0, low_open=True))
        set_(self, "lam", check_real("lam", self.lam, low=0))
        set_(self, "activation", get_activation(self.activation))
        for name in ("F1sq", "Fstar2", "tau2"):
            set_(self, name, check_real(name, getattr(self, name), low=0))
        layers = str(self.layers).strip().lower() if isinstance(self.layers, str) else None
        if layers not in LAYERS:
            raise ParameterError(
                "`layers` must be 'first' (NT model: first layer linearized) or 'both' (full two-layer NTK); "
                f"got {self.layers!r}."
            )
        set_(self, "layers", layers)
        if self.psi1 is not None and str(self.psi1).strip() not in ("", "-"):
            set_(self, "psi1", check_real("psi1", self.psi1, low=0, low_open=True, allow_inf=True))
        else:
            set_(self, "psi1", None)
        if self.layers == "both" and self.psi1 is None:
            raise ParameterError("`psi1` (= N/d > 0, or inf) is required for layers=both (the RF block depends on the width).")
        if self.d is not None and str(self.d).strip() not in ("", "-"):
            set_(self, "d", check_int("d", self.d, low=2, high=10**15))  # Nd/n and d^(3/2) stay floats
            if self.psi1 is None:
                raise ParameterError(
                    "`d` turns on the regime check Nd/n = psi1*d/psi2, which needs `psi1` (= N/d); give psi1 or leave d out."
                )
        else:
            set_(self, "d", None)

    def shown(self) -> dict[str, str]:
        out = shown_params(psi2=self.psi2, lam=self.lam)
        out["activation"] = self.activation.name
        out.update(shown_params(F1sq=self.F1sq, Fstar2=self.Fstar2, tau2=self.tau2))
        out["layers"] = self.layers
        if self.psi1 is not None:
            out.update(shown_params(psi1=self.psi1))
        if self.d is not None:
            out["d"] = str(self.d)
        return out

    def params_over_samples(self) -> float | None:
        """``Nd/n = ψ₁d/ψ₂`` when ``d`` and ``psi1`` are given (``inf`` for ``psi1=inf``)."""
        if self.d is None or self.psi1 is None:
            return None
        if self.psi1 == math.inf:
            return math.inf
        try:
            return float(self.psi1 * self.d / self.psi2)
        except OverflowError:  # psi1 = 1e400: as deep in the regime as psi1 = inf
            return math.inf


def check_regime(pr: NTParams) -> list[str]:
    """Raise :class:`RegimeError` or return the :class:`RegimeWarning` messages for ``pr`` (``d`` given).

    Without ``d`` the formulas are the ``d → ∞`` limits at fixed ``ψ₁, ψ₂`` (where
    ``Nd/n → ∞``), and nothing is checked.
    """
    ratio = pr.params_over_samples()
    if ratio is None:
        return []
    notes = []
    if ratio < REGIME_ERROR_RATIO:
        raise RegimeError(
            f"Nd/n = psi1*d/psi2 = {ratio:.4g} < {REGIME_ERROR_RATIO}: the neural-tangent formula needs Nd/n → ∞ and fails "
            "near the NT interpolation threshold Nd = n (e.g. ReLU, psi2 = 2, Nd = n: simulated risk 1.33 against the "
            "limit 0.259). Leave `d` out for the d → ∞ limit at fixed psi1, psi2, or simulate "
            "(validation.simulators.neural_tangent)."
        )
    if ratio < REGIME_WARN_RATIO:
        notes.append(
            f"Nd/n = {ratio:.4g} < {REGIME_WARN_RATIO}: finite-width bias of about 2n/(Nd) expected (ReLU, psi2 = 2: "
            "+10-14% at Nd/n = 15, +2% at Nd/n = 150); the value is the Nd/n → ∞ limit."
        )
    if pr.psi2 * pr.d >= pr.d**1.5:
        notes.append(
            f"n = psi2*d = {float(pr.psi2 * pr.d):.4g} >= d^(3/2): closer to the n ≍ d^2 regime, where the kernel also "
            "learns degree-2 components; the proportional formula ignores them (see `staircase`)."
        )
    return notes


# ----------------------------------------------------------------------------- coefficients
def activation_data(act: Activation) -> tuple[Any, Any, Any, Any]:
    """``(μ₁², μ_⋆², λ_self, error)`` at the current precision; ``λ_self = μ₁(σ')² + μ_⋆(σ')²``."""
    c = act.coefficients()
    dc = act.derivative().coefficients()
    lself = dc.mu1**2 + dc.mustar2
    mu1sq, ms2 = c.mu1**2, c.mustar2
    err = max(c.error, dc.error)
    # Stein's lemma E σ'(G) = E Gσ(G): a derivative supplied with a callable must satisfy it
    gap = abs(dc.mu0 - c.mu1)
    if gap > max(100 * err, mpmath.mpf(10) ** (-(mpmath.mp.dps // 2))) * (1 + abs(c.mu1)):
        raise ParameterError(
            f"`activation` {act.name!r}: its derivative is inconsistent with σ (Stein's identity E σ'(G) = E G σ(G) fails: "
            f"{mpmath.nstr(dc.mu0, 8)} vs {mpmath.nstr(c.mu1, 8)}); check the `derivative` passed to from_callable."
        )
    if mu1sq + lself == 0 or (err and mu1sq + lself <= 10 * err):
        raise ParameterError(
            f"`activation` {act.name!r} has σ' = 0 on Gaussian inputs (mu1 = 0 and E σ'(G)² = 0): the neural-tangent "
            "features vanish."
        )
    return mu1sq, ms2, lself, err


# ----------------------------------------------------------------------------- NTK block sums (every backend)
def _backend_of(sqrt: Any) -> Backend:
    """The backend of the ``sqrt=`` argument of the public functions below (numpy's: :data:`NP`, else :data:`MP`)."""
    return NP if sqrt is np.sqrt else MP


def mp_stieltjes(c: Any, t: Any, sqrt: Any = mpmath.sqrt) -> tuple[Any, Any]:
    """``m = ∫ μ_c(ds)/(s + t)`` and ``m' = ∫ μ_c(ds)/(s + t)²`` (Marchenko–Pastur, ratio ``c``, ``t > 0``).

    ``m`` is the positive root of ``ctm² + (1 − c + t)m − 1 = 0``; differentiating gives
    ``m' = (cm² + m)/√((1 − c + t)² + 4ct)``.  Mpmath scalars (default) or numpy arrays
    (``sqrt=np.sqrt``): :func:`asymptotics.formulas.mp_stieltjes_neg` on that backend.
    """
    return mp_stieltjes_neg(_backend_of(sqrt), c, t)


def _ntk_blocks(B: Backend, kappa: Any, p: Any, a: Any, s: Any) -> tuple[Any, ...]:
    """Pieces shared by :func:`ntk_terms` and its error bound: ``γ, z₀, r, m(−z₀), m'(−z₀)``, the MP atom
    ``(1 − 1/ψ₁)₊``, the continuous mass ``min(ψ₁, 1)``, and the pure-noise / pure-linear direction counts."""
    g = a / p
    z0 = s / kappa + s / a + p + p * kappa / a
    r = (s - a * z0) / p + a + 2 * kappa
    m, dm = mp_stieltjes_neg(B, p, z0)
    over = p > 1
    atom, mass = B.where(over, 1 - 1 / p, 0), B.where(over, 1, p)
    noise_dirs, lin_dirs = B.where(over, p - 1, 0), B.where(over, 0, 1 - p)
    return g, z0, r, m, dm, atom, mass, noise_dirs, lin_dirs


def _ntk_terms(B: Backend, kappa: Any, psi1: Any, mu1sq: Any, ms2: Any) -> tuple[Any, Any, Any]:
    """:func:`ntk_terms` on backend ``B``."""
    a, s, p = mu1sq, ms2, psi1
    g, z0, r, m, dm, atom, mass, noise_dirs, lin_dirs = _ntk_blocks(B, kappa, p, a, s)
    i1 = m - atom / z0
    i2 = dm - atom / (z0 * z0)
    nz = s / p
    rg = r / g
    t1 = mass - p * rg * i1 + noise_dirs * nz / (nz + kappa) + lin_dirs * a / (a + kappa)
    t2 = (
        mass
        - p * (2 * kappa / g) * i1
        + p * rg * rg * i2
        + noise_dirs * (nz / (nz + kappa)) ** 2
        + lin_dirs * (a / (a + kappa)) ** 2
    )
    amp = p * ((s / a) * i1 - (s / p + kappa) * (a * s / p - kappa * kappa) / (kappa * g * g) * i2)
    amp = amp + lin_dirs * (kappa / (a + kappa)) ** 2
    return t1, t2, amp


def ntk_terms(kappa: Any, psi1: Any, mu1sq: Any, ms2: Any, sqrt: Any = mpmath.sqrt) -> tuple[Any, Any, Any]:
    r"""Block sums ``(T₁, T₂, A)`` of the NTK equivalent at ``κ > 0`` (``μ₁ ≠ 0``, finite ``ψ₁``).

    ``T₁ = (1/d)Σ tr M(M+κ)⁻¹``, ``T₂ = (1/d)Σ tr M²(M+κ)⁻²``, ``A = (1/d)Σ κ²ãᵀM⁻¹(M+κ)⁻²ã``.
    With ``a = μ₁²``, ``s = μ_⋆²``, ``γ = a/ψ₁`` and ``v = ω + z₀``, ``det(M + κ) = κγv``,
    ``tr(M + κ) = γv + r``, and per block

    .. math:: t_1 = 1 - \frac{r/\gamma}{v},\quad t_2 = 1 - \frac{2\kappa/\gamma}{v} + \frac{(r/\gamma)^2}{v^2},\quad
              a(v) = \frac{s/a}{v} - \frac{(s/\psi_1+\kappa)(as/\psi_1-\kappa^2)}{\kappa\gamma^2 v^2},

    ``z₀ = s/κ + s/a + ψ₁ + ψ₁κ/a``, ``r = (s − a z₀)/ψ₁ + a + 2κ``.  The continuous part of
    the Marchenko–Pastur law (mass ``min(1, 1/ψ₁)``, weight ``ψ₁``) integrates ``1/v`` and
    ``1/v²`` to ``m(−z₀) − ρ/z₀`` and ``m'(−z₀) − ρ/z₀²`` (``ρ = (1 − 1/ψ₁)₊`` the atom at 0).
    Mpmath scalars (default) or numpy arrays (``sqrt=np.sqrt``).
    """
    return _ntk_terms(_backend_of(sqrt), kappa, psi1, mu1sq, ms2)


def _kappa_equation(B: Backend, psi1: Any, psi2: Any, a: Any, s: Any, lt: Any) -> tuple[Any, Any]:
    """``h(κ) = κ(1 − T₁/ψ₂) − λ̃`` and ``h' = 1 − T₂/ψ₂``, sharing one evaluation of the block sums per ``κ``."""
    last: list[Any] = [None, None]

    def terms(k: Any) -> Any:
        if last[0] is not k:
            last[0], last[1] = k, _ntk_terms(B, k, psi1, a, s)
        return last[1]

    def h(k: Any) -> Any:
        return k * (1 - terms(k)[0] / psi2) - lt

    def dh(k: Any) -> Any:
        return 1 - terms(k)[1] / psi2

    return h, dh


def _ntk(B: Backend, p1: Any, p2: Any, lk: Any, a1: Any, s2: Any, ls: Any, root: Any) -> dict[str, Any]:
    """The two-layer NTK at finite ``ψ₁``: ``(𝓑, 𝓥, training factor, κ)``, ``converged`` and the block sums.

    ``root(h, dh, lo, hi) -> (κ, converged)`` is the path's root-finding strategy on the bracket
    ``[λ̃, λ̃ + (2μ₁² + μ_⋆²)/ψ₂]``.  ``μ₁ = 0`` (an exact zero of the activation): every feature is
    noise (eigenvalue ``μ_⋆²/ψ₁``, ``ψ₁`` of them per ``d``), no signal is learned, and ``κ`` is the
    positive root of a quadratic.  ``λ + λ_self = 0`` is not covered (``converged`` false).
    """
    ltot = ls + lk
    ok = ltot > 0
    lt = B.where(ok, ltot / p2, 1)
    ratio = (lk / B.where(ok, ltot, 1)) * lt  # the training factor is ratio/κ
    if a1 == 0:
        nz = s2 / p1
        kappa = positive_root(B, 1, nz - p1 * nz / p2 - lt, lt * nz)
        t1 = p1 * nz / (nz + kappa)
        D = p1 * (nz / (nz + kappa)) ** 2 / p2
        out = (1 / (1 - D), D / (1 - D), ratio / kappa, kappa)
        return {"out": out, "conv": ok, "kappa": kappa, "t1": t1, "lt": lt, "D": D}
    h, dh = _kappa_equation(B, p1, p2, a1, s2, lt)
    kappa, conv = root(h, dh, lt, lt + (2 * a1 + s2) / p2)
    t1, t2, amp = _ntk_terms(B, kappa, p1, a1, s2)
    D = t2 / p2
    out = (amp / (1 - D), D / (1 - D), ratio / kappa, kappa)
    return {"out": out, "conv": B.land(B.land(conv, ok), D < 1), "kappa": kappa, "t1": t1, "t2": t2, "amp": amp, "lt": lt, "D": D}


def _nt_isotropic(B: Backend, psi2: Any, lam: Any, a: Any, ridge: Any) -> tuple[Any, ...]:
    """Ridge on raw ``x`` with weight ``a`` and ridge ``ridge + λ``: ``(𝓑, 𝓥, training factor, κ, λ', κ')``.

    The NT model (``a = μ₁²``, ``ridge = λ_self``) and the two-layer NTK at ``ψ₁ = ∞`` (``a = 2μ₁²``,
    ``ridge = μ_⋆² + λ_self``): :func:`~asymptotics.models._rf_common.ridge_on_x` at
    ``λ' = (ridge + λ)/(aψ₂)``, the training factor ``(λ/(ridge + λ))·λ'/κ'``, and ``κ = aκ'`` in the
    block units of the NTK equivalent.  ``a = 0`` (an exact zero): nothing is learned, ``κ = (ridge + λ)/ψ₂``.
    """
    pos = lam > 0
    shrink = lam / B.where(pos, ridge + lam, 1)  # λ/(ridge + λ), 0 at λ = 0
    if a == 0:
        inf = psi2 * 0 + B.inf
        return psi2 * 0 + 1, psi2 * 0, shrink, (ridge + lam) / psi2, inf, inf
    lp = (ridge + lam) / (a * psi2)
    bias, variance, ratio, kappa = ridge_on_x(B, psi2, lp)
    factor = B.where(pos, ratio * shrink, B.where(lp == 0, ratio, 0))
    return bias, variance, factor, a * kappa, lp, kappa


# ----------------------------------------------------------------------------- mp solve
def _ntk_mp(pr: NTParams, psi1: Any, psi2: Any, lam: Any, mu1sq: Any, ms2: Any, lself: Any) -> tuple[Any, ...]:
    """``(𝓑, 𝓥, training factor, κ, residual)`` of the two-layer NTK at finite ``ψ₁`` (:func:`_ntk` on mpmath)."""
    if lself + lam == 0:
        raise ParameterError(
            f"`activation` {pr.activation.name!r} is affine (lambda_self = 0) and `lam` = 0: the ridgeless two-layer NTK "
            "of an affine network is not covered by this formula; give lam > 0."
        )

    def root(h: Any, dh: Any, lo: Any, hi: Any) -> tuple[Any, bool]:
        with mpmath.workdps(20):  # a cheap 20-digit solve gives the start: the full-precision Newton needs 2-3 steps
            x0, _ = increasing_root(h, dh, +lo, +hi, ops=MP, rtol=mpmath.mpf(10) ** -17, throw=False)
        x0 = x0 if lo < x0 < hi else None
        kappa, _ = increasing_root(
            h, dh, lo, hi, ops=MP, rtol=mpmath.mpf(10) ** (-(mpmath.mp.dps - 2)), what="nt kappa", params=pr.shown(), x0=x0
        )
        return kappa, True

    st = _ntk(MP, psi1, psi2, lam, mu1sq, ms2, lself, root)
    if not st["D"] < 1:  # pragma: no cover - h' = 1 − D > 0 on the branch
        raise ConvergenceError(f"nt: D = {mpmath.nstr(st['D'], 5)} >= 1 at the root", params=pr.shown())
    kappa, lt = st["kappa"], st["lt"]
    residual = abs(kappa * (1 - st["t1"] / psi2) - lt) / (lt + kappa)
    return (*st["out"], residual)


def _evaluate(pr: NTParams) -> tuple[dict[str, Any], Any]:
    mu1sq, ms2, lself, _ = activation_data(pr.activation)
    psi2, lam = to_mpf(pr.psi2), to_mpf(pr.lam)
    F1, Fs, tau2 = to_mpf(pr.F1sq), to_mpf(pr.Fstar2), to_mpf(pr.tau2)
    if pr.layers == "first" or (pr.psi1 is not None and pr.psi1 == math.inf):
        # NT: ridge on raw x with weight μ₁² and ridge λ_self + λ (the RF kernel-limit form, μ⋆² → λ_self);
        # NTK at ψ₁ = ∞: weight 2μ₁² (RF kernel limit + NT) and ridge μ⋆² + λ_self + λ
        a, ridge = (mu1sq, lself) if pr.layers == "first" else (2 * mu1sq, ms2 + lself)
        B, V, factor, kappa, lp, k = _nt_isotropic(MP, psi2, lam, a, ridge)
        residual = None
        if a != 0 and lp != 0:
            residual = abs(lp - k * (1 - (1 / psi2) / (1 + k))) / (lp + k)
    else:
        # the block sums cancel by about |log10 ψ₁| digits for extreme widths: work with that many more
        extra = int(abs(mpmath.log10(to_mpf(pr.psi1)))) + 5
        with mpmath.workdps(mpmath.mp.dps + extra):
            out = _ntk_mp(pr, to_mpf(pr.psi1), psi2, lam, mu1sq, ms2, lself)
        B, V, factor, kappa, residual = (+v if v is not None else None for v in out)
    if residual is not None and residual > residual_tolerance():
        raise ConvergenceError(f"nt: fixed-point residual {mpmath.nstr(residual, 3)} too large", params=pr.shown())
    return _quantities(MP, F1, Fs, tau2, B, V, factor, kappa, lself), residual


def _quantities(B: Backend, F1: Any, Fs: Any, tau2: Any, Bv: Any, Vv: Any, factor: Any, kappa: Any, lself: Any) -> dict[str, Any]:
    """Risk, bias, variance and training error from ``𝓑, 𝓥`` and the training factor (any backend).

    ``F1, Fs, tau2`` are the backend's numbers of the exact inputs: an exact zero energy contributes
    an exact 0 (never ``0·∞``).  On balls the zero tests are decided (exact inputs), and
    ``factor == 0`` is decided too (the factor is an exact 0 at ``λ = 0``); an undecided test raises
    :class:`~asymptotics.ball.Undecided` (a :class:`~asymptotics.ball.NotProven`).
    """
    zero = B.num(0)
    noise = tau2 + Fs
    bias = F1 * Bv if F1 != 0 else zero
    variance = noise * Vv if noise != 0 else zero
    risk = bias + variance + Fs
    train = zero if factor == 0 else factor**2 * (risk + tau2)
    return {
        "risk": risk,
        "bias": bias,
        "variance": variance,
        "train_error": train,
        "kappa": kappa,
        "B": Bv,
        "V": Vv,
        "lambda_self": lself,
    }


# ----------------------------------------------------------------------------- proofs (ball arithmetic)
def _ball_coefficients(act: Activation) -> tuple[Any, Any, Any]:
    """``(μ₀, μ₁, μ_⋆²)`` of ``act`` as balls at the working precision (:meth:`Activation.ball_coefficients`:
    closed forms, exact polynomial moments or rigorous quadrature); raises
    :class:`~asymptotics.ball.NotProven` where there is no rigorous route (a Python callable)."""
    return tuple(act.ball_coefficients())  # type: ignore[return-value]


def _exact_self_ridge(act: Activation) -> Fraction | None:
    r"""``λ_self`` as an exact rational for the named activations whose ``σ'`` has rational moments.

    ``λ_self = E σ'(G)² − μ₁²`` (Stein: ``μ₁ = E σ'(G)``): ReLU ``σ' = 1{x > 0}``: ``1/2 − 1/4 = 1/4``;
    abs ``σ' = sign``: ``1 − 0 = 1``; linear ``σ' = 1``: ``1 − 1 = 0``; quadratic ``σ' = 2x``: ``4 − 0 = 4``.
    The balls of ``μ₁(σ')² + μ_⋆(σ')²`` contain these values but are not exact (``1/(2π)`` cancels),
    and an inexact ``λ_self`` leaves branch conditions such as the sign of ``λ' + γ − 1`` undecided
    at rational points where they are exactly 0 (ReLU, ``ψ₂ = 2``, ``λ = 0``); the exact value decides them.
    """
    from .. import activations as A

    table = {
        getattr(A, "_d_relu", None): Fraction(1, 4),
        getattr(A, "_d_abs", None): Fraction(1),
        getattr(A, "_d_linear", None): Fraction(0),
        getattr(A, "_d_quadratic", None): Fraction(4),
    }
    table.pop(None, None)
    return table.get(act.derivative_closed) if act.derivative_closed is not None else None


def ball_activation_data(act: Activation) -> tuple[Any, Any, Any]:
    """``(μ₁², μ_⋆², λ_self)`` as balls: :func:`activation_data` in ball arithmetic.

    The same checks as :func:`activation_data`, decided on balls: Stein's identity
    ``E σ'(G) = μ₁`` refuted (disjoint balls) and ``μ₁² + λ_self = 0`` (an exact zero) raise
    :class:`ParameterError` with the same messages; an undecided ``μ₁² + λ_self = 0`` raises
    :class:`~asymptotics.ball.NotProven` (the ladder decides it).
    """
    from ..ball import UNDECIDED, Ball, NotProven

    c = _ball_coefficients(act)
    dc = _ball_coefficients(act.derivative())
    lself = dc[1] ** 2 + dc[2]
    exact = _exact_self_ridge(act)
    if exact is not None:
        if ((lself - exact) == 0) is False:  # pragma: no cover - the closed form contradicts the coefficients
            raise NotProven(f"activation {act.name!r}: lambda_self {exact} is not in its enclosure")
        lself = Ball(exact)
    mu1sq, ms2 = c[1] ** 2, c[2]
    if (dc[0] != c[1]) is True:
        raise ParameterError(
            f"`activation` {act.name!r}: its derivative is inconsistent with σ (Stein's identity E σ'(G) = E G σ(G) fails: "
            f"{mpmath.nstr(dc[0].mid(), 8)} vs {mpmath.nstr(c[1].mid(), 8)}); check the `derivative` passed to from_callable."
        )
    vanish = mu1sq + lself == 0
    if vanish is UNDECIDED:
        raise NotProven(f"activation {act.name!r}: mu1^2 + lambda_self = 0 is not decided")
    if vanish:
        raise ParameterError(
            f"`activation` {act.name!r} has σ' = 0 on Gaussian inputs (mu1 = 0 and E σ'(G)² = 0): the neural-tangent "
            "features vanish."
        )
    return mu1sq, ms2, lself


def approximate_kappa(psi1: Any, psi2: Any, a: Any, s: Any, lt: Any) -> Any:
    """The NTK ``κ`` by the mpmath solver at the current precision (the start of the ball proof).

    The certified path's strategy (a 20-digit solve, then safeguarded Newton at full precision) on
    the mpmath numbers ``psi1, psi2, a = μ₁², s = μ_⋆², lt = λ̃``, plus one more Newton step (its
    error is then about the square of the solver's tolerance).  Only a *candidate*: the proof
    (:func:`_ball_kappa`) checks it.
    """
    h, dh = _kappa_equation(MP, psi1, psi2, a, s, lt)
    lo, hi = lt, lt + (2 * a + s) / psi2
    with mpmath.workdps(20):
        x0, _ = increasing_root(h, dh, +lo, +hi, ops=MP, rtol=mpmath.mpf(10) ** -17, throw=False)
    x0 = x0 if lo < x0 < hi else None
    kappa, _ = increasing_root(h, dh, lo, hi, ops=MP, rtol=mpmath.mpf(10) ** (-(mpmath.mp.dps - 2)), what="nt kappa", x0=x0)
    return kappa - h(kappa) / dh(kappa)


def _ball_kappa(h: Any, dh: Any, psi1: Any, psi2: Any, a: Any, s: Any, lt: Any) -> Any:
    r"""Prove the NTK ``κ``: a ball that contains the unique positive zero of ``h(κ) = κ(1 − T₁(κ)/ψ₂) − λ̃``.

    Uniqueness (``λ̃ > 0``): ``h(κ)/κ = 1 − T₁(κ)/ψ₂ − λ̃/κ``, where ``T₁ = (1/d)Σ tr M(M + κ)⁻¹`` is an
    average of ``m/(m + κ)`` over the eigenvalues ``m ≥ 0`` of the blocks (non-increasing in ``κ``) and
    ``−λ̃/κ`` is strictly increasing: ``h/κ`` is strictly increasing on ``(0, ∞)``, from ``−∞`` to ``1``,
    so ``h`` has exactly one positive zero, and ``h < 0`` left of it, ``h > 0`` right of it.  A sign
    change ``h(κ₋) < 0 < h(κ₊)`` at ``0 < κ₋ < κ₊`` (:func:`~asymptotics.ball.root_by_sign_change`,
    ``h`` evaluated on balls by the same :func:`_ntk_terms` as the other paths) therefore brackets
    *the* root.  The candidate comes from :func:`approximate_kappa` on the balls' midpoints.

    Raises
    ------
    NotProven
        No proven sign change (a wrong candidate, too little precision), or a bracket not in ``(0, ∞)``.
    """
    from flint import arb, ctx

    from ..ball import Ball, NotProven, root_by_sign_change, to_mpmath

    x0 = approximate_kappa(to_mpmath(psi1), to_mpmath(psi2), to_mpmath(a), to_mpmath(s), to_mpmath(lt))
    # the bracket's half-width: a little wider than the inputs' own width (quadrature coefficients are a few
    # bits wider than the working precision), and wider once more if that does not decide the signs
    acc = min(ctx.prec, *(_accuracy_bits(v) for v in (a, s, lt)))
    try:
        kb = root_by_sign_change(h, x0, increasing=True, rel=Fraction(1, 2 ** max(acc - 10, 8)))
    except NotProven:
        # h cancels (κ(1 − T₁/ψ₂) against λ̃ for tiny ψ₂, the block sums for extreme ψ₁): size the bracket
        # from the width of h at the candidate and its slope h' = 1 − D there, so that h(κ±) ≈ ±4·width (not from
        # |h(candidate)|: a wrong candidate must still fail)
        xb = Ball(x0)
        hx, slope = h(xb).v, dh(xb).v
        if not (slope > 0 and hx.is_finite()):
            raise
        rel = _exact_upper(4 * arb(hx.rad()) / (slope.lower() * abs(xb.v)))
        kb = root_by_sign_change(h, x0, increasing=True, rel=max(rel, Fraction(1, 2 ** max(acc - 10, 8))))
    if (kb > 0) is not True:
        raise NotProven("nt kappa: the root's bracket is not inside (0, inf)")
    return kb


def _exact_upper(x: Any) -> Fraction:
    """An exact rational upper bound of a finite ``arb``."""
    man, exp = x.upper().man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def _accuracy_bits(x: Any) -> int:
    """Relative accuracy of a ball in bits (large for an exact ball)."""
    v = x.v
    return 10**6 if v.is_exact() else int(v.rel_accuracy_bits())


def _ball_evaluate(pr: NTParams) -> tuple[dict[str, Any], Any]:
    """:func:`_evaluate` on balls (:data:`~asymptotics.ball.AB`): the same formula functions, ``κ`` proven.

    Returns the dict of balls (every quantity, ``B``, ``V``, ``lambda_self``) and a ball of the
    fixed point's relative residual (``None`` where ``κ`` is a closed form without one).
    """
    from flint import ctx

    from ..ball import AB, workprec

    if pr.layers == "first" or (pr.psi1 is not None and pr.psi1 == math.inf):
        mu1sq, ms2, lself = ball_activation_data(pr.activation)
        psi2, lam = AB.num(pr.psi2), AB.num(pr.lam)
        a, ridge = (mu1sq, lself) if pr.layers == "first" else (2 * mu1sq, ms2 + lself)
        B, V, factor, kappa, lp, k = _nt_isotropic(AB, psi2, lam, a, ridge)
        residual = None
        if (a != 0) is True and (lp != 0) is True:
            residual = abs(lp - k * (1 - (1 / psi2) / (1 + k))) / (lp + k)
        F1, Fs, tau2 = AB.num(pr.F1sq), AB.num(pr.Fstar2), AB.num(pr.tau2)
        return _quantities(AB, F1, Fs, tau2, AB.num(B), AB.num(V), AB.num(factor), AB.num(kappa), lself), residual
    # the block sums cancel by about |log10 ψ₁| digits for extreme widths (as on the ladder): more bits, for the
    # inputs too (the sign change of h is proven 2^8 ulps from the candidate: the inputs must be that thin)
    p1 = pr.psi1
    extra = int((abs(math.log10(p1.numerator) - math.log10(p1.denominator)) + 5) * 3.33)
    with workprec(ctx.prec + extra):
        return _ball_ntk(pr)


def _ball_ntk(pr: NTParams) -> tuple[dict[str, Any], Any]:
    """The two-layer NTK at finite ``ψ₁`` on balls (:func:`_ntk` on :data:`~asymptotics.ball.AB`, ``κ`` proven)."""
    from ..ball import AB, NotProven

    mu1sq, ms2, lself = ball_activation_data(pr.activation)
    psi1, psi2, lam = AB.num(pr.psi1), AB.num(pr.psi2), AB.num(pr.lam)
    zero_ridge = lself + lam == 0
    if zero_ridge is True:
        raise ParameterError(
            f"`activation` {pr.activation.name!r} is affine (lambda_self = 0) and `lam` = 0: the ridgeless two-layer "
            "NTK of an affine network is not covered by this formula; give lam > 0."
        )
    if zero_ridge is not False:
        raise NotProven("nt: lam + lambda_self > 0 is not decided")

    def root(h: Any, dh: Any, lo: Any, hi: Any) -> tuple[Any, bool]:
        return _ball_kappa(h, dh, psi1, psi2, mu1sq, ms2, lo), True

    st = _ntk(AB, psi1, psi2, lam, mu1sq, ms2, lself, root)
    B, V, factor, kappa = st["out"]
    kap, lt = st["kappa"], st["lt"]
    residual = abs(kap * (1 - st["t1"] / psi2) - lt) / (lt + kap)
    F1, Fs, tau2 = AB.num(pr.F1sq), AB.num(pr.Fstar2), AB.num(pr.tau2)
    return _quantities(AB, F1, Fs, tau2, AB.num(B), AB.num(V), AB.num(factor), AB.num(kappa), lself), residual


def solve(params: NTParams, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified value of one NT/NTK quantity (:data:`QUANTITIES`), after the regime check."""
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown nt quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    for note in check_regime(params):
        warnings.warn(note, RegimeWarning, stacklevel=3)
    extras: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        out, residual = _evaluate(params)
        extras.update(out)
        return out[quantity], residual

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import to_mpmath

        out, residual = _ball_evaluate(params)
        extras.update({k: to_mpmath(out[k]) for k in ("B", "V", "lambda_self")})
        return out[quantity], residual

    c = certify(evaluate, dps, what=f"nt {quantity}", params=params.shown(), prove=ball_evaluate)
    with mpmath.workdps(dps):
        extra: dict[str, Any] = {"B": +extras["B"], "V": +extras["V"], "lambda_self": +extras["lambda_self"]}
    ratio = params.params_over_samples()
    if ratio is not None:
        extra["Nd_over_n"] = ratio
    source = MONTANARI_ZHONG_2020 if params.layers == "first" else NTK_SOURCE
    return Result(
        c.value,
        NAME,
        quantity,
        params.shown(),
        dps,
        c.residual,
        c.error_estimate,
        BRANCH_RULE,
        source,
        extra,
        **c.proof_fields(),
    )


def _make(quantity: str, doc: str) -> Any:
    def fn(
        psi2: Real | None = None,
        lam: Real = 0,
        activation: ActivationLike = "relu",
        F1sq: Real = 1,
        Fstar2: Real = 0,
        tau2: Real = 0,
        *,
        layers: str = "first",
        psi1: Real | None = None,
        d: IntLike | None = None,
        dps: int = DEFAULT_DPS,
    ) -> Result:
        return solve(NTParams(psi2, lam, activation, F1sq, Fstar2, tau2, layers, psi1, d), quantity, dps=dps)

    fn.__name__ = fn.__qualname__ = quantity
    fn.__doc__ = doc + _COMMON
    return fn


_COMMON = """

    Parameters
    ----------
    psi2 : n/d > 0.
    lam : kernel ridge λ ≥ 0 on ``K`` (``f̂ = k(x)ᵀ(K + λI)⁻¹y``); 0 = minimum-norm interpolator.
    activation : name (relu, abs, tanh, erf, quadratic, linear, softplus, sigmoid), SymPy
        expression in x, or callable built with ``from_callable(fn, derivative=dfn)``.
    F1sq, Fstar2, tau2 : energies of the linear and nonlinear target parts, noise variance.
    layers : ``"first"`` (NT model, valid for Nd/n → ∞) or ``"both"`` (two-layer NTK, N, n ∝ d).
    psi1 : N/d (> 0 or ``"inf"``); required for ``layers="both"``, for ``"first"`` only used by
        the regime check.
    d : input dimension; with ``psi1`` it enables the regime check (``Nd/n < 10``: RegimeError;
        ``< 100``: RegimeWarning).
    dps : significant digits (default 30).

    Returns
    -------
    Result; ``extra`` = {"B": 𝓑, "V": 𝓥, "lambda_self": λ_self, "Nd_over_n" (with d)}.

    Source: Montanari & Zhong, arXiv 2007.12826 (NT); docs/models/nt.md (the
    closed forms are our derivations, checked against simulation).
    """

risk = _make("risk", "Test error ``R = F₁²𝓑 + (τ² + F⋆²)𝓥 + F⋆²`` (noise excluded).")
bias = _make("bias", "Bias part ``F₁²𝓑``.")
variance = _make("variance", "Variance part ``(τ² + F⋆²)𝓥`` (the unlearnable F⋆² acts as noise).")
train_error = _make(
    "train_error",
    "Training error ``(λ/(λ + λ_ridge))²(λ̃/κ)²(R + τ²)`` with ``λ_ridge = λ_self`` (``+ μ⋆²`` for the NTK at "
    "``psi1=inf``); 0 at ``λ = 0`` unless σ is affine (then least squares on x).",
)
kappa = _make(
    "kappa",
    "Effective ridge ``κ`` of the ridge equivalent, in the units of ``λ̃ = (λ + λ_self)/ψ₂`` (the NTK block "
    "equation ``κ(1 − T₁/ψ₂) = λ̃``).  NT: ``κ = μ₁²κ'`` with ``κ'`` the isotropic ``κ`` of ``ridge`` at "
    "``λ' = (λ_self + λ)/(μ₁²ψ₂)``; continuous in ``ψ₁`` (the NTK tends to it as ``ψ₁ → 0``).",
)


def self_ridge(activation: ActivationLike = "relu", *, dps: int = DEFAULT_DPS, **model_params: Real | None) -> Result:
    """Self-induced ridge ``λ_self = E σ'(G)² − μ₁² = μ₁(σ')² + μ_⋆(σ')²`` (no cancellation).

    The min-norm NT interpolator in the proportional regime is ridge regression on ``x``
    with this ridge (Montanari & Zhong, arXiv 2007.12826).  ReLU: ``1/4``; tanh:
    ``0.0975237…``.  Other NT parameters are accepted and ignored.
    """
    _check_model_params(model_params)
    act = get_activation(activation)

    def evaluate() -> tuple[Any, Any]:
        return activation_data(act)[2], None

    def ball_evaluate() -> tuple[Any, Any]:
        return ball_activation_data(act)[2], None

    c = certify(evaluate, dps, what="nt self_ridge", params={"activation": act.name}, prove=ball_evaluate)
    return Result(
        c.value,
        NAME,
        "self_ridge",
        {"activation": act.name},
        dps,
        None,
        c.error_estimate,
        None,
        MONTANARI_ZHONG_2020,
        **c.proof_fields(),
    )


def effective_ridge(
    psi2: Real | None = None,
    lam: Real = 0,
    activation: ActivationLike = "relu",
    *,
    dps: int = DEFAULT_DPS,
    **model_params: Real | None,
) -> Result:
    """``λ' = (λ_self + λ)/(μ₁²ψ₂)``: the ridge of the equivalent linear ridge regression on ``x``
    (:mod:`asymptotics.models.ridge` normalization, ``γ = 1/ψ₂``).  ``inf`` when ``μ₁ = 0``."""
    _check_model_params(model_params)
    if str(model_params.get("layers", "first")).strip().lower() == "both":
        raise ParameterError(
            "`effective_ridge` is the NT model's (layers=first) ridge on raw x; the two-layer NTK's equivalent is not "
            "isotropic (see `kappa` for its effective ridge)."
        )
    pr = NTParams(psi2, lam, activation)

    def evaluate() -> tuple[Any, Any]:
        mu1sq, _, lself, _ = activation_data(pr.activation)
        return (lself + to_mpf(pr.lam)) / (mu1sq * to_mpf(pr.psi2)) if mu1sq != 0 else mpmath.inf, None

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import AB

        mu1sq, _, lself = ball_activation_data(pr.activation)
        if mu1sq == 0:  # an exact zero (undecided: Undecided, the ladder decides)
            return AB.inf, None
        return (lself + AB.num(pr.lam)) / (mu1sq * AB.num(pr.psi2)), None

    shown = shown_params(psi2=pr.psi2, lam=pr.lam)
    shown["activation"] = pr.activation.name
    c = certify(evaluate, dps, what="nt effective_ridge", params=shown, prove=ball_evaluate)
    return Result(
        c.value, NAME, "effective_ridge", shown, dps, None, c.error_estimate, None, MONTANARI_ZHONG_2020, **c.proof_fields()
    )


# ----------------------------------------------------------------------------- optimal regularization
_TUNED_PARAMS = ("psi2", "activation", "F1sq", "Fstar2", "tau2", "layers", "psi1", "d")


def _tuned_shown(pr: NTParams) -> dict[str, str]:
    return {k: v for k, v in pr.shown().items() if k != "lam"}


def _isotropic_form(pr: NTParams) -> bool:
    """The NT model, or the NTK at ``ψ₁ = ∞``: ridge on raw ``x`` (weight ``a``, extra ridge ``r``)."""
    return pr.layers == "first" or (pr.psi1 is not None and pr.psi1 == math.inf)


def _closed_star(B: Any, pr: NTParams, mu1sq: Any, ms2: Any, lself: Any) -> Any:
    r"""Unclamped ``λ*`` of the ridge-on-``x`` forms (backend numbers; ``+inf`` when ``F₁² = 0``; ``None``: ``a = 0``).

    The risk is ridge's at ``γ = 1/ψ₂``, ``λ' = (r + λ)/(aψ₂)``, ``r² = F₁²``, noise ``τ²``, misspecification
    ``F⋆²`` (``a = μ₁², r = λ_self``; NTK at ``ψ₁ = ∞``: ``a = 2μ₁², r = μ⋆² + λ_self``).  Dobriban & Wager's
    ``λ'* = (τ² + F⋆²)γ/F₁²`` gives ``λ* = a(τ² + F⋆²)/F₁² − r`` (independent of ``ψ₂``).
    """
    a, r = (mu1sq, lself) if pr.layers == "first" else (2 * mu1sq, ms2 + lself)
    if a == 0:
        return None
    if pr.F1sq == 0:
        return B.inf
    return a * B.num(pr.tau2 + pr.Fstar2) / B.num(pr.F1sq) - r


def _nt_lambda_star(pr: NTParams, dps: int) -> tuple[Any, Any, Any]:
    """``(λ*, error estimate, proof fields)``: the closed form (:func:`_closed_star`) clamped at 0 for the ridge-on-``x``
    forms (proven on balls where the activation's coefficients are), else
    :func:`asymptotics.solve.optimize.minimize_penalty` on the certified NTK risk (``+inf`` when ``F₁² = 0``)."""
    from ..solve.optimize import minimize_penalty

    shown = _tuned_shown(pr)
    if _isotropic_form(pr):

        def evaluate() -> tuple[Any, Any]:
            mu1sq, ms2, lself, _ = activation_data(pr.activation)
            x = _closed_star(MP, pr, mu1sq, ms2, lself)
            return (mpmath.mpf(0) if x is None or x <= 0 else x), None

        def proven() -> tuple[Any, Any]:
            from ..ball import AB, NotProven

            x = _closed_star(AB, pr, *ball_activation_data(pr.activation))
            if x is None or (x <= 0) is True:
                return AB.num(0), None
            if (x > 0) is not True:
                raise NotProven("nt optimal_lambda: the sign of the unclamped optimum is not decided")
            return x, None

        c = certify(evaluate, dps, what="nt optimal_lambda", params=shown, prove=proven)
        return c.value, c.error_estimate, c.proof_fields()
    if pr.F1sq == 0:
        return mpmath.inf, mpmath.mpf(0), {}
    state: dict[str, Any] = {}

    def risk_at(lam: Any) -> Any:
        at = NTParams(pr.psi2, exact_penalty(mpmath.mpf(lam)), pr.activation, pr.F1sq, pr.Fstar2, pr.tau2, pr.layers, pr.psi1)
        return _evaluate(at)[0]["risk"]

    def evaluate_numeric() -> tuple[Any, Any]:
        return minimize_penalty(risk_at, state=state, what="nt optimal_lambda", params=shown, allow_zero=_allow_zero(pr)), None

    c = certify(evaluate_numeric, dps, what="nt optimal_lambda", params=shown)
    return c.value, c.error_estimate, {}


def _allow_zero(pr: NTParams) -> bool:
    """``λ = 0`` is in the NTK's domain unless σ is affine (``λ_self = 0``: the ridgeless NTK is not covered)."""
    with mpmath.workdps(20):
        return activation_data(pr.activation)[2] > 0


def _tuned(
    psi2: Real | None, activation: ActivationLike, F1sq: Real, Fstar2: Real, tau2: Real, layers: str, psi1: Real | None,
    d: IntLike | None,
) -> NTParams:
    pr = NTParams(psi2, 0, activation, F1sq, Fstar2, tau2, layers, psi1, d)
    for note in check_regime(pr):
        warnings.warn(note, RegimeWarning, stacklevel=3)
    return pr


def optimal_lambda(
    psi2: Real | None = None,
    activation: ActivationLike = "relu",
    F1sq: Real = 1,
    Fstar2: Real = 0,
    tau2: Real = 0,
    *,
    layers: str = "first",
    psi1: Real | None = None,
    d: IntLike | None = None,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Optimal kernel ridge ``λ* = argmin_{λ ≥ 0} R(λ)`` of the NT model or the two-layer NTK.

    ``layers="first"`` (and ``"both"`` at ``psi1=inf``): the risk is ridge regression on ``x`` (module
    docstring), so Dobriban & Wager's optimum maps to the closed form
    (docs/models/nt.md, 'Optimal regularization')

    .. math:: \lambda^* = \max\Big(0,\ \mu_1^2\,\frac{\tau^2 + F_\star^2}{F_1^2} - \lambda_{\rm self}\Big)

    (NTK at ``ψ₁ = ∞``: ``2μ₁²`` and ``μ⋆² + λ_self``), independent of ``ψ₂``; ``0`` when the self-induced
    ridge already exceeds the optimum (e.g. ReLU with ``τ² + F⋆² ≤ F₁²``); proven on balls for named
    activations.  ``layers="both"`` at finite ``ψ₁``: the zero of ``dR/dλ`` by
    :func:`asymptotics.solve.optimize.minimize_penalty` (precision-ladder estimate, ``proven=False``).
    ``F1sq = 0``: ``+inf`` (the null predictor); ``μ₁ = 0``: ``0`` (the risk does not depend on λ).
    Parameters as in :func:`risk` (without ``lam``).
    """
    pr = _tuned(psi2, activation, F1sq, Fstar2, tau2, layers, psi1, d)
    value, err, proof = _nt_lambda_star(pr, dps)
    source = MONTANARI_ZHONG_2020 if pr.layers == "first" else NTK_SOURCE
    return Result(value, NAME, "optimal_lambda", _tuned_shown(pr), dps, None, err, None, source, **proof)


def optimal_risk(
    psi2: Real | None = None,
    activation: ActivationLike = "relu",
    F1sq: Real = 1,
    Fstar2: Real = 0,
    tau2: Real = 0,
    *,
    layers: str = "first",
    psi1: Real | None = None,
    d: IntLike | None = None,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Optimally tuned test error ``min_{λ ≥ 0} R(λ) = R(λ*)`` (``extra["lambda_star"]``).

    The certified :func:`risk` at ``λ*`` (:func:`optimal_lambda` to ``dps + 5`` digits; ``R(λ*+δ) − R(λ*) =
    R''δ²/2``).  For ``layers="first"`` with an interior optimum this is the isotropic ridge Bayes risk at
    ``γ = 1/ψ₂``, non-increasing in ``ψ₂``.  ``λ* = +inf``: ``F⋆²`` plus the unlearned ``F₁²``.  Precision-ladder
    estimate (``proven=False``: the risk at the located ``λ*``, whose last digits are rounded); parameters as in
    :func:`optimal_lambda`.
    """
    dps = check_dps(dps)
    pr = _tuned(psi2, activation, F1sq, Fstar2, tau2, layers, psi1, d)
    lam, _, _ = _nt_lambda_star(pr, dps + 5)
    with mpmath.workdps(dps):
        lam_shown = +lam
    shown = _tuned_shown(pr)
    source = MONTANARI_ZHONG_2020 if pr.layers == "first" else NTK_SOURCE
    if lam == mpmath.inf:
        with mpmath.workdps(dps):
            value = to_mpf(pr.F1sq + pr.Fstar2)
        extra_inf = {"lambda_star": lam_shown}
        return Result(value, NAME, "optimal_risk", shown, dps, None, mpmath.mpf(0), BRANCH_RULE, source, extra_inf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)  # warned once above
        at = NTParams(pr.psi2, exact_penalty(lam), pr.activation, pr.F1sq, pr.Fstar2, pr.tau2, pr.layers, pr.psi1, pr.d)
        res = solve(at, "risk", dps=dps)
    extra = dict(res.extra or {})
    extra["lambda_star"] = lam_shown
    return Result(res.value, NAME, "optimal_risk", shown, dps, res.residual, res.error_estimate, BRANCH_RULE, source, extra)


_MODEL_PARAMS = ("psi2", "lam", "activation", "F1sq", "Fstar2", "tau2", "layers", "psi1", "d")


def _check_model_params(kw: dict[str, Any]) -> None:
    check_known(kw, _MODEL_PARAMS)


# ----------------------------------------------------------------------------- float64 path
def curve_values(
    quantity: str,
    psi2: ArrayLike | None = None,
    lam: ArrayLike = 0.0,
    activation: ActivationLike = "relu",
    F1sq: ArrayLike = 1.0,
    Fstar2: ArrayLike = 0.0,
    tau2: ArrayLike = 0.0,
    *,
    layers: str = "first",
    psi1: ArrayLike | None = None,
    d: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 evaluation (broadcast over the array arguments), same formulas.

    Returns ``(values, status)`` (codes of :class:`~asymptotics.result.CurveResult`).  With
    ``d`` given, points with ``Nd/n < 10`` (the NT interpolation threshold region) get
    status 2 (outside the domain) and NaN instead of a value.  NTK points whose estimated
    relative rounding error exceeds :data:`FLOAT64_MAX_ERROR` (the block sums cancel, e.g. a
    tiny variance at a huge ridge, or ``ψ₁ ≳ 10⁸``) get status 3, and so do ridge-on-``x`` points next to
    ``ψ₂ = 1`` with an affine ``σ`` and ``λ ≈ 0`` (:func:`_kernel_limit_error`); use the certified path there.
    """
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown nt quantity {quantity!r} for a float64 curve; valid: {', '.join(QUANTITIES)}.")
    probe = NTParams(1, 0, activation, layers=layers, psi1=None if isinstance(layers, str) and layers == "first" else 1)
    with mpmath.workdps(25):
        a1, s2, ls, _ = (float(v) for v in activation_data(probe.activation))
    if probe.layers == "both" and psi1 is None:
        raise ParameterError("`psi1` (= N/d > 0, or inf) is required for layers=both.")
    if d is not None and psi1 is None:
        raise ParameterError(
            "`d` turns on the regime check Nd/n = psi1*d/psi2, which needs `psi1` (= N/d); give psi1 or leave d out."
        )
    arrays = float_arrays(psi2=psi2, lam=lam, F1sq=F1sq, Fstar2=Fstar2, tau2=tau2, psi1=1.0 if psi1 is None else psi1)
    shape = arrays[0].shape
    p2, lk, F1, Fs, t2, p1 = (a.reshape(-1) for a in arrays)
    domain = (p2 > 0) & np.isfinite(p2) & (lk >= 0) & np.isfinite(lk) & (F1 >= 0) & (Fs >= 0) & (t2 >= 0)
    domain &= np.isfinite(F1) & np.isfinite(Fs) & np.isfinite(t2) & (p1 > 0)
    if d is not None:
        dd = check_int("d", d, low=2, high=10**15)  # float64 path: Nd/n must stay a float
        domain &= ~_regime_refused(p1, dd, p2)
    if probe.layers == "both":  # affine σ with λ = 0 at finite width: not covered (as on the certified path)
        domain &= ~((ls + lk == 0) & np.isfinite(p1))
    B, V, factor, kap = (np.full(p2.shape, np.nan) for _ in range(4))
    conv = np.ones(p2.shape, bool)
    rel_b, rel_v, rel_k, rel_f = (np.zeros(p2.shape) for _ in range(4))  # rel_f: the training factor
    with np.errstate(all="ignore"):
        iso = domain & ((probe.layers == "first") | np.isinf(p1))
        blk = domain & ~iso
        if iso.any():
            a, ridge = (a1, ls) if probe.layers == "first" else (2 * a1, s2 + ls)
            B[iso], V[iso], factor[iso], kap[iso], _, _ = _nt_isotropic(NP, p2[iso], lk[iso], a, ridge)
            rel_b[iso] = rel_v[iso] = rel_f[iso] = _kernel_limit_error(p2[iso], lk[iso], a, ridge)
        if blk.any():
            (B[blk], V[blk], factor[blk], kap[blk]), conv[blk], errs = _ntk_np(p1[blk], p2[blk], lk[blk], a1, s2, ls)
            rel_b[blk], rel_v[blk], rel_k[blk] = errs
            rel_f[blk] = rel_k[blk]  # the factor (λ/λ_tot)(λ̃/κ) carries κ's error
        noise = t2 + Fs
        bias = np.where(F1 == 0, 0.0, F1 * B)
        variance = np.where(noise == 0, 0.0, noise * V)
        risk = bias + variance + Fs
        train = np.where(factor == 0, 0.0, factor**2 * (risk + t2))
        tiny = np.finfo(float).tiny
        rel_risk = (np.abs(bias) * rel_b + np.abs(variance) * rel_v) / np.maximum(np.abs(risk), tiny)
        rel = {"risk": rel_risk, "bias": rel_b, "variance": rel_v, "train_error": rel_risk + 2 * rel_f, "kappa": rel_k}
        conv &= ~(rel[quantity] > FLOAT64_MAX_ERROR)
    val = {"risk": risk, "bias": bias, "variance": variance, "train_error": train, "kappa": kap}[quantity]
    conv &= ~np.isnan(val)  # e.g. overflow for λ' beyond 1e150: never a NaN with status 0
    val, status = status_ladder(domain, conv, val)
    return val.reshape(shape), status.reshape(shape)


def _ntk_np(
    p1: np.ndarray, p2: np.ndarray, lk: np.ndarray, a1: float, s2: float, ls: float
) -> tuple[tuple[np.ndarray, ...], np.ndarray, tuple[np.ndarray, ...]]:
    """:func:`_ntk` on float64 arrays, with a-priori bounds on the relative rounding errors of ``𝓑, 𝓥, κ``."""

    def root(h: Any, dh: Any, lo: Any, hi: Any) -> tuple[Any, Any]:
        return increasing_root(h, dh, lo, hi, ops=NP, rtol=1e-14, throw=False)

    st = _ntk(NP, p1, p2, lk, a1, s2, ls, root)
    conv = np.asarray(st["conv"], bool)
    if a1 == 0:
        zeros = np.zeros(p1.shape)
        return st["out"], conv, (zeros, zeros, zeros)
    # rounding-error bounds: the block sums cancel (small D or A at large κ, extreme ψ₁); each sum's error is
    # a few ulps of the sum of its terms' magnitudes, and an error δT₁ moves κ by κ·δT₁/(ψ₂(1 − D))
    kappa, t2, amp, D = st["kappa"], st["t2"], st["amp"], st["D"]
    s1, s2_, sa = _ntk_term_sizes(NP, kappa, p1, a1, s2)
    eps = 32 * np.finfo(float).eps
    tiny = np.finfo(float).tiny
    rel_k = eps * s1 / (p2 * np.maximum(1 - D, tiny))
    rel_d = eps * s2_ / np.maximum(np.abs(t2), tiny) + 2 * rel_k
    rel_a = eps * sa / np.maximum(np.abs(amp), tiny) + 2 * rel_k
    rel_b = rel_a + rel_d * np.abs(D) / np.maximum(1 - D, tiny)
    rel_v = rel_d / np.maximum(1 - D, tiny)
    return st["out"], conv, (rel_b, rel_v, rel_k)


FLOAT64_MAX_ERROR = 1e-6
"""Largest estimated relative rounding error of a float64 curve point reported with status 0."""


def _regime_refused(p1: np.ndarray, d: int, p2: np.ndarray) -> np.ndarray:
    """``Nd/n < REGIME_ERROR_RATIO``, decided as :func:`check_regime` decides it: the exact ratio ``ψ₁d/ψ₂``
    rounded once to a float.  ``p1 * d / p2`` rounds twice, so within a few ulps of the boundary it could
    keep a point that the certified path refuses (e.g. ``ψ₁ = 0.0001 − 1 ulp``, ``d = 10``, ``ψ₂ = 0.0001``);
    those points are decided with exact fractions."""
    with np.errstate(all="ignore"):
        ratio = p1 * d / p2
    refused = ratio < REGIME_ERROR_RATIO
    close = np.abs(ratio - REGIME_ERROR_RATIO) <= 1e-12 * REGIME_ERROR_RATIO
    close &= np.isfinite(p1) & np.isfinite(p2) & (p1 > 0) & (p2 > 0)
    for i in np.flatnonzero(close):
        refused[i] = float(Fraction(float(p1[i])) * d / Fraction(float(p2[i]))) < REGIME_ERROR_RATIO
    return refused


def _kernel_limit_error(p2: np.ndarray, lk: np.ndarray, a: float, ridge: float) -> np.ndarray:
    """A-priori relative rounding error of ``𝓑``, ``𝓥`` and the training factor on the ridge-on-``x`` branch.

    :func:`~asymptotics.models._rf_common.ridge_on_x_error` at ``λ' = (ridge + λ)/(aψ₂)`` (shared with the RF
    kernel limit): float64 loses digits only next to ``ψ₂ = 1`` with ``λ' → 0`` (an affine ``σ``, no
    self-induced ridge, tiny ``λ > 0``).
    """
    if a == 0:  # no signal direction: 𝓑 = 1, 𝓥 = 0 exactly
        return np.zeros(p2.shape)
    with np.errstate(all="ignore"):
        lp = (ridge + lk) / (a * p2)
    return ridge_on_x_error(p2, lp)


def _ntk_term_sizes(B: Backend, kappa: Any, p: Any, a: Any, s: Any) -> tuple[Any, ...]:
    """Sums of the magnitudes of the terms of ``T₁``, ``T₂``, ``A`` in :func:`ntk_terms` (float64 error bounds)."""
    g, z0, r, m, dm, atom, mass, noise_dirs, lin_dirs = _ntk_blocks(B, kappa, p, a, s)
    i1, i2 = B.abs(m) + atom / z0, B.abs(dm) + atom / (z0 * z0)
    # r = (s − a z₀)/ψ₁ + a + 2κ and as/ψ₁ − κ² cancel: their errors scale with the magnitudes of their parts
    r_mag = s / p + a * z0 / p + a + 2 * kappa
    t1 = mass + p * (r_mag / g) * i1 + noise_dirs + lin_dirs
    t2 = mass + p * (2 * kappa / g) * i1 + p * (2 * B.abs(r) * r_mag / (g * g)) * i2 + noise_dirs + lin_dirs
    amp = p * ((s / a) * i1 + (s / p + kappa) * (a * s / p + kappa * kappa) / (kappa * g * g) * i2)
    return t1, t2, amp + lin_dirs * (kappa / (a + kappa)) ** 2


# ----------------------------------------------------------------------------- symbolic
_LABELS = {
    "lambda_self": r"\lambda_{\rm self}",
    "lam_prime": r"\lambda'",
    "gamma": r"\gamma",
    "B": r"\mathcal{B}",
    "V": r"\mathcal{V}",
    "risk": "R",
    "train_error": "T",
    "M": r"M(\omega)",
    "a": r"\tilde a(\omega)",
    "lam_tilde": r"\tilde\lambda",
    "rho": r"\rho_{\psi_1}(\omega)",
    "t1": r"t_{1}(\omega)",
    "t2": r"t_{2}(\omega)",
    "a_block": r"a_{\kappa}(\omega)",
    "T1": "T_1(\\kappa)",
    "T2": "T_2(\\kappa)",
    "A": "A(\\kappa)",
    "D": "D(\\kappa)",
}


@cache
def system(form: str = "nt") -> FixedPointSystem:
    """The NT (``form="nt"``) or two-layer NTK (``form="ntk"``) equations as SymPy objects."""
    if form not in FORMS:
        raise ParameterError(f"unknown nt system form {form!r}; valid: {', '.join(FORMS)}.")
    psi1, psi2, kap, lam = S.psi1, S.psi2, S.kappa, S.lam
    mu1, mus = sp.Symbol("mu_1", positive=True), sp.Symbol(r"\mu_{\star}", nonnegative=True)
    ls = sp.Symbol(r"\lambda_{\rm self}", nonnegative=True)
    G = sp.Symbol("G")
    sig = sp.Function(r"\sigma'")
    E = sp.Function(r"\mathbb{E}")
    Bs, Vs, Rs = sp.Symbol(r"\mathcal{B}"), sp.Symbol(r"\mathcal{V}"), sp.Symbol("R")
    U = dict(evaluate=False)
    q: dict[str, sp.Expr] = {"lambda_self": E(sig(G) ** 2) - mu1**2}
    if form == "nt":
        g = 1 / psi2
        lp = (ls + lam) / (mu1**2 * psi2)
        equations = (sp.Eq(sp.Symbol(r"\lambda'"), kap * (1 - g / (1 + kap))),)
        q.update(
            {
                "lam_prime": lp,
                "gamma": g,
                "B": kap**2 / ((1 + kap) ** 2 - g),
                "V": g / ((1 + kap) ** 2 - g),
                "risk": sp.Add(sp.Mul(S.F1sq, Bs, **U), sp.Mul(sp.Add(S.tau2, S.Fstar2, **U), Vs, **U), S.Fstar2, **U),
                "train_error": sp.Mul(
                    sp.Pow(lam / (lam + ls), 2, **U), sp.Pow(sp.Symbol(r"\lambda'") / kap, 2, **U), sp.Add(Rs, S.tau2, **U), **U
                ),
            }
        )
        params: tuple[sp.Symbol, ...] = (psi2, lam, mu1, ls)
    else:
        w = sp.Symbol("omega", nonnegative=True)
        M = sp.Matrix([[(mu1**2 * w + mus**2) / psi1, mu1**2 * sp.sqrt(w / psi1)], [mu1**2 * sp.sqrt(w / psi1), mu1**2]])
        av = sp.Matrix([[mu1 * sp.sqrt(w / psi1), mu1]])
        T1s, T2s, As, Ds = (sp.Symbol(n) for n in ("T_1", "T_2", "A", "D"))
        t1s, t2s, ams, rhos = (sp.Symbol(_LABELS[k]) for k in ("t1", "t2", "a_block", "rho"))
        # per block: tr M(M+κ)⁻¹, tr M²(M+κ)⁻², κ²ãᵀM⁻¹(M+κ)⁻²ã as rational functions of ω (adjugates, no inverse)
        K = M + kap * sp.eye(2)
        adj, det = K.adjugate(), sp.expand(psi1 * K.det())  # ψ₁ det(M + κ), linear in ω
        amp = sp.cancel(sp.expand(kap**2 * psi1**3 * (av * M.adjugate() * adj * adj * av.T)[0]) / sp.expand(psi1 * M.det()))
        # the Marchenko–Pastur law of W = ΘΘᵀ/d (ratio ψ₁): (1/d)Σ over the blocks is ψ₁∫ · ρ dω on its continuous
        # part, plus the (ψ₁ − 1)₊ pure-noise directions (μ_⋆²/ψ₁) and the (1 − ψ₁)₊ linear ones (μ₁², overlap μ₁)
        edges = ((1 - sp.sqrt(psi1)) ** 2, (1 + sp.sqrt(psi1)) ** 2)
        noise, over, under = mus**2 / psi1, sp.Max(0, psi1 - 1), sp.Max(0, 1 - psi1)
        q.update(
            {
                "M": M,
                "a": av,
                "lam_tilde": (lam + ls) / psi2,
                "rho": sp.sqrt((edges[1] - w) * (w - edges[0])) / (2 * sp.pi * psi1 * w),
                "t1": sp.expand(psi1 * (M * adj).trace()) / det,
                "t2": sp.expand(psi1**2 * (M * adj * M * adj).trace()) / det**2,
                "a_block": amp / det**2,
                "T1": psi1 * sp.Integral(t1s * rhos, (w, *edges))
                + over * noise / (noise + kap)
                + under * mu1**2 / (mu1**2 + kap),
                "T2": psi1 * sp.Integral(t2s * rhos, (w, *edges))
                + over * (noise / (noise + kap)) ** 2
                + under * (mu1**2 / (mu1**2 + kap)) ** 2,
                "A": psi1 * sp.Integral(ams * rhos, (w, *edges)) + under * (kap / (mu1**2 + kap)) ** 2,
                "D": T2s / psi2,
                "B": sp.Mul(As, sp.Pow(1 - Ds, -1, **U), **U),
                "V": sp.Mul(Ds, sp.Pow(1 - Ds, -1, **U), **U),
                "risk": sp.Add(sp.Mul(S.F1sq, Bs, **U), sp.Mul(sp.Add(S.tau2, S.Fstar2, **U), Vs, **U), S.Fstar2, **U),
            }
        )
        equations = (sp.Eq(kap * (1 - T1s / psi2), (lam + ls) / psi2),)
        params = (psi1, psi2, lam, mu1, mus, ls)
    labels = {k: _LABELS.get(k, k) for k in q}
    sys_ = FixedPointSystem(
        name=f"nt_{form}",
        unknowns=(kap,),
        parameters=params,
        equations=equations,
        quantities=q,
        labels=labels,
        source=MONTANARI_ZHONG_2020 if form == "nt" else ADLAM_PENNINGTON_2020,
    )
    sys_.check_rational()
    return sys_


# ----------------------------------------------------------------------------- registry
def _q(name: str, fn: Any, doc: str) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    return QuantitySpec(name, doc, _MODEL_PARAMS, fn, curve, optional=("psi1", "d"), proof="partial", proof_note=_PROOF_NOTE)


_PROOF_NOTE = (
    "proven for named activations and SymPy expressions with a rigorous coefficient route (kappa: closed form, or the "
    "NTK root by a sign change of the increasing h, docs/proofs/nt.md); Python callables: precision-ladder estimate"
)


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Neural tangent model (first layer) and two-layer NTK in the proportional regime; RF/NT/kernel staircases.",
        params={
            "psi2": ParamSpec("psi2", "n/d, > 0"),
            "lam": ParamSpec("lam", "kernel ridge lambda >= 0 on K (0: min-norm interpolator)", default="0"),
            "activation": ParamSpec(
                "activation",
                "relu|abs|tanh|erf|quadratic|linear|softplus|sigmoid or a SymPy expression in x (needs sigma')",
                default="relu",
                kind="activation",
            ),
            "F1sq": ParamSpec("F1sq", "energy of the linear part of the target, >= 0", default="1"),
            "Fstar2": ParamSpec("Fstar2", "energy of the nonlinear part of the target, >= 0", default="0"),
            "tau2": ParamSpec("tau2", "label-noise variance, >= 0", default="0"),
            "layers": ParamSpec("layers", "first (NT model) | both (two-layer NTK)", default="first", kind="layers"),
            "psi1": ParamSpec("psi1", "N/d > 0 or inf (required for layers=both)", default="-"),
            "d": ParamSpec("d", "input dimension (optional): checks Nd/n, the NT regime", default="-", kind="int"),
            "exponent": ParamSpec("exponent", "log N/log d (rf, nt) or log n/log d (kernel), non-integer > 0"),
            "F": ParamSpec("F", "target energies F_0^2,F_1^2,... by degree", default="0,1", kind="energies"),
            "method": ParamSpec("method", "rf | nt | kernel (staircase)", default="nt", kind="method"),
            "kappa1": ParamSpec("kappa1", "log N/log d > 0 (phase: polynomial scaling, Nd = d^(kappa1+1) parameters)"),
            "kappa2": ParamSpec("kappa2", "log n/log d > 0 (phase: polynomial scaling)"),
        },
        quantities={
            "risk": _q("risk", risk, "test error F1^2 B + (tau^2 + F*^2) V + F*^2"),
            "bias": _q("bias", bias, "bias part F1^2 B"),
            "variance": _q("variance", variance, "variance part (tau^2 + F*^2) V"),
            "train_error": _q("train_error", train_error, "training error (0 at lam = 0 unless sigma is affine)"),
            "kappa": _q("kappa", kappa, "effective ridge kappa of the equivalent ridge problem"),
            "self_ridge": QuantitySpec(
                "self_ridge",
                "lambda_self = E sigma'(G)^2 - mu1^2 (other parameters ignored)",
                _MODEL_PARAMS,
                self_ridge,
                optional=_MODEL_PARAMS,
                proof="partial",
                proof_note=_PROOF_NOTE,
            ),
            "effective_ridge": QuantitySpec(
                "effective_ridge",
                "lambda' = (lambda_self + lam)/(mu1^2 psi2), the ridge on raw x",
                _MODEL_PARAMS,
                effective_ridge,
                optional=tuple(p for p in _MODEL_PARAMS if p != "psi2"),
                proof="partial",
                proof_note=_PROOF_NOTE,
            ),
            "optimal_lambda": QuantitySpec(
                "optimal_lambda",
                "optimal kernel ridge lam* = argmin_{lam >= 0} risk (first: max(0, mu1^2 (tau2 + F*^2)/F1^2 - lambda_self))",
                _TUNED_PARAMS,
                optimal_lambda,
                optional=("psi1", "d"),
                proof="partial",
                proof_note="layers=first (and both at psi1=inf): a closed form, proven on balls for named activations; "
                "layers=both at finite psi1: precision-ladder estimate of the zero of dR/dlam",
            ),
            "optimal_risk": QuantitySpec(
                "optimal_risk",
                "optimally tuned test error min_{lam >= 0} risk",
                _TUNED_PARAMS,
                optimal_risk,
                optional=("psi1", "d"),
                proof="estimate",
            ),
            "staircase": QuantitySpec(
                "staircase",
                "N or n = d^exponent limit: F^2 above the learned degree",
                ("exponent", "F", "method"),
                staircase,
                proof="proven",
                proof_note="an exact rational sum of the given energies",
            ),
            "phase": QuantitySpec(
                "phase",
                "N = d^kappa1, n = d^kappa2 limit F^2_{>floor(min(kappa1 + 1, kappa2))} (kappa2 != kappa1 + 1)",
                ("kappa1", "kappa2", "F"),
                nt_phase,
                nt_phase_curve,
                proof="proven",
                proof_note="an exact rational sum of the given energies",
            ),
        },
        system=system,
        source=MONTANARI_ZHONG_2020,
        aliases=("neural_tangent", "ntk"),
    )
)
