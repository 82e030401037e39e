r"""Random features ridge regression: Mei–Montanari precise asymptotics (double descent).

Setting (Mei & Montanari, arXiv 1908.05355; Six Lectures, arXiv 2308.13431, lecture 3)
--------------------------------------------------------------------------------------
Inputs ``x`` and first-layer weights ``θ_a`` (``a ≤ N``) i.i.d. uniform on the sphere
``S^{d−1}(√d)``; features ``σ(⟨θ_a, x⟩/√d)``; ``N = ψ₁d`` features, ``n = ψ₂d`` samples.
Target ``f(x) = β₀ + ⟨β₁, x⟩ + f_NL(x)`` with ``‖β₁‖² = F₁²``, ``E f_NL² = F_⋆²`` (all
degrees ≥ 2), labels ``y = f(x) + ε``, ``Var ε = τ²``.  The estimator is ridge regression
on the features with the paper's penalty scaling

.. math:: \hat a = \arg\min_a \frac1n\sum_i\big(y_i - \textstyle\sum_a a_a\sigma(\langle\theta_a,x_i\rangle/\sqrt d)\big)^2
          + \frac{N\lambda}{d}\lVert a\rVert^2 ,

equivalently kernel ridge regression ``f̂(x) = k(x)ᵀ(K + ψ₂λ I)⁻¹y`` with
``K_ij = (1/N) Σ_a σ_a(x_i)σ_a(x_j)``.  The activation enters only through
``μ₁ = E Gσ(G)`` and ``μ_⋆² = E σ(G)² − μ₀² − μ₁²`` (:mod:`asymptotics.activations`):
``ζ = μ₁/μ_⋆`` and ``λ̄ = λ/μ_⋆²``.  *Risk* is the test error without noise,
``E_x (f(x) − f̂(x))²``; *training error* is ``(1/n)Σ(yᵢ − f̂(xᵢ))²``.

Equations (:func:`system`)
--------------------------
For ``ξ = i√(ψ₁ψ₂λ̄)`` let ``ν₁, ν₂`` solve
``ν₁ = ψ₁(−ξ − ν₂ − ζ²ν₂/(1 − ζ²ν₁ν₂))⁻¹``, ``ν₂ = ψ₂(−ξ − ν₁ − ζ²ν₁/(1 − ζ²ν₁ν₂))⁻¹`` and
``χ = ν₁ν₂``.  With the polynomials ``𝓔₀, 𝓔₁, 𝓔₂`` in ``χ, ζ, ψ₁, ψ₂``,
``𝓑 = 𝓔₁/𝓔₀``, ``𝓥 = 𝓔₂/𝓔₀`` and

.. math:: R = F_1^2\,\mathcal B + (\tau^2 + F_\star^2)\,\mathcal V + F_\star^2 ,\qquad
          T = \Big(1 - \frac{g(-\chi)}{\psi_2}\Big)^2 (R + \tau^2),\quad g(p) = p + \frac{\zeta^2 p}{1 + \zeta^2 p}.

The numeric code of ``𝓔₀,₁,₂`` is generated from :func:`system` (:mod:`._rf_codegen`, checked in as
:mod:`._rf_generated`), so evaluating the model never imports SymPy.

Quantities returned: ``bias = F₁²𝓑``, ``variance = (τ² + F_⋆²)𝓥``, ``risk = bias +
variance + F_⋆²`` (the nonlinear part of the target is never learned at ``N, n ∝ d``),
``train_error = T``, ``chi``; the bare ``𝓑, 𝓥`` ride along in ``Result.extra``.

Branch rule and solver
----------------------
On the imaginary axis ``ν₁ = ia``, ``ν₂ = ib`` with ``a, b > 0``; ``p = ab = −χ`` is the
unique root in ``(0, p_max)`` of ``ψ₁ψ₂λ̄ p = (ψ₁ − g(p))(ψ₂ − g(p))`` with
``g(p_max) = min(ψ₁, ψ₂)``: the left side increases and the right side decreases, so
there is exactly one root, and ``a = (ψ₁ − g)/η > 0``, ``b = (ψ₂ − g)/η > 0`` put it on the
branch analytic in the upper half plane (docs/models/rf.md, 'The fixed point and its branch').  The solver uses
``q = ζ²p`` (so ``p = tq``, ``t = μ_⋆²/μ₁² = 1/ζ²``), where the equation reads
``ψ₁ψ₂(λ/μ₁²) q = (ψ₁ − G)(ψ₂ − G)``, ``G(q) = tq + q/(1 + q)``: regular at ``μ_⋆ → 0``
(``t → 0``), where ``ζ`` and ``λ̄`` both blow up.  A safeguarded Newton iteration with the
analytic derivative finds the root; the residual of the *complex* ``ν`` equations is then
checked.  Special cases:

* ``λ = 0``: ``q₀ = 2ψ/((t + 1 − ψ) + √((t + 1 − ψ)² + 4tψ))`` (``ψ = min(ψ₁, ψ₂)``),
  i.e. ``χ₀ = −p_max``; at ``ψ₁ = ψ₂`` the risk is ``+inf`` (``𝓔₀(χ₀) = 0``);
* ``μ₁ = 0`` (``ζ = 0``): ``p = 2ψ₁ψ₂/(S + √(S² − 4ψ₁ψ₂))``, ``S = ψ₁ + ψ₂ + ψ₁ψ₂λ̄``;
* ``μ_⋆ = 0`` (an affine activation): the ``t = 0`` limit of the ``q`` equation
  (``N`` linear features ``Θx/√d``); with ``λ = 0`` and ``ψ₁, ψ₂ ≥ 1`` it is least squares
  on the ``d`` raw coordinates, ``𝓑 = 0``, ``𝓥 = 1/(ψ₂ − 1)`` (``+inf`` at ``ψ₂ = 1``);
* ``psi1=inf`` (kernel limit): ridge regression on raw ``x`` with ``γ = 1/ψ₂`` and
  ``λ' = (μ_⋆² + ψ₂λ)/(μ₁²ψ₂)``; ``psi2=inf`` (infinite data): ``𝓥 = 0`` and the
  approximation error of ``N`` random features (closed forms through the
  Marchenko–Pastur Stieltjes transform, docs/models/rf.md, 'Special cases').

Proven digits (ball arithmetic, issue 15)
-----------------------------------------
``certified`` values are *proven* where the activation's coefficients are (``Activation.ball_coefficients``:
closed forms, polynomials, SymPy expressions with a rigorous integral; not Python callables): the same
formulas (:func:`_general`, :func:`_zeta0`, :func:`_kernel_limit`, :func:`_data_limit`, :func:`_combine`)
run on :data:`~asymptotics.ball.AB` with the exact inputs, and the root ``q`` of the scalar equation is
proven by an interval Newton test started at the mpmath solver's root, then checked to lie in
``(0, q_max)``, where the equation has exactly one root (:func:`_proven_root`; derivation in
``docs/proofs/rf.md``).  Where the proof fails, the precision ladder's estimate is returned with
``proven=False``.

References
----------
S. Mei, A. Montanari, *The generalization error of random features regression: precise
asymptotics and double descent curve*, arXiv 1908.05355 (CPAM 2022); T. Misiakiewicz,
A. Montanari, *Six Lectures on Linearized Neural Networks*, arXiv 2308.13431.  The
training-error formula and the ``μ_⋆ = 0`` limit are our derivations (checked against
an independent Gaussian-equivalence route and Monte Carlo in the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import mpmath
import numpy as np

from .._lazy import sympy as sp
from .._types import ActivationLike, ArrayLike, Real
from .._validate import check_known, check_real, float_arrays, shown_params, to_mpf
from ..activations import Activation, coefficients_float, get_activation
from ..backend import MP, NP, Backend
from ..errors import ConvergenceError, ParameterError
from ..formulas import mp_stieltjes_neg, positive_root, status_ladder
from ..precision import DEFAULT_DPS, certify, check_dps, residual_tolerance, round_to
from ..references import MEI_MONTANARI_2019
from ..result import Result
from ..solve.optimize import exact_penalty
from ..solve.roots import increasing_root
from ..symbolic import symbols as S
from ..symbolic.system import FixedPointSystem
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register
from ._rf_common import ridge_on_x, ridge_on_x_error
from ._rf_generated import e_polys, e_term_sizes
from ._rf_levels import risk_asymptotic
from ._staircase import rf_phase, rf_phase_curve

NAME = "rf"
QUANTITIES = ("risk", "bias", "variance", "train_error", "chi")
COEFFICIENTS = ("mu0", "mu1", "mustar")
FORMS = ("general", "scalar", "ridgeless", "kernel_limit", "data_limit")
BRANCH_RULE = (
    "chi = -p, p the unique root in (0, p_max) of psi1 psi2 lam_bar p = (psi1 - g(p))(psi2 - g(p)), "
    "g(p) = p + zeta^2 p/(1 + zeta^2 p), g(p_max) = min(psi1, psi2): nu1, nu2 on the positive imaginary axis"
)


# ----------------------------------------------------------------------------- symbolic
def e_polynomials(chi: sp.Expr, zeta: sp.Expr, psi1: sp.Expr, psi2: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Mei–Montanari's ``𝓔₀, 𝓔₁, 𝓔₂`` (bias = 𝓔₁/𝓔₀, variance = 𝓔₂/𝓔₀)."""
    z2 = zeta**2
    pp = psi1 * psi2
    e0 = (
        -(chi**5) * z2**3
        + 3 * chi**4 * z2**2
        + (pp - psi2 - psi1 + 1) * chi**3 * z2**3
        - 2 * chi**3 * z2**2
        - 3 * chi**3 * z2
        + (psi1 + psi2 - 3 * pp + 1) * chi**2 * z2**2
        + 2 * chi**2 * z2
        + chi**2
        + 3 * pp * chi * z2
        - pp
    )
    e1 = psi2 * chi**3 * z2**2 - psi2 * chi**2 * z2 + pp * chi * z2 - pp
    e2 = (
        chi**5 * z2**3
        - 3 * chi**4 * z2**2
        + (psi1 - 1) * chi**3 * z2**3
        + 2 * chi**3 * z2**2
        + 3 * chi**3 * z2
        + (-psi1 - 1) * chi**2 * z2**2
        - 2 * chi**2 * z2
        - chi**2
    )
    return e0, e1, e2


def _g(p: sp.Expr, zeta: sp.Expr) -> sp.Expr:
    return p + zeta**2 * p / (1 + zeta**2 * p)


def mp_stieltjes_expr(c: sp.Expr, t: sp.Expr) -> sp.Expr:
    """``m_c(−t) = ∫ μ_c(ds)/(s + t)`` for the Marchenko–Pastur law of ratio ``c`` (closed form)."""
    return (sp.sqrt((1 - c + t) ** 2 + 4 * c * t) - (1 - c + t)) / (2 * c * t)


