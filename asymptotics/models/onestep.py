r"""Random features after one gradient step on the first layer (small step size, Gaussian-equivalent regime).

Setting (Ba, Erdogdu, Suzuki, Wang, Wu & Yang 2022, arXiv 2205.01445; docs/models/onestep.md)
---------------------------------------------------------------------------------------------
Two-layer network ``f(x) = aᵀσ(Wᵀx)/√N`` with ``x ~ N(0, I_d)``, unit-norm first-layer columns
``w_a`` (the ``rf`` features ``σ(⟨θ_a, x⟩/√d)``, ``θ_a = √d w_a``) and ``a_a ~ N(0, 1/N)``.
Single-index target ``y = f⋆(⟨β, x⟩) + ε`` whose linear part ``⟨β₁, x⟩`` has energy ``F1sq``, whose
part of degree ``≥ 2`` has energy ``Fstar2``, and noise variance ``tau2`` (the ``rf`` names).

1. One full-batch gradient step on ``W`` from ``n₀ = psi_step·d`` samples, loss
   ``L = (1/2n₀)Σ(yᵢ − f(xᵢ))²``, step ``W₁ = W₀ − η√N ∇_W L`` (``eta = η ≥ 0``).  The ½ is this code's
   normalization: against a loss ``(1/n₀)Σ(f − y)²`` without it (the paper's abstract), our ``eta`` is
   2 × that η.
2. Ridge regression of the second layer on ``n = psi2·d`` FRESH samples with the trained features
   ``σ(W₁ᵀx)``, penalty ``(Nλ/d)‖a‖²`` exactly as in :mod:`~asymptotics.models.random_features`.

``risk`` is the test error (noise excluded) of step 2; at ``eta = 0`` it IS ``rf``'s risk.

The regime (theorem vs our derivation)
--------------------------------------
``η = Θ(1)`` (the paper's "small learning rate"):

* Theorem (Ba et al., Prop. 2 / Thm. 3): ``W₁ = W₀ + η μ₁ v aᵀ + o(1)`` in operator norm, with
  ``v = Xᵀy/n₀``: ``v = β₁ + g``, ``g ⊥ β₁`` with ``‖g‖² → E y²/psi_step``, ``E y² = F1sq + Fstar2 + tau2``;
  and the trained features are Gaussian-equivalent: ``σ(W₁ᵀx) ≃ μ₀ + μ₁W₁ᵀx + μ⋆z``.  The learned kernel
  then cannot beat the best linear predictor on ``x`` (``risk ≥ Fstar2``).
* Our derivation (not stated in this form in the paper): the deterministic equivalent of ridge on these
  Gaussian features.  The spike ``u aᵀ`` (``u = ημ₁v``, ``‖a‖ = 1``) is a rank-one update of the
  Wishart matrix ``M = W₁W₁ᵀ = M' + (w + u)(w + u)ᵀ`` with ``w`` independent of ``M'``, so the effective
  ridge ``κ`` and the degrees of freedom are ``rf``'s, and only the signal quadratic forms change.  With
  ``m(z)`` the Stieltjes transform of Marchenko–Pastur (``zm² + (z + ψ₁ − 1)m = 1``), ``c = ημ₁F₁²``,
  ``V = 1 + η²μ₁²(F₁² + E y²/psi_step)``, Sherman–Morrison gives
  ``β₁ᵀ(M + z)⁻¹β₁ = F₁²m − c²m²/(1 + Vm)``, and

  .. math:: R(\eta) = R_{\rm RF} + \frac{\mu_1^2\,(\kappa^2\Delta Q_2 - \Delta Q_1)}{1 - \mathrm{df}_2},

  ``ΔQ₁, ΔQ₂ ∝ η²`` (docs/models/onestep.md, "Derivation").  ``R_RF`` comes from ``rf``'s solver, so
  ``eta = 0`` reproduces ``rf`` to every digit.

The large-step regime ``η ≍ √N`` (where the paper shows the trained features can beat every linear
predictor) is NOT covered: there the spike changes each neuron by ``O(1)`` and Gaussian equivalence fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import mpmath
import numpy as np

from .._lazy import sympy as sp
from .._types import ActivationLike, ArrayLike, Real
from .._validate import check_real, float_arrays, shown_params, to_mpf
from ..activations import coefficients_float, get_activation
from ..errors import ConvergenceError, ParameterError
from ..formulas import status_ladder
from ..precision import DEFAULT_DPS, certify, residual_tolerance
from ..references import Source
from ..result import Result
from ..solve.roots import MP, NP, increasing_root
from ..symbolic.system import FixedPointSystem
from . import random_features as _rf
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

NAME = "onestep"
QUANTITIES = ("risk", "improvement", "alignment", "rf_risk")
BA_ET_AL_2022 = Source(
    "J. Ba, M. A. Erdogdu, T. Suzuki, Z. Wang, D. Wu, G. Yang",
    "High-dimensional asymptotics of feature learning: how one gradient step improves the representation",
    2022,
    arxiv="2205.01445",
    journal="NeurIPS 2022",
    where="small learning rate eta = Theta(1): Prop. 2 (rank-one spike), Gaussian equivalence of the trained features",
)
BRANCH_RULE = (
    "rf's branch (Mei-Montanari) for R_RF; kappa the unique root of the increasing ridge equation "
    "on (psi1 lam, psi1 lam + tr Sigma/n)"
)


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class OneStepParams:
    """Validated parameters: rf's ``psi1, psi2, lam, activation, F1sq, Fstar2, tau2`` plus ``eta`` and ``psi_step``.

    ``psi1 = N/d``, ``psi2 = n/d`` (ridge samples) finite ``> 0``; ``lam > 0`` (the ridgeless limit is not
    covered); ``eta ≥ 0`` the step size; ``psi_step = n₀/d > 0`` the step's batch (default ``psi2``).
    """

    psi1: Any = None
    psi2: Any = None
    lam: Any = None
    activation: Any = "relu"
    F1sq: Any = 1
    Fstar2: Any = 0
    tau2: Any = 0
    eta: Any = 0
    psi_step: Any = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("psi1", "psi2"):
            if getattr(self, name) is None:
                raise ParameterError(f"`{name}` (> 0, finite) is required.")
            set_(self, name, check_real(name, getattr(self, name), low=0, low_open=True))
        if self.lam is None:
            raise ParameterError("`lam` (> 0) is required: the ridgeless limit lam = 0 is not covered by onestep.")
        set_(self, "lam", check_real("lam", self.lam, low=0, low_open=True))
        set_(self, "activation", get_activation(self.activation))
        for name in ("F1sq", "Fstar2", "tau2", "eta"):
            set_(self, name, check_real(name, getattr(self, name), low=0))
        ps = self.psi2 if self.psi_step is None else self.psi_step
        set_(self, "psi_step", check_real("psi_step", ps, low=0, low_open=True))

    @property
    def rf(self) -> _rf.RFParams:
        """The same point as an ``rf`` problem (no step)."""
        return _rf.RFParams(self.psi1, self.psi2, self.lam, self.activation, self.F1sq, self.Fstar2, self.tau2)

    def shown(self) -> dict[str, str]:
        d = shown_params(psi1=self.psi1, psi2=self.psi2, lam=self.lam)
        d["activation"] = self.activation.name
        d.update(shown_params(F1sq=self.F1sq, Fstar2=self.Fstar2, tau2=self.tau2, eta=self.eta, psi_step=self.psi_step))
        return d


# ----------------------------------------------------------------------------- formulas (every backend)
def mp_inverse(B: Any, z: Any, psi1: Any) -> tuple[Any, Any]:
    """``(1/m(z), z·m(z))`` for the Marchenko–Pastur transform ``m(z) = ∫ dμ(t)/(t + z)`` of ``M = Σ_a w_a w_aᵀ``
    (``N = ψ₁d`` unit columns): ``z m² + (z + ψ₁ − 1)m − 1 = 0``, so ``1/m = (b + √(b² + 4z))/2``, ``b = z + ψ₁ − 1``.

    Both are finite at ``z = 0`` (``z m(0) = max(0, 1 − ψ₁)``, the atom at 0); no cancellation on either sign of ``b``.
    """
    b = z + psi1 - 1
    root = B.sqrt(b * b + 4 * z)
    minv = (b + root) / 2
    zm = B.where(b > 0, z / B.where(b > 0, minv, 1), (root - b) / 2)
    return minv, zm


def kappa_terms(B: Any, kappa: Any, psi1: Any, psi2: Any, mu1sq: Any, ms2: Any) -> tuple[Any, Any]:
    """``(df₁, df₂)`` of ridge on the Gaussian-equivalent features at effective ridge ``κ`` (``κ > 0``).

    ``Σ = μ₁²AᵀA + μ⋆²I_N``; ``(1/n)tr f(AᵀA) = (1/ψ₂)∫f dμ_M + ((ψ₁ − 1)/ψ₂)f(0)``; with ``t_κ = (μ⋆² + κ)/μ₁²``,
    ``δ = κ/μ₁²``: ``∫Σ/(Σ+κ) = 1 − δm(t_κ)``, ``∫(Σ/(Σ+κ))² = 1 − 2δm(t_κ) − δ²m'(t_κ)``.
    """
    tk = (ms2 + kappa) / mu1sq
    delta = kappa / mu1sq
    minv, _ = mp_inverse(B, tk, psi1)
    m = 1 / minv
    dm = -(1 + minv) / (minv * (tk + minv * minv))  # m'(z) from m·(z m + z + ψ₁ − 1) = 1
    f0 = ms2 / (ms2 + kappa)
    df1 = (1 - delta * m) / psi2 + (psi1 - 1) / psi2 * f0
    df2 = (1 - 2 * delta * m - delta * delta * dm) / psi2 + (psi1 - 1) / psi2 * f0 * f0
    return df1, df2


def spike(B: Any, eta: Any, mu1sq: Any, F1: Any, Fs: Any, tau2: Any, psis: Any) -> tuple[Any, Any]:
    """``(c², V)``: ``c = β₁·u = ημ₁F₁²`` and ``V = ‖w + u‖² = 1 + η²μ₁²(F₁² + E y²/ψ_step)``."""
    e2 = eta * eta * mu1sq
    return e2 * F1 * F1, 1 + e2 * (F1 + (F1 + Fs + tau2) / psis)


def correction(B: Any, kappa: Any, psi1: Any, psi2: Any, mu1sq: Any, ms2: Any, c2: Any, V: Any) -> tuple[Any, Any]:
    """``(ΔR, df₂)``: the change of the risk caused by the spike (``∝ c²``; exactly 0 at ``η = 0``).

    ``Δq(z) = −c²/(m⁻¹(m⁻¹ + V))``, ``Δq'(z) = c²(1 + m⁻¹)(2m⁻¹ + V)/(m⁻¹(z + m⁻²)(m⁻¹ + V)²)``;
    ``ΔQ₁ = (c²/μ₁²)·t₀m(t₀)/(m⁻¹(t₀) + V)``,
    ``ΔQ₂ = μ₁⁻⁶[(t₀Δq(t_κ) − t₀Δq(t₀))/δ² − (t_κ/δ)Δq'(t_κ)]``, ``ΔR = μ₁²(κ²ΔQ₂ − ΔQ₁)/(1 − df₂)``.
    """
    t0 = ms2 / mu1sq
    tk = (ms2 + kappa) / mu1sq
    delta = kappa / mu1sq
    _, df2 = kappa_terms(B, kappa, psi1, psi2, mu1sq, ms2)
    mi0, zm0 = mp_inverse(B, t0, psi1)
    mik, _ = mp_inverse(B, tk, psi1)
    t0dq0 = -c2 * zm0 / (mi0 + V)
    dqk = -c2 / (mik * (mik + V))
    ddqk = c2 * (1 + mik) * (2 * mik + V) / (mik * (tk + mik * mik) * (mik + V) ** 2)
    dQ1 = -t0dq0 / mu1sq
    dQ2 = ((t0 * dqk - t0dq0) / (delta * delta) - (tk / delta) * ddqk) / mu1sq**3
    return mu1sq * (kappa * kappa * dQ2 - dQ1) / (1 - df2), df2


def ge_risk(B: Any, kappa: Any, psi1: Any, psi2: Any, mu1sq: Any, ms2: Any, F1: Any, Fs: Any, tau2: Any, c2: Any, V: Any) -> Any:
    """The whole Gaussian-equivalent risk from the same quadratic forms (a check of the route; not used for ``risk``).

    ``R = (κ²μ₁²Q₂ + σ²_eff df₂)/(1 − df₂) + r + F⋆²``, ``r = F₁² − μ₁²Q₁``, ``σ²_eff = r + F⋆² + τ²``.
    """
    t0 = ms2 / mu1sq
    tk = (ms2 + kappa) / mu1sq
    delta = kappa / mu1sq
    _, df2 = kappa_terms(B, kappa, psi1, psi2, mu1sq, ms2)
    mi0, zm0 = mp_inverse(B, t0, psi1)
    mik, _ = mp_inverse(B, tk, psi1)
    dmk = -(1 + mik) / (mik * (tk + mik * mik))
    t0q0 = F1 * zm0 - c2 * zm0 / (mi0 + V)
    qk = F1 / mik - c2 / (mik * (mik + V))
    dqk = F1 * dmk + c2 * (1 + mik) * (2 * mik + V) / (mik * (tk + mik * mik) * (mik + V) ** 2)
    Q1 = (F1 - t0q0) / mu1sq
    Q2 = ((t0 * qk - t0q0) / (delta * delta) - (tk / delta) * dqk) / mu1sq**3
    r = F1 - mu1sq * Q1
    return (kappa * kappa * mu1sq * Q2 + (r + Fs + tau2) * df2) / (1 - df2) + r + Fs


def alignment_value(B: Any, F1: Any, Fs: Any, tau2: Any, psis: Any) -> Any:
    """``|⟨u, β₁⟩|/(‖u‖‖β₁‖) = √(F₁²ψ₀/(F₁²ψ₀ + F₁² + F⋆² + τ²))``: the cosine between the spike and the target
    direction (independent of ``η > 0``; 0 when ``F1sq = 0``)."""
    den = F1 * psis + F1 + Fs + tau2
    return B.sqrt(F1 * psis / B.where(den > 0, den, 1))


def _kappa_h(B: Any, psi1: Any, psi2: Any, lam: Any, mu1sq: Any, ms2: Any) -> tuple[Any, Any, Any, Any]:
    """``h(κ) = κ(1 − df₁(κ)) − ψ₁λ`` (increasing, ``h' = 1 − df₂``) and its bracket ``[ψ₁λ, ψ₁λ + trΣ/n]``."""

    def h(k: Any) -> Any:
        df1, _ = kappa_terms(B, k, psi1, psi2, mu1sq, ms2)
        return k * (1 - df1) - psi1 * lam

    def dh(k: Any) -> Any:
        _, df2 = kappa_terms(B, k, psi1, psi2, mu1sq, ms2)
        return 1 - df2

    lo = psi1 * lam
    return h, dh, lo, lo + psi1 / psi2 * (mu1sq + ms2)


# ----------------------------------------------------------------------------- certified path
def _kappa_residual(kappa: Any, psi1: Any, psi2: Any, lam: Any, mu1sq: Any, ms2: Any) -> Any:
    """Backward-error residual of the κ equation ``κ(1 − df₁(κ)) = ψ₁λ``, relative to the size of its terms.

    ``κ df₁ = κ(1 − δm)/ψ₂ + κ(ψ₁ − 1)f₀/ψ₂`` is a sum of terms that can each be far larger than ``ψ₁λ``
    (tiny ``λ``, tiny ``ψ₂``) and cancel; rounding alone leaves a residual of their size times the working
    precision, so that size (not ``|h|``'s own scale) is the yardstick — the way ``rf`` judges its ``ν`` equations.
    """
    tk = (ms2 + kappa) / mu1sq
    delta = kappa / mu1sq
    minv, _ = mp_inverse(MP, tk, psi1)
    df1, _ = kappa_terms(MP, kappa, psi1, psi2, mu1sq, ms2)
    f0 = ms2 / (ms2 + kappa)
    size = psi1 * lam + kappa * (1 + (1 + abs(delta / minv)) / psi2 + abs(psi1 - 1) / psi2 * f0)
    return abs(kappa * (1 - df1) - psi1 * lam) / size


def _evaluate(pr: OneStepParams) -> tuple[dict[str, Any], Any]:
    """All quantities at the current working precision and the residual of onestep's own κ equation.

    ``rf``'s fixed point is judged by ``rf``'s solver alone (it raises when its residual, scaled by its own
    conditioning, is too large); it is not re-judged here against an unscaled tolerance.  Only onestep's extra
    equation (κ) is judged, relative to its terms; the precision ladder (two rungs agreeing) is the certificate.
    """
    rf_out, rf_res = _rf._Solver(pr.rf).evaluate()
    c = pr.activation.coefficients()
    mu1sq, ms2 = c.mu1**2, c.mustar2
    psi1, psi2, lam = to_mpf(pr.psi1), to_mpf(pr.psi2), to_mpf(pr.lam)
    F1, Fs, tau2, eta, psis = (to_mpf(v) for v in (pr.F1sq, pr.Fstar2, pr.tau2, pr.eta, pr.psi_step))
    out = {"rf_risk": rf_out["risk"], "alignment": alignment_value(MP, F1, Fs, tau2, psis)}
    if mu1sq == 0 or pr.eta == 0:  # no spike (u = 0): the features are rf's, and so is every value
        out.update(risk=rf_out["risk"], improvement=mpmath.mpf(0), kappa=mpmath.nan)
        return out, rf_res
    h, dh, lo, hi = _kappa_h(MP, psi1, psi2, lam, mu1sq, ms2)
    kappa, _ = increasing_root(
        h, dh, lo, hi, ops=MP, rtol=mpmath.mpf(10) ** (-(mpmath.mp.dps - 2)), what="onestep kappa", params=pr.shown()
    )
    res_k = _kappa_residual(kappa, psi1, psi2, lam, mu1sq, ms2)
    if res_k > residual_tolerance():
        raise ConvergenceError(f"onestep: kappa residual {mpmath.nstr(res_k, 3)} too large", params=pr.shown())
    c2, V = spike(MP, eta, mu1sq, F1, Fs, tau2, psis)
    dR, _ = correction(MP, kappa, psi1, psi2, mu1sq, ms2, c2, V)
    out.update(risk=rf_out["risk"] + dR, improvement=-dR, kappa=kappa)
    return out, res_k if rf_res is None else max(res_k, rf_res)


def solve(params: OneStepParams, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified value of one onestep quantity (precision ladder; no ball route yet)."""
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown onestep quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    extras: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        out, residual = _evaluate(params)
        extras.update(out)
        return out[quantity], residual

    c = certify(evaluate, dps, what=f"onestep {quantity}", params=params.shown())
    return Result(
        c.value, NAME, quantity, params.shown(), dps, c.residual, c.error_estimate, BRANCH_RULE, BA_ET_AL_2022, **c.proof_fields()
    )


_COMMON = """

    Parameters
    ----------
    psi1 : N/d (> 0, finite).
    psi2 : n/d (> 0, finite), the FRESH samples of the ridge step.
    lam : rf's ridge λ > 0 (penalty ``(Nλ/d)‖a‖²``).
    activation : as for ``rf`` (name or SymPy expression in x).
    F1sq, Fstar2, tau2 : energies of the linear and nonlinear target parts, label-noise variance.
    eta : step size η ≥ 0 of the first-layer step ``W₁ = W₀ − η√N∇_W L``, ``L = (1/2n₀)Σ(yᵢ − f(xᵢ))²``
        (η = Θ(1): the paper's small-learning-rate regime).  Because of the ½ in ``L``, our ``eta`` is
        2 × the η of a loss written ``(1/n₀)Σ(f − y)²`` without it.
    psi_step : n₀/d > 0, the batch of the gradient step (default ``psi2``; independent of the ridge samples).
    dps : significant digits.

    Returns
    -------
    Result (precision-ladder estimate, ``proven=False``).

    Source: Ba, Erdogdu, Suzuki, Wang, Wu & Yang, arXiv 2205.01445 (spike and Gaussian equivalence);
    the deterministic equivalent of the spiked features is derived in docs/models/onestep.md.
    """


def _make(quantity: str, doc: str) -> Any:
    def fn(
        psi1: Real,
        psi2: Real,
        lam: Real,
        activation: ActivationLike = "relu",
        F1sq: Real = 1,
        Fstar2: Real = 0,
        tau2: Real = 0,
        eta: Real = 0,
        psi_step: Real | None = None,
        *,
        dps: int = DEFAULT_DPS,
    ) -> Result:
        return solve(OneStepParams(psi1, psi2, lam, activation, F1sq, Fstar2, tau2, eta, psi_step), quantity, dps=dps)

    fn.__name__ = fn.__qualname__ = quantity
    fn.__doc__ = doc + _COMMON
    return fn


risk = _make("risk", "Test error (noise excluded) of ridge on the features after one step: ``R_RF + ΔR(η)``.")
improvement = _make("improvement", "``R_RF − R(η)``: what the step gains over random features at the same point.")
alignment = _make("alignment", "Cosine between the spike ``u`` of ``W₁ − W₀`` and ``β₁``: ``√(F₁²ψ₀/(F₁²ψ₀ + E y²))``.")
rf_risk = _make("rf_risk", "``rf``'s risk at the same point (η = 0), for comparison.")


# ----------------------------------------------------------------------------- float64
def curve_values(
    quantity: str,
    psi1: ArrayLike,
    psi2: ArrayLike,
    lam: ArrayLike,
    activation: ActivationLike = "relu",
    F1sq: ArrayLike = 1.0,
    Fstar2: ArrayLike = 0.0,
    tau2: ArrayLike = 0.0,
    eta: ArrayLike = 0.0,
    psi_step: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 values and status codes (``R_RF`` from ``rf``'s float64 path).

    Status 3 where ``rf`` is unsure, ``κ`` did not converge, or the correction cancels: ``|ΔR|`` is a sum of terms
    of size ``S``; when ``S·1e-10 > 1e-6·|R|`` (more than the 6-digit budget) the point gets status 3.
    """
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown onestep quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    act = get_activation(activation)
    ps = psi2 if psi_step is None else psi_step
    p1, p2, lm, F1, Fs, t2, et, pst = float_arrays(
        psi1=psi1, psi2=psi2, lam=lam, F1sq=F1sq, Fstar2=Fstar2, tau2=tau2, eta=eta, psi_step=ps
    )
    p1, p2, lm, F1, Fs, t2, et, pst = np.broadcast_arrays(p1, p2, lm, F1, Fs, t2, et, pst)
    fin = np.isfinite
    domain = (
        (p1 > 0)
        & fin(p1)
        & (p2 > 0)
        & fin(p2)
        & (lm > 0)
        & fin(lm)
        & (F1 >= 0)
        & fin(F1)
        & (Fs >= 0)
        & fin(Fs)
        & (t2 >= 0)
        & fin(t2)
        & (et >= 0)
        & fin(et)
        & (pst > 0)
        & fin(pst)
    )
    safe = [np.where(domain, a, 1.0) for a in (p1, p2, lm, F1, Fs, t2, et, pst)]
    p1, p2, lm, F1, Fs, t2, et, pst = safe
    _, mu1, ms2 = coefficients_float(act)
    mu1sq = mu1 * mu1
    with np.errstate(all="ignore"):
        align = alignment_value(NP, F1, Fs, t2, pst)
        rf_vals, rf_status = _rf.curve_values("risk", p1, p2, lm, act, F1, Fs, t2)
        conv = rf_status == 0
        if mu1sq == 0:
            dR = np.zeros_like(p1)
            scale = np.zeros_like(p1)
        else:
            h, dh, lo, hi = _kappa_h(NP, p1, p2, lm, mu1sq, ms2)
            kap, kconv = increasing_root(h, dh, lo, hi, ops=NP, rtol=1e-14, throw=False)
            conv = conv & np.asarray(kconv, bool)
            c2, V = spike(NP, et, mu1sq, F1, Fs, t2, pst)
            dR, _ = correction(NP, kap, p1, p2, mu1sq, ms2, c2, V)
            dR = np.where(et == 0, 0.0, dR)
            scale = _correction_scale(kap, p1, p2, mu1sq, ms2, c2, V)
        risk_ = rf_vals + dR
        conv = conv & (scale * 1e-10 <= 1e-6 * np.abs(risk_)) & np.isfinite(risk_)
    vals = {"risk": risk_, "improvement": 0.0 - dR, "alignment": align, "rf_risk": rf_vals}[quantity]
    if quantity == "alignment":
        conv = np.ones(p1.shape, bool)
    elif quantity == "rf_risk":
        conv = rf_status == 0
    return status_ladder(domain, conv, vals)


def _correction_scale(kappa: Any, psi1: Any, psi2: Any, mu1sq: Any, ms2: Any, c2: Any, V: Any) -> Any:
    """Size of the largest term of ``ΔR`` (the float64 cancellation estimate of :func:`curve_values`)."""
    t0 = ms2 / mu1sq
    tk = (ms2 + kappa) / mu1sq
    delta = kappa / mu1sq
    mi0, zm0 = mp_inverse(NP, t0, psi1)
    mik, _ = mp_inverse(NP, tk, psi1)
    _, df2 = kappa_terms(NP, kappa, psi1, psi2, mu1sq, ms2)
    t0dq0 = np.abs(c2 * zm0 / (mi0 + V))
    dqk = np.abs(c2 / (mik * (mik + V)))
    ddqk = np.abs(c2 * (1 + mik) * (2 * mik + V) / (mik * (tk + mik * mik) * (mik + V) ** 2))
    terms = (t0 * dqk + t0dq0) / (delta * delta) + (tk / delta) * ddqk
    return mu1sq * (kappa * kappa * terms / mu1sq**3 + t0dq0 / mu1sq) / np.abs(1 - df2)


# ----------------------------------------------------------------------------- symbolic
@cache
def system() -> FixedPointSystem:
    """The κ equation, the Marchenko–Pastur transforms at ``t₀`` and ``t_κ`` and the spike correction (SymPy)."""
    from ..symbolic import symbols as S

    Sym = sp.Symbol
    psi1, psi2, lam, kap = S.psi1, S.psi2, S.lam, S.kappa
    mu1, ms = Sym("mu_1", positive=True), Sym(r"\mu_{\star}", positive=True)
    m0, mk = Sym("m_0", positive=True), Sym(r"m_{\kappa}", positive=True)
    F1, Fs, tau2 = S.F1sq, S.Fstar2, S.tau2
    eta, psis = Sym("eta", nonnegative=True), Sym("psi_0", positive=True)
    R_rf = Sym(r"R_{\mathrm{RF}}", positive=True)
    t0 = ms**2 / mu1**2
    tk = (ms**2 + kap) / mu1**2
    delta = kap / mu1**2
    dmk = -mk * (mk + 1) / (2 * tk * mk + tk + psi1 - 1)
    f0 = ms**2 / (ms**2 + kap)
    df1 = (1 - delta * mk) / psi2 + (psi1 - 1) / psi2 * f0
    df2 = (1 - 2 * delta * mk - delta**2 * dmk) / psi2 + (psi1 - 1) / psi2 * f0**2
    c2 = eta**2 * mu1**2 * F1**2
    V = 1 + eta**2 * mu1**2 * (F1 + (F1 + Fs + tau2) / psis)

    def dq(m: Any) -> Any:
        return -c2 * m**2 / (1 + V * m)

    ddqk = -c2 * dmk * mk * (2 + V * mk) / (1 + V * mk) ** 2
    dQ1 = -t0 * dq(m0) / mu1**2
    dQ2 = ((t0 * dq(mk) - t0 * dq(m0)) / delta**2 - (tk / delta) * ddqk) / mu1**6
    dR = mu1**2 * (kap**2 * dQ2 - dQ1) / (1 - df2)
    return FixedPointSystem(
        name=NAME,
        unknowns=(kap, m0, mk),
        parameters=(psi1, psi2, lam, mu1, ms, F1, Fs, tau2, eta, psis, R_rf),
        equations=(
            sp.Eq(psi1 * lam, kap * (1 - df1)),
            sp.Eq(t0 * m0**2 + (t0 + psi1 - 1) * m0, 1),
            sp.Eq(tk * mk**2 + (tk + psi1 - 1) * mk, 1),
        ),
        quantities={"risk": R_rf + dR, "improvement": -dR, "alignment": sp.sqrt(F1 * psis / (F1 * psis + F1 + Fs + tau2))},
        labels={"risk": "R", "improvement": r"R_{\mathrm{RF}} - R", "alignment": r"\cos\angle(u, \beta_1)"},
        source=BA_ET_AL_2022,
    )


# ----------------------------------------------------------------------------- registry
PROOF_NOTE = "precision-ladder estimate (rf's certified risk plus the spike correction); no ball route yet"


def _q(name: str, fn: Any, doc: str) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    return QuantitySpec(
        name,
        doc,
        ("psi1", "psi2", "lam", "activation", "F1sq", "Fstar2", "tau2", "eta", "psi_step"),
        fn,
        curve,
        optional=("psi_step",),
        proof="estimate",
        proof_note=PROOF_NOTE,
    )


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Random features after one gradient step on the first layer (Ba et al. 2022, small step size).",
        params={
            "psi1": ParamSpec("psi1", "N/d, > 0 (finite)"),
            "psi2": ParamSpec("psi2", "n/d, > 0 (finite): fresh samples of the ridge step"),
            "lam": ParamSpec("lam", "ridge lambda > 0, penalty (N lam/d)||a||^2 (rf's)"),
            "activation": ParamSpec(
                "activation",
                "relu|abs|tanh|erf|quadratic|linear|softplus|sigmoid or a SymPy expression in x",
                default="relu",
                kind="activation",
            ),
            "F1sq": ParamSpec("F1sq", "energy of the linear part of the target, >= 0", default="1"),
            "Fstar2": ParamSpec("Fstar2", "energy of the nonlinear part of the target, >= 0", default="0"),
            "tau2": ParamSpec("tau2", "label-noise variance, >= 0", default="0"),
            "eta": ParamSpec("eta", "step size >= 0 of W1 = W0 - eta sqrt(N) grad_W L (eta = Theta(1) regime)", default="0"),
            "psi_step": ParamSpec("psi_step", "n0/d > 0, batch of the gradient step", default="psi2"),
        },
        quantities={
            "risk": _q("risk", risk, "test error of ridge on the trained features (noise excluded)"),
            "improvement": _q("improvement", improvement, "rf risk minus onestep risk at the same point"),
            "alignment": _q("alignment", alignment, "cosine between the learned spike and the target direction"),
            "rf_risk": _q("rf_risk", rf_risk, "rf's risk at the same point (eta = 0)"),
        },
        system=system,
        source=BA_ET_AL_2022,
        aliases=("one_step",),
    )
)


__all__ = ["OneStepParams", "curve_values", "risk", "improvement", "alignment", "rf_risk", "solve", "system", "MODEL"]
