r"""Kernel ridge regression on the sphere in high dimension: deterministic equivalent, multiple descent.

Setting (theory note ``mp_ridge_krr.md`` §3; Six Lectures, arXiv 2308.13431, lecture 2)
-------------------------------------------------------------------------------------
``x ~ Unif(S^{d−1}(√d))``, kernel ``K(x, x') = h(⟨x, x'⟩/d)`` (:mod:`asymptotics.kernels`),
target ``f = Σ_ℓ P_ℓ f`` with degree energies ``F_ℓ² = ‖P_ℓ f‖²`` (``F = "F0²,F1²,F2²,..."``),
labels ``y = f(x) + ε``, ``Var ε = σ²``.  Estimator with the **unnormalized** ridge
``λ``: ``f̂(x) = K(x, X)(K + λI_n)⁻¹y`` (``λ = 0``: minimum-norm interpolation).  *Risk* is the
test error without noise, ``E_x (f(x) − f̂(x))²``; *training error* ``(1/n)‖y − f̂(X)‖²``.

Finite-d deterministic equivalent (:func:`risk`)
-----------------------------------------------
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

Polynomial regime (:func:`risk_asymptotic`, :func:`staircase`)
-------------------------------------------------------------
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
d^ℓ/ℓ!``), the normalization with the fastest convergence (theory note §3.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .._validate import check_int, check_real, shown_params, to_mpf
from ..errors import ConvergenceError, ParameterError
from ..kernels import Kernel, get_kernel, harmonic_count
from ..precision import DEFAULT_DPS, certify, residual_tolerance
from ..references import Source
from ..result import Result
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
MISIAKIEWICZ_2022 = Source(
    "T. Misiakiewicz",
    "Spectrum of inner-product kernel matrices in the polynomial regime and multiple descent phenomenon in kernel "
    "ridge regression",
    2022,
    arxiv="2204.10425",
)
GMMM_2019 = Source(
    "B. Ghorbani, S. Mei, T. Misiakiewicz, A. Montanari",
    "Linearized two-layers neural networks in high dimension",
    2019,
    arxiv="1904.12191",
    journal="Ann. Statist. 49(2), 2021",
)


# ----------------------------------------------------------------------------- symbolic
@cache
def system(form: str = "de") -> FixedPointSystem:
    """KRR equations as SymPy objects: ``"de"`` (finite-d equivalent), ``"level"`` (n = αB(d,ℓ), d → ∞)."""
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
        alpha, xi, k = sp.Symbol("alpha", positive=True), sp.IndexedBase(r"\xi"), sp.Idx("k")
        l0, g, leff, kap = sp.Symbol("ell", integer=True), sp.Symbol("gamma"), sp.Symbol(r"\lambda_{\rm eff}"), sp.Symbol("kappa")
        Fgt = sp.Symbol(r"F^2_{>\ell}")
        h1 = sp.Function("h")(1)
        q = {
            "gamma": 1 / alpha,
            "kappa_gt": h1 - sp.Sum(xi[k], (k, 0, l0)),
            "lam_eff": (lam + sp.Symbol(r"\kappa_{>\ell}")) / (alpha * xi[l0]),
            "kappa_iso": (leff + g - 1 + sp.sqrt((leff + g - 1) ** 2 + 4 * leff)) / 2,
            "risk": Fgt + (F2[l0] * kap**2 + (sigma2 + Fgt) * g) / ((1 + kap) ** 2 - g),
        }
        labels = {
            "gamma": r"\gamma",
            "kappa_gt": r"\kappa_{>\ell}",
            "lam_eff": r"\lambda_{\rm eff}",
            "kappa_iso": r"\kappa",
            "risk": "R",
        }
        sys_ = FixedPointSystem("krr_level", (), (alpha, lam, sigma2), (), q, labels, MISIAKIEWICZ_2022)
    else:
        raise ParameterError(f"unknown KRR system form {form!r}; valid: de, level.")
    return sys_


# ----------------------------------------------------------------------------- parameters
def parse_energies(value: Any) -> tuple[Fraction, ...]:
    """``"1,0.5,0.25"`` (or a sequence) → exact energies ``(F₀², F₁², F₂²)``, each ≥ 0."""
    items = [v for v in value.split(",") if v.strip()] if isinstance(value, str) else list(value)
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

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        _required(d=self.d)
        set_(self, "d", check_int("d", self.d, low=2, high=10**7))
        if self.n is not None:
            if self.alpha is not None or self.level is not None:
                raise ParameterError("give either `n` or (`alpha`, `level`), not both.")
            set_(self, "n", check_real("n", self.n, low=0, low_open=True))
        else:
            if self.alpha is None or self.level is None:
                raise ParameterError("`n` (number of samples) or both `alpha` and `level` (n = alpha*B(d, level)) are required.")
            set_(self, "alpha", check_real("alpha", self.alpha, low=0, low_open=True))
            set_(self, "level", check_int("level", self.level, low=0, high=MAX_LEVELS))
            set_(self, "n", self.alpha * harmonic_count(self.d, self.level))
        set_(self, "kernel", get_kernel(self.kernel))
        set_(self, "lam", check_real("lam", self.lam, low=0))
        set_(self, "F", parse_energies(self.F))
        set_(self, "sigma2", check_real("sigma2", self.sigma2, low=0))

    def shown(self) -> dict[str, str]:
        out = shown_params(d=self.d, n=self.n)
        if self.alpha is not None:
            out.update(shown_params(alpha=self.alpha, level=self.level))
        out["kernel"] = self.kernel.name
        out.update(shown_params(lam=self.lam))
        out["F"] = ",".join(shown_params(x=v)["x"] for v in self.F)
        out.update(shown_params(sigma2=self.sigma2))
        return out


def _required(**kw: Any) -> None:
    missing = [k for k, v in kw.items() if v is None]
    if missing:
        raise ParameterError(f"missing parameter(s) {', '.join(f'`{m}`' for m in missing)}.")


# ----------------------------------------------------------------------------- spectrum
def levels(kernel: Kernel, d: int, n: Any, lam: Any, degree: int) -> tuple[list[int], list[Any], Any]:
    """Levels kept, their eigenvalues (current precision) and the tail mass ``T`` (self-induced ridge).

    Stops at the first level ``L > degree`` with ``0 < nμ_L ≤ 10^{−(dps+5)}(λ + remaining mass)``
    (a level with ``μ = 0``, e.g. an odd level of an even kernel, never stops the scan), or
    when the remaining mass is zero to rounding (polynomial kernels).  This assumes the
    eigenvalues decrease beyond ``L``, as they do for kernels with non-negative Taylor
    coefficients.
    """
    h1 = kernel.h1()
    eps = mpmath.mpf(10) ** (-(mpmath.mp.dps + 5))
    rounding = mpmath.mpf(10) ** (-(mpmath.mp.dps - 8)) * abs(h1)  # of Σ B_k μ_k
    kept, mus = [], []
    used = mpmath.mpf(0)
    for ell in range(MAX_LEVELS + 1):
        mu, err = kernel.eigenvalue(d, ell)
        if err and abs(mu) > 0 and err > mpmath.mpf(10) ** (-(mpmath.mp.dps - 3)) * abs(mu):
            raise ConvergenceError(
                f"kernel {kernel.name!r}: level {ell} eigenvalue at d={d} not resolved (error {mpmath.nstr(err, 3)})."
            )
        if mu < 0:
            raise ParameterError(
                f"kernel {kernel.name!r} is not positive semi-definite on S^{d - 1}: "
                f"eigenvalue of level {ell} is {mpmath.nstr(mu, 5)}."
            )
        remaining = h1 - used  # mass of the levels >= ell (trace identity), up to rounding
        if ell > degree and (remaining <= rounding or (mu > 0 and n * mu <= eps * (lam + remaining))):
            if remaining < -rounding:
                raise ConvergenceError(f"kernel {kernel.name!r}: trace identity violated at d={d} (tail mass {remaining}).")
            return kept, mus, remaining if remaining > rounding else mpmath.mpf(0)
        kept.append(ell)
        mus.append(mu)
        used += harmonic_count(d, ell) * mu
    raise ConvergenceError(
        f"kernel {kernel.name!r} at d={d}: more than {MAX_LEVELS} harmonic levels are needed for {mpmath.mp.dps - 20} digits "
        "(slowly decaying eigenvalues, e.g. a non-smooth kernel at small d); lower `dps`."
    )


def _solve_mp(pr: KRRParams) -> tuple[dict[str, Any], Any]:
    n, lam, sigma2 = to_mpf(pr.n), to_mpf(pr.lam), to_mpf(pr.sigma2)
    F = [to_mpf(v) for v in pr.F]
    kept, mus, tail = levels(pr.kernel, pr.d, n, lam, len(F) - 1)
    s, counts, b = [], [], []
    lost = mpmath.mpf(0)  # target energy in levels with μ = 0: never learned
    for ell, mu in zip(kept, mus, strict=True):
        f2 = F[ell] if ell < len(F) else mpmath.mpf(0)
        if mu == 0:
            lost += f2
            continue
        s.append(mu)
        counts.append(harmonic_count(pr.d, ell))
        b.append(f2 / mu)
    p = sum(counts)
    g = mpmath.mpf(p) / n
    w = [mpmath.mpf(c) / p for c in counts]
    lam_total = lam + tail
    out, residual = ridge_model.general_equivalent(g, lam_total / n, sigma2 + lost, lost, s, w, b, params=pr.shown())
    out = dict(out)
    out["kappa"] = out["kappa"] * n  # back to the KRR (unnormalized) scale
    if lam_total == 0:
        factor = mpmath.mpf(1)
    else:
        factor = lam / lam_total
    out["train_error"] = out["train_error"] * factor**2
    out["_levels"] = len(kept)
    out["_tail"] = tail
    return out, residual


def solve(params: KRRParams, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified finite-d deterministic equivalent of one KRR quantity."""
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown krr quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    info: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        out, residual = _solve_mp(params)
        if residual is not None and residual > residual_tolerance():
            raise ConvergenceError(f"krr: fixed-point residual {mpmath.nstr(residual, 3)} too large", params=params.shown())
        info.update(levels=out["_levels"], tail=out["_tail"])
        return out[quantity], residual

    c = certify(evaluate, dps, what=f"krr {quantity}", params=params.shown())
    with mpmath.workdps(dps):
        extra = {"levels": info["levels"], "self_induced_ridge": +info["tail"]}
    return Result(c.value, NAME, quantity, params.shown(), dps, c.residual, c.error_estimate, BRANCH_RULE, BCP_2020, extra)