_LABELS = {
    "xi": r"\xi",
    "chi": r"\chi",
    "E0": r"\mathcal{E}_0",
    "E1": r"\mathcal{E}_1",
    "E2": r"\mathcal{E}_2",
    "B": r"\mathcal{B}",
    "V": r"\mathcal{V}",
    "risk": "R",
    "train_error": "T",
    "g": "g(p)",
    "p_max": r"g(p_{\max})",
    "nu1": r"\nu_1",
    "nu2": r"\nu_2",
    "chi0": r"\chi_0",
    "B0": r"\mathcal{B}_0",
    "V0": r"\mathcal{V}_0",
    "V0_under": r"\mathcal{V}_0\big|_{\psi_1<\psi_2}",
    "lam_prime": r"\lambda'",
    "delta": r"\delta",
    "m": r"m_{\delta}(-\lambda')",
    "dm": r"m_{\delta}'(-\lambda')",
    "E0_chi0": r"\mathcal{E}_0(\chi_0)",
    "E1_chi0": r"\mathcal{E}_1(\chi_0)",
    "E2_chi0": r"\mathcal{E}_2(\chi_0)",
    "m_z": r"m_{\psi_1}(z)",
    "dm_z": r"m_{\psi_1}'(z)",
    "B_inf": r"\mathcal{B}_\infty",
    "V_inf": r"\mathcal{V}_\infty",
    "kappa_bar": r"\bar\kappa",
    "I": "I(c)",
    "J": "J(c)",
    "B_data": r"\mathcal{B}_{\psi_2=\infty}",
    "V_data": r"\mathcal{V}_{\psi_2=\infty}",
}


@cache
def system(form: str = "general") -> FixedPointSystem:
    """The RF equations as SymPy objects, exportable with :meth:`FixedPointSystem.latex`.

    ``form``: ``"general"`` (the ``ν₁, ν₂`` fixed point, ``𝓔₀,₁,₂``, bias, variance, risk,
    training error), ``"scalar"`` (the bracketed reduction on the imaginary axis),
    ``"ridgeless"`` (``λ → 0``: ``χ₀`` in closed form), ``"kernel_limit"`` (``ψ₁ → ∞``) or
    ``"data_limit"`` (``ψ₂ → ∞``).
    """
    if form not in FORMS:
        raise ParameterError(f"unknown RF system form {form!r}; valid: {', '.join(FORMS)}.")
    psi1, psi2, zeta, lam_bar, chi = S.psi1, S.psi2, S.zeta, S.lam_bar, S.chi
    E0s, E1s, E2s = (sp.Symbol(n) for n in (r"\mathcal{E}_0", r"\mathcal{E}_1", r"\mathcal{E}_2"))
    Bs, Vs, Rs = sp.Symbol(r"\mathcal{B}"), sp.Symbol(r"\mathcal{V}"), sp.Symbol("R")
    e0, e1, e2 = e_polynomials(chi, zeta, psi1, psi2)
    U = dict(evaluate=False)
    q: dict[str, sp.Expr] = {}
    equations: tuple[sp.Eq, ...] = ()
    unknowns: tuple[sp.Symbol, ...] = ()
    if form == "general":
        nu1, nu2, xi = S.nu1, S.nu2, S.xi
        den = 1 - zeta**2 * nu1 * nu2
        equations = (
            sp.Eq(nu1, psi1 / (-xi - nu2 - zeta**2 * nu2 / den)),
            sp.Eq(nu2, psi2 / (-xi - nu1 - zeta**2 * nu1 / den)),
        )
        unknowns = (nu1, nu2)
        params: tuple[sp.Symbol, ...] = (xi, psi1, psi2, zeta)
        g_chi = -chi - zeta**2 * chi / (1 - zeta**2 * chi)  # g(p) at p = −χ
        q = {
            "xi": sp.I * sp.sqrt(psi1 * psi2 * lam_bar),
            "chi": nu1 * nu2,
            "E0": e0,
            "E1": e1,
            "E2": e2,
            "B": sp.Mul(E1s, sp.Pow(E0s, -1, **U), **U),
            "V": sp.Mul(E2s, sp.Pow(E0s, -1, **U), **U),
            "risk": sp.Add(sp.Mul(S.F1sq, Bs, **U), sp.Mul(sp.Add(S.tau2, S.Fstar2, **U), Vs, **U), S.Fstar2, **U),
            "train_error": sp.Mul(sp.Pow(1 - g_chi / psi2, 2, **U), sp.Add(Rs, S.tau2, **U), **U),
        }
    elif form == "scalar":
        p = S.p
        g = _g(p, zeta)
        equations = (sp.Eq(psi1 * psi2 * lam_bar * p, (psi1 - g) * (psi2 - g)),)
        unknowns = (p,)
        params = (psi1, psi2, zeta, lam_bar)
        eta = sp.sqrt(psi1 * psi2 * lam_bar)
        q = {
            "g": g,
            "p_max": sp.Min(psi1, psi2),
            "chi": -p,
            "nu1": sp.I * (psi1 - g) / eta,
            "nu2": sp.I * (psi2 - g) / eta,
        }
    elif form == "ridgeless":
        psi = S.psi
        A = psi * zeta**2 - zeta**2 - 1
        unknowns, params = (), (psi, psi1, psi2, zeta)
        chi0 = sp.Symbol(r"\chi_0")
        E0c, E1c, E2c = (sp.Symbol(_LABELS[k]) for k in ("E0_chi0", "E1_chi0", "E2_chi0"))
        f0, f1, f2 = e_polynomials(chi0, zeta, psi1, psi2)
        q = {
            "chi0": -(A + sp.sqrt(A**2 + 4 * zeta**2 * psi)) / (2 * zeta**2),
            "E0_chi0": f0,
            "E1_chi0": f1,
            "E2_chi0": f2,
            "B0": sp.Mul(E1c, sp.Pow(E0c, -1, **U), **U),
            "V0": sp.Mul(E2c, sp.Pow(E0c, -1, **U), **U),
            "V0_under": psi1 / (psi2 - psi1),
        }
    elif form == "kernel_limit":
        unknowns, params = (), (psi2, zeta, lam_bar)
        lp, delta = _kernel_lam(psi2, zeta, lam_bar), 1 / psi2
        ls, ds = sp.Symbol(r"\lambda'"), sp.Symbol(r"\delta")
        m_at, dm_at = sp.Symbol(_LABELS["m"]), sp.Symbol(_LABELS["dm"])
        q = {
            "lam_prime": lp,
            "delta": delta,
            "m": mp_stieltjes_expr(ds, ls),
            # m'(z) = ∫ μ(ds)/(s − z)² at z = −λ': differentiating δz m² + (z − 1 + δ)m + 1 = 0
            "dm": m_at * (1 + ds * m_at) / sp.sqrt((1 - ds + ls) ** 2 + 4 * ds * ls),
            "B_inf": sp.Mul(ls**2, dm_at, **U),
            "V_inf": sp.Mul(ds, sp.Add(m_at, -sp.Mul(ls, dm_at, **U), **U), **U),
        }
    else:  # data_limit
        unknowns, params = (), (psi1, zeta, lam_bar)
        c, kb, z = sp.Symbol("c"), sp.Symbol(r"\bar\kappa"), sp.Symbol("z")
        Is, Js = sp.Function("I"), sp.Function("J")
        ms = sp.Function(r"m_{\psi_1}")
        m_z = sp.Symbol(_LABELS["m_z"])
        q = {
            "kappa_bar": psi1 * lam_bar,
            # the Marchenko–Pastur Stieltjes transform of ratio ψ₁ and its derivative at z < 0 (closed forms)
            "m_z": mp_stieltjes_expr(psi1, -z),
            "dm_z": m_z * (1 + psi1 * m_z) / sp.sqrt((1 - psi1 - z) ** 2 - 4 * psi1 * z),
            "I": zeta ** (-2) * ms(-(1 + c) / zeta**2),
            "J": zeta ** (-4) * sp.Function(r"m_{\psi_1}'")(-(1 + c) / zeta**2),
            "B_data": sp.Add(1, -psi1 * (1 - Is(0)), psi1 * (-Is(0) + Is(kb) + kb * (1 + kb) * Js(kb)), **U),
            "V_data": sp.Integer(0),
        }
    labels = {k: _LABELS.get(k, k) for k in q}
    sys_ = FixedPointSystem(
        name=f"rf_{form}",
        unknowns=unknowns,
        parameters=params,
        equations=equations,
        quantities=q,
        labels=labels,
        source=MEI_MONTANARI_2019,
    )
    sys_.check_rational()
    return sys_


def _kernel_lam(psi2: Any, zeta: Any, lam_bar: Any) -> Any:
    """``λ' = (1 + ψ₂λ̄)/(ζ²ψ₂)``: the linear-ridge penalty of the ``ψ₁ → ∞`` limit."""
    return (1 + psi2 * lam_bar) / (zeta**2 * psi2)


