r"""Kernel ridge regression on the sphere in high dimension: deterministic equivalent, multiple descent.

Setting (docs/models/krr.md; Six Lectures, arXiv 2308.13431, lecture 2)
-----------------------------------------------------------------------
``x ~ Unif(S^{d−1}(√d))``, kernel ``K(x, x') = h(⟨x, x'⟩/d)`` (:mod:`asymptotics.kernels`),
target ``f = Σ_ℓ P_ℓ f`` with degree energies ``F_ℓ² = ‖P_ℓ f‖²`` (``F = "F0²,F1²,F2²,..."``),
labels ``y = f(x) + ε``, ``Var ε = σ²``.  Estimator with the **unnormalized** ridge
``λ``: ``f̂(x) = K(x, X)(K + λI_n)⁻¹y`` (``λ = 0``: minimum-norm interpolation).  *Risk* is the
test error without noise, ``E_x (f(x) − f̂(x))²``; *training error* ``(1/n)‖y − f̂(X)‖²``.

Finite-d deterministic equivalent (:func:`risk`)
------------------------------------------------
Bordelon–Canatar–Pehlevan (arXiv 2002.02561); Misiakiewicz & Saeed (arXiv 2403.08938).
With eigenvalues ``μ_ℓ = μ_{d,ℓ}`` of multiplicity ``B_ℓ = B(d, ℓ)``,

.. math::
    \kappa = \lambda + \kappa\sum_\ell \frac{B_\ell\mu_\ell}{n\mu_\ell + \kappa},\qquad
    E = \sum_\ell \frac{B_\ell\, n\mu_\ell^2}{(n\mu_\ell+\kappa)^2},\qquad
    R = \frac{1}{1-E}\Big[\sum_\ell F_\ell^2\frac{\kappa^2}{(n\mu_\ell+\kappa)^2} + \sigma^2E\Big].

This is the general-spectrum ridge equivalent in feature space (features of covariance
``diag(μ_ℓ)`` with multiplicities ``B_ℓ``, coefficients of energy ``F_ℓ²/μ_ℓ``, normalized ridge
``λ/n``), and it is solved by that one solver,
:func:`asymptotics.models.ridge.general_equivalent`.  Levels are included up to the first
``L`` (beyond the target's degree) with ``nμ_L ≤ 10^{−(dps+5)}(λ + h(1) − Σ_{k<L}B_kμ_k)``; the
remaining levels act exactly as extra ridge (their "mass" ``T = h(1) − Σ_{k≤L}B_kμ_k`` from
the trace identity, the *self-induced* ridge).  The training error is
``(λ/(λ+T))²(λ_r/κ_r)²(R + σ²)`` (the tail interpolates part of the labels).  Target energy at
a level with ``μ_ℓ = 0`` is never learned (it adds to the risk and acts as noise).

Hypercube (``domain="hypercube"``)
-----------------------------------
``x`` uniform on ``{±1}^d`` with the same kernel ``h(⟨x, x'⟩/d)`` (docs/models/krr.md, 'The hypercube'; Misiakiewicz,
arXiv 2204.10425, treats both): the eigenfunctions are the Walsh monomials ``χ_S(x) = Π_{i∈S} x_i``,
level ``ℓ = |S| ∈ {0..d}`` with multiplicity ``C(d, ℓ)`` and eigenvalue ``E[h(s)χ_S]``
(:meth:`asymptotics.kernels.Kernel.cube_eigenvalue`), and ``F_ℓ²`` is the energy of the target's
degree-``ℓ`` Walsh part.  The deterministic equivalent above is used unchanged with these levels
(finitely many: the tail is exactly 0 past ``ℓ = d``).  The ``d → ∞`` formulas below are the
same, with ``α = n/C(d, ℓ)``.

Polynomial regime (:func:`risk_asymptotic`, :func:`staircase`)
--------------------------------------------------------------
At ``n = α B(d, ℓ)``, ``d → ∞`` (Misiakiewicz, arXiv 2204.10425; Xiao et al., arXiv
2205.14846): levels ``< ℓ`` are learned, level ``ℓ`` is an isotropic ridge problem with
``γ = 1/α``, ``λ_eff = (λ + κ_{>ℓ})/(α ξ_ℓ)``, ``κ_{>ℓ} = h(1) − Σ_{k≤ℓ} ξ_k``,
``ξ_k = h^{(k)}(0)/k!``, signal ``F_ℓ²`` and noise ``σ² + F²_{>ℓ}``:

.. math::
    R \to F^2_{>\ell} + F_\ell^2\frac{\kappa^2}{(1+\kappa)^2-\gamma}
    + (\sigma^2+F^2_{>\ell})\frac{\gamma}{(1+\kappa)^2-\gamma},

``κ`` the isotropic effective ridge (:mod:`asymptotics.models.ridge` closed form).  Between
integer exponents, ``d^{ℓ+δ} ≤ n ≤ d^{ℓ+1−δ}`` (Ghorbani–Mei–Misiakiewicz–Montanari, arXiv
1904.12191), ``R → F²_{>ℓ}``: the staircase.  Convention: ``α = n/B(d, ℓ)`` (``B(d, ℓ) ≈
d^ℓ/ℓ!``), the normalization with the fastest convergence (docs/models/krr.md, 'Polynomial regimes').
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import mpmath
import numpy as np

from .._lazy import sympy as sp
from .._types import ArrayLike, Energies, IntLike, KernelLike, Real
from .._validate import check_int, check_real, float_arrays, shown_params, to_mpf
from ..backend import MP, NP, Backend
from ..errors import ConvergenceError, ParameterError
from ..kernels import Domain, Kernel, QuadratureBudgetError, check_domain, get_domain, get_kernel, quadrature_budget
from ..kernels import multiplicity as _multiplicity
from ..precision import DEFAULT_DPS, certify, check_dps, residual_tolerance
from ..references import GMMM_2019, MISIAKIEWICZ_2022, Source
from ..result import Result, checked_status
from ..solve.optimize import exact_penalty
from ..symbolic.system import FixedPointSystem
from . import ridge as ridge_model
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

NAME = "krr"
QUANTITIES = ("risk", "bias", "variance", "train_error", "kappa")
MAX_LEVELS = 400
BRANCH_RULE = "kappa: unique zero of the increasing h(kappa) = 1 - lam/kappa - df1(kappa)/n (feature-space ridge form)"

BCP_2020 = Source(
    "B. Bordelon, A. Canatar, C. Pehlevan",
    "Spectrum dependent learning curves in kernel regression and wide neural networks",
    2020,
    arxiv="2002.02561",
    journal="ICML 2020",
)


# ----------------------------------------------------------------------------- symbolic
FORMS = ("de", "level")


@cache
def system(form: str = "de") -> FixedPointSystem:
    """KRR equations as SymPy objects: ``"de"`` (finite-d equivalent), ``"level"`` (n = αB(d,ℓ), d → ∞).

    ``"level"`` is evaluable on its own: given ``α, λ, σ², ℓ``, the energies ``F²_0..F²_L`` and the
    kernel ``h``, its quantities define ``ξ_k = h^{(k)}(0)/k!``, ``γ``, ``κ_{>ℓ}``, ``F²_{>ℓ}``, ``λ_eff``
    and ``κ`` in that order, and ``κ`` solves the isotropic ridge equation.  It is the generic case
    ``ξ_k > 0`` for ``k ≤ ℓ`` (every lower level learned) of :func:`risk_asymptotic`.
    """
    ell, L = sp.Idx("ell"), sp.Symbol("L", integer=True, positive=True)
    n, lam, kappa, sigma2 = (
        sp.Symbol("n", positive=True),
        sp.Symbol("lambda", nonnegative=True),
        sp.Symbol("kappa"),
        sp.Symbol("sigma^2"),
    )
    mu, B, F2 = sp.IndexedBase(r"\mu"), sp.IndexedBase("B"), sp.IndexedBase("F^2")
    d, s = sp.Symbol("d", integer=True, positive=True), sp.Symbol("s")
    if form == "de":
        E = sp.Sum(B[ell] * n * mu[ell] ** 2 / (n * mu[ell] + kappa) ** 2, (ell, 0, L))
        q = {
            "B": sp.binomial(d + ell - 1, ell) - sp.binomial(d + ell - 3, ell - 2),
            "mu": sp.Integral(sp.Function("h")(s) * sp.Function("Q_ell")(s) * (1 - s**2) ** ((d - 3) / sp.Integer(2)), (s, -1, 1))
            / sp.Integral((1 - s**2) ** ((d - 3) / sp.Integer(2)), (s, -1, 1)),
            "E": E,
            "risk": (sp.Sum(F2[ell] * kappa**2 / (n * mu[ell] + kappa) ** 2, (ell, 0, L)) + sigma2 * sp.Symbol("E"))
            / (1 - sp.Symbol("E")),
        }
        eqs = (sp.Eq(kappa, lam + kappa * sp.Sum(B[ell] * mu[ell] / (n * mu[ell] + kappa), (ell, 0, L))),)
        labels = {"B": r"B(d,\ell)", "mu": r"\mu_{d,\ell}", "E": "E", "risk": "R"}
        sys_ = FixedPointSystem("krr_de", (kappa,), (lam, n, sigma2, L), eqs, q, labels, BCP_2020)
    elif form == "level":
        # Every symbol of an output is a parameter (α, λ, σ², ℓ, L, the energies F²_k, the kernel h) or
        # the label of an earlier quantity (ξ_k, γ, κ_{>ℓ}, F²_{>ℓ}, λ_eff, κ); κ also solves the equation.
        # The generic case: ξ_k > 0 for k ≤ ℓ (every lower level learned, as for exp and coef:1,1,...);
        # risk_asymptotic also handles ξ_ℓ = 0 and lower levels that stay unlearned (their energy adds to F²_{>ℓ}).
        alpha, xi, k = sp.Symbol("alpha", positive=True), sp.IndexedBase(r"\xi"), sp.Idx("k")
        l0, g, leff, kap = sp.Symbol("ell", integer=True), sp.Symbol("gamma"), sp.Symbol(r"\lambda_{\rm eff}"), sp.Symbol("kappa")
        Fgt = sp.Symbol(r"F^2_{>\ell}")
        h = sp.Function("h")
        q = {
            "xi": sp.Subs(sp.Derivative(h(s), (s, k)), s, 0) / sp.factorial(k),
            "gamma": 1 / alpha,
            "kappa_gt": h(1) - sp.Sum(xi[k], (k, 0, l0)),
            "F_gt": sp.Sum(F2[k], (k, sp.Add(l0, 1, evaluate=False), L)),  # L: the target's degree
            "lam_eff": (lam + sp.Symbol(r"\kappa_{>\ell}")) / (alpha * xi[l0]),
            "kappa_iso": (leff + g - 1 + sp.sqrt((leff + g - 1) ** 2 + 4 * leff)) / 2,
            "risk": Fgt + (F2[l0] * kap**2 + (sigma2 + Fgt) * g) / ((1 + kap) ** 2 - g),
        }
        labels = {
            "xi": r"\xi_{k}",
            "gamma": r"\gamma",
            "kappa_gt": r"\kappa_{>\ell}",
            "F_gt": r"F^2_{>\ell}",
            "lam_eff": r"\lambda_{\rm eff}",
            "kappa_iso": r"\kappa",
            "risk": "R",
        }
        # the isotropic ridge equation at (γ, λ_eff); kappa_iso is its positive root
        eqs = (sp.Eq(kap, leff + g * kap / (1 + kap)),)
        sys_ = FixedPointSystem("krr_level", (kap,), (alpha, lam, sigma2, l0, L), eqs, q, labels, MISIAKIEWICZ_2022)
    else:
        raise ParameterError(f"unknown KRR system form {form!r}; valid: {', '.join(FORMS)}.")
    return sys_


# ----------------------------------------------------------------------------- parameters
def parse_energies(value: Energies) -> tuple[Fraction, ...]:
    """``"1,0.5,0.25"`` (or a sequence) → exact energies ``(F₀², F₁², F₂²)``, each ≥ 0."""
    if isinstance(value, str):
        items = value.split(",")
        if items and not items[-1].strip():  # a trailing comma is harmless
            items = items[:-1]
        if any(not v.strip() for v in items):
            raise ParameterError(f"`F` has an empty entry in {value!r}: list one energy per degree, e.g. F=1,0,1.")
    else:
        try:
            items = list(value)
        except TypeError:
            raise ParameterError(f"`F` must list the target energies, e.g. '0,1,0.5' or [0, 1, 0.5]; got {value!r}.") from None
    if not items:
        raise ParameterError("`F` must list the target energies F_0^2,F_1^2,... (e.g. F=0,1,0.5); got nothing.")
    return tuple(check_real(f"F[{k}]", v.strip() if isinstance(v, str) else v, low=0) for k, v in enumerate(items))  # type: ignore[misc]


@dataclass(frozen=True)
class KRRParams:
    """Validated KRR parameters: ``d`` ≥ 2, ``n`` > 0 (or ``alpha`` > 0 and ``level`` ≥ 0 with
    ``n = α B(d, level)``), ``kernel``, ``lam`` ≥ 0 (unnormalized), ``F`` energies, ``sigma2`` ≥ 0."""

    d: Any
    n: Any = None
    kernel: Any = "exp"
    lam: Any = 0
    F: Any = "0,1"
    sigma2: Any = 0
    alpha: Any = None
    level: Any = None
    domain: Any = "sphere"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        _required(d=self.d)
        set_(self, "d", check_int("d", self.d, low=2, high=10**7))
        set_(self, "domain", check_domain(self.domain))
        if self.n is not None:
            if self.alpha is not None or self.level is not None:
                raise ParameterError("give either `n` or (`alpha`, `level`), not both.")
            set_(self, "n", check_real("n", self.n, low=0, low_open=True))
        else:
            if self.alpha is None or self.level is None:
                raise ParameterError("`n` (number of samples) or both `alpha` and `level` (n = alpha*B(d, level)) are required.")
            set_(self, "alpha", check_real("alpha", self.alpha, low=0, low_open=True))
            set_(self, "level", check_int("level", self.level, low=0, high=MAX_LEVELS))
            last = get_domain(self.domain).last_level(self.d)
            if last is not None and self.level > last:
                raise ParameterError(f"`level` = {self.level} exceeds d = {self.d}: the {self.domain} has levels 0..d.")
            set_(self, "n", self.alpha * _multiplicity(self.d, self.level, self.domain))
        set_(self, "kernel", get_kernel(self.kernel))
        set_(self, "lam", check_real("lam", self.lam, low=0))
        set_(self, "F", parse_energies(self.F))
        _check_degree(self.F, self.d, self.domain)
        set_(self, "sigma2", check_real("sigma2", self.sigma2, low=0))

    def shown(self) -> dict[str, str]:
        out = shown_params(d=self.d, n=self.n)
        if self.alpha is not None:
            out.update(shown_params(alpha=self.alpha, level=self.level))
        out["kernel"] = self.kernel.name
        out.update(shown_params(lam=self.lam))
        out["F"] = ",".join(shown_params(x=v)["x"] for v in self.F)
        out.update(shown_params(sigma2=self.sigma2))
        if self.domain != "sphere":
            out["domain"] = self.domain
        return out


def _check_degree(energies: tuple[Fraction, ...], d: int, domain: Any) -> None:
    """Target energy only at levels the domain has (the hypercube's end at ``d``)."""
    dom = get_domain(domain)
    last = dom.last_level(d)
    if last is not None and any(energies[last + 1 :]):
        raise ParameterError(f"`F` puts energy above degree d = {d}: functions on {dom.space('d')} have degree at most d.")


def _required(**kw: Any) -> None:
    missing = [k for k, v in kw.items() if v is None]
    if missing:
        raise ParameterError(f"missing parameter(s) {', '.join(f'`{m}`' for m in missing)}.")


# ----------------------------------------------------------------------------- spectrum
GUARD = 12
"""Extra digits for the eigenvalues, ``h(1)`` and ``E h²``, so that the tail moments obtained from the
trace identities by subtraction keep the working precision."""


@dataclass(frozen=True)
class Spectrum:
    """Harmonic levels kept for a KRR problem, and the moments of the levels beyond.

    ``levels``/``mus``: the levels ``0..L−1`` and their eigenvalues; ``tail = Σ_{k≥L} B_kμ_k`` and
    ``tail2 = Σ_{k≥L} B_kμ_k²`` (the self-induced ridge and its first correction); ``kappa_lb`` a
    lower bound of κ found on the way (0: none), a start for the κ solve.
    """

    levels: list[int]
    mus: list[Any]
    tail: Any
    tail2: Any
    kappa_lb: Any = 0


def levels(kernel: Kernel, d: int, n: Any, lam: Any, degree: int, domain: Any = "sphere") -> Spectrum:
    r"""Levels to keep and the moments of the rest, at the current precision.

    Levels ``0..degree`` (the target's) are always kept.  The levels ``k ≥ L`` beyond enter
    the solver as **one pseudo-level** with the same first two moments, multiplicity
    ``T²/T₂`` and eigenvalue ``T₂/T`` (``T = Σ_{k≥L} B_kμ_k``, ``T₂ = Σ_{k≥L} B_kμ_k²``).  A
    level contributes ``κB_kμ_k/(nμ_k+κ) = B_kμ_k − nB_kμ_k²/κ + O(B_k(nμ_k)²μ_k/κ²)`` to the
    κ equation and ``nB_kμ_k²/κ² + O(·)`` to ``E``, so the pseudo-level is exact to first
    order in ``nμ_L/κ`` and κ is off by a relative ``O((nμ_L/κ)²)``.  The scan stops at the
    first ``L`` with ``μ_L > 0`` and ``(nμ_L/κ_lb)² ≤ 10^{−(dps−5)}`` (``dps`` the working
    precision: the precision ladder's lower rung is then off by at most ``10^{−(target+5)}``
    and the returned rung by ``10^{−(target+15)}``), where ``κ_lb ≤ κ`` is a lower bound:
    ``λ + T`` (up to that same error), or a lower bound of ``κ_drop``, the root of the κ
    equation with the levels ``≥ L`` dropped (dropping positive terms lowers the root) — the
    bound that matters at ``λ = 0`` once the kept levels have more than ``n`` directions, where
    κ can be far below ``10^{−dps} h(1)`` (``3·10^{−26}`` at ``d = 3``, ``n = 500``, ``h = e^s``).
    No κ equation is solved for it: ``g(κ) = 1 − λ/κ − Σ_k B_kμ_k/(nμ_k+κ)`` is increasing and
    concave in κ, and each new level only lowers it, so Newton steps from a bound below the root
    stay below it, level after level (:class:`_KappaLowerBound`).  This assumes ``μ_k ≤ μ_L``
    beyond ``L``, as for kernels with non-negative Taylor coefficients.  On the hypercube
    (``domain="hypercube"``: multiplicities ``C(d, ℓ)``) the levels end at ``ℓ = d``; the same
    rule applies before that.

    ``T`` and ``T₂`` come from the trace identities ``h(1) = Σ_k B_kμ_k`` and ``E h² = Σ_k
    B_kμ_k²`` by subtraction (``GUARD`` extra digits) while that keeps the working precision,
    and are summed directly otherwise (:func:`tail_moments`, suffix sums shared by all levels);
    ``T₂`` must be known to ``10^{−(dps−5)}Tκ_lb/n``, or the scan goes on.  Polynomial kernels
    are exact: no level above the degree is nonzero, ``T = T₂ = 0``.
    """
    dom = get_domain(domain)
    wdps = mpmath.mp.dps
    eps = mpmath.mpf(10) ** (-(wdps - 5))
    top = kernel.degree()
    last = dom.last_level(d)
    kept: list[int] = []
    mus: list[Any] = []
    directions = 0  # Σ B_k over kept levels with μ_k > 0
    kappa_lb = mpmath.mpf(0)  # a lower bound of κ_drop (0: none yet)
    with mpmath.workdps(wdps + GUARD):
        h1 = kernel.h1()
        h2 = kernel.second_moment(d, dom) if top is None else None
        used, used2 = mpmath.mpf(0), mpmath.mpf(0)
        direct = _DirectTails(kernel, d, dom)
        lower = _KappaLowerBound(n, lam)
        for ell in range(MAX_LEVELS + 1):
            if (top is not None and ell > max(top, degree)) or (last is not None and ell > last):
                return Spectrum(kept, mus, mpmath.mpf(0), mpmath.mpf(0))  # exact: no level beyond
            mu, err = kernel.eigenvalue(d, ell, dom)
            if err and abs(mu) > 0 and err > mpmath.mpf(10) ** (-(wdps - 3)) * abs(mu):
                raise ConvergenceError(
                    f"kernel {kernel.name!r}: level {ell} eigenvalue at d={d} not resolved (error {mpmath.nstr(err, 3)})."
                )
            if mu < 0:
                raise ParameterError(
                    f"kernel {kernel.name!r} is not positive semi-definite on {dom.space(d)}: "
                    f"eigenvalue of level {ell} is {mpmath.nstr(mu, 5)}."
                )
            if ell > degree and mu > 0:
                if top is not None:  # polynomial kernel: the tail is a finite exact sum
                    rest = [(dom.multiplicity(d, k), kernel.eigenvalue(d, k, dom)[0]) for k in range(ell, top + 1)]
                    tail, tail2, err2 = mpmath.fsum(b * m for b, m in rest), mpmath.fsum(b * m * m for b, m in rest), 0
                else:
                    tail, tail2, err2 = tail_moments(kernel, d, ell, h1 - used, h2 - used2, h1, h2, dom, direct)  # type: ignore[operator]

                def negligible(bound: Any) -> bool:  # (nμ_L/κ)² ≤ ε, and T₂ known well enough unless nμ_L/κ ≤ ε
                    ratio = n * mu / bound if bound > 0 else mpmath.inf
                    return ratio**2 <= eps and (ratio <= eps or n * err2 <= eps * tail * bound)

                if negligible(max(lam + tail, kappa_lb)):
                    return Spectrum(kept, mus, +tail, +tail2, +kappa_lb)
                if directions > n:  # a better lower bound of κ: a Newton point from below (no solve)
                    kappa_lb = max(kappa_lb, lower.bound())
                    if not negligible(kappa_lb):
                        kappa_lb = max(kappa_lb, lower.refine())
                    if negligible(kappa_lb):
                        return Spectrum(kept, mus, +tail, +tail2, +kappa_lb)
                if ell >= 32 and ell % 16 == 0:
                    _check_reachable(kernel.name, d, n, ell, mu, kept, mus, eps, max(lam + tail, kappa_lb))
            kept.append(ell)
            mus.append(mu)
            b_ell = dom.multiplicity(d, ell)
            used += b_ell * mu
            used2 += b_ell * mu * mu
            if mu > 0:
                directions += b_ell
                lower.add(b_ell * mu, n * mu)
    raise ConvergenceError(
        f"kernel {kernel.name!r} at d={d}, n={mpmath.nstr(n, 6)}: more than {MAX_LEVELS} harmonic levels are needed "
        f"for {wdps - 20} digits (slowly decaying eigenvalues, e.g. a non-smooth kernel at small d, or an "
        "astronomically small self-induced ridge at lam = 0); lower `dps` or use lam > 0."
    )


def _check_reachable(
    name: str, d: int, n: Any, ell: int, mu_now: Any, kept: list[int], mus: list[Any], eps: Any, kappa_lb: Any
) -> None:
    """Fail fast when the eigenvalues decay like a power of ``ℓ`` too slowly to reach the cut within ``MAX_LEVELS``.

    With ``μ`` at levels ``ℓ/4, ℓ/2, ℓ`` (same parity), two consecutive log–log slopes within 30 %
    of each other mean a power law ``μ_ℓ ∝ ℓ^{−a}`` (non-smooth kernels, e.g. ReLU at small ``d``);
    the level where ``(nμ_L/κ)² ≤ ε`` is then extrapolated.  Faster (geometric) decay steepens the
    slope and never triggers this.
    """
    by_level = dict(zip(kept, mus, strict=True))

    def mu_at(k: int) -> Any:
        for j in (k, k + 1, k - 1):  # the same parity as ``ell`` if that level is zero
            if j % 2 == ell % 2 and by_level.get(j, 0) > 0:
                return j, by_level[j]
        return None

    pts = [mu_at(ell // 4), mu_at(ell // 2)]
    if pts[0] is None or pts[1] is None:
        return
    (l0, m0), (l1, m1) = pts
    if l0 <= 0:
        return
    s1 = mpmath.log(m1 / m0) / mpmath.log(mpmath.mpf(l1) / l0)
    s2 = mpmath.log(mu_now / m1) / mpmath.log(mpmath.mpf(ell) / l1)
    if s2 >= 0 or abs(s1 - s2) > mpmath.mpf("0.3") * abs(s2):
        return
    target = mpmath.sqrt(eps) * kappa_lb / n
    if mu_now <= target:
        return
    needed = ell * (mu_now / target) ** (1 / abs(s2))
    if needed > MAX_LEVELS:
        raise ConvergenceError(
            f"kernel {name!r} at d={d}: its eigenvalues decay like l^{mpmath.nstr(s2, 3)}, so about "
            f"{mpmath.nstr(needed, 2)} harmonic levels (more than {MAX_LEVELS}) would be needed at this precision; "
            "lower `dps`, use a larger `d`, or the float64 curve (`asymptotics curve`, which needs fewer levels)."
        )


class _DirectTails:
    """``Σ_{k≥start} B_kμ_k`` and ``Σ_{k≥start} B_kμ_k²`` summed directly, for increasing ``start``.

    Each term is computed once: the sums run until two consecutive terms are below
    ``10^{−(dps+3)}`` of the sum from ``start`` (a zero level of the other parity never stops them
    alone), and a later ``start`` reuses the terms already there.  Sums from ``start`` are the
    suffix sums of the terms present at the last rebuild (accumulated from the smallest term up)
    plus the sum of the terms appended since (all smaller than those), so no difference of
    large sums is ever formed; a start past the rebuilt range rebuilds it.  A scan over ``L``
    levels costs ``O(L)`` additions and no eigenvalue twice, where summing afresh from each level
    cost ``O(L²)``.
    """

    def __init__(self, kernel: Kernel, d: int, dom: Domain) -> None:
        self.kernel, self.d, self.dom = kernel, d, dom
        self.first = 0  # level of terms[0]
        self.terms: list[tuple[Any, Any]] = []  # (B_kμ_k, B_kμ_k²) for k = first, first + 1, ...
        self.base: list[tuple[Any, Any]] = []  # suffix sums over terms[: len(base)] at the last rebuild
        self.added = (mpmath.mpf(0), mpmath.mpf(0))  # sums of the terms appended since

    def _rebuild(self, start: int) -> None:
        """Drop the terms before ``start`` and take suffix sums of the rest."""
        keep = self.first <= start <= self.first + len(self.terms)
        self.terms = self.terms[start - self.first :] if keep else []
        self.first = start
        acc1, acc2 = mpmath.mpf(0), mpmath.mpf(0)
        base = []
        for t1, t2 in reversed(self.terms):
            acc1, acc2 = acc1 + t1, acc2 + t2
            base.append((acc1, acc2))
        self.base = base[::-1]
        self.added = (mpmath.mpf(0), mpmath.mpf(0))

    def moments(self, start: int) -> tuple[Any, Any, Any]:
        """``(T, T₂, error of T₂)`` from ``start`` on, at the current precision."""
        rel = mpmath.mpf(10) ** (-(mpmath.mp.dps + 3))
        last = self.dom.last_level(self.d)
        if start < self.first or start - self.first >= len(self.base):
            self._rebuild(start)
        i = start - self.first
        while True:
            b1, b2 = self.base[i] if i < len(self.base) else (0, 0)
            total, total2 = b1 + self.added[0], b2 + self.added[1]
            k = self.first + len(self.terms)  # the next level
            if last is not None and k > last:
                return total, total2, rel * total2  # every level summed
            if len(self.terms) - i >= 2:
                (a, _), (b, _) = self.terms[-2], self.terms[-1]
                if a <= rel * total and b <= rel * total:
                    return total, total2, rel * total2
            if last is None and k > start + MAX_LEVELS:
                raise ConvergenceError(
                    f"kernel {self.kernel.name!r} at d={self.d}: the tail of the harmonic expansion beyond level {start} "
                    f"does not converge within {MAX_LEVELS} levels."
                )
            mu = self.kernel.eigenvalue(self.d, k, self.dom)[0]
            term = self.dom.multiplicity(self.d, k) * mu
            self.terms.append((term, term * mu))
            self.added = (self.added[0] + term, self.added[1] + term * mu)


def tail_moments(
    kernel: Kernel,
    d: int,
    start: int,
    rem1: Any,
    rem2: Any,
    h1: Any,
    h2: Any,
    domain: Any = "sphere",
    direct: _DirectTails | None = None,
) -> tuple[Any, Any, Any]:
    """``(T, T₂, error of T₂)`` for the levels ``≥ start`` (see :func:`levels`).

    By the trace identities (``rem1 = h(1) − Σ_{k<start}B_kμ_k``, ``rem2`` likewise for ``E h²``)
    while ``rem1 ≥ 10^{−(GUARD−2)} h(1)``, i.e. ``T`` keeps the working precision; the error of
    ``T₂`` is then ``10^{−(dps−2)} E h²`` (``dps`` here includes the guard digits).  Otherwise both
    are summed directly (:class:`_DirectTails`; pass one ``direct`` for a scan over increasing
    ``start``), until two consecutive terms are below ``10^{−(dps+3)}`` of the sum.
    """
    if rem1 >= abs(h1) * mpmath.mpf(10) ** (-(GUARD - 2)):
        return rem1, max(rem2, mpmath.mpf(0)), mpmath.mpf(10) ** (-(mpmath.mp.dps - 2)) * h2
    if direct is None:
        direct = _DirectTails(kernel, d, get_domain(domain))
    return direct.moments(start)


class _KappaLowerBound:
    r"""Lower bounds of ``κ_drop``, the root of ``g(κ) = 1 − λ/κ − Σ_k B_kμ_k/(nμ_k+κ)`` over the levels added so far.

    ``g`` is increasing and concave in κ, so the tangent at a point ``x`` below the root lies above
    ``g`` and its zero, the Newton point ``x − g(x)/g'(x)``, is below the root too; adding a level
    only lowers ``g``, so ``x`` stays below.  ``g(x)`` and ``g'(x)`` are kept up to date as levels are
    added (``O(1)`` per level), so :meth:`bound` (the Newton point from ``x``) costs nothing;
    :meth:`refine` moves ``x`` there and re-evaluates (``O(levels)``) while that raises the bound by
    more than a relative ``10⁻³``.  Rounding is covered by taking ``g`` larger by a bound on its
    rounding error and ``g'`` larger by a relative ``10^{−(dps−5)}``, so the steps only undershoot.
    The first ``x``: ``λ``, or, with ``D > n`` directions, ``(D/n − 1)/Σ_k B_k/(n²μ_k)`` (there ``g ≤ 0``,
    from ``B_kμ_k/(nμ_k+κ) ≥ (B_k/n)(1 − κ/(nμ_k))``).
    """

    def __init__(self, n: Any, lam: Any) -> None:
        self.n, self.lam = n, lam
        self.ulp = mpmath.mpf(10) ** (-(mpmath.mp.dps - 3))  # the precision is that of the whole scan
        self.gain = 1 + mpmath.mpf("1e-3")
        self.rows: list[tuple[Any, Any]] = []  # (B_kμ_k, nμ_k), μ_k > 0
        self.x = mpmath.mpf(0)
        self.total = self.slope = mpmath.mpf(0)  # Σ B_kμ_k/(nμ_k+x) and Σ B_kμ_k/(nμ_k+x)² at x

    def add(self, b_mu: Any, n_mu: Any) -> None:
        self.rows.append((b_mu, n_mu))
        if self.x > 0:
            t = b_mu / (n_mu + self.x)
            self.total += t
            self.slope += t / (n_mu + self.x)

    def _anchor(self, x: Any) -> None:
        self.x = x
        terms = [(bm / (nm + x), nm) for bm, nm in self.rows]
        self.total = mpmath.fsum(t for t, _ in terms)
        self.slope = mpmath.fsum(t / (nm + x) for t, nm in terms)

    def bound(self) -> Any:
        """The Newton point from ``x`` (a lower bound of the root; 0 when there is none yet)."""
        x, lam, ulp = self.x, self.lam, self.ulp
        if not x > 0:
            return x
        upper = 1 - lam / x - self.total + ulp * (len(self.rows) + 1) * (1 + lam / x + self.total)
        slope = lam / (x * x) + self.slope
        if upper >= 0 or slope <= 0:
            return x
        return x - upper / (slope * (1 + 100 * ulp)) * (1 - 100 * ulp)

    def refine(self) -> Any:
        """Newton steps from below while they gain more than a relative ``10⁻³``; returns :meth:`bound`."""
        if not self.x > 0:
            ulp = self.ulp
            x = self.lam
            directions = mpmath.fsum(bm / nm for bm, nm in self.rows)  # D/n
            if directions > 1:
                x = max(x, (directions - 1) / mpmath.fsum(bm / (nm * nm) for bm, nm in self.rows) * (1 - 100 * ulp))
            if not x > 0:
                return x
            self._anchor(x)
        for _ in range(60):
            nxt = self.bound()
            if not nxt > self.x * self.gain:
                return nxt
            self._anchor(nxt)
        return self.bound()


def blocks(spec: Spectrum, F: list[Any], d: int, domain: Any = "sphere") -> tuple[list[Any], list[Any], list[Any], Any, Any]:
    """Feature-space blocks ``(s, multiplicities, b = F²/μ, lost energy, extra ridge)`` of a :class:`Spectrum`.

    Kept levels with ``μ > 0`` are blocks of multiplicity ``B(d, ℓ)``; target energy at a level
    with ``μ = 0`` is never learned (``lost``: it adds to the risk and acts as noise); the tail
    is the pseudo-level of multiplicity ``T²/T₂`` and eigenvalue ``T₂/T`` (no target energy),
    or, when ``T₂ = 0`` to the working precision, the pure ridge ``T``.  Works on mpmath or
    float numbers.
    """
    dom = get_domain(domain)
    s, counts, b = [], [], []
    lost = 0 * spec.tail
    for ell, mu in zip(spec.levels, spec.mus, strict=True):
        f2 = F[ell] if ell < len(F) else 0 * spec.tail
        if mu == 0:
            lost += f2
            continue
        s.append(mu)
        counts.append(dom.multiplicity(d, ell))
        b.append(f2 / mu)
    extra = 0 * spec.tail
    if spec.tail > 0 and spec.tail2 > 0:
        s.append(spec.tail2 / spec.tail)
        counts.append(spec.tail**2 / spec.tail2)
        b.append(0 * spec.tail)
    elif spec.tail > 0:
        extra = spec.tail
    return s, counts, b, lost, extra


def _krr_quantities(
    B: Backend, ridge: dict[str, Any], g: Any, n: Any, lam: Any, extra: Any, lost: Any, noise: Any
) -> dict[str, Any]:
    """KRR quantities from the solution of its feature-space ridge problem (both paths: ``B`` = MP or NP).

    ``ridge`` (``kappa``, ``bias``, ``variance``, ``train_error``) solves the ridge problem with ``g = p/n``, normalized
    ridge ``(λ + T)/n`` (``T = extra``, a pure-ridge tail) and noise ``σ² + F²_u`` (``noise``; ``F²_u =
    lost``, the unlearnable energy); its training error is 0 exactly where the ridge problem interpolates.  The
    training residual ``1 − d₁`` equals ``(λ+T)/(nκ)`` at the root (``κ > 0``), computed so it keeps
    κ's accuracy (``1 − d₁`` itself cancels when ``λ ≪ κ``), and ``1 − g`` at ``κ = 0`` (``λ + T = 0``,
    ``p ≤ n``); a pure-ridge tail interpolates part of the labels, which scales the residual by
    ``λ/(λ + T)``.  κ goes back to the KRR (unnormalized) scale, ``risk = 𝓑 + 𝓥 + F²_u``.
    """
    kappa, bias, variance, train = ridge["kappa"], ridge["bias"], ridge["variance"], ridge["train_error"]
    lam_total = lam + extra
    positive = kappa > 0
    ratio = B.where(positive, lam_total / (n * B.where(positive, kappa, 1 + 0 * kappa)), 1 - g)
    tail = extra > 0
    scale = B.where(tail, lam / B.where(tail, lam_total, 1 + 0 * lam_total), 1 + 0 * lam)
    fit = ratio**2 * (bias + variance + noise)
    # the interpolator's training error is exactly 0 (also at γ = 1, λ = 0 where 𝓥 = +inf: 0 * fit is NaN there)
    train = B.where(train == 0, 0 * ratio, fit) * scale**2
    return {"kappa": kappa * n, "bias": bias, "variance": variance, "risk": bias + variance + lost, "train_error": train}


def _solve_mp(pr: KRRParams, state: dict[str, Any] | None = None, source: Any = None) -> tuple[dict[str, Any], Any]:
    """All quantities at the current precision; ``state`` carries κ from one precision rung to the next
    (Newton's start at the finer rung; the first starts from the lower bound found by :func:`levels`).

    ``source`` replaces the kernel as the source of eigenvalues, ``h(1)`` and ``E h²`` (default: the kernel
    itself; the proven route passes :class:`_BallMidpoints` where the Funk–Hecke quadrature ran out of time).
    """
    state = {} if state is None else state
    n, lam, sigma2 = to_mpf(pr.n), to_mpf(pr.lam), to_mpf(pr.sigma2)
    F = [to_mpf(v) for v in pr.F]
    spec = levels(pr.kernel if source is None else source, pr.d, n, lam, len(F) - 1, pr.domain)
    s, counts, b, lost, extra = blocks(spec, F, pr.d, pr.domain)
    residual = None
    if not s:  # h ≡ 0 on the domain (or only its tail): the predictor is 0, κ = λ + T
        g = mpmath.mpf(0)
        ridge = {"kappa": (lam + extra) / n, "bias": mpmath.mpf(0), "variance": mpmath.mpf(0), "train_error": sigma2 + lost}
    else:
        p = mpmath.fsum(counts)
        g = p / n
        w = [mpmath.mpf(c) / p for c in counts]
        x0 = state.get("kappa")
        x0 = mpmath.mpf(x0) if x0 is not None else (spec.kappa_lb / n if spec.kappa_lb > 0 else None)
        ridge, residual = ridge_model.general_equivalent(
            g, (lam + extra) / n, sigma2 + lost, lost, s, w, b, params=pr.shown(), x0=x0
        )
        if ridge["kappa"] > 0:
            state["kappa"] = ridge["kappa"]
    out = _krr_quantities(MP, ridge, g, n, lam, extra, lost, sigma2 + lost)
    out.update(_levels=len(spec.levels), _tail=spec.tail, _unlearnable=lost)
    return out, residual


# ----------------------------------------------------------------------------- proven route (ball arithmetic)
class _BallMidpoints:
    """A stand-in for a :class:`Kernel` in :func:`levels`: eigenvalues, ``h(1)`` and ``E h²`` are the midpoints of
    the kernel's *ball* values at the current mpmath precision, each eigenvalue's error its ball's radius.

    For the proven route when the mpmath Funk–Hecke quadrature exceeds its time budget (large ``d``): the same
    level rule and the same mpmath κ solve then run on these numbers and give the kept levels and an
    approximate κ.  Nothing rests on them: the proof re-evaluates every quantity on the balls themselves and
    proves the root by a sign change (docs/proofs/krr.md §2).  The ball values of one request may run until
    ``seconds`` (half the quadrature budget by default) past the request's quadrature deadline (every retry
    of the proof shares it); past that the next one raises :class:`~asymptotics.ball.NotProven` (a very
    peaked ``h`` needs hundreds of slow levels).
    """

    def __init__(self, kernel: Kernel, seconds: float | None = None) -> None:
        import time

        from ..kernels import QUAD_BUDGET_S, quadrature_deadline

        self.kernel, self.name = kernel, kernel.name
        self.budget = QUAD_BUDGET_S / 2 if seconds is None else seconds
        start = quadrature_deadline()
        self.deadline = (time.monotonic() if start is None else start) + self.budget

    def degree(self) -> int | None:
        return self.kernel.degree()

    def _at_mp_precision(self, compute: Any) -> Any:
        import time

        from ..ball import NotProven, workprec

        if time.monotonic() > self.deadline:
            raise NotProven(f"kernel {self.name!r}: the ball spectrum exceeded its {self.budget:g} s budget")
        with workprec(mpmath.mp.prec):  # python-flint at mpmath's precision (mpmath's own is unchanged)
            return compute()

    def _mid(self, compute: Any) -> Any:
        from ..ball import to_mpmath

        return +to_mpmath(self._at_mp_precision(compute))

    def h1(self) -> Any:
        return self._mid(self.kernel.ball_h1)

    def second_moment(self, d: int, domain: Any = "sphere") -> Any:
        return self._mid(lambda: self.kernel.ball_second_moment(d, domain))

    def eigenvalue(self, d: int, ell: int, domain: Any = "sphere") -> tuple[Any, Any]:
        from ..ball import to_mpmath

        ball = self._at_mp_precision(lambda: self.kernel.ball_eigenvalue(d, ell, domain))
        if not ball.v.is_finite():
            raise ConvergenceError(f"kernel {self.name!r}: level {ell} eigenvalue at d={d} has no finite enclosure")
        return +to_mpmath(ball), to_mpmath(ball.v.rad())


def _tail_terms(AB: Any, t1: Any, t2: Any, t3: Any, k: Any, n: Any) -> tuple[Any, Any, Any]:
    r"""Enclosures of the levels ``≥ L`` in the three sums of the equivalent (normalized ``k = κ/n``).

    With ``x = μ/k ≥ 0`` per tail level and the moments ``T = Σ Bμ``, ``T₂ = Σ Bμ²``, ``T₃ = Σ Bμ³``
    (``0 ≤ T₃ ≤ t3``), the elementary bounds ``x/(1+x) ∈ [x − x², x − x² + x³]``, ``x/(1+x)² ∈ [x − 2x²,
    x − 2x² + 3x³]`` and ``x²/(1+x)² ∈ [x² − 2x³, x²]`` give the tail's parts of ``(1/n)Σ Bp``,
    ``(1/n)Σ Bqp`` and ``(1/n)Σ Bp²`` as balls (docs/proofs/krr.md §2).
    """
    from ..ball import Ball

    def band(center: Any, lo_coef: int, hi_coef: int) -> Any:
        third = t3 / (k * k * k)
        lo, hi = center + lo_coef * third, center + hi_coef * third
        return Ball(lo.v.union(hi.v)) / n

    a1, a2 = t1 / k, t2 / (k * k)
    return band(a1 - a2, 0, 1), band(a1 - 2 * a2, 0, 3), band(a2, -2, 0)


class _TailedSums:
    r"""The sums of ridge's general equivalent over the kept blocks *and* the truncated tail (docs/proofs/krr.md §2).

    Duck-types the ``sums`` of :class:`asymptotics.models.ridge._PowerBlocks`, so that ridge's
    :func:`~asymptotics.models.ridge._kappa_equation` and :func:`~asymptotics.models.ridge._at_root` (the one
    definition of the κ equation, bias, variance and training error) run over all levels.  Ridge weights each
    sum by ``γ = p/n`` (``p`` kept directions); the tail's parts of ``(1/n)Σ Bp``, ``(1/n)Σ Bqp``, ``(1/n)Σ Bp²``
    (:func:`_tail_terms`) therefore enter divided by ``γ``: ``Σwq − t_p/γ``, ``Σwp + t_p/γ``, ``Σwqp + t_{qp}/γ``,
    ``Σwp² + t_{pp}/γ`` (``q = 1 − p``: the tail's directions are not among the ``p``).  With no kept direction the
    caller passes ``γ = 1``, ``1 − γ = 0`` and the sums are those of the tail alone (``Σwq = 1 − t_p``).
    The tail carries no target energy, so ``Σ bsq²`` is the kept blocks'.
    """

    def __init__(self, blocks: tuple[list[Any], list[Any], list[Any]], tail: tuple[Any, Any, Any] | None, n: Any, g: Any) -> None:
        from ..ball import AB

        self.B, self.blocks, self.tail, self.n, self.g = AB, blocks, tail, n, g

    def _tail(self, k: Any) -> tuple[Any, Any, Any] | None:
        if self.tail is None:
            return None
        return tuple(x / self.g for x in _tail_terms(self.B, *self.tail, k, self.n))  # type: ignore[return-value]

    def slack(self, k: Any) -> tuple[Any, Any, Any]:
        """``(Σwq, Σwp, Σwqp)`` over all levels at the normalized ``k``."""
        B = self.B
        if self.blocks[0]:
            wq, wp, wqp = ridge_model._slack_sums(B, self.blocks, k)
        else:
            wq, wp, wqp = B.num(1), B.num(0), B.num(0)
        tail = self._tail(k)
        if tail is not None:
            wq, wp, wqp = wq - tail[0], wp + tail[0], wqp + tail[1]
        return wq, wp, wqp

    def final(self, k: Any) -> tuple[Any, Any]:
        """``(Σwp², Σbsq²)`` over all levels at the root ``k``."""
        B = self.B
        wpp, bsqq = ridge_model._final_sums(B, self.blocks, k) if self.blocks[0] else (B.num(0), B.num(0))
        tail = self._tail(k)
        return (wpp + tail[2] if tail is not None else wpp), bsqq


def _ball_spectrum(pr: KRRParams, kept: int) -> tuple[list[Any], Any, Any, Any, int]:
    """Ball eigenvalues of the kept levels and the tail moments ``(mus, T, T₂, bound of T₃, L)``.

    Polynomial kernels and the hypercube keep every level (finitely many nonzero: the tail is exactly 0).
    Otherwise (sphere) the ``kept`` levels ``0..L−1`` of the mpmath spectrum are kept and ``T``, ``T₂`` come from
    the trace identities ``h(1) = Σ Bμ``, ``E h² = Σ Bμ²`` on balls, clipped to ``[0, ∞)`` (every eigenvalue
    of the kernels with such a route is ≥ 0), and ``T₃ ≤ μ*T₂`` with ``μ* = √(T₂/B(d, L)) ≥ sup_{k≥L} μ_k``
    (``B_kμ_k² ≤ T₂`` and ``B(d, k)`` is non-decreasing in ``k ≥ 1`` for ``d ≥ 3``, constant 2 at ``d = 2``).
    """
    from flint import arb, ctx

    from ..ball import AB, Ball, NotProven, workprec

    ker, d, dom = pr.kernel, pr.d, get_domain(pr.domain)
    degree = len(pr.F) - 1
    top, last = ker.degree(), dom.last_level(d)
    zero = AB.num(0)
    if top is not None or last is not None:
        end = max(top if top is not None else last, degree)  # type: ignore[type-var]
        if last is not None:
            end = min(end, last) if top is not None else last
        if end > MAX_LEVELS:
            raise NotProven(f"krr: {end} levels are too many for the proven route")
        return [ker.ball_eigenvalue(d, ell, dom) for ell in range(end + 1)], zero, zero, zero, end + 1
    L = kept

    def moments() -> tuple[list[Any], Any, Any]:
        mus = [ker.ball_eigenvalue(d, ell, dom) for ell in range(L)]
        h1, h2 = ker.ball_h1(), ker.ball_second_moment(d, dom)
        t1 = h1 - AB.fsum(dom.multiplicity(d, ell) * m for ell, m in enumerate(mus))
        t2 = h2 - AB.fsum(dom.multiplicity(d, ell) * m * m for ell, m in enumerate(mus))
        return mus, t1, t2

    mus, t1, t2 = moments()
    prec = ctx.prec
    lost_bits = max(_lost_bits(t1, prec), _lost_bits(t2, prec))
    if lost_bits > 8:  # the trace identities cancel (a tail far below h(1)): redo them with those bits added
        with workprec(prec + lost_bits + 16):
            mus, t1, t2 = moments()
    if (t1 < 0) is True or (t2 < 0) is True:
        raise NotProven("krr: negative tail moment (inconsistent spectrum)")
    nonneg = arb(0).union(arb.pos_inf())
    t1, t2 = Ball(t1.v.intersection(nonneg)), Ball(t2.v.intersection(nonneg))
    b_min = dom.multiplicity(d, L) if L >= 1 else 1
    mu_star = AB.sqrt(t2 / b_min)
    return mus, t1, t2, mu_star * t2, L


def _lost_bits(x: Any, prec: int) -> int:
    """Bits of ``prec`` that the ball ``x`` lost (all of them, capped at 20000, when it holds no digit)."""
    v = x.v
    if v.is_zero():
        return 0
    acc = v.rel_accuracy_bits()
    return min(20_000, max(0, prec - int(acc))) if acc > -(10**9) else 20_000


def _solve_ball(pr: KRRParams, quantity: str, info: dict[str, Any], dps: int) -> tuple[Any, Any]:
    r"""The equivalent on balls with a proven κ (docs/proofs/krr.md).

    The mpmath solve at the ladder's finer rung for ``dps`` digits (:func:`_solve_mp`) gives the kept
    levels and an approximate κ; where its Funk–Hecke quadrature exceeds the time budget, the same solve on the
    midpoints of the ball eigenvalues (:class:`_BallMidpoints`) does.  The κ equation of *all* levels is ridge's own
    (:func:`asymptotics.models.ridge._kappa_equation`) over the kept blocks plus the tail's enclosures
    (:class:`_TailedSums`, :func:`_tail_terms`); it is strictly increasing in κ, so a sign change around the
    approximate root (:func:`asymptotics.ball.root_by_sign_change`) proves the unique root.  The quantities
    then follow from the κ ball by ridge's :func:`~asymptotics.models.ridge._at_root` and
    :func:`_krr_quantities` on balls.
    """
    from ..ball import AB, UNDECIDED, NotProven, root_by_sign_change
    from ..precision import GUARD_DPS, dynamic_range

    blocker = pr.kernel.ball_levels_blocker(pr.d, pr.domain)
    if blocker is not None:  # no ball route for the levels: say so before the mpmath solve at the finer rung
        raise NotProven(blocker)
    # the mpmath solve at the ladder's finer rung: its levels and self-induced ridge are the ones the ladder
    # reports (``extra``), and its κ is the approximate root to prove
    g_ladder = GUARD_DPS + max(0, -((dps - dynamic_range(pr.shown())) // 2))
    with mpmath.workdps(dps + 2 * g_ladder):
        try:
            out_mp, residual_mp = _solve_mp(pr, {})
        except QuadratureBudgetError:  # the levels and κ from the ball eigenvalues' midpoints instead
            out_mp, residual_mp = _solve_mp(pr, {}, _BallMidpoints(pr.kernel))
    info.update(levels=out_mp["_levels"], tail=out_mp["_tail"], unlearnable=out_mp["_unlearnable"])
    n_q, lam_q = Fraction(pr.n), Fraction(pr.lam)
    mus, t1, t2, t3, _ = _ball_spectrum(pr, out_mp["_levels"])
    dom = get_domain(pr.domain)
    n, lam, s2 = AB.num(n_q), AB.num(lam_q), AB.num(pr.sigma2)
    zero = AB.num(0)
    s, b = [], []
    counts: list[int] = []
    lost = zero
    for ell, mu in enumerate(mus):
        f2 = AB.num(pr.F[ell]) if ell < len(pr.F) else zero
        if mu.v.is_zero():
            lost = lost + f2
            continue
        if (mu > 0) is not True:
            raise NotProven(f"krr: the sign of the level-{ell} eigenvalue is not proven")
        s.append(mu)
        counts.append(dom.multiplicity(pr.d, ell))
        b.append(f2 / mu)
    noise = s2 + lost
    has_tail = not t1.v.is_zero()
    if not s and not has_tail:  # h ≡ 0: the predictor is 0, κ = λ
        ridge = {"kappa": lam / n, "bias": zero, "variance": zero, "train_error": noise}
        out = _krr_quantities(AB, ridge, zero, n, lam, zero, lost, noise)
        return out[quantity], None
    p = sum(counts)
    g = AB.num(Fraction(p) / n_q)
    wts = [AB.num(Fraction(c, p)) for c in counts] if p else []
    if p:
        g_eq, omg_eq = g, AB.num(1 - Fraction(p) / n_q)
    else:  # only the tail has directions: ridge's per-direction normalization with γ = 1, 1 − γ = 0 (see _TailedSums)
        g_eq, omg_eq = AB.num(1), zero
    # ridge's own κ equation and quantities (the one definition), over the kept blocks plus the tail's enclosures
    all_levels = ridge_model._PowerBlocks(_TailedSums((s, wts, b), (t1, t2, t3) if has_tail else None, n, g_eq), AB.num(1))
    lam_n = lam / n
    h, _, parts = ridge_model._kappa_equation(AB, all_levels, g_eq, omg_eq, lam_n)
    trivial = lam_q == 0 and not has_tail and p <= n_q  # λ = 0 with at most n directions: κ = 0 (ridgeless, exact)
    if trivial:
        kappa = zero
    else:
        x0 = mpmath.mpf(out_mp["kappa"]) / to_mpf(pr.n)
        if not x0 > 0:
            raise NotProven("krr: no positive approximate root")
        kappa = None
        for rel in (None, Fraction(1, 10 ** (dps + 8)), Fraction(1, 10 ** (dps + 3))):
            try:
                kappa = root_by_sign_change(h, x0, rel=rel, increasing=True)
                break
            except NotProven:
                continue
        if kappa is None or (kappa > 0) is not True:
            raise NotProven("krr: kappa not proven")
    at = ridge_model._at_root(AB, all_levels, g_eq, omg_eq, lam_n, noise, kappa, trivial, parts)
    if (at["_one_minus_d2"] <= 0) is UNDECIDED:
        raise NotProven("krr: 1 - df2/n not separated from 0")
    ridge = {q: at[q] for q in ("kappa", "bias", "variance", "train_error")}
    out = _krr_quantities(AB, ridge, g, n, lam, zero, lost, noise)
    # the residual reported is the mpmath solve's (the ladder's finer rung): the proof does not rest on it
    return out[quantity], residual_mp


def solve(params: KRRParams, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified finite-d deterministic equivalent of one KRR quantity."""
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown krr quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    info: dict[str, Any] = {}
    state: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        out, residual = _solve_mp(params, state)
        if residual is not None and residual > residual_tolerance():
            raise ConvergenceError(f"krr: fixed-point residual {mpmath.nstr(residual, 3)} too large", params=params.shown())
        info.update(levels=out["_levels"], tail=out["_tail"], unlearnable=out["_unlearnable"])
        return out[quantity], residual

    def proven() -> tuple[Any, Any]:
        from ..ball import NotProven

        try:
            return _solve_ball(params, quantity, info, check_dps(dps))
        except (TypeError, AttributeError, IndexError, ZeroDivisionError) as exc:  # never worse than the ladder
            raise NotProven(f"krr {quantity}: the ball route failed ({type(exc).__name__}: {exc})") from exc

    with quadrature_budget():  # one time budget for all the Funk-Hecke quadrature of this request
        c = certify(evaluate, dps, what=f"krr {quantity}", params=params.shown(), prove=proven)
    with mpmath.workdps(dps):
        extra = {"levels": info["levels"], "self_induced_ridge": +info["tail"], "unlearnable": +info["unlearnable"]}
    shown, proof = params.shown(), c.proof_fields()
    return Result(c.value, NAME, quantity, shown, dps, c.residual, c.error_estimate, BRANCH_RULE, BCP_2020, extra, **proof)


def _make(quantity: str, doc: str) -> Any:
    def fn(
        d: IntLike | None = None,
        n: Real | None = None,
        kernel: KernelLike = "exp",
        lam: Real = 0,
        F: Energies = "0,1",
        sigma2: Real = 0,
        *,
        alpha: Real | None = None,
        level: IntLike | None = None,
        domain: str = "sphere",
        dps: int = DEFAULT_DPS,
    ) -> Result:
        return solve(KRRParams(d, n, kernel, lam, F, sigma2, alpha, level, domain), quantity, dps=dps)

    fn.__name__ = fn.__qualname__ = quantity
    fn.__doc__ = doc + _COMMON
    return fn


_COMMON = """

    Parameters
    ----------
    d : input dimension (integer ≥ 2); data uniform on the sphere of radius √d (or on {±1}^d).
    n : number of samples (> 0); or give ``alpha`` and ``level`` (n = alpha·B(d, level), with
        ``C(d, level)`` in place of ``B`` on the hypercube).
    kernel : ``exp``, ``exp:c``, ``poly:k``, ``coef:a0,a1,...``, ``relu_nngp``, ``relu_ntk`` or a SymPy
        expression in ``s`` (the cosine ⟨x, x'⟩/d).
    lam : unnormalized ridge λ ≥ 0 in ``K(x, X)(K + λI)⁻¹y``.
    F : target energies ``F_0², F_1², ...`` by harmonic degree ("0,1,0.5").
    sigma2 : noise variance.
    domain : ``"sphere"`` (default) or ``"hypercube"`` (``x`` uniform on ``{±1}^d``, the same
        kernel ``h(⟨x, x'⟩/d)``; levels are the Walsh degrees ``0..d``, multiplicity ``C(d, ℓ)``).
    dps : significant digits (default 30).

    Returns
    -------
    Result; ``extra`` carries the number of harmonic levels kept, the self-induced ridge
    (mass of the higher levels, from the trace identity) and ``unlearnable``, the target
    energy at levels with ``μ = 0`` (``risk = bias + variance + unlearnable``).
    """

risk = _make("risk", "Test error (noise excluded) from the finite-d deterministic equivalent.")
bias = _make(
    "bias",
    "Bias part ``κ² Σ F_ℓ²/(nμ_ℓ+κ)² / (1 − E)`` of the learnable target.\n\n    Convention (as ``ridge`` with "
    "``tau2`` and ``rf`` with ``Fstar2``): ``risk = bias + variance + F²_u``, where ``F²_u`` is the target energy at "
    "levels with ``μ = 0`` (never learned, ``extra['unlearnable']``); it is not part of the bias.",
)
variance = _make(
    "variance",
    "Variance part ``(σ² + F²_u) E/(1 − E)``: the unlearnable energy ``F²_u`` acts as noise (see ``bias``).",
)
train_error = _make("train_error", "Training error of the deterministic equivalent.")
kappa = _make("kappa", "Effective regularization κ (unnormalized scale).")


def risk_asymptotic(
    alpha: Real | None = None,
    level: IntLike | None = None,
    kernel: KernelLike = "exp",
    lam: Real = 0,
    F: Energies = "0,1",
    sigma2: Real = 0,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    """``d → ∞`` risk at ``n = α B(d, ℓ)``: the per-level (multiple-descent) formula of the module docstring.

    Evaluated as the isotropic ridge risk with ``γ = 1/α``, ``λ_eff = (λ + κ_{>ℓ})/(αξ_ℓ)``,
    ``r² = F_ℓ²``, noise ``σ²`` and misspecification ``F²_{>ℓ}``; ``ξ_ℓ = 0`` (level not
    in the kernel) gives ``F²_{≥ℓ}``.
    """
    _required(alpha=alpha, level=level)
    a = check_real("alpha", alpha, low=0, low_open=True)
    ell = check_int("level", level, low=0, high=MAX_LEVELS)
    ker = get_kernel(kernel)
    lm = check_real("lam", lam, low=0)
    energies = parse_energies(F)
    s2 = check_real("sigma2", sigma2, low=0)
    if ker.expr is None:
        raise ParameterError(f"kernel {ker.name!r}: the asymptotic formula needs Taylor coefficients (a SymPy expression).")
    f_l = energies[ell] if ell < len(energies) else Fraction(0)
    f_gt = sum(energies[ell + 1 :], Fraction(0))
    shown = shown_params(alpha=a, level=ell, lam=lm, sigma2=s2)
    shown.update(kernel=ker.name, F=",".join(shown_params(x=v)["x"] for v in energies))

    def evaluate() -> tuple[Any, Any]:
        xi = [ker.xi(k) for k in range(2 * ell + 1)]
        if any(x < 0 for x in xi):
            raise ParameterError(
                f"kernel {ker.name!r} has a negative Taylor coefficient: not positive definite in all dimensions."
            )
        lost = mpmath.fsum(to_mpf(energies[k]) for k in range(min(ell, len(energies))) if _lower_level_lost(ker.name, xi, k, ell))
        kgt = ker.h1() - mpmath.fsum(xi[: ell + 1])
        if xi[ell] == 0:
            return to_mpf(f_l) + to_mpf(f_gt) + lost, None
        lam_eff = (to_mpf(lm) + kgt) / (to_mpf(a) * xi[ell])
        with mpmath.workdps(mpmath.mp.dps):
            lam_text = mpmath.nstr(lam_eff, mpmath.mp.dps + 5, strip_zeros=False)
            tau_text = mpmath.nstr(to_mpf(f_gt) + lost, mpmath.mp.dps + 5, strip_zeros=False)
        r = ridge_model.risk(1 / a, lam_text, f_l, s2, tau_text, dps=mpmath.mp.dps)
        return r.value, r.residual

    def proven() -> tuple[Any, Any]:
        """The same formula on balls: exact ξ_k (SymPy) as balls, the isotropic ridge closed form on :data:`AB`."""
        from ..ball import AB, NotProven

        xi = [ker.ball_xi(k) for k in range(2 * ell + 1)]
        if any((x < 0) is not False for x in xi):
            raise NotProven("krr risk_asymptotic: a Taylor coefficient is not proven non-negative")
        lost = AB.fsum(AB.num(energies[k]) for k in range(min(ell, len(energies))) if _lower_level_lost(ker.name, xi, k, ell))
        kgt = ker.ball_h1() - AB.fsum(xi[: ell + 1])
        if xi[ell].v.is_zero():
            return AB.num(f_l) + AB.num(f_gt) + lost, None
        lam_eff = (AB.num(lm) + kgt) / (AB.num(a) * xi[ell])
        g = AB.num(1 / a)
        tau = AB.num(f_gt) + lost
        c = lam_eff + g - 1
        out = ridge_model._isotropic(AB, c, lam_eff, AB.sqrt(c * c + 4 * lam_eff), g, AB.num(f_l), AB.num(s2) + tau)
        return out["bias"] + out["variance"] + tau, None

    c = certify(evaluate, dps, what="krr risk_asymptotic", params=shown, prove=proven)
    return Result(
        c.value, NAME, "risk_asymptotic", shown, dps, c.residual, c.error_estimate, None, MISIAKIEWICZ_2022, **c.proof_fields()
    )


def _lower_level_lost(name: str, xi: list[Any], k: int, ell: int) -> bool:
    """Whether level ``k < ℓ`` is unlearned at ``n ≍ d^ℓ`` (True) or learned (False).

    ``B(d, k)μ_{d,k} = ξ_k + O(Σ_j ξ_j d^{(k−j)/2})`` over ``j > k`` of the parity of ``k``, so with
    ``j`` the first such index (from ``k`` on) with ``ξ_j ≠ 0``, ``nμ_{d,k} ≍ d^{ℓ−(k+j)/2}``: the
    level is learned if ``k + j < 2ℓ`` and unlearned (its energy adds to the risk and acts as
    noise, like ``F²_{>ℓ}``) if ``k + j > 2ℓ`` or no such ``j`` exists (e.g. every even level
    of an odd kernel).  ``k + j = 2ℓ`` (``nμ_{d,k}`` of order 1, e.g. level 0 of ``s + s²`` at
    ``ℓ = 1``) is outside the per-level formula.
    """
    for j in range(k, 2 * ell - k + 1, 2):
        if xi[j] != 0:
            if k + j == 2 * ell:
                raise ParameterError(
                    f"kernel {name!r}: at level {ell} the level-{k} eigenvalue is of order 1/n (xi_{k} = 0, xi_{j} > 0), so "
                    f"level {k} is only partly learned and the per-level formula does not apply; use the finite-d risk."
                )
            return False
    return True


def staircase(exponent: Real | None = None, F: Energies = "0,1", *, dps: int = DEFAULT_DPS) -> Result:
    """``n ≍ d^exponent`` with a non-integer exponent in ``(ℓ, ℓ+1)``: ``R → F²_{>ℓ}`` (noise and ridge drop out)."""
    _required(exponent=exponent)
    e = check_real("exponent", exponent, low=0, low_open=True)
    energies = parse_energies(F)
    if e.denominator == 1:  # type: ignore[union-attr]
        raise ParameterError(
            f"`exponent` = {e} is an integer: at n ≍ d^{e} the risk depends on alpha = n/B(d, {e}); use risk_asymptotic."
        )
    ell = math.floor(e)
    value = sum(energies[ell + 1 :], Fraction(0))
    shown = shown_params(exponent=e)
    shown["F"] = ",".join(shown_params(x=v)["x"] for v in energies)
    c = certify(lambda: (to_mpf(value), None), dps, what="krr staircase", params=shown, prove=lambda: (_ball_num(value), None))
    return Result(c.value, NAME, "staircase", shown, dps, None, c.error_estimate, None, GMMM_2019, **c.proof_fields())


def _ball_num(x: Any) -> Any:
    """An exact number as a ball (python-flint loads on first use)."""
    from ..ball import AB

    return AB.num(x)


def eigenvalue(
    d: IntLike | None = None,
    level: IntLike | None = None,
    kernel: KernelLike = "exp",
    *,
    domain: str = "sphere",
    dps: int = DEFAULT_DPS,
) -> Result:
    """Kernel eigenvalue ``μ_{d,ℓ}`` (sphere: Funk–Hecke, closed form for exp and polynomials, else quadrature —
    proven by Arb's rigorous integration where the kernel evaluates on balls;
    hypercube: the Kravchuk sum, closed form ``sinh(c/d)^ℓ cosh(c/d)^{d−ℓ}`` for ``e^{cs}``)."""
    _required(d=d, level=level)
    dd = check_int("d", d, low=2, high=10**7)
    ell = check_int("level", level, low=0, high=10_000)
    dom = check_domain(domain)
    ker = get_kernel(kernel)
    shown = {"d": str(dd), "level": str(ell), "kernel": ker.name}
    if dom != "sphere":
        shown["domain"] = dom

    # (the precision ladder certifies quadrature values; mpmath's own error estimate is often pessimistic)
    with quadrature_budget():
        c = certify(
            lambda: (ker.eigenvalue(dd, ell, dom)[0], None),
            dps,
            what="krr eigenvalue",
            params=shown,
            prove=lambda: (ker.ball_eigenvalue(dd, ell, dom), None),
        )
    return Result(c.value, NAME, "eigenvalue", shown, dps, None, c.error_estimate, None, MISIAKIEWICZ_2022, **c.proof_fields())


def multiplicity(
    d: IntLike | None = None, level: IntLike | None = None, *, domain: str = "sphere", dps: int = DEFAULT_DPS
) -> Result:
    """``B(d, ℓ)``, the number of degree-ℓ spherical harmonics in dimension d (``C(d, ℓ)`` on the hypercube); exact."""
    _required(d=d, level=level)
    dps = check_dps(dps)
    dd = check_int("d", d, low=2, high=10**7)
    ell = check_int("level", level, low=0, high=10_000)
    dom = check_domain(domain)
    value = _multiplicity(dd, ell, dom)
    shown = {"d": str(dd), "level": str(ell)}
    if dom != "sphere":
        shown["domain"] = dom
    with mpmath.workdps(max(dps, len(str(value)) + 5)):
        v = mpmath.mpf(value)
    from ..ball import enclosure  # an exact integer: the enclosure is the point itself

    digits = max(dps, len(str(value)))
    exact = enclosure(_ball_num(value), digits)
    return Result(v, NAME, "multiplicity", shown, digits, None, None, None, None, enclosure=exact, proven=True)


def xi(level: IntLike | None = None, kernel: KernelLike = "exp", *, dps: int = DEFAULT_DPS) -> Result:
    """``ξ_ℓ = h^{(ℓ)}(0)/ℓ! = lim_d B(d, ℓ)μ_{d,ℓ}``."""
    _required(level=level)
    ell = check_int("level", level, low=0, high=10_000)
    ker = get_kernel(kernel)
    shown = {"level": str(ell), "kernel": ker.name}
    c = certify(lambda: (ker.xi(ell), None), dps, what="krr xi", params=shown, prove=lambda: (ker.ball_xi(ell), None))
    return Result(c.value, NAME, "xi", shown, dps, None, c.error_estimate, None, GMMM_2019, **c.proof_fields())


# ----------------------------------------------------------------------------- optimal regularization
def _tuned_shown(pr: KRRParams) -> dict[str, str]:
    return {k: v for k, v in pr.shown().items() if k != "lam"}


def _learnable(pr: KRRParams) -> bool:
    """Whether some target energy sits at a level the kernel learns (``F_ℓ² > 0`` with ``μ_{d,ℓ} > 0``)."""
    with mpmath.workdps(20):
        return any(f > 0 and pr.kernel.eigenvalue(pr.d, ell, pr.domain)[0] > 0 for ell, f in enumerate(pr.F))


def _krr_lambda_star(pr: KRRParams, dps: int) -> tuple[Any, Any]:
    """``(λ*, error estimate)`` of the finite-d equivalent: ``+inf`` when no target energy is learnable (the
    risk then decreases to the null predictor's), else :func:`asymptotics.solve.optimize.minimize_penalty` on the
    certified risk with 8 scan points a decade (KRR's risk can have several local minima in λ)."""
    from ..solve.optimize import minimize_penalty

    if not _learnable(pr):
        return mpmath.inf, mpmath.mpf(0)
    state: dict[str, Any] = {}

    def risk_at(lam: Any) -> Any:
        at = KRRParams(pr.d, pr.n, pr.kernel, exact_penalty(mpmath.mpf(lam)), pr.F, pr.sigma2, domain=pr.domain)
        out, _ = _solve_mp(at)
        return out["risk"]

    def evaluate() -> tuple[Any, Any]:
        with quadrature_budget():
            return minimize_penalty(risk_at, state=state, what="krr optimal_lambda", params=_tuned_shown(pr), per_decade=8), None

    c = certify(evaluate, dps, what="krr optimal_lambda", params=_tuned_shown(pr))
    return c.value, c.error_estimate


def optimal_lambda(
    d: IntLike | None = None,
    n: Real | None = None,
    kernel: KernelLike = "exp",
    F: Energies = "0,1",
    sigma2: Real = 0,
    *,
    alpha: Real | None = None,
    level: IntLike | None = None,
    domain: str = "sphere",
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Optimal (unnormalized) ridge ``λ* = argmin_{λ ≥ 0} R(λ)`` of the finite-d deterministic equivalent.

    ``R(λ)`` is :func:`risk` (Bordelon, Canatar & Pehlevan, arXiv 2002.02561); ``λ*`` is the zero of
    ``dR/dλ`` located by :func:`asymptotics.solve.optimize.minimize_penalty` to ``dps`` digits (a sign change
    of the derivative across a bracket of relative width ``10^{−dps−2}``).  In multiple descent ``R(λ)`` can
    have several local minima: every strict local minimum of the 8-points-a-decade scan over
    ``10⁻⁸ ≤ λ ≤ 10⁸`` is refined and the lowest wins (docs/models/krr.md, 'Optimal regularization').
    ``0`` exactly when ``dR/dλ ≥ 0`` at ``0⁺`` (e.g. no noise and the target on levels that are learned:
    the self-induced ridge is already too large); ``+inf`` when no target energy sits at a level with
    ``μ_{d,ℓ} > 0`` (the null predictor is optimal).  Precision-ladder estimate (``proven=False``).
    Parameters as in :func:`risk` (without ``lam``).
    """
    pr = KRRParams(d, n, kernel, 0, F, sigma2, alpha, level, domain)
    value, err = _krr_lambda_star(pr, dps)
    return Result(value, NAME, "optimal_lambda", _tuned_shown(pr), dps, None, err, None, BCP_2020)


def optimal_risk(
    d: IntLike | None = None,
    n: Real | None = None,
    kernel: KernelLike = "exp",
    F: Energies = "0,1",
    sigma2: Real = 0,
    *,
    alpha: Real | None = None,
    level: IntLike | None = None,
    domain: str = "sphere",
    dps: int = DEFAULT_DPS,
) -> Result:
    """Optimally tuned test error ``min_{λ ≥ 0} R(λ) = R(λ*)`` of the finite-d equivalent (``extra["lambda_star"]``).

    The certified :func:`risk` at ``λ*`` located to ``dps + 5`` digits (``R(λ*+δ) − R(λ*) = R''δ²/2``);
    ``λ* = +inf``: the null predictor's ``Σ F_ℓ²``.  The tuned curve has no multiple-descent peaks (checked
    numerically in tests/models/test_optimal_krr_nt.py).  Precision-ladder estimate (``proven=False``);
    parameters as in :func:`optimal_lambda`.
    """
    dps = check_dps(dps)
    pr = KRRParams(d, n, kernel, 0, F, sigma2, alpha, level, domain)
    lam, _ = _krr_lambda_star(pr, dps + 5)
    with mpmath.workdps(dps):
        lam_shown = +lam
    if lam == mpmath.inf:
        with mpmath.workdps(dps):
            value = mpmath.fsum(to_mpf(f) for f in pr.F)
        return Result(value, NAME, "optimal_risk", _tuned_shown(pr), dps, None, mpmath.mpf(0), BRANCH_RULE, BCP_2020,
                      {"lambda_star": lam_shown})
    at = KRRParams(pr.d, pr.n, pr.kernel, exact_penalty(lam), pr.F, pr.sigma2, domain=pr.domain)
    res = solve(at, "risk", dps=dps)
    extra = dict(res.extra or {})
    extra["lambda_star"] = lam_shown
    return Result(res.value, NAME, "optimal_risk", _tuned_shown(pr), dps, res.residual, res.error_estimate, BRANCH_RULE,
                  BCP_2020, extra)


def _asymptotic_inputs(
    alpha: Real | None, level: IntLike | None, kernel: KernelLike, F: Energies, sigma2: Real
) -> tuple[Fraction, int, Kernel, tuple[Fraction, ...], Fraction, dict[str, str]]:
    _required(alpha=alpha, level=level)
    a = check_real("alpha", alpha, low=0, low_open=True)
    ell = check_int("level", level, low=0, high=MAX_LEVELS)
    ker = get_kernel(kernel)
    energies = parse_energies(F)
    s2 = check_real("sigma2", sigma2, low=0)
    if ker.expr is None:
        raise ParameterError(f"kernel {ker.name!r}: the asymptotic formula needs Taylor coefficients (a SymPy expression).")
    shown = shown_params(alpha=a, level=ell, sigma2=s2)
    shown.update(kernel=ker.name, F=",".join(shown_params(x=v)["x"] for v in energies))
    return a, ell, ker, energies, s2, shown  # type: ignore[return-value]


def _asymptotic_star(B: Any, xi: list[Any], h1: Any, energies: tuple[Fraction, ...], s2: Fraction, ell: int, lost: Any) -> Any:
    r"""``λ*`` of the per-level formula on backend numbers (``B`` = :data:`MP` or the ball backend).

    The level-ℓ problem is isotropic ridge with ``γ = 1/α``, ``r² = F_ℓ²``, noise ``σ² + F²_{>ℓ} + F²_u``
    (``F²_u = lost``, unlearned lower levels), so its optimum is ``λ_eff* = (σ² + F²_{>ℓ} + F²_u)/(αF_ℓ²)``
    (Dobriban & Wager); ``λ_eff = (λ + κ_{>ℓ})/(αξ_ℓ)`` gives
    ``λ* = ξ_ℓ(σ² + F²_{>ℓ} + F²_u)/F_ℓ² − κ_{>ℓ}`` (independent of α), clamped at 0 (the ridge risk is
    unimodal in ``λ_eff``: below ``λ_eff*`` it decreases).  Returns the unclamped value, ``+inf`` when
    ``F_ℓ² = 0`` and ``None`` when ``ξ_ℓ = 0`` (the risk does not depend on λ).
    """
    f_l = energies[ell] if ell < len(energies) else Fraction(0)
    f_gt = sum(energies[ell + 1 :], Fraction(0))
    if xi[ell] == 0:
        return None
    if f_l == 0:
        return B.inf
    kgt = h1 - B.fsum(xi[: ell + 1])
    return xi[ell] * (B.num(s2 + f_gt) + lost) / B.num(f_l) - kgt


def _asymptotic_lost(B: Any, name: str, xi: list[Any], energies: tuple[Fraction, ...], ell: int) -> Any:
    return B.fsum(B.num(energies[k]) for k in range(min(ell, len(energies))) if _lower_level_lost(name, xi, k, ell))


def optimal_lambda_asymptotic(
    alpha: Real | None = None,
    level: IntLike | None = None,
    kernel: KernelLike = "exp",
    F: Energies = "0,1",
    sigma2: Real = 0,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Optimal ridge of the ``d → ∞`` per-level risk (:func:`risk_asymptotic`) at ``n = αB(d, ℓ)``.

    Closed form (docs/models/krr.md, 'Optimal regularization'):

    .. math:: \lambda^* = \max\Big(0,\ \xi_\ell\,\frac{\sigma^2 + F^2_{>\ell} + F^2_u}{F_\ell^2} - \kappa_{>\ell}\Big),
              \qquad \kappa_{>\ell} = h(1) - \sum_{k\le\ell}\xi_k,

    from Dobriban & Wager's ``λ_eff* = (σ² + τ²)γ/r²`` for the level-ℓ isotropic ridge problem (Misiakiewicz,
    arXiv 2204.10425); it does not depend on ``α``.  ``0`` when the self-induced ridge ``κ_{>ℓ}`` already
    exceeds the optimum; ``+inf`` when ``F_ℓ² = 0`` (the null predictor at level ℓ); ``0`` when ``ξ_ℓ = 0``
    (the risk does not depend on λ: the smallest minimizer).  Proven on balls where every ``ξ_k`` and
    ``h(1)`` have a ball route (a ball straddling the clamp at 0 falls back to the ladder).
    """
    a, ell, ker, energies, s2, shown = _asymptotic_inputs(alpha, level, kernel, F, sigma2)

    def evaluate() -> tuple[Any, Any]:
        xi = [ker.xi(k) for k in range(2 * ell + 1)]
        if any(x < 0 for x in xi):
            raise ParameterError(
                f"kernel {ker.name!r} has a negative Taylor coefficient: not positive definite in all dimensions."
            )
        x = _asymptotic_star(MP, xi, ker.h1(), energies, s2, ell, _asymptotic_lost(MP, ker.name, xi, energies, ell))
        return (mpmath.mpf(0) if x is None or x <= 0 else x), None

    def proven() -> tuple[Any, Any]:
        from ..ball import AB, NotProven

        xi = [ker.ball_xi(k) for k in range(2 * ell + 1)]
        if any((v < 0) is not False for v in xi):
            raise NotProven("krr optimal_lambda_asymptotic: a Taylor coefficient is not proven non-negative")
        x = _asymptotic_star(AB, xi, ker.ball_h1(), energies, s2, ell, _asymptotic_lost(AB, ker.name, xi, energies, ell))
        if x is None or (x <= 0) is True:
            return AB.num(0), None
        if (x > 0) is not True:
            raise NotProven("krr optimal_lambda_asymptotic: the sign of the unclamped optimum is not decided")
        return x, None

    c = certify(evaluate, dps, what="krr optimal_lambda_asymptotic", params=shown, prove=proven)
    return Result(c.value, NAME, "optimal_lambda_asymptotic", shown, dps, None, c.error_estimate, None, MISIAKIEWICZ_2022,
                  **c.proof_fields())


def optimal_risk_asymptotic(
    alpha: Real | None = None,
    level: IntLike | None = None,
    kernel: KernelLike = "exp",
    F: Energies = "0,1",
    sigma2: Real = 0,
    *,
    dps: int = DEFAULT_DPS,
) -> Result:
    r"""Optimally tuned ``d → ∞`` per-level risk ``min_{λ ≥ 0}`` :func:`risk_asymptotic` (``extra["lambda_star"]``).

    Where the optimum is interior (``λ* > 0``) it is the isotropic ridge's Bayes risk at ``γ = 1/α``,
    ``r² = F_ℓ²``, noise ``σ²``, misspecification ``F²_{>ℓ} + F²_u`` (:func:`asymptotics.models.ridge.optimal_risk`,
    an exact closed form, independent of the kernel); where it is clamped (``λ* = 0``) it is
    :func:`risk_asymptotic` at ``λ = 0``; ``λ* = +inf``: ``F²_{≥ℓ} + F²_u``.  Non-increasing in ``α``: the
    tuned multiple-descent curve has no peaks.  Proven when the parts it uses are.
    """
    dps = check_dps(dps)
    a, ell, ker, energies, s2, shown = _asymptotic_inputs(alpha, level, kernel, F, sigma2)
    lam = optimal_lambda_asymptotic(a, ell, ker, energies, s2, dps=dps + 5)
    with mpmath.workdps(dps):
        extra = {"lambda_star": +lam.value}
    f_l = energies[ell] if ell < len(energies) else Fraction(0)
    f_gt = sum(energies[ell + 1 :], Fraction(0))
    if lam.value == 0:
        res = risk_asymptotic(a, ell, ker, 0, energies, s2, dps=dps)
    else:  # interior optimum or F_l^2 = 0 (lam* = inf: ridge's null estimator, F^2_{>l} + F^2_u)
        with mpmath.workdps(30):
            xi = [ker.xi(k) for k in range(2 * ell + 1)]
        lost = sum((energies[k] for k in range(min(ell, len(energies))) if _lower_level_lost(ker.name, xi, k, ell)), Fraction(0))
        res = ridge_model.optimal_risk(1 / a, f_l, s2, f_gt + lost, dps=dps)
    return Result(res.value, NAME, "optimal_risk_asymptotic", shown, dps, res.residual, res.error_estimate, None,
                  MISIAKIEWICZ_2022, extra, enclosure=res.enclosure, proven=res.proven)


# ----------------------------------------------------------------------------- float64 curve
class _Blocks:
    def __init__(self, s: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
        self._b = (s, w, b)

    def np_blocks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._b


def curve_values(
    quantity: str,
    d: IntLike,
    n: ArrayLike | None = None,
    kernel: KernelLike = "exp",
    lam: ArrayLike = 0.0,
    F: Energies = "0,1",
    sigma2: ArrayLike = 0.0,
    *,
    alpha: ArrayLike | None = None,
    level: IntLike | None = None,
    domain: str = "sphere",
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 curve of a DE quantity along ``n`` (or ``alpha``) at fixed ``d``, kernel, ``lam``, ``F``, ``sigma2``.

    The eigenvalues are computed once (20 digits, enough levels for the largest ``n``) and
    the κ equation is solved for all points at once by the ridge module's vectorized solver.
    Points whose a-priori rounding error exceeds :data:`FLOAT64_MAX_ERROR` (next to an interpolation
    threshold, :func:`_float_error`) or that depend on eigenvalues below float64's range
    (:func:`_underflow_scale`) get status 3 and NaN: use the certified path there.
    """
    from ..result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK

    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown krr quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    dd = check_int("d", d, low=2, high=10**7)
    dom = check_domain(domain)
    ker = get_kernel(kernel)
    energies = parse_energies(F)
    _check_degree(energies, dd, dom)
    if n is None:
        if alpha is None or level is None:
            raise ParameterError("`n` or both `alpha` and `level` are required.")
        lv = check_int("level", level, low=0, high=MAX_LEVELS)
        (a,) = float_arrays(alpha=alpha)
        n = a * _multiplicity(dd, lv, dom)
    nn, lm, s2 = float_arrays(n=n, lam=lam, sigma2=sigma2)
    shape = nn.shape
    nn, lm, s2 = nn.reshape(-1), lm.reshape(-1), s2.reshape(-1)
    domain = (nn > 0) & np.isfinite(nn) & (lm >= 0) & np.isfinite(lm) & (s2 >= 0) & np.isfinite(s2)
    vals = np.full(nn.shape, np.nan)
    status = np.full(nn.shape, STATUS_DOMAIN)
    if domain.any():
        with mpmath.workdps(20):  # the cut then leaves (nμ_L/κ)² ≤ 1e-15: enough for float64
            spec = levels(
                ker, dd, mpmath.mpf(float(nn[domain].max())), mpmath.mpf(float(lm[domain].min())), len(energies) - 1, dom
            )
            fragile = _underflow_scale(spec, dd, mpmath.mpf(float(nn[domain].max())), dom)
            tiny = np.finfo(float).tiny
            spec = Spectrum(
                spec.levels, [float(m) if m >= tiny else 0.0 for m in spec.mus], float(spec.tail), float(spec.tail2)
            )
        s_l, counts_l, b_l, lost, extra = blocks(spec, [float(e) for e in energies], dd, dom)
        s, counts, b = np.array(s_l, dtype=float), np.array(counts_l, dtype=float), np.array(b_l, dtype=float)
        p = counts.sum()
        w = counts / p
        idx = np.flatnonzero(domain)
        g = p / nn[idx]
        lam_total = lm[idx] + extra
        with np.errstate(all="ignore"):
            noise = s2[idx] + lost
            if s.size == 0:  # h ≡ 0 on the domain: the predictor is 0, κ = λ + T
                zero = np.zeros(idx.shape)
                ridge = {"kappa": lam_total / nn[idx], "bias": zero, "variance": zero, "train_error": noise}
                conv, rel = np.ones(idx.shape, bool), zero
            else:
                ridge, conv = ridge_model._general_np(_Blocks(s, w, b), g, lam_total / nn[idx], noise)  # type: ignore[arg-type]
                rel = _float_error(s, w, g, ridge, noise, lost)[quantity]
            out = _krr_quantities(NP, ridge, g, nn[idx], lm[idx], extra, lost, noise)
            v = out[quantity]
        vals[idx] = v
        # NaN from float64 overflow (e.g. lam ~ 1e300) is "not converged", never a status-0 value
        # and a finite value whose a-priori rounding error exceeds FLOAT64_MAX_ERROR (next to an interpolation
        # threshold n ≈ number of directions, λ ≈ 0) is declined: use the certified path there
        bad = ~conv | np.isnan(v) | (np.isfinite(v) & (rel > FLOAT64_MAX_ERROR))
        if fragile > 0:  # eigenvalues below float64's range were dropped: only harmless where κ is far above them
            bad |= ~(out["kappa"] > fragile)
        status[idx] = np.where(bad, STATUS_NOT_CONVERGED, np.where(np.isinf(v), STATUS_INFINITE, STATUS_OK))
        vals = np.where(status >= STATUS_DOMAIN, np.nan, vals)
    return checked_status(vals.reshape(shape), status.reshape(shape))


FLOAT64_MAX_ERROR = 1e-6
"""Largest estimated relative rounding error of a float64 curve point reported with status 0."""


def _underflow_scale(spec: Spectrum, d: int, n_max: Any, domain: Any) -> float:
    """Smallest (unnormalized) κ at which the float64 path may ignore the eigenvalues below float64's range.

    Kept levels with ``0 < μ_ℓ < 2.2·10⁻³⁰⁸`` (e.g. ``h = e^s`` at ``d = 2``, ``λ = 0``, ``n ≈ 400``, where
    κ is near ``10⁻⁴⁰⁰``) become 0 in float64: their directions are dropped and their energy counts as
    unlearnable, which changes the κ equation by at most ``Σ B_ℓμ_ℓ`` (and treating a tail whose ``T₂``
    underflows as a pure ridge ``T`` by ``n T₂/κ``).  Both are below ``10⁻¹⁰κ`` for κ above the returned
    scale; 0 when nothing underflows.  Called at the precision of :func:`levels`.
    """
    tiny = np.finfo(float).tiny
    dom = get_domain(domain)
    mass = mpmath.fsum(dom.multiplicity(d, ell) * m for ell, m in zip(spec.levels, spec.mus, strict=True) if 0 < m < tiny)
    scale = mpmath.mpf(10) ** 10 * mass
    if 0 < spec.tail2 < tiny:
        scale = max(scale, mpmath.sqrt(mpmath.mpf(10) ** 10 * n_max * spec.tail2))
    return 0.0 if scale == 0 else max(float(scale), tiny)


def _float_error(
    s: np.ndarray, w: np.ndarray, g: np.ndarray, out: dict[str, np.ndarray], noise: np.ndarray, lost: float
) -> dict[str, np.ndarray]:
    r"""A-priori relative rounding error of each float64 quantity of the feature-space ridge equivalent.

    With ``d₁ = gΣw s/(s+κ)`` (``1 − d₁ = λ/κ`` at the root) and ``d₂ = gΣw s²/(s+κ)²`` (``g = p/n``,
    ``κ`` normalized), the κ equation ``h(κ) = 1 − λ/κ − d₁`` is evaluated with an absolute error of a few ulps
    (its terms are at most 1, and rounding ``g = p/n`` moves ``d₁`` by an ulp), and ``κh'(κ) = 1 − d₂`` at the root,
    so κ carries a relative error ``≈ ε/(1 − d₂)``; ``1 − d₂`` itself (the denominator of ``𝓑`` and ``𝓥``) is a difference of
    numbers of size 1 and carries an absolute error of a few ulps, and so does ``1 − g`` (the training residual
    at ``κ = 0``).  Next to an interpolation threshold (``λ ≈ 0`` and ``n`` ≈ the number of directions, where
    ``1 − d₂ → 0``; e.g. ``d = 5``, ``poly:2``, ``n = 20(1 − 10⁻¹²)``: ``𝓥`` was off by ``4·10⁻⁵``) float64
    therefore loses ``log₁₀(1/(1 − d₂))`` digits.  ``ε`` is 16 ulps; the root is found to ``10⁻¹⁴``.
    """
    eps = 16 * np.finfo(float).eps
    tiny = np.finfo(float).tiny
    kap = out["kappa"].reshape(-1, 1)
    d2 = g * ((w * s * s) / (s + kap) ** 2).sum(axis=1)
    u = np.maximum(np.abs(1 - d2), tiny)
    rel_k = np.where(out["kappa"] == 0, 0.0, 1e-14 + eps / u)  # κ = 0 (λ = 0, p ≤ n) is exact
    rel_u = eps / u + 2 * rel_k
    rel_v = rel_u + eps
    rel_b = np.where(out["kappa"] == 0, 0.0, rel_u + 4 * rel_k + eps)  # κ = 0: the bias is exactly 0
    bias, var = np.abs(out["bias"]), np.abs(out["variance"])
    fit = bias * rel_b + var * rel_v
    # the training residual: λ/κ (κ > 0) or 1 − g (κ = 0), see curve_values
    rel_r = np.where(out["kappa"] > 0, rel_k + eps, eps / np.maximum(np.abs(1 - g), tiny))
    rel_t = 2 * rel_r + fit / np.maximum(bias + var + noise, tiny)
    return {
        "kappa": rel_k,
        "bias": rel_b,
        "variance": rel_v,
        "risk": fit / np.maximum(bias + var + lost, tiny),
        "train_error": np.where(out["train_error"] == 0, 0.0, rel_t),  # 0: the interpolator, exactly
    }


# ----------------------------------------------------------------------------- registry
_DE_PARAMS = ("d", "n", "alpha", "level", "kernel", "lam", "F", "sigma2", "domain")


_DE_NOTE = (
    "proven for exp:c, poly:k, coef:..., relu_* and text kernels of exp/log/sqrt/atan/trig/powers (sphere: Arb "
    "rigorous Funk-Hecke integration) and every kernel with a ball route on the hypercube; not for text kernels with "
    "acos/asin, nor where kappa is far below the trace-identity tail's precision (lam = 0, tiny kappa)"
)


def _q(name: str, fn: Any, doc: str) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    return QuantitySpec(name, doc, _DE_PARAMS, fn, curve, proof="partial", proof_note=_DE_NOTE)


def _kernel_spectrum_quantities() -> dict[str, QuantitySpec]:
    """The kernel-matrix spectrum quantities (:mod:`asymptotics.models._kernel_spectrum`)."""
    from . import _kernel_spectrum as ks

    note = "xi_k, h(1) (or the finite-d eigenvalues) and the mp closed form on balls; not for kernels without ball routes"
    return {
        "kernel_density": QuantitySpec(
            "kernel_density", "density of the kernel matrix's bulk at n = alpha B(d, level): mp law shifted by kappa_{>l}",
            ("x", "alpha", "level", "kernel", "d"), ks.kernel_density, ks.kernel_density_curve, optional=("d",),
            proof="partial", proof_note=note,
        ),
        "kernel_stieltjes": QuantitySpec(
            "kernel_stieltjes", "Stieltjes transform of the kernel matrix's limit spectral law",
            ("z", "alpha", "level", "kernel", "d"), ks.kernel_stieltjes, optional=("d",), proof="partial", proof_note=note,
        ),
        "kernel_edges": QuantitySpec(
            "kernel_edges", "edges of the kernel matrix's bulk: kappa_{>l} + xi_l (1 -+ sqrt(alpha))^2",
            ("alpha", "level", "kernel", "d"), ks.kernel_edges, optional=("d",), proof="partial", proof_note=note,
        ),
        "kernel_spike": QuantitySpec(
            "kernel_spike", "centre of the B(d,k) kernel-matrix eigenvalues of degree k < level (finite d)",
            ("d", "alpha", "level", "k", "kernel"), ks.kernel_spike, proof="partial", proof_note=note,
        ),
    }


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Kernel ridge regression on the sphere S^{d-1}(sqrt d) or the hypercube {-1,1}^d: finite-d equivalent, "
        "multiple descent.",
        params={
            "d": ParamSpec("d", "input dimension, integer >= 2", kind="int"),
            "n": ParamSpec("n", "number of samples > 0", default="alpha*B(d,level)"),
            "alpha": ParamSpec("alpha", "n/B(d, level) > 0 (with level)", default="n/B(d,level)"),
            "level": ParamSpec("level", "harmonic degree l >= 0 (with alpha)", default="-", kind="int"),
            "kernel": ParamSpec(
                "kernel",
                "exp | exp:c | poly:k | coef:a0,a1,... | relu_nngp | relu_ntk | nngp:ACT,L | ntk:ACT,L (options sw2=,sb2=) "
                "| nt:ACT | expression in s",
                default="exp",
                kind="kernel",
            ),
            "lam": ParamSpec("lam", "unnormalized ridge lambda >= 0", default="0"),
            "F": ParamSpec("F", "target energies F_0^2,F_1^2,... by degree", default="0,1", kind="energies"),
            "sigma2": ParamSpec("sigma2", "noise variance >= 0", default="0"),
            "domain": ParamSpec("domain", "sphere | hypercube (x uniform on {-1,1}^d)", default="sphere", kind="domain"),
            "exponent": ParamSpec("exponent", "n = d^exponent, non-integer > 0", default=None),
            "x": ParamSpec("x", "spectral point of the kernel matrix (kernel_density)"),
            "z": ParamSpec("z", "complex point off the kernel spectrum, e.g. 1+0.5j (kernel_stieltjes)", kind="complex"),
            "k": ParamSpec("k", "degree of a spike, 0 <= k < level (kernel_spike)", kind="int"),
        },
        quantities={
            "risk": _q("risk", risk, "test error (finite-d deterministic equivalent)"),
            "bias": _q("bias", bias, "bias part"),
            "variance": _q("variance", variance, "variance part"),
            "train_error": _q("train_error", train_error, "training error"),
            "kappa": _q("kappa", kappa, "effective regularization (unnormalized)"),
            "risk_asymptotic": QuantitySpec(
                "risk_asymptotic",
                "d -> inf risk at n = alpha B(d, level)",
                ("alpha", "level", "kernel", "lam", "F", "sigma2"),
                risk_asymptotic,
                proof="partial",
                proof_note="proven where every xi_k and h(1) evaluate on balls (named kernels, text kernels of exp/log/"
                "trig/powers); not for Piecewise/Max text kernels",
            ),
            "optimal_lambda": QuantitySpec(
                "optimal_lambda",
                "optimal ridge lam* = argmin_{lam >= 0} risk (finite-d; 0: ridgeless optimal; inf: nothing learnable)",
                tuple(p for p in _DE_PARAMS if p != "lam"),
                optimal_lambda,
                proof="estimate",
            ),
            "optimal_risk": QuantitySpec(
                "optimal_risk",
                "optimally tuned test error min_{lam >= 0} risk (finite-d)",
                tuple(p for p in _DE_PARAMS if p != "lam"),
                optimal_risk,
                proof="estimate",
            ),
            "optimal_lambda_asymptotic": QuantitySpec(
                "optimal_lambda_asymptotic",
                "lam* of risk_asymptotic: max(0, xi_l (sigma2 + F^2_{>l})/F_l^2 - kappa_{>l})",
                ("alpha", "level", "kernel", "F", "sigma2"),
                optimal_lambda_asymptotic,
                proof="partial",
                proof_note="proven where every xi_k and h(1) evaluate on balls and the clamp at 0 is decided",
            ),
            "optimal_risk_asymptotic": QuantitySpec(
                "optimal_risk_asymptotic",
                "min_{lam >= 0} risk_asymptotic (isotropic ridge Bayes risk at gamma = 1/alpha, or lam = 0 when clamped)",
                ("alpha", "level", "kernel", "F", "sigma2"),
                optimal_risk_asymptotic,
                proof="partial",
                proof_note="interior optimum: ridge's exact closed form on balls; clamped: risk_asymptotic at lam = 0",
            ),
            "staircase": QuantitySpec(
                "staircase", "n = d^exponent limit F^2_{>floor(exponent)}", ("exponent", "F"), staircase, proof="proven"
            ),
            "eigenvalue": QuantitySpec(
                "eigenvalue",
                "kernel eigenvalue mu_{d,l}",
                ("d", "level", "kernel", "domain"),
                eigenvalue,
                proof="partial",
                proof_note="closed forms (exp:c, relu_*), polynomial (parts), the hypercube's finite Kravchuk sum and "
                "rigorous Funk-Hecke integration (acb.integral) of text kernels are proven; not text kernels with acos/asin",
            ),
            "multiplicity": QuantitySpec(
                "multiplicity", "B(d, l) (sphere) or C(d, l) (hypercube)", ("d", "level", "domain"), multiplicity, proof="proven"
            ),
            "xi": QuantitySpec(
                "xi",
                "Taylor coefficient h^(l)(0)/l!",
                ("level", "kernel"),
                xi,
                proof="partial",
                proof_note="the exact SymPy coefficient evaluated on balls; not for Piecewise/Max text kernels",
            ),
            **_kernel_spectrum_quantities(),
        },
        system=system,
        source=BCP_2020,
    )
)