def _make(quantity: str, doc: str) -> Any:
    def fn(
        d: Any = None,
        n: Any = None,
        kernel: Any = "exp",
        lam: Any = 0,
        F: Any = "0,1",
        sigma2: Any = 0,
        *,
        alpha: Any = None,
        level: Any = None,
        dps: int = DEFAULT_DPS,
    ) -> Result:
        return solve(KRRParams(d, n, kernel, lam, F, sigma2, alpha, level), quantity, dps=dps)

    fn.__name__ = fn.__qualname__ = quantity
    fn.__doc__ = doc + _COMMON
    return fn


_COMMON = """

    Parameters
    ----------
    d : input dimension (integer ≥ 2); data uniform on the sphere of radius √d.
    n : number of samples (> 0); or give ``alpha`` and ``level`` (n = alpha·B(d, level)).
    kernel : ``exp``, ``exp:c``, ``poly:k``, ``coef:a0,a1,...``, ``relu_nngp``, ``relu_ntk`` or a SymPy
        expression in ``s`` (the cosine ⟨x, x'⟩/d).
    lam : unnormalized ridge λ ≥ 0 in ``K(x, X)(K + λI)⁻¹y``.
    F : target energies ``F_0², F_1², ...`` by harmonic degree ("0,1,0.5").
    sigma2 : noise variance.
    dps : significant digits (default 30).

    Returns
    -------
    Result; ``extra`` carries the number of harmonic levels kept and the self-induced ridge
    (mass of the higher levels, from the trace identity).
    """