def _q_polys() -> tuple[Any, Any, Any]:
    """``𝓔₀, 𝓔₁, 𝓔₂`` after ``χ = −tq``, ``ζ² = 1/t`` (polynomials in ``q, t``): the evaluator (one function for
    every backend, returned twice: the certified and the float64 evaluator of earlier versions) and the sizes of
    their terms (for the float64 rounding-error estimate).

    The code is generated from :func:`system` by :mod:`._rf_codegen` and checked in as :mod:`._rf_generated`
    (no SymPy at run time).  Every monomial ``χ^a ζ^{2b}`` of the 𝓔's has ``a ≥ b``, so it becomes
    ``(−1)^a q^a t^{a−b}``: regular at ``t = 0`` (``μ_⋆ = 0``).
    """
    return e_polys, e_polys, e_term_sizes


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class RFParams:
    """Validated RF parameters (exact fractions; ``psi1``/``psi2`` may be ``inf``).

    ``psi1 = N/d > 0``, ``psi2 = n/d > 0`` (one of them may be ``"inf"``: the kernel and
    infinite-data limits), ``lam ≥ 0`` the paper's ridge (``λ̄ = λ/μ_⋆²``), ``activation``
    (name, SymPy expression in ``x`` or callable), ``F1sq ≥ 0``, ``Fstar2 ≥ 0``,
    ``tau2 ≥ 0``.  ``N_over_n`` may replace ``psi1`` (``ψ₁ = (N/n)ψ₂``).
    """

    psi1: Any = None
    psi2: Any = None
    lam: Any = 0
    activation: Any = "relu"
    F1sq: Any = 1
    Fstar2: Any = 0
    tau2: Any = 0
    N_over_n: Any = None
    spectrum: Any = None
    N: Any = None
    n: Any = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        absolute = self.N is not None or self.n is not None
        if absolute:  # spectrum=power_law:p=inf: absolute sizes, the equations written with d = 1 (psi1 = N, psi2 = n)
            for name, given in (("psi1", self.psi1), ("psi2", self.psi2), ("N_over_n", self.N_over_n)):
                if given is not None:
                    raise ParameterError(f"give either `N` and `n` (spectrum=power_law:p=inf) or `{name}`, not both.")
            for name in ("N", "n"):
                if getattr(self, name) is None:
                    raise ParameterError(f"`{name}` (> 0) is required with the other absolute size (p=inf power laws).")
            set_(self, "N", check_real("N", self.N, low=0, low_open=True))
            set_(self, "n", check_real("n", self.n, low=0, low_open=True))
            set_(self, "psi1", self.N)
            set_(self, "psi2", self.n)
            if self.spectrum is None:
                raise ParameterError("`N` and `n` need spectrum=power_law:p=inf,...; without it give psi1 = N/d, psi2 = n/d.")
        if self.psi2 is None:
            raise ParameterError("`psi2` (= n/d, > 0) is required.")
        set_(self, "psi2", check_real("psi2", self.psi2, low=0, low_open=True, allow_inf=True))
        if self.N_over_n is not None:
            if self.psi1 is not None:
                raise ParameterError("give either `psi1` (= N/d) or `N_over_n` (= N/n), not both.")
            ratio = check_real("N_over_n", self.N_over_n, low=0, low_open=True, allow_inf=True)
            set_(self, "N_over_n", ratio)
            set_(self, "psi1", math.inf if math.inf in (ratio, self.psi2) else ratio * self.psi2)
        elif self.psi1 is None:
            raise ParameterError("`psi1` (= N/d, > 0) or `N_over_n` (= N/n, > 0) is required.")
        else:
            set_(self, "psi1", check_real("psi1", self.psi1, low=0, low_open=True, allow_inf=True))
        if self.psi1 == math.inf and self.psi2 == math.inf:
            raise ParameterError(
                "`psi1` and `psi2` cannot both be inf (the double limit depends on the order); set one of them finite."
            )
        set_(self, "lam", check_real("lam", self.lam, low=0))
        set_(self, "activation", get_activation(self.activation))
        set_(self, "F1sq", check_real("F1sq", self.F1sq, low=0))
        set_(self, "Fstar2", check_real("Fstar2", self.Fstar2, low=0))
        set_(self, "tau2", check_real("tau2", self.tau2, low=0))
        if self.spectrum is not None:  # "isotropic" parses to None: the Mei–Montanari path, unchanged
            from ._rf_spectrum import check_spectrum, parse_spectrum

            parsed = parse_spectrum(self.spectrum)
            if parsed is None and absolute:
                raise ParameterError("`N` and `n` need spectrum=power_law:p=inf,...; spectrum=isotropic takes psi1, psi2.")
            checked = (
                None if parsed is None else check_spectrum(parsed, self.psi1, self.psi2, self.lam, self.F1sq, absolute=absolute)
            )
            set_(self, "spectrum", checked)

    def shown(self) -> dict[str, str]:
        if self.N is not None:
            d = shown_params(N=self.N, n=self.n, lam=self.lam)
        else:
            d = shown_params(psi1=self.psi1, psi2=self.psi2, lam=self.lam)
        d["activation"] = self.activation.name
        d.update(shown_params(F1sq=self.F1sq, Fstar2=self.Fstar2, tau2=self.tau2))
        if self.N_over_n is not None:
            d["N_over_n"] = shown_params(N_over_n=self.N_over_n)["N_over_n"]
        if self.spectrum is not None:
            d["spectrum"] = self.spectrum.label
        return d


# ----------------------------------------------------------------------------- formulas (every backend)
def _G(q: Any, t: Any) -> Any:
    """``G(q) = tq + q/(1 + q)`` (``= g(p)`` at ``p = tq``)."""
    return t * q + q / (1 + q)


def _q_max(B: Backend, t: Any, psi: Any) -> Any:
    """Positive root of ``G(q) = ψ`` (``t q² + (t + 1 − ψ) q − ψ = 0``), ``inf`` if none (``t = 0 ≤ ψ − 1``)."""
    return positive_root(B, t, t + 1 - psi, psi)


def _min(B: Backend, a: Any, b: Any) -> Any:
    return B.where(a < b, a, b)


def _at_threshold(B: Backend, psi1: Any, psi2: Any, ridgeless: Any, t_pos: Any) -> Any:
    """Where ``𝓑, 𝓥 = +inf``: ridgeless at ``N = n`` (for ``μ⋆ = 0`` only below ``d``, ``ψ < 1``), or ``μ⋆ = 0``
    ridgeless at ``n = d ≤ N``.  The certified path passes the exact inputs (fractions), the float64 path arrays."""
    at_n = B.land(psi1 == psi2, B.lor(t_pos, psi1 < 1))
    at_d = B.land(B.lnot(t_pos), B.land(psi2 == 1, psi1 >= 1))
    return B.land(ridgeless, B.lor(at_n, at_d))


def _general(B: Backend, psi1: Any, psi2: Any, lam: Any, mu1sq: Any, ms2: Any, thr: Any, root: Any) -> dict[str, Any]:
    """μ₁ ≠ 0: ``(𝓑, 𝓥, training factor, χ)`` and the solver's state, from the root ``q`` of the ``q = ζ²p`` equation.

    ``t = μ_⋆²/μ₁²``, ``ℓ = λ/μ₁²``; ``h(q) = ψ₁ψ₂ℓq − (ψ₁ − G)(ψ₂ − G)`` increases on the bracket
    ``[min(ψ/(2(t + 1)), 1/(4ℓ)), min(q_max, 1/ℓ)]``.  ``root(h, dh, lo, hi) -> (q, converged)`` is the
    path's root-finding strategy (warm starts and tolerance); ridgeless points take ``q = q_max``.
    ``thr``: :func:`_at_threshold`.
    """
    t, ell = ms2 / mu1sq, lam / mu1sq
    psi = _min(B, psi1, psi2)
    q0 = _q_max(B, t, psi)
    ridge = lam > 0
    pp = psi1 * psi2
    ell_s = B.where(ridge, ell, 1)
    lo = B.where(ridge, _min(B, psi / (2 * (t + 1)), 1 / (4 * ell_s)), 1)
    hi = B.where(ridge, _min(B, q0, 1 / ell_s), 2)

    def h(x: Any) -> Any:
        G = _G(x, t)
        return B.where(ridge, pp * ell * x - (psi1 - G) * (psi2 - G), x - 1.5)

    def dh(x: Any) -> Any:
        G = _G(x, t)
        return B.where(ridge, pp * ell + (t + 1 / (1 + x) ** 2) * ((psi1 - G) + (psi2 - G)), 1)

    if B.any(ridge):
        q, conv = root(h, dh, lo, hi)
        q, conv = B.where(ridge, q, q0), B.where(ridge, conv, True)
    else:
        q, conv = q0, B.where(ridge, False, True)
    finite = B.isfinite(q)
    qf = B.where(finite, q, 1)
    e0, e1, e2 = e_polys(qf, t, psi1, psi2)
    G = _G(qf, t)
    # 1 − G/ψ₂ cancels when ψ₁ > ψ₂ and λ is small (G → ψ₂); there ψ₂ − G = ψ₁ψ₂ℓq/(ψ₁ − G) from the equation
    stable = B.land(ridge, psi1 > psi2)
    factor = B.where(stable, psi1 * ell * qf / B.where(stable, psi1 - G, 1), 1 - G / psi2)
    e0s = B.where(e0 == 0, B.nan, e0)  # e0 = 0 only at the threshold (selected below)
    bias, variance, chi = e1 / e0s, e2 / e0s, -t * qf
    ls = B.land(B.land(B.lnot(ridge), B.lnot(thr)), B.lnot(finite))  # μ⋆ = 0, λ = 0, ψ ≥ 1: least squares on x
    bias = B.where(thr, B.inf, B.where(ls, 0, bias))
    variance = B.where(thr, B.inf, B.where(ls, 1 / B.where(ls, psi2 - 1, 1), variance))
    # ridgeless with N > n interpolates: the training factor is exactly 0 (not rounding noise)
    zero_factor = B.lor(thr, B.land(B.land(B.lnot(ridge), B.lnot(ls)), psi1 > psi2))
    factor = B.where(zero_factor, 0, B.where(ls, 1 - 1 / psi2, factor))
    chi = B.where(ls, 0, B.where(B.land(thr, B.lnot(finite)), -psi, chi))
    return {
        "out": (bias, variance, factor, chi),
        "q": q,
        "conv": conv,
        "ridge": ridge,
        "ls": ls,
        "finite": finite,
        "e": (e0, e1, e2),
        "G": G,
        "psi": psi,
        "h": h,
    }


def _zeta0(B: Backend, psi1: Any, psi2: Any, lam: Any, ms2: Any, thr: Any) -> tuple[tuple[Any, ...], Any, Any]:
    """μ₁ = 0: ``g(p) = p``, so ``p² − sp + ψ₁ψ₂ = 0`` (``s = ψ₁ + ψ₂ + w``, ``w = ψ₁ψ₂λ̄``); ``𝓑 = 1 + 𝓥``.

    Returns ``((𝓑, 𝓥, factor, χ), w, p)``.  Evaluated without cancellation (at ``ψ₁ ≈ ψ₂`` with
    tiny ``λ̄`` the textbook forms ``√(s² − 4ψ₁ψ₂)`` and ``𝓥 = p²/(ψ₁ψ₂ − p²)`` lose every digit):

    * the discriminant ``D = s² − 4ψ₁ψ₂ = (ψ₁ − ψ₂)² + w(2(ψ₁ + ψ₂) + w)`` is a sum of
      non-negative terms (formed as a ``hypot`` of ``ψ₁ − ψ₂`` and ``√w·√(2(ψ₁ + ψ₂) + w)``, with
      ``√w = √ψ₁√ψ₂√λ/μ_⋆``: no underflow for tiny ``λ > 0``), and ``p = 2ψ₁ψ₂/(s + √D)`` is the
      smaller root;
    * the roots multiply to ``ψ₁ψ₂`` and differ by ``√D``, so ``ψ₁ψ₂ − p² = p√D`` and
      ``𝓥 = p/√D`` (``+inf`` exactly when ``D = 0``: ``λ = 0`` and ``ψ₁ = ψ₂``, ``thr``);
    * ``ψ₂ − p = (√D + c)/2`` with ``c = ψ₂ − ψ₁ − w``; for ``c < 0`` it is the equal
      ``2ψ₂w/(√D − c)`` (``D − c² = 4ψ₂w``), so the training factor ``1 − p/ψ₂`` is
      ``(√D + c)/(2ψ₂)`` or ``2w/(√D − c)`` (exactly 0 when ridgeless with ``ψ₁ > ψ₂``).

    At ``λ = 0`` this is ``𝓥 = min(ψ₁, ψ₂)/|ψ₁ − ψ₂|``: the features carry no linear signal, and
    the fit is ridge regression of pure noise on ``N`` independent features (docs/models/rf.md, 'Special cases').
    """
    sw = B.sqrt(psi1) * B.sqrt(psi2) * (B.sqrt(lam) / B.sqrt(ms2))
    w = sw * sw
    r = B.hypot(psi1 - psi2, sw * B.sqrt(2 * (psi1 + psi2) + w))
    p = 2 * psi1 * psi2 / (psi1 + psi2 + w + r)
    c = psi2 - psi1 - w
    pos = c >= 0
    factor = B.where(pos, (r + c) / (2 * psi2), 2 * sw * (sw / B.where(pos, 1, r - c)))
    inf = B.lor(thr, r == 0)
    variance = B.where(inf, B.inf, p / B.where(inf, 1, r))
    return (1 + variance, variance, factor, -p), w, p