risk = _make("risk", "Test error (noise excluded) from the finite-d deterministic equivalent.")
bias = _make("bias", "Bias part ``κ² Σ F_ℓ²/(nμ_ℓ+κ)² / (1 − E)`` (+ energy at levels with μ = 0).")
variance = _make("variance", "Variance part ``σ² E/(1 − E)``.")
train_error = _make("train_error", "Training error of the deterministic equivalent.")
kappa = _make("kappa", "Effective regularization κ (unnormalized scale).")


def risk_asymptotic(
    alpha: Any = None,
    level: Any = None,
    kernel: Any = "exp",
    lam: Any = 0,
    F: Any = "0,1",
    sigma2: Any = 0,
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
        xi = [ker.xi(k) for k in range(ell + 1)]
        if xi[ell] < 0 or any(x < 0 for x in xi):
            raise ParameterError(
                f"kernel {ker.name!r} has a negative Taylor coefficient: not positive definite in all dimensions."
            )
        kgt = ker.h1() - mpmath.fsum(xi)
        if xi[ell] == 0:
            return to_mpf(f_l) + to_mpf(f_gt), None
        lam_eff = (to_mpf(lm) + kgt) / (to_mpf(a) * xi[ell])
        with mpmath.workdps(mpmath.mp.dps):
            lam_text = mpmath.nstr(lam_eff, mpmath.mp.dps + 5, strip_zeros=False)
        r = ridge_model.risk(1 / a, lam_text, f_l, s2, f_gt, dps=mpmath.mp.dps)
        return r.value, r.residual

    c = certify(evaluate, dps, what="krr risk_asymptotic", params=shown)
    return Result(c.value, NAME, "risk_asymptotic", shown, dps, c.residual, c.error_estimate, None, MISIAKIEWICZ_2022)


def staircase(exponent: Any = None, F: Any = "0,1", *, dps: int = DEFAULT_DPS) -> Result:
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
    c = certify(lambda: (to_mpf(value), None), dps, what="krr staircase", params=shown)
    return Result(c.value, NAME, "staircase", shown, dps, None, c.error_estimate, None, GMMM_2019)


def eigenvalue(d: Any = None, level: Any = None, kernel: Any = "exp", *, dps: int = DEFAULT_DPS) -> Result:
    """Kernel eigenvalue ``μ_{d,ℓ}`` (Funk–Hecke; closed form for exp and polynomials, else quadrature)."""
    _required(d=d, level=level)
    dd = check_int("d", d, low=2, high=10**7)
    ell = check_int("level", level, low=0, high=10_000)
    ker = get_kernel(kernel)
    shown = {"d": str(dd), "level": str(ell), "kernel": ker.name}
    c = certify(lambda: (ker.eigenvalue(dd, ell)[0], None), dps, what="krr eigenvalue", params=shown)
    return Result(c.value, NAME, "eigenvalue", shown, dps, None, c.error_estimate, None, MISIAKIEWICZ_2022)


def multiplicity(d: Any = None, level: Any = None, *, dps: int = DEFAULT_DPS) -> Result:
    """``B(d, ℓ)``, the number of degree-ℓ spherical harmonics in dimension d (exact integer)."""
    _required(d=d, level=level)
    dd = check_int("d", d, low=2, high=10**7)
    ell = check_int("level", level, low=0, high=10_000)
    value = harmonic_count(dd, ell)
    with mpmath.workdps(max(dps, len(str(value)) + 5)):
        v = mpmath.mpf(value)
    return Result(v, NAME, "multiplicity", {"d": str(dd), "level": str(ell)}, max(dps, len(str(value))), None, None, None, None)


def xi(level: Any = None, kernel: Any = "exp", *, dps: int = DEFAULT_DPS) -> Result:
    """``ξ_ℓ = h^{(ℓ)}(0)/ℓ! = lim_d B(d, ℓ)μ_{d,ℓ}``."""
    _required(level=level)
    ell = check_int("level", level, low=0, high=10_000)
    ker = get_kernel(kernel)
    shown = {"level": str(ell), "kernel": ker.name}
    c = certify(lambda: (ker.xi(ell), None), dps, what="krr xi", params=shown)
    return Result(c.value, NAME, "xi", shown, dps, None, c.error_estimate, None, GMMM_2019)


# ----------------------------------------------------------------------------- float64 curve
class _Blocks:
    def __init__(self, s: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
        self._b = (s, w, b)

    def np_blocks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._b


def curve_values(
    quantity: str,
    d: Any,
    n: Any = None,
    kernel: Any = "exp",
    lam: Any = 0.0,
    F: Any = "0,1",
    sigma2: Any = 0.0,
    *,
    alpha: Any = None,
    level: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 curve of a DE quantity along ``n`` (or ``alpha``) at fixed ``d``, kernel, ``lam``, ``F``, ``sigma2``.

    The eigenvalues are computed once (25 digits, enough levels for the largest ``n``) and
    the κ equation is solved for all points at once by the ridge module's vectorized solver.
    """
    from ..result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK

    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown krr quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    dd = check_int("d", d, low=2, high=10**7)
    ker = get_kernel(kernel)
    energies = parse_energies(F)
    if n is None:
        if alpha is None or level is None:
            raise ParameterError("`n` or both `alpha` and `level` are required.")
        lv = check_int("level", level, low=0, high=MAX_LEVELS)
        n = np.asarray(alpha, dtype=float) * harmonic_count(dd, lv)
    nn, lm, s2 = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in (n, lam, sigma2)])
    shape = nn.shape
    nn, lm, s2 = nn.reshape(-1), lm.reshape(-1), s2.reshape(-1)
    domain = (nn > 0) & np.isfinite(nn) & (lm >= 0) & np.isfinite(lm) & (s2 >= 0) & np.isfinite(s2)
    vals = np.full(nn.shape, np.nan)
    status = np.full(nn.shape, STATUS_DOMAIN)
    if domain.any():
        with mpmath.workdps(25):
            kept, mus, tail = levels(
                ker, dd, mpmath.mpf(float(nn[domain].max())), mpmath.mpf(float(lm[domain].min())), len(energies) - 1
            )
            mus_f = [float(m) for m in mus]
            tail_f = float(tail)
        ells = [e for e, m in zip(kept, mus_f, strict=True) if m > 0]
        lost = sum(float(energies[e]) for e, m in zip(kept, mus_f, strict=True) if m == 0 and e < len(energies))
        s = np.array([m for m in mus_f if m > 0])
        counts = np.array([float(harmonic_count(dd, e)) for e in ells])
        p = counts.sum()
        w = counts / p
        b = np.array([(float(energies[e]) if e < len(energies) else 0.0) / m for e, m in zip(ells, s, strict=True)])
        idx = np.flatnonzero(domain)
        g = p / nn[idx]
        lam_total = lm[idx] + tail_f
        with np.errstate(all="ignore"):
            out, conv = ridge_model._general_np(_Blocks(s, w, b), g, lam_total / nn[idx], s2[idx] + lost)  # type: ignore[arg-type]
            out = dict(out)
            out["kappa"] = out["kappa"] * nn[idx]
            factor = np.where(lam_total == 0, 1.0, lm[idx] / np.where(lam_total == 0, 1.0, lam_total))
            out["train_error"] = out["train_error"] * factor**2
            out["risk"] = out["bias"] + out["variance"] + lost
            v = out[quantity]
        vals[idx] = v
        status[idx] = np.where(~conv, STATUS_NOT_CONVERGED, np.where(np.isinf(v), STATUS_INFINITE, STATUS_OK))
        vals = np.where(status >= STATUS_DOMAIN, np.nan, vals)
    return vals.reshape(shape), status.reshape(shape)


# ----------------------------------------------------------------------------- registry
_DE_PARAMS = ("d", "n", "alpha", "level", "kernel", "lam", "F", "sigma2")


def _q(name: str, fn: Any, doc: str) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    return QuantitySpec(name, doc, _DE_PARAMS, fn, curve)


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Kernel ridge regression on the sphere S^{d-1}(sqrt d): finite-d equivalent, multiple descent.",
        params={
            "d": ParamSpec("d", "input dimension, integer >= 2", kind="int"),
            "n": ParamSpec("n", "number of samples > 0", default="alpha*B(d,level)"),
            "alpha": ParamSpec("alpha", "n/B(d, level) > 0 (with level)", default="n/B(d,level)"),
            "level": ParamSpec("level", "harmonic degree l >= 0 (with alpha)", default="-", kind="int"),
            "kernel": ParamSpec(
                "kernel",
                "exp | exp:c | poly:k | coef:a0,a1,... | relu_nngp | relu_ntk | expression in s",
                default="exp",
                kind="kernel",
            ),
            "lam": ParamSpec("lam", "unnormalized ridge lambda >= 0", default="0"),
            "F": ParamSpec("F", "target energies F_0^2,F_1^2,... by degree", default="0,1", kind="energies"),
            "sigma2": ParamSpec("sigma2", "noise variance >= 0", default="0"),
            "exponent": ParamSpec("exponent", "n = d^exponent, non-integer > 0", default=None),
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
            ),
            "staircase": QuantitySpec("staircase", "n = d^exponent limit F^2_{>floor(exponent)}", ("exponent", "F"), staircase),
            "eigenvalue": QuantitySpec("eigenvalue", "kernel eigenvalue mu_{d,l}", ("d", "level", "kernel"), eigenvalue),
            "multiplicity": QuantitySpec("multiplicity", "B(d, l), number of degree-l harmonics", ("d", "level"), multiplicity),
            "xi": QuantitySpec("xi", "Taylor coefficient h^(l)(0)/l!", ("level", "kernel"), xi),
        },
        system=system,
        source=BCP_2020,
    )
)