def _chi_limit(B: Backend, psi: Any, lam: Any, mu1sq: Any, ms2: Any) -> Any:
    """``χ = ν₁ν₂`` when the other ψ is infinite (χ is symmetric in ``ψ₁, ψ₂``).

    Dividing ``ψ₁ψ₂ℓq = (ψ₁ − G)(ψ₂ − G)`` by ``ψ₁ → ∞`` leaves ``ψℓq = ψ − G(q)``, ``G = tq + q/(1+q)``:
    the quadratic ``Aq² + (A + 1 − ψ)q − ψ = 0`` with ``A = ψℓ + t`` (``t = μ_⋆²/μ₁²``, ``ℓ = λ/μ₁²``),
    positive root, and ``χ = −tq``.  ``μ₁ = 0``: ``χ = −ψ/(1 + ψλ̄)`` (the limit of ``χ = −p``);
    ``μ_⋆ = 0``: ``χ = 0``.  (The cases are the activation's exact zeros, not branches on the inputs.)
    """
    if ms2 == 0:
        return psi * 0
    if mu1sq == 0:
        return -psi / (1 + psi * lam / ms2)
    tt, ell = ms2 / mu1sq, lam / mu1sq
    a = psi * ell + tt
    return -tt * positive_root(B, a, a + 1 - psi, psi)


def _kernel_limit(B: Backend, psi2: Any, lam: Any, mu1sq: Any, ms2: Any) -> tuple[tuple[Any, ...], Any]:
    """ψ₁ = ∞: ridge on raw x with ``γ = 1/ψ₂`` and ``λ' = (μ_⋆² + ψ₂λ)/(μ₁²ψ₂)``; ``((𝓑, 𝓥, factor, χ), κ)``.

    The kernel is ``μ₀²𝟏𝟏ᵀ + μ₁²XXᵀ/d + μ_⋆²I``: its ``μ_⋆²I`` part fits the training labels
    on top of the linear ridge, so the training residual carries the extra factor
    ``ψ₂λ/(μ_⋆² + ψ₂λ)``.  ``μ₁ = 0``: the predictor is 0 off the training set (``𝓑 = 1``,
    ``𝓥 = 0``, ``κ = inf``).
    """
    chi = _chi_limit(B, psi2, lam, mu1sq, ms2)
    ridge = lam > 0
    shrink = psi2 * lam / B.where(ridge, ms2 + psi2 * lam, 1)  # ψ₂λ/(μ⋆² + ψ₂λ); 0 at λ = 0
    if mu1sq == 0:
        return (psi2 * 0 + 1, psi2 * 0, shrink, chi), psi2 * 0 + B.inf
    lp = (ms2 + psi2 * lam) / (mu1sq * psi2)
    bias, variance, ratio, kappa = ridge_on_x(B, psi2, lp)
    factor = B.where(ridge, ratio * shrink, B.where(lp == 0, ratio, 0))
    return (bias, variance, factor, chi), kappa


def _data_limit(B: Backend, psi1: Any, lam: Any, mu1sq: Any, ms2: Any) -> tuple[Any, ...]:
    """ψ₂ = ∞: ``𝓥 = 0``, ``𝓑 = 1 − ψ₁ + ψ₁(μ_⋆²/μ₁²) m(−c) + ψ₁(ψ₁λ/μ₁²) c m'(−c)``, ``c = (μ_⋆² + ψ₁λ)/μ₁²``
    (``m`` the Marchenko–Pastur Stieltjes transform of ratio ``ψ₁``; ``𝓑 = (1 − ψ₁)₊`` at ``c = 0``)."""
    one, zero = psi1 * 0 + 1, psi1 * 0
    chi = _chi_limit(B, psi1, lam, mu1sq, ms2)
    if mu1sq == 0:
        return one, zero, one, chi
    c = (ms2 + psi1 * lam) / mu1sq
    pos = c > 0
    cs = B.where(pos, c, 1)
    m, dm = mp_stieltjes_neg(B, psi1, cs)
    bias = 1 - psi1 + psi1 * (ms2 / mu1sq) * m + psi1 * (psi1 * lam / mu1sq) * cs * dm
    bias = B.where(pos, bias, B.where(psi1 < 1, 1 - psi1, 0))
    return bias, zero, one, chi


def _combine(B: Backend, b: Any, v: Any, factor: Any, F1: Any, Fs: Any, tau2: Any) -> tuple[Any, Any, Any, Any]:
    """``(bias, variance, risk, train_error)`` from ``𝓑, 𝓥`` and the training factor (every backend).

    ``F₁²``, ``τ² + F⋆²`` and ``F⋆²`` are the exact inputs (on :data:`MP` mpmath numbers, on the
    ball backend the ``Fraction``s themselves, so the tests ``!= 0`` are exact); a zero weight gives an
    exact 0 (never ``0·∞``), a zero training factor an exact 0 training error (on balls: an undecided
    ``factor == 0`` takes the union of both sides).
    """
    zero = B.num(0)
    noise = tau2 + Fs
    bias = F1 * b if F1 != 0 else zero
    variance = noise * v if noise != 0 else zero
    risk = bias + variance + Fs
    train = B.where(factor == 0, zero, factor**2 * (risk + tau2))
    return bias, variance, risk, train


# ----------------------------------------------------------------------------- mp solve
def _mp(x: Any) -> Any:
    return mpmath.inf if x == math.inf else to_mpf(x)


class _Solver:
    """Certified evaluation of all RF quantities; keeps the last root to warm-start the next precision."""

    def __init__(self, params: RFParams) -> None:
        self.pr = params
        self.q_last: Any = None
        self.conditioning: Any = 1

    def coefficients(self) -> tuple[Any, Any]:
        c = self.pr.activation.coefficients()
        mu1sq, ms2 = c.mu1**2, c.mustar2
        if not (ms2 >= 0 and mpmath.isfinite(ms2)):  # pragma: no cover - quadrature returns a square's mean
            raise ConvergenceError(f"activation {self.pr.activation.name!r}: mu*^2 = {ms2} is not a non-negative number")
        if c.error and ms2 <= 10 * c.error:
            raise ParameterError(
                f"`activation` {self.pr.activation.name!r} is affine to within the quadrature error (mu*^2 = "
                f"{mpmath.nstr(ms2, 3)} ± {mpmath.nstr(c.error, 3)}); pass it as a SymPy expression or 'linear' so that "
                "mu* = 0 is exact."
            )
        if mu1sq == 0 and ms2 == 0:
            raise ParameterError(
                f"`activation` {self.pr.activation.name!r} is constant on Gaussian inputs (mu1 = mu* = 0): the random "
                "features carry no information about x."
            )
        return mu1sq, ms2

    def evaluate(self) -> dict[str, Any]:
        pr = self.pr
        mu1sq, ms2 = self.coefficients()
        psi1, psi2, lam = _mp(pr.psi1), _mp(pr.psi2), to_mpf(pr.lam)
        F1, Fs, tau2 = to_mpf(pr.F1sq), to_mpf(pr.Fstar2), to_mpf(pr.tau2)
        residual = None
        if mpmath.isinf(psi1):
            (B, V, factor, chi), kappa = _kernel_limit(MP, psi2, lam, mu1sq, ms2)
            if mu1sq != 0 and mpmath.isfinite(kappa) and (lp := (ms2 + psi2 * lam) / (mu1sq * psi2)) != 0:
                residual = abs(lp - kappa * (1 - (1 / psi2) / (1 + kappa))) / (lp + kappa)
        elif mpmath.isinf(psi2):
            B, V, factor, chi = _data_limit(MP, psi1, lam, mu1sq, ms2)
        elif mu1sq == 0:
            thr = pr.lam == 0 and pr.psi1 == pr.psi2
            (B, V, factor, chi), w, p = _zeta0(MP, psi1, psi2, lam, ms2, thr)
            residual = None if thr else abs(w * p - (psi1 - p) * (psi2 - p)) / (psi1 * psi2)
        else:
            (B, V, factor, chi), residual = self._general(psi1, psi2, lam, mu1sq, ms2)
        bias, variance, risk, train = _combine(MP, B, V, factor, F1, Fs, tau2)
        # ν = i(ψ − G)/η loses log10(ψ/|ψ − G|) digits to cancellation near the threshold (tiny λ):
        # the accepted residual grows by that factor (the precision ladder still certifies the value)
        if residual is not None and residual > residual_tolerance() * self.conditioning:
            raise ConvergenceError(f"rf: fixed-point residual {mpmath.nstr(residual, 3)} too large", params=pr.shown())
        return {"risk": risk, "bias": bias, "variance": variance, "train_error": train, "chi": chi, "B": B, "V": V}, residual

    def _root(self, h: Any, dh: Any, lo: Any, hi: Any) -> tuple[Any, bool]:
        """The certified path's strategy for :func:`_general`: warm start from the previous precision's root
        (or a cheap 20-digit solve), then Newton to ``dps − 2`` digits; raises when it does not converge."""
        if self.q_last is not None and lo < self.q_last < hi:
            x0 = self.q_last
        else:  # a cheap 20-digit solve gives the start: the full-precision Newton then needs 2-3 steps
            with mpmath.workdps(20):
                x0, _ = increasing_root(h, dh, +lo, +hi, ops=MP, rtol=mpmath.mpf(10) ** -17, throw=False)
            x0 = x0 if lo < x0 < hi else None
        q, _ = increasing_root(
            h, dh, lo, hi, ops=MP, rtol=mpmath.mpf(10) ** (-(mpmath.mp.dps - 2)), what="rf q", params=self.pr.shown(), x0=x0
        )
        self.q_last = q
        return q, True

    def _general(self, psi1: Any, psi2: Any, lam: Any, mu1sq: Any, ms2: Any) -> tuple[tuple[Any, ...], Any]:
        """μ₁ ≠ 0 (:func:`_general` on mpmath numbers) and the residual of the complex ν equations."""
        pr = self.pr
        thr = _at_threshold(MP, pr.psi1, pr.psi2, pr.lam == 0, ms2 > 0)  # decided on the exact inputs
        st = _general(MP, psi1, psi2, lam, mu1sq, ms2, thr, self._root)
        t, ell, q, psi = ms2 / mu1sq, lam / mu1sq, st["q"], st["psi"]
        if thr or st["ls"]:
            residual = None
        elif not st["ridge"]:
            residual = abs(st["G"] - psi) / psi
        else:
            G = st["G"]
            self.conditioning = max(1, psi / abs(psi - G)) if psi != G else mpmath.inf
            residual = _nu_residual(q, t, psi1, psi2, ell) if t > 0 else abs(st["h"](q)) / (psi1 * psi2 * (1 + ell * q))
        return st["out"], residual


def _nu_residual(q: Any, t: Any, psi1: Any, psi2: Any, ell: Any) -> Any:
    """Backward-error residual of the complex ``ν₁, ν₂`` equations at ``ν = i(ψ − G)/η``.

    Each equation ``ν₁(−ξ − ν₂ − z²ν₂/(1 − z²ν₁ν₂)) = ψ₁`` is measured relative to the size of
    its terms, ``|ν₁|(|ξ| + |ν₂| + |z²ν₂/(1 − z²ν₁ν₂)|) + ψ₁``: for tiny ``λ̄`` the ``ν`` are of order
    ``1/η`` and their products cancel to ``ψ``, so rounding alone is that size times the
    working precision (a residual relative to ``ψ`` would then fail a correct root).
    """
    z2 = 1 / t
    eta = mpmath.sqrt(psi1 * psi2 * ell / t)  # η² = ψ₁ψ₂λ̄ = ψ₁ψ₂ℓ/t
    G = _G(q, t)
    nu1, nu2 = mpmath.mpc(0, (psi1 - G) / eta), mpmath.mpc(0, (psi2 - G) / eta)
    xi = mpmath.mpc(0, eta)
    den = 1 - z2 * nu1 * nu2
    a1, a2 = z2 * nu2 / den, z2 * nu1 / den
    r1 = nu1 * (-xi - nu2 - a1) - psi1
    r2 = nu2 * (-xi - nu1 - a2) - psi2
    s1 = abs(nu1) * (abs(xi) + abs(nu2) + abs(a1)) + psi1
    s2 = abs(nu2) * (abs(xi) + abs(nu1) + abs(a2)) + psi2
    return max(abs(r1) / s1, abs(r2) / s2)


# ----------------------------------------------------------------------------- proof (ball arithmetic)
class _NoRoute(ConvergenceError):
    """No rigorous route for this input (e.g. a Python callable activation): the proof is skipped at once.

    A :class:`~asymptotics.errors.ConvergenceError` that is not a :class:`~asymptotics.ball.NotProven`, so
    :func:`asymptotics.ball.prove` does not retry at more bits and :func:`~asymptotics.precision.certify`
    runs the precision ladder straight away.
    """


def _ball_coefficients(act: Activation) -> tuple[Any, Any, Any]:
    """``(μ₀, μ₁, μ_⋆²)`` as balls (:meth:`Activation.ball_coefficients`); :class:`_NoRoute` where there is none."""
    get = getattr(act, "ball_coefficients", None)
    if get is None:  # pragma: no cover - an activations module without the ball route
        raise _NoRoute(f"activation {act.name!r}: no rigorous route for its Gaussian coefficients")
    if act.closed is None and act.expr is None:
        raise _NoRoute(f"activation {act.name!r} is a Python callable: its coefficients cannot be proven")
    return get()


def _ball_newton(h: Any, dh: Any, x0: Any, *, rel: Any = None) -> Any:
    r"""Prove a simple root of ``h`` near ``x0`` by one interval Newton step; return a ball that contains it.

    Moore's test: with ``c = x0`` (exact), ``X = [c − r, c + r]`` and ``N = c − h(c)/h'(X)``, if
    ``0 ∉ h'(X)`` and ``N ⊂ int X`` then ``h`` has exactly one root in ``X`` and it lies in ``N``
    (mean value theorem: a root ``x*`` satisfies ``x* = c − h(c)/h'(ξ)`` with ``ξ ∈ X``).  ``h`` and
    ``dh`` map balls to balls (the formulas of :func:`_general` on the ball backend, ``dh`` the exact
    derivative of ``h``); here they are smooth for ``q > −1`` and the test asks ``X > 0``.  The radius
    ``r`` is twice the Newton step at ``c`` plus its rounding error (``rad h(c)/|h'(c)|``: ``h`` cancels
    next to the threshold) plus ``2^{-(prec − 10)}|c|``, or ``rel·|c|`` when given.

    Raises
    ------
    NotProven
        ``X`` not positive, ``h'`` not of one sign on ``X``, or ``N ⊄ X``.
    """
    from flint import arb, ctx

    from ..ball import Ball, NotProven

    c = Ball(x0).v
    hc = h(Ball(c)).v
    if rel is None:
        dc = dh(Ball(c)).v
        if not (hc.is_finite() and dc.is_finite() and (dc > 0 or dc < 0)):
            raise NotProven("rf: h or h' is not finite (or h' not of one sign) at the approximate root")
        step = abs(hc.mid()) / abs(dc) + arb(hc.rad()) / abs(dc)  # the Newton step and its rounding (cancellation)
        r = (abs(c) * arb(2) ** -(max(ctx.prec - 10, 10)) + 2 * step).upper()
    else:
        r = (abs(c) * Ball(rel).v).upper()
    X = arb(c, r)
    if not X > 0:
        raise NotProven("rf: the root's bracket is not in q > 0")
    dX = dh(Ball(X)).v
    if not (dX > 0 or dX < 0):
        raise NotProven("rf: h' is not of one sign on the root's bracket (no uniqueness)")
    N = c - hc / dX
    if not (N.is_finite() and X.contains_interior(N)):
        raise NotProven(f"rf: interval Newton does not contract around q = {mpmath.nstr(Ball(c).mid(), 8)}")
    return Ball(N)


def _proven_root(h: Any, dh: Any, lo: Any, hi: Any, *, x0: Any, t: Any, psi_max: Any) -> tuple[Any, bool]:
    r"""The root callback of :func:`_general` on balls: the branch root of ``h`` proven near ``x0``.

    :func:`_ball_newton` proves that the ball holds exactly one root of ``h``; the branch rule
    (:data:`BRANCH_RULE`) names the root in ``(0, q_max)``, and ``h`` is strictly increasing there
    (``G`` increases, ``ψ₁ − G`` and ``ψ₂ − G`` are positive and decrease, ``ψ₁ψ₂ℓq`` increases) with
    ``h(0) = −ψ₁ψ₂ < 0`` and ``h(q_max) = ψ₁ψ₂ℓq_max > 0``, so it has exactly one root there.  The root
    ``q*`` in the ball is checked to lie in ``(0, q_max)``: ``q > 0`` on the ball, so at ``q*`` the factors
    of ``(ψ₁ − G)(ψ₂ − G) = ψ₁ψ₂ℓq* > 0`` have one sign; ``G < max(ψ₁, ψ₂)`` on the ball makes one of
    them, hence both, positive, i.e. ``G(q*) < min(ψ₁, ψ₂)``, and ``q* < q_max`` as ``G`` increases.
    (Asking ``G < min(ψ₁, ψ₂)`` directly would need the digits of ``ψ − G``, tiny next to the threshold.)
    ``lo``/``hi`` (the float64 and mpmath bracket) are not needed.
    """
    from ..ball import NotProven

    if x0 is None:
        raise NotProven("rf: no approximate root")
    q = _ball_newton(h, dh, x0)
    if (q > 0) is not True or (_G(q, t) < psi_max) is not True:
        raise NotProven("rf: the proven root is not in (0, q_max), the branch of BRANCH_RULE")
    return q, True


def _ball_evaluate(solver: _Solver) -> tuple[dict[str, Any], Any]:
    r"""Every RF quantity as a ball: the formulas of the certified path (:func:`_general`, :func:`_zeta0`,
    :func:`_kernel_limit`, :func:`_data_limit`, :func:`_combine`) run on the ball backend.

    Runs at the working precision set by :func:`asymptotics.ball.prove` (mpmath's is the same).  The
    activation's coefficients come as balls from :meth:`Activation.ball_coefficients`; the parameters
    are the exact inputs (``Fraction``: comparisons between them are exact, arithmetic between them too,
    and a ball operation takes them as tight balls); a branch on a coefficient (``μ₁ = 0``, ``μ_⋆ = 0``) is decided
    by the balls or raises :class:`~asymptotics.ball.Undecided`.  For ``λ > 0`` at finite ``ψ`` the
    mpmath solver of the ladder path (:meth:`_Solver._general`, at the same precision) gives the
    approximate root and the residual reported with the value; :func:`_proven_root` proves it.
    Returns ``({quantity: ball}, residual)`` like :meth:`_Solver.evaluate`.
    """
    from ..ball import AB, UNDECIDED, NotProven, ball, to_mpmath

    pr = solver.pr
    _, mu1, ms2 = _ball_coefficients(pr.activation)
    mu1sq = mu1 * mu1
    # the approximate root needs only approximate coefficients: the balls' midpoints (no second, mpmath
    # quadrature; an activation the ladder would refuse has no proven coefficients and never gets here)
    mu1sq_mp, ms2_mp = to_mpmath(mu1sq), to_mpmath(ms2)
    lam = pr.lam
    residual: Any = None
    if pr.psi1 == math.inf:
        psi2 = pr.psi2
        (b, v, factor, chi), kappa = _kernel_limit(AB, psi2, lam, mu1sq, ms2)
        if mu1sq != 0 and AB.isfinite(kappa) is True and (lp := (ms2 + psi2 * lam) / (mu1sq * psi2)) != 0:
            residual = abs(lp - kappa * (1 - (1 / psi2) / (1 + kappa))) / (lp + kappa)
    elif pr.psi2 == math.inf:
        b, v, factor, chi = _data_limit(AB, pr.psi1, lam, mu1sq, ms2)
    else:
        psi1, psi2 = pr.psi1, pr.psi2
        if mu1sq == 0:  # decided by the balls (an exact zero), or Undecided
            thr = pr.lam == 0 and pr.psi1 == pr.psi2
            (b, v, factor, chi), w, p = _zeta0(AB, psi1, psi2, lam, ms2, thr)
            residual = None if thr else abs(w * p - (psi1 - p) * (psi2 - p)) / (psi1 * psi2)
        else:
            thr = _at_threshold(AB, pr.psi1, pr.psi2, pr.lam == 0, ms2 > 0)
            if thr is UNDECIDED:
                raise NotProven("rf: the threshold condition is undecided (mu*^2 > 0 not decided)")
            # the approximate root and the residual of the ν equations: the ladder's solver at this precision
            _, residual = solver._general(_mp(pr.psi1), _mp(pr.psi2), to_mpf(pr.lam), mu1sq_mp, ms2_mp)
            x0 = solver.q_last if pr.lam > 0 else None
            t, psi_max = ms2 / mu1sq, max(psi1, psi2)  # exact fractions

            def root(h: Any, dh: Any, lo: Any, hi: Any) -> tuple[Any, bool]:
                return _proven_root(h, dh, lo, hi, x0=x0, t=t, psi_max=psi_max)

            b, v, factor, chi = _general(AB, psi1, psi2, lam, mu1sq, ms2, thr, root)["out"]
    bias, variance, risk, train = _combine(AB, b, v, factor, pr.F1sq, pr.Fstar2, pr.tau2)
    out = {"risk": risk, "bias": bias, "variance": variance, "train_error": train, "chi": chi, "B": b, "V": v}
    return {k: ball(x) for k, x in out.items()}, residual  # exact inputs passed through become balls


def _mid(x: Any) -> Any:
    """An mpmath number, or the midpoint of a ball (the extras ``𝓑, 𝓥`` of a proven result)."""
    if isinstance(x, mpmath.mpf | mpmath.mpc):
        return x
    from ..ball import to_mpmath

    return to_mpmath(x)


def solve(params: RFParams, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified value of one RF quantity (see :data:`QUANTITIES` and :data:`COEFFICIENTS`)."""
    if quantity in COEFFICIENTS:
        return _coefficient(params.activation, quantity, dps)
    if params.spectrum is not None or quantity in ("nu1", "nu2"):  # general input covariance (docs/models/rf.md)
        from . import _rf_spectrum

        return _rf_spectrum.solve(params, quantity, dps=dps)
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown rf quantity {quantity!r}; valid: {', '.join(QUANTITIES + COEFFICIENTS)}.")
    solver = _Solver(params)
    extras: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        out, residual = solver.evaluate()
        extras.update(out)
        return out[quantity], residual

    def ball_evaluate() -> tuple[Any, Any]:
        out, residual = _ball_evaluate(solver)
        extras.update(out)
        return out[quantity], residual

    c = certify(evaluate, dps, what=f"rf {quantity}", params=params.shown(), prove=ball_evaluate)
    with mpmath.workdps(dps):
        extra = {"B": +_mid(extras["B"]), "V": +_mid(extras["V"])}
    return Result(
        c.value,
        NAME,
        quantity,
        params.shown(),
        dps,
        c.residual,
        c.error_estimate,
        BRANCH_RULE,
        MEI_MONTANARI_2019,
        extra,
        **c.proof_fields(),
    )


def _coefficient(act: Activation, quantity: str, dps: int) -> Result:
    zero_bound: list[Any] = [mpmath.mpf(0)]

    def evaluate() -> tuple[Any, Any]:
        c = act.coefficients()
        value = {"mu0": c.mu0, "mu1": c.mu1, "mustar": c.mustar}[quantity]
        if value == 0 and quantity != "mustar":  # exact (bound 0) or decided at two precisions (absolute bound)
            zero_bound[0] = act.hermite(COEFFICIENTS.index(quantity))[1]
        return value, None

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import AB

        mu0, mu1, ms2 = _ball_coefficients(act)
        return {"mu0": mu0, "mu1": mu1, "mustar": AB.sqrt(ms2)}[quantity], None

    c = certify(evaluate, dps, what=f"rf {quantity}", params={"activation": act.name}, prove=ball_evaluate)
    # a zero's error estimate is absolute: the ladder difference (0) or the quadrature bound on |μ_k|
    error = max(c.error_estimate, round_to(zero_bound[0], 5)) if c.value == 0 else c.error_estimate
    return Result(
        c.value, NAME, quantity, {"activation": act.name}, dps, None, error, None, MEI_MONTANARI_2019, **c.proof_fields()
    )


def _make(quantity: str, doc: str) -> Any:
    def fn(
        psi1: Real | None = None,
        psi2: Real | None = None,
        lam: Real = 0,
        activation: ActivationLike = "relu",
        F1sq: Real = 1,
        Fstar2: Real = 0,
        tau2: Real = 0,
        *,
        N_over_n: Real | None = None,
        spectrum: str | None = None,
        N: Real | None = None,
        n: Real | None = None,
        dps: int = DEFAULT_DPS,
    ) -> Result:
        return solve(RFParams(psi1, psi2, lam, activation, F1sq, Fstar2, tau2, N_over_n, spectrum, N, n), quantity, dps=dps)

    fn.__name__ = fn.__qualname__ = quantity
    fn.__doc__ = doc + _COMMON
    return fn


_COMMON = """

    Parameters
    ----------
    psi1 : N/d (> 0, or ``"inf"`` for the kernel limit); or give ``N_over_n`` instead.
    psi2 : n/d (> 0, or ``"inf"`` for infinite data).
    lam : the paper's ridge λ ≥ 0 (penalty ``(Nλ/d)‖a‖²``; ``λ̄ = λ/μ⋆²``); 0 = ridgeless.
    activation : name (relu, abs, tanh, erf, quadratic, linear, softplus, sigmoid), SymPy
        expression in x, or callable.
    F1sq, Fstar2, tau2 : energies of the linear and nonlinear target parts, noise variance.
    N_over_n : N/n, replaces ``psi1`` (``ψ₁ = (N/n)ψ₂``).
    spectrum : input covariance as for ``ridge`` (``"blocks:s/w/b,..."``, ``"power_law:p=P,alpha=A,beta=B"``
        any ``P`` or ``P = inf``, ``"isotropic"``); ``ψ₁ = N/d``, ``ψ₂ = n/d`` finite; the energies ``b`` spread
        ``F1sq`` over the blocks (docs/models/rf.md, "General input covariance"; precision-ladder estimate).
    N, n : absolute numbers of features and samples, with ``spectrum=power_law:p=inf,...`` only (then instead of
        ``psi1``, ``psi2``): features ``σ(⟨θ, x⟩/√(tr Σ))``, ``tr Σ = ζ(α)`` (``α > 1``), penalty ``N·lam‖a‖²``
        (the finite-``p`` model at ``ψ₁ = N/p``, ``ψ₂ = n/p``, ``λ = p·lam`` converges to it).
    dps : significant digits (default 30).

    Returns
    -------
    Result with the value (``+inf`` at the interpolation threshold ψ₁ = ψ₂, λ = 0), the
    residual of the complex ν₁, ν₂ equations, the precision-ladder error estimate, and
    ``extra`` = {"B": 𝓑, "V": 𝓥}.

    Source: Mei & Montanari, arXiv 1908.05355 (main theorem); Six Lectures, lecture 3.
    """

risk = _make("risk", "Test error ``R = F₁²𝓑 + (τ² + F⋆²)𝓥 + F⋆²`` (noise excluded).")
bias = _make("bias", "Bias part ``F₁²𝓑``, ``𝓑 = 𝓔₁/𝓔₀``.")
variance = _make("variance", "Variance part ``(τ² + F⋆²)𝓥``, ``𝓥 = 𝓔₂/𝓔₀`` (the unlearnable F⋆² acts as noise).")
train_error = _make("train_error", "Training error ``(1 − g(p)/ψ₂)²(R + τ²)`` (0 for ψ₁ ≥ ψ₂ at λ = 0).")
chi = _make("chi", "``χ = ν₁(iη)ν₂(iη) = −p``, the fixed point the risk depends on.")
nu1 = _make(
    "nu1",
    "Sample-level effective regularization ``ν₁ = (κ + μ⋆²)/ψ₁`` of the general-covariance equations "
    "(``N(1 − ν₁/ν₂) = df₁(ν₂)``; with or without ``spectrum``, ``ν₁ = ν₂`` at ψ₁ = ∞; Defilippis–Loureiro–"
    "Misiakiewicz, arXiv 2405.15699).",
)
nu2 = _make(
    "nu2",
    "Feature-level effective regularization ``ν₂``: ``ψ₁ν₁ = ν₂(ψ₁ − Σ wᵢcᵢ/(cᵢ + ν₂))``, ``cᵢ = μ₁²sᵢ/m`` "
    "(→ μ₁²/m times ridge's κ as ψ₁ → ∞; arXiv 2405.15699).",
)


def _tuned(
    psi1: Real | None,
    psi2: Real | None,
    activation: ActivationLike,
    F1sq: Real,
    Fstar2: Real,
    tau2: Real,
    N_over_n: Real | None,
    spectrum: str | None = None,
    N: Real | None = None,
    n: Real | None = None,
) -> RFParams:
    return RFParams(psi1, psi2, 0, activation, F1sq, Fstar2, tau2, N_over_n, spectrum, N, n)


def _at_lam(pr: RFParams, lam: Any) -> RFParams:
    """``pr`` at the penalty ``lam`` (the sizes kept as given: ``psi1``/``psi2`` or, at ``p = ∞``, ``N``/``n``)."""
    from dataclasses import replace

    if pr.N is not None:
        return replace(pr, psi1=None, psi2=None, lam=lam)
    return replace(pr, lam=lam, N_over_n=None)


def _shown_tuned(pr: RFParams) -> dict[str, str]:
    return {k: v for k, v in pr.shown().items() if k != "lam"}


def _lambda_star(pr: RFParams, dps: int) -> tuple[Any, Any]:
    """``(λ*, error estimate)``: ``+inf`` when ``F₁² = 0`` (the null predictor is optimal), else the
    minimizer of the certified risk over ``λ ≥ 0`` (:func:`asymptotics.solve.optimize.minimize_penalty`)."""
    from ..solve.optimize import minimize_penalty

    if pr.F1sq == 0:
        return mpmath.inf, mpmath.mpf(0)
    state: dict[str, Any] = {}

    spectral: dict[str, Any] = {"v": None}

    def risk_at(lam: Any) -> Any:
        at = _at_lam(pr, exact_penalty(mpmath.mpf(lam)))
        if at.spectrum is not None:  # general input covariance: one precision, no ladder (the optimizer's rung)
            from . import _rf_spectrum

            out, _ = _rf_spectrum.evaluate_mp(at, at.spectrum, spectral)
            return out["risk"]
        out, _ = _Solver(at).evaluate()
        return out["risk"]

    def evaluate() -> tuple[Any, Any]:
        return minimize_penalty(risk_at, state=state, what="rf optimal_lambda", params=_shown_tuned(pr)), None

    c = certify(evaluate, dps, what="rf optimal_lambda", params=_shown_tuned(pr))
    return c.value, c.error_estimate


def optimal_lambda(
    psi1: Real | None = None,
    psi2: Real | None = None,
    activation: ActivationLike = "relu",
    F1sq: Real = 1,
    Fstar2: Real = 0,
    tau2: Real = 0,
    *,
    N_over_n: Real | None = None,
    spectrum: str | None = None,
    N: Real | None = None,
    n: Real | None = None,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Optimal ridge ``λ* = argmin_{λ ≥ 0} R(λ)`` of random features regression.

    The zero of ``dR/dλ`` (central differences of the certified risk) located by
    :func:`asymptotics.solve.optimize.minimize_penalty` to ``dps`` digits, with a sign change of
    the derivative across a bracket of relative width ``10^{−dps−2}``; ``0`` exactly when
    ``dR/dλ ≥ 0`` at ``0⁺`` (ridgeless optimal, e.g. noiseless linear targets far from the
    interpolation threshold); ``+inf`` when ``F1sq = 0`` (nothing to learn).  Precision-ladder
    estimate (``proven=False``).  Mei & Montanari (arXiv 1908.05355): the optimally tuned risk
    decreases with ``ψ₁`` (more features never hurt once λ is tuned).

    Parameters as in :func:`risk` (without ``lam``), ``spectrum`` (and ``N``, ``n`` at ``p = ∞``) included: the
    same search over the general-covariance risk (docs/models/rf.md, "General input covariance").
    """
    pr = _tuned(psi1, psi2, activation, F1sq, Fstar2, tau2, N_over_n, spectrum, N, n)
    value, err = _lambda_star(pr, dps)
    return Result(value, NAME, "optimal_lambda", _shown_tuned(pr), dps, None, err, None, MEI_MONTANARI_2019)


def optimal_risk(
    psi1: Real | None = None,
    psi2: Real | None = None,
    activation: ActivationLike = "relu",
    F1sq: Real = 1,
    Fstar2: Real = 0,
    tau2: Real = 0,
    *,
    N_over_n: Real | None = None,
    spectrum: str | None = None,
    N: Real | None = None,
    n: Real | None = None,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Optimally tuned test error ``min_{λ ≥ 0} R(λ) = R(λ*)`` (``extra["lambda_star"]``).

    ``R(λ* + δ) − R(λ*) = R''δ²/2``: the risk at the located ``λ*`` (to ``dps + 5`` digits) is the
    certified :func:`risk` there.  ``F1sq = 0``: the null predictor's ``F⋆²``.  Parameters as in
    :func:`optimal_lambda`; precision-ladder estimate (``proven=False``).
    """
    dps = check_dps(dps)
    pr = _tuned(psi1, psi2, activation, F1sq, Fstar2, tau2, N_over_n, spectrum, N, n)
    lam, _ = _lambda_star(pr, dps + 5)
    with mpmath.workdps(dps):
        lam_shown = +lam
    if lam == mpmath.inf:
        with mpmath.workdps(dps):
            value = to_mpf(pr.F1sq + pr.Fstar2)
        return Result(
            value,
            NAME,
            "optimal_risk",
            _shown_tuned(pr),
            dps,
            None,
            mpmath.mpf(0),
            BRANCH_RULE,
            MEI_MONTANARI_2019,
            {"lambda_star": lam_shown},
        )
    res = solve(_at_lam(pr, exact_penalty(lam)), "risk", dps=dps)
    return Result(
        res.value,
        NAME,
        "optimal_risk",
        _shown_tuned(pr),
        dps,
        res.residual,
        res.error_estimate,
        BRANCH_RULE,
        MEI_MONTANARI_2019,
        {"lambda_star": lam_shown},
    )


def mu0(activation: ActivationLike = "relu", *, dps: int = DEFAULT_DPS, **model_params: Real | None) -> Result:
    """``μ₀ = E σ(G)``, ``G ~ N(0, 1)`` (closed form, exact polynomial moments, or quadrature).

    The other RF parameters (``psi1``, ``lam``, ...) may be passed, so that one command line
    serves every quantity; they do not enter the coefficients and are not reported.
    """
    _check_model_params(model_params)
    return _coefficient(get_activation(activation), "mu0", dps)


def mu1(activation: ActivationLike = "relu", *, dps: int = DEFAULT_DPS, **model_params: Real | None) -> Result:
    """``μ₁ = E G σ(G)`` (other RF parameters accepted and ignored, as for :func:`mu0`)."""
    _check_model_params(model_params)
    return _coefficient(get_activation(activation), "mu1", dps)


def mustar(activation: ActivationLike = "relu", *, dps: int = DEFAULT_DPS, **model_params: Real | None) -> Result:
    """``μ⋆ = (E σ(G)² − μ₀² − μ₁²)^{1/2}`` (other RF parameters accepted and ignored, as for :func:`mu0`)."""
    _check_model_params(model_params)
    return _coefficient(get_activation(activation), "mustar", dps)


def _check_model_params(kw: dict[str, Any]) -> None:
    check_known(kw, _MODEL_PARAMS)


def scaling_exponents(spectrum: str | None = None, activation: ActivationLike = "relu", *, dps: int = DEFAULT_DPS) -> Result:
    """Predicted scaling-law exponents ``(e_N, e_n, e_joint)`` of the ridgeless, noiseless risk for a power-law
    ``Σ`` (``s_j = j^{−α}``) and target (``β_j² ∝ j^{−β}``), ``spectrum=power_law:p=inf,alpha=A,beta=B``:
    ``t = (α+β−1)/α``, ``a = α`` (``μ⋆ = 0``) or 1, ``e_N = a·min(1, t)``, ``e_n = a·min(2, t)``,
    ``e_joint = e_N`` (along ``N = qn``).  Defilippis–Loureiro–Misiakiewicz, arXiv 2405.15699; Atanasov–
    Zavatone-Veth–Pehlevan, arXiv 2405.00592; docs/models/rf.md, "Scaling laws"."""
    from ._rf_spectrum import scaling_exponents as _se

    return _se(spectrum, activation, dps=dps)


# ----------------------------------------------------------------------------- float64 path
def curve_values(
    quantity: str,
    psi1: ArrayLike | None = None,
    psi2: ArrayLike | None = None,
    lam: ArrayLike = 0.0,
    activation: ActivationLike = "relu",
    F1sq: ArrayLike = 1.0,
    Fstar2: ArrayLike = 0.0,
    tau2: ArrayLike = 0.0,
    *,
    N_over_n: ArrayLike | None = None,
    spectrum: str | None = None,
    N: ArrayLike | None = None,
    n: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 evaluation (broadcast over the array arguments).

    Same formulas and branch rule as the certified path; returns ``(values, status)``
    with the status codes of :class:`~asymptotics.result.CurveResult`.  Near the
    threshold (``ψ₁ ≈ ψ₂``, tiny ``λ``) float64 loses about ``½ log₁₀(1/λ̄)`` digits when
    ``μ₁ ≠ 0``: such points get status 3 (use the certified path there).  With ``μ₁ = 0``
    exactly (``abs``, even activations, He₂) the closed form is evaluated without
    cancellation and keeps full accuracy down to any ``λ > 0``.  Status 1 (``+inf``) is
    given only where the exact value is infinite (ridgeless at ``ψ₁ = ψ₂``); a float64
    overflow of a finite value is status 3.  The limits carry their own rounding-error bounds
    (per quantity): ``psi2=inf`` cancels when a few features fit almost everything (e.g.
    ``linear``, ``ψ₁ > 1``, tiny ``λ``: :func:`_data_limit_error`), ``psi1=inf`` only next to
    ``ψ₂ = 1`` with ``λ' → 0`` (:func:`~asymptotics.models._rf_common.ridge_on_x_error`).
    """
    from ._rf_spectrum import parse_spectrum

    parsed = parse_spectrum(spectrum)
    general = quantity in ("nu1", "nu2") or parsed is not None
    if quantity not in QUANTITIES and not general:
        raise ParameterError(f"unknown rf quantity {quantity!r} for a float64 curve; valid: {', '.join(QUANTITIES)}.")
    act = get_activation(activation)
    with mpmath.workdps(25):
        _Solver(RFParams(1, 1, 0, act)).coefficients()  # activation checks (constant / numerically affine)
    _, m1, ms2 = coefficients_float(act)
    mu1sq = m1 * m1
    if N is not None or n is not None:  # p = inf power laws: absolute sizes (RFParams checks the combinations)
        one = {k: (None if v is None else 1) for k, v in (("N", N), ("n", n))}
        RFParams(psi1, psi2, 0, act, N_over_n=N_over_n, spectrum=spectrum, **one)  # the combination's ParameterError
        psi1, psi2 = N, n
    elif parsed is not None and parsed.infinite:
        RFParams(1, 1, 0, act, spectrum=spectrum)  # raises: p = inf needs N and n
    if N_over_n is not None:
        if psi1 is not None:
            raise ParameterError("give either `psi1` (= N/d) or `N_over_n` (= N/n), not both.")
        r, p2 = float_arrays(N_over_n=N_over_n, psi2=psi2)
        psi1 = r * p2
    p1, p2, lam, F1, Fs, t2 = float_arrays(psi1=psi1, psi2=psi2, lam=lam, F1sq=F1sq, Fstar2=Fstar2, tau2=tau2)
    shape = p1.shape
    p1, p2, lam, F1, Fs, t2 = (a.reshape(-1) for a in (p1, p2, lam, F1, Fs, t2))
    if general:
        from . import _rf_spectrum

        gv, gs = _rf_spectrum.curve_values(quantity, p1, p2, lam, act, F1, Fs, t2, spectrum)
        return gv.reshape(shape), gs.reshape(shape)
    domain = (p1 > 0) & (p2 > 0) & (lam >= 0) & np.isfinite(lam) & (F1 >= 0) & (Fs >= 0) & (t2 >= 0)
    domain &= np.isfinite(F1) & np.isfinite(Fs) & np.isfinite(t2) & ~(np.isinf(p1) & np.isinf(p2))
    B, V, factor, chi = (np.full(p1.shape, np.nan) for _ in range(4))
    conv = np.ones(p1.shape, bool)
    rel_b, rel_v, rel_f = (np.zeros(p1.shape) for _ in range(3))  # float64 error bounds of 𝓑, 𝓥, factor (limits)
    with np.errstate(all="ignore"):
        kern, data = domain & np.isinf(p1), domain & np.isinf(p2)
        fin = domain & ~kern & ~data
        if kern.any():
            (B[kern], V[kern], factor[kern], chi[kern]), _ = _kernel_limit(NP, p2[kern], lam[kern], mu1sq, ms2)
            if mu1sq != 0:  # μ₁ = 0: 𝓑 = 1, 𝓥 = 0 exactly
                lp = (ms2 + p2[kern] * lam[kern]) / (mu1sq * p2[kern])
                rel_b[kern] = rel_v[kern] = rel_f[kern] = ridge_on_x_error(p2[kern], lp)
        if data.any():
            B[data], V[data], factor[data], chi[data] = _data_limit(NP, p1[data], lam[data], mu1sq, ms2)
            rel_b[data] = _data_limit_error(p1[data], lam[data], mu1sq, ms2) / np.maximum(np.abs(B[data]), _TINY)
        if fin.any():
            thr = _at_threshold(NP, p1[fin], p2[fin], lam[fin] == 0, ms2 > 0)
            if mu1sq == 0:  # ζ = 0: a quadratic in p, evaluated without cancellation
                (B[fin], V[fin], factor[fin], chi[fin]), _, _ = _zeta0(NP, p1[fin], p2[fin], lam[fin], ms2, thr)
            else:
                (B[fin], V[fin], factor[fin], chi[fin]), conv[fin] = _general_np(p1[fin], p2[fin], lam[fin], mu1sq, ms2, thr)
        noise = t2 + Fs
        bias = np.where(F1 == 0, 0.0, F1 * B)
        variance = np.where(noise == 0, 0.0, noise * V)
        risk = bias + variance + Fs
        train = np.where(factor == 0, 0.0, factor * (factor * (risk + t2)))  # no underflow of factor² (tiny λ)
        # the limits' rounding-error bounds, per quantity (the finite-ψ path folds its bound into `conv`)
        # absolute bounds: a 𝓑 that cancels to exactly 0 still carries its error (ψ₂ = ∞, huge ψ₁)
        abs_b = np.where(F1 == 0, 0.0, F1 * rel_b * np.maximum(np.abs(B), _TINY))
        abs_v = np.where(noise == 0, 0.0, noise * rel_v * np.maximum(np.abs(V), _TINY))
        rel_risk = (abs_b + abs_v) / np.maximum(np.abs(risk), _TINY)
        rel = {"risk": rel_risk, "bias": rel_b, "variance": rel_v, "train_error": rel_risk + 2 * rel_f}
        if quantity in rel:
            conv &= ~(rel[quantity] > FLOAT64_MAX_ERROR)
    val = {"risk": risk, "bias": bias, "variance": variance, "train_error": train, "chi": chi}[quantity]
    # status 1 only where the exact value is +inf; an overflow elsewhere is "not converged" (status 3)
    conv &= ~np.isinf(val) | _infinite_np(p1, p2, lam, mu1sq, ms2, fin, kern)
    val, status = status_ladder(domain, conv, val)
    return val.reshape(shape), status.reshape(shape)


def _infinite_np(
    p1: np.ndarray, p2: np.ndarray, lam: np.ndarray, mu1sq: float, ms2: float, fin: np.ndarray, kern: np.ndarray
) -> np.ndarray:
    """Where ``𝓑, 𝓥`` are exactly ``+inf`` at these float inputs (the certified path's rules, :func:`_at_threshold`;
    ``μ₁ = 0``: ridgeless at ``ψ₁ = ψ₂``), or ``μ_⋆ = 0`` ridgeless at ``ψ₂ = 1`` in the kernel limit."""
    ridgeless = lam == 0
    if mu1sq == 0:
        return fin & ridgeless & (p1 == p2)
    return (fin & _at_threshold(NP, p1, p2, ridgeless, ms2 > 0)) | (kern & ridgeless & (ms2 == 0) & (p2 == 1))


FLOAT64_MAX_ERROR = 1e-6
"""Largest estimated relative rounding error of a float64 curve point reported with status 0."""

_TINY = np.finfo(float).tiny


def _data_limit_error(p1: np.ndarray, lam: np.ndarray, mu1sq: float, ms2: float) -> np.ndarray:
    """A-priori bound on the absolute float64 rounding error of ``𝓑`` in :func:`_data_limit` (``ψ₂ = ∞``).

    ``𝓑 = 1 − ψ₁ + T₁ + T₂`` with ``T₁ = ψ₁(μ_⋆²/μ₁²)m(−c) ≥ 0`` and ``T₂ = ψ₁(ψ₁λ/μ₁²)c m'(−c) ≥ 0``
    cancels when few features fit almost everything (e.g. ``linear`` with ``ψ₁ > 1`` and tiny ``λ``:
    ``𝓑 ∝ λ²``, while ``T₂ ≈ ψ₁ − 1``): each term carries a few ulps of its size, and ``m``, ``m'``
    carry the error of ``b = 1 − ψ₁ + c`` relative to ``r = √(b² + 4ψ₁c)``
    (:func:`~asymptotics.formulas.mp_stieltjes_neg` adds non-negative terms otherwise).
    """
    eps = np.finfo(float).eps
    if mu1sq == 0:  # 𝓑 = 1 exactly
        return np.zeros(p1.shape)
    c = (ms2 + p1 * lam) / mu1sq
    pos = c > 0
    cs = np.where(pos, c, 1.0)
    m, dm = mp_stieltjes_neg(NP, p1, cs)
    terms = p1 * (ms2 / mu1sq) * m + p1 * (p1 * lam / mu1sq) * cs * dm
    b = 1 - p1 + cs
    r = np.sqrt(b * b + 4 * p1 * cs)
    rel_m = 16 * eps + 16 * eps * (1 + p1 + cs) / np.maximum(r, _TINY)
    return np.where(pos, 16 * eps * (1 + p1 + terms) + terms * rel_m, 4 * eps * np.maximum(1 - p1, 0))  # c = 0: (1 − ψ₁)₊


def _general_np(
    p1: np.ndarray, p2: np.ndarray, lam: np.ndarray, mu1sq: float, ms2: float, thr: np.ndarray
) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """:func:`_general` on float64 arrays, with an a-priori bound on the rounding error of ``𝓑, 𝓥``."""

    def root(h: Any, dh: Any, lo: Any, hi: Any) -> tuple[Any, Any]:
        return increasing_root(h, dh, lo, hi, ops=NP, rtol=1e-15, throw=False)

    st = _general(NP, p1, p2, lam, mu1sq, ms2, thr, root)
    t = ms2 / mu1sq
    qf = np.where(st["finite"], st["q"], 1.0)
    e0, e1, e2 = st["e"]
    # float64 rounding error of 𝓑 = 𝓔₁/𝓔₀, 𝓥 = 𝓔₂/𝓔₀: the polynomials cancel near the threshold (ψ₁ ≈ ψ₂,
    # tiny λ); an upper bound from the size of their terms, checked against certified values (it is 1–2
    # orders above the actual error).  Beyond 1e-6 the point is reported as not converged (status 3).
    a0, a1, a2 = e_term_sizes(qf, t, p1, p2)
    tiny = np.finfo(float).tiny
    lost = (
        20
        * np.finfo(float).eps
        * (
            a0 / np.maximum(np.abs(e0), tiny)
            + np.maximum(
                np.where(e1 != 0, a1 / np.maximum(np.abs(e1), tiny), 0.0),
                np.where(e2 != 0, a2 / np.maximum(np.abs(e2), tiny), 0.0),
            )
        )
    )
    accurate = thr | st["ls"] | ~st["finite"] | (lost <= FLOAT64_MAX_ERROR)
    return st["out"], np.asarray(st["conv"], bool) & accurate & np.ones(p1.shape, bool)


# ----------------------------------------------------------------------------- registry
_MODEL_PARAMS = ("psi1", "psi2", "lam", "activation", "F1sq", "Fstar2", "tau2", "N_over_n", "spectrum", "N", "n")
_COEF_PARAMS = ("activation", "psi1", "psi2", "lam", "F1sq", "Fstar2", "tau2", "N_over_n")


PROOF_NOTE = "named activations and SymPy expressions with proven coefficients; a Python callable: ladder estimate"
"""Which RF quantities are proven (``asymptotics list``); the derivation is in ``docs/proofs/rf.md``."""
COEF_PROOF_NOTE = "where Activation.ball_coefficients has a rigorous route; a Python callable: ladder estimate"


def _q(name: str, fn: Any, doc: str) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    return QuantitySpec(name, doc, _MODEL_PARAMS, fn, curve, optional=("psi2",), proof="partial", proof_note=PROOF_NOTE)


def _coef_q(name: str, fn: Any, doc: str) -> QuantitySpec:
    return QuantitySpec(name, doc, _COEF_PARAMS, fn, optional=_COEF_PARAMS, proof="partial", proof_note=COEF_PROOF_NOTE)


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Random features ridge regression (Mei-Montanari), any activation.",
        params={
            "psi1": ParamSpec("psi1", "N/d, > 0 (inf: kernel limit)", default="psi2*N_over_n"),
            "psi2": ParamSpec("psi2", "n/d, > 0 (inf: infinite data)"),
            "lam": ParamSpec("lam", "ridge lambda >= 0, penalty (N lam/d)||a||^2; lam_bar = lam/mu*^2", default="0"),
            "activation": ParamSpec(
                "activation",
                "relu|abs|tanh|erf|quadratic|linear|softplus|sigmoid or a SymPy expression in x",
                default="relu",
                kind="activation",
            ),
            "F1sq": ParamSpec("F1sq", "energy of the linear part of the target, >= 0", default="1"),
            "Fstar2": ParamSpec("Fstar2", "energy of the nonlinear part of the target, >= 0", default="0"),
            "tau2": ParamSpec("tau2", "label-noise variance, >= 0", default="0"),
            "N_over_n": ParamSpec("N_over_n", "N/n, > 0: replaces psi1 (psi1 = N_over_n*psi2)", default="psi1/psi2"),
            "spectrum": ParamSpec(
                "spectrum",
                "input covariance as for ridge: isotropic | blocks:s/w/b,... | power_law:p=P,alpha=A,beta=B (any P; "
                "P=inf with N=, n=); psi1 = N/d, psi2 = n/d finite",
                default="isotropic",
                kind="spectrum",
            ),
            "N": ParamSpec("N", "number of features > 0, with spectrum=power_law:p=inf (replaces psi1)", default="-"),
            "n": ParamSpec("n", "number of samples > 0, with spectrum=power_law:p=inf (replaces psi2)", default="-"),
            "kappa1": ParamSpec("kappa1", "log N/log d > 0 (staircase: polynomial scaling)"),
            "kappa2": ParamSpec("kappa2", "log n/log d > 0 (staircase: polynomial scaling)"),
            "F": ParamSpec("F", "target energies F_0^2,F_1^2,... by degree (staircase)", default="0,1", kind="energies"),
            "alpha1": ParamSpec("alpha1", "N/B(d, level) > 0 or inf (risk_asymptotic)", default="-"),
            "alpha2": ParamSpec("alpha2", "n/B(d, level) > 0 or inf (risk_asymptotic)", default="-"),
            "level": ParamSpec("level", "harmonic degree l >= 1 (risk_asymptotic)", default="-", kind="int"),
        },
        quantities={
            "risk": _q("risk", risk, "test error F1^2 B + (tau^2 + F*^2) V + F*^2"),
            "bias": _q("bias", bias, "bias part F1^2 B"),
            "variance": _q("variance", variance, "variance part (tau^2 + F*^2) V"),
            "train_error": _q("train_error", train_error, "training error"),
            "chi": _q("chi", chi, "chi = nu1 nu2 on the imaginary axis"),
            "nu1": _q("nu1", nu1, "sample-level effective regularization (kappa + mu*^2)/psi1 (general covariance)"),
            "nu2": _q("nu2", nu2, "feature-level effective regularization nu2 (general covariance)"),
            "mu0": _coef_q("mu0", mu0, "E sigma(G) (other parameters ignored)"),
            "mu1": _coef_q("mu1", mu1, "E G sigma(G) (other parameters ignored)"),
            "mustar": _coef_q("mustar", mustar, "(E sigma(G)^2 - mu0^2 - mu1^2)^(1/2)"),
            "optimal_lambda": QuantitySpec(
                "optimal_lambda",
                "optimal ridge lam* = argmin_{lam >= 0} risk (0: ridgeless optimal; inf: F1sq = 0)",
                ("psi1", "psi2", "activation", "F1sq", "Fstar2", "tau2", "N_over_n", "spectrum", "N", "n"),
                optimal_lambda,
                optional=("psi1", "psi2", "N_over_n"),
                proof="estimate",
            ),
            "optimal_risk": QuantitySpec(
                "optimal_risk",
                "optimally tuned test error min_{lam >= 0} risk",
                ("psi1", "psi2", "activation", "F1sq", "Fstar2", "tau2", "N_over_n", "spectrum", "N", "n"),
                optimal_risk,
                optional=("psi1", "psi2", "N_over_n"),
                proof="estimate",
            ),
            "scaling_exponents": QuantitySpec(
                "scaling_exponents",
                "predicted exponents (e_N, e_n, e_joint) of the ridgeless noiseless risk ~ N^-e_N, n^-e_n for "
                "spectrum=power_law:p=inf (docs/models/rf.md, Scaling laws)",
                ("spectrum", "activation"),
                scaling_exponents,
                proof="proven",
                proof_note="exact rational exponents (a closed formula of alpha, beta and whether mu* = 0)",
            ),
            "risk_asymptotic": QuantitySpec(
                "risk_asymptotic",
                "d -> inf risk at N = alpha1 B(d, level), n = alpha2 B(d, level) (per-level Mei-Montanari problem)",
                ("alpha1", "alpha2", "level", "activation", "lam", "F", "tau2"),
                risk_asymptotic,
                proof="partial",
                proof_note="where rf's ball route and the activation's Hermite coefficients (ball_hermite) are proven",
            ),
            "staircase": QuantitySpec(
                "staircase",
                "N = d^kappa1, n = d^kappa2 limit F^2_{>floor(min(kappa1, kappa2))} (kappa1 != kappa2)",
                ("kappa1", "kappa2", "F"),
                rf_phase,
                rf_phase_curve,
                proof="proven",
                proof_note="an exact rational sum of the given energies",
            ),
        },
        system=system,
        source=MEI_MONTANARI_2019,
    )
)
