r"""Ridge and ridgeless regression: deterministic equivalents of the test risk.

Setting (Hastie–Montanari–Rosset–Tibshirani conventions)
--------------------------------------------------------
``y = ⟨x, β⟩ + ε``, ``x = Σ^{1/2} z`` with i.i.d. standardized entries, ``Var ε = σ²``,
``n`` samples, ``p`` features, ``γ = p/n``.  The estimator uses the **normalized**
penalty: ``β̂_λ = argmin (1/n)‖y − Xb‖² + λ‖b‖²``; ``λ = 0`` is the minimum-norm
interpolator / least squares.  *Risk* is the **excess** test risk
``‖β̂_λ − β‖²_Σ`` (add ``σ²`` for the prediction MSE); *training error* is
``(1/n)‖y − Xβ̂_λ‖²``.

Equations (see :func:`system`)
------------------------------
The effective regularization ``κ`` solves ``λ = κ (1 − df₁(κ)/n)`` with
``df₁/n = γ Σᵢ wᵢ sᵢ/(sᵢ + κ)``, ``df₂/n = γ Σᵢ wᵢ sᵢ²/(sᵢ + κ)²`` for a spectrum of
eigenvalues ``sᵢ`` with weights ``wᵢ`` (fractions of the ``p`` features, ``Σ wᵢ = 1``)
and signal energies ``bᵢ`` (``Σ bᵢ = r² = ‖β‖²``).  Then

.. math::
    \mathcal B = \frac{\kappa^2 \sum_i b_i s_i/(s_i+\kappa)^2}{1 - \mathrm{df}_2/n},\quad
    \mathcal V = \sigma^2 \frac{\mathrm{df}_2/n}{1 - \mathrm{df}_2/n},\quad
    R = \mathcal B + \mathcal V,\quad
    R_{\rm train} = (\lambda/\kappa)^2 (R + \sigma^2).

For ``Σ = I`` (one block) ``κ = [c + √(c² + 4λ)]/2`` with ``c = λ + γ − 1``, and
``(1+κ)² − γ = (1+κ)√(c² + 4λ)``, so ``𝓑 = r²κ²/((1+κ)√(c²+4λ))``,
``𝓥 = σ²γ/((1+κ)√(c²+4λ))``; these cancellation-free forms are what the code evaluates,
with ``c`` and ``c² + 4λ`` formed exactly from the exact parameters before any rounding.  For a
general spectrum the κ equation gives ``1 − df₁/n = λ/κ`` and
``1 − df₂/n = λ/κ + γ Σᵢ wᵢ κsᵢ/(sᵢ+κ)²`` (positive terms only); see :func:`general_equivalent`.

Branch rule
-----------
``h(κ) = 1 − λ/κ − df₁(κ)/n`` is strictly increasing on ``κ > 0``; for ``λ > 0`` its unique
zero is the root (``κ ≥ λ``).  At ``λ = 0``: ``γ < 1`` gives ``κ = 0``; ``γ > 1`` gives
``κ₀ > 0``, the zero of ``df₁(κ₀) = n``; ``γ = 1`` gives ``κ = 0`` with an infinite
variance (reported as ``+inf``, never as a large finite number).

Proofs (issue 15)
-----------------
Every quantity is first tried in ball arithmetic (:func:`_solve_ball`, the same formulas on
:data:`~asymptotics.ball.AB` from the exact parameters): the isotropic closed forms directly, a
general spectrum's κ by a sign change of the increasing ``h`` around the certified solver's root
(unique on ``κ > 0``), power-law tails with their truncation bounds inside the balls.  A proven
result has ``proven=True`` and its enclosure; otherwise the precision ladder's estimate stays
(``proven=False``).  Derivation: docs/proofs/ridge.md.

Misspecification: an unobserved component ``⟨w, θ⟩`` with energy ``τ²`` acts as extra
noise and is never learned: ``R_mis(λ) = R(λ; r², σ² + τ²) + τ²``.

References
----------
Hastie, Montanari, Rosset, Tibshirani (arXiv 1903.08560); Dobriban & Wager (arXiv
1507.03003); Cheng & Montanari (arXiv 2210.08571); Six Lectures (arXiv 2308.13431).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

import mpmath
import numpy as np

from .._lazy import sympy as sp
from .._types import ArrayLike, Real
from .._validate import check_int, check_real, float_arrays, shown_params, to_mpf
from ..errors import ConvergenceError, ParameterError
from ..formulas import isotropic_kappa, isotropic_risk_parts, status_ladder
from ..precision import DEFAULT_DPS, certify, check_dps, residual_tolerance
from ..references import CHENG_MONTANARI_2022, DOBRIBAN_WAGER_2018, HMRT_2019
from ..result import Result
from ..solve.optimize import exact_penalty
from ..solve.roots import MP, NP, increasing_root
from ..solve.spectral_sums import PowerLawSums
from ..symbolic import symbols as S
from ..symbolic.system import FixedPointSystem, presented
from . import _diagnostics as _diag
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

NAME = "ridge"
POWER_LAW_MAX_P = 10**12
"""Largest finite number of features of :meth:`Spectrum.power_law` (``p = inf`` is allowed too)."""
MP_DIRECT_MAX_P = 512
"""Power laws up to this many features are summed term by term on the certified path (closed-form tails beyond)."""
NP_DIRECT_MAX_P = 4096
"""The same threshold on the float64 path."""
QUANTITIES = ("risk", "bias", "variance", "train_error", "kappa")
BRANCH_RULE = "kappa: unique zero of the increasing h(kappa) = 1 - lam/kappa - df1(kappa)/n on kappa > 0"


# ----------------------------------------------------------------------------- symbolic
def _equations(df1: sp.Expr, df2: sp.Expr, signal: sp.Expr) -> tuple[sp.Eq, dict[str, sp.Expr]]:
    lam, kappa, sigma2 = S.lam, S.kappa, S.sigma2
    eq = sp.Eq(lam, kappa * (1 - df1))
    bias = kappa**2 * signal / (1 - df2)
    variance = sigma2 * df2 / (1 - df2)
    q = {
        "bias": bias,
        "variance": variance,
        "risk": bias + variance,
        "train_error": (1 - df1) ** 2 * (bias + variance + sigma2),
    }
    return eq, q


@cache
def system(general: bool = False) -> FixedPointSystem:
    """Ridge equations: the κ fixed point and bias/variance/risk/training error.

    ``general=True`` gives the block-spectrum form with sums over ``i = 1..K``;
    otherwise the isotropic ``Σ = I`` system, obtained from the general one with a single
    block ``s = w = 1, b = r²`` and simplified.
    """
    gamma, kappa, r2 = S.gamma, S.kappa, S.r2
    if general:
        i, s, w, b, K = S.i, S.s, S.w, S.b, S.K
        df1 = gamma * sp.Sum(w[i] * s[i] / (s[i] + kappa), (i, 1, K))
        df2 = gamma * sp.Sum(w[i] * s[i] ** 2 / (s[i] + kappa) ** 2, (i, 1, K))
        signal = sp.Sum(b[i] * s[i] / (s[i] + kappa) ** 2, (i, 1, K))
        eq, q = _equations(df1, df2, signal)
        # show R_train with R named (the expanded sums are unreadable); checked by `presented`
        U = dict(evaluate=False)
        risk_sym = sp.Symbol("R")
        shown_train = sp.Mul(sp.Pow(1 - df1, 2, **U), sp.Add(risk_sym, S.sigma2, **U), **U)
        presented(q["train_error"], shown_train.subs(risk_sym, q["risk"]))
        q["train_error"] = shown_train
        params: tuple[sp.Symbol, ...] = (S.lam, gamma, S.sigma2, K)
    else:
        one = sp.Integer(1)
        eq, q = _equations(gamma * one / (one + kappa), gamma / (1 + kappa) ** 2, r2 / (1 + kappa) ** 2)
        # paper forms, each checked against the derivation by `presented`
        U = dict(evaluate=False)
        D = sp.Add(sp.Pow(sp.Add(1, kappa, **U), 2, **U), -gamma, **U)
        one_minus = sp.Add(1, -sp.Mul(gamma, sp.Pow(sp.Add(1, kappa, **U), -1, **U), **U), **U)
        shown = {
            "bias": sp.Mul(r2 * kappa**2, sp.Pow(D, -1, **U), **U),
            "variance": sp.Mul(S.sigma2 * gamma, sp.Pow(D, -1, **U), **U),
            "risk": sp.Mul(sp.Add(r2 * kappa**2, S.sigma2 * gamma, **U), sp.Pow(D, -1, **U), **U),
            "train_error": sp.Mul(sp.Pow(one_minus, 2, **U), sp.Add(sp.Symbol("R"), S.sigma2, **U), **U),
        }
        Rsym = sp.Symbol("R")
        for k in ("bias", "variance", "risk"):
            presented(sp.cancel(q[k]), shown[k])
        presented(q["train_error"], shown["train_error"].subs(Rsym, q["risk"]))  # check only
        q = shown
        params = (S.lam, gamma, r2, S.sigma2)
    sys_ = FixedPointSystem(
        name="ridge_general" if general else "ridge",
        unknowns=(kappa,),
        parameters=params,
        equations=(eq,),
        quantities=q,
        labels={"bias": r"\mathcal{B}", "variance": r"\mathcal{V}", "risk": "R", "train_error": r"R_{\mathrm{train}}"},
        source=CHENG_MONTANARI_2022 if general else HMRT_2019,
    )
    sys_.check_rational()
    return sys_


# ----------------------------------------------------------------------------- spectra
@dataclass(frozen=True)
class Spectrum:
    """A population spectrum as blocks ``(eigenvalue sᵢ > 0, weight wᵢ, signal energy bᵢ)``.

    ``wᵢ`` is the fraction of the ``p`` features in block ``i`` (``Σ wᵢ = 1``; in the
    note's "multiplicity/n" convention ``cᵢ = γ wᵢ``), ``bᵢ ≥ 0`` the energy of ``β`` in
    that eigenspace (``Σ bᵢ = r²``).  Values are stored exactly.
    """

    eigenvalues: tuple[Fraction, ...]
    weights: tuple[Fraction, ...]
    energies: tuple[Fraction, ...]
    label: str = "blocks"
    _power: tuple[int, Fraction, Fraction, Fraction] | None = None

    @classmethod
    def from_blocks(cls, eigenvalues: Sequence[Any], weights: Sequence[Any], energies: Sequence[Any]) -> Spectrum:
        if not (len(eigenvalues) == len(weights) == len(energies)) or len(eigenvalues) == 0:
            raise ParameterError(
                "`eigenvalues`, `weights` and `energies` must be non-empty and of equal length; "
                f"got lengths {len(eigenvalues)}, {len(weights)}, {len(energies)}."
            )
        s = tuple(check_real(f"eigenvalues[{j}]", v, low=0, low_open=True) for j, v in enumerate(eigenvalues))
        w = tuple(check_real(f"weights[{j}]", v, low=0, low_open=True) for j, v in enumerate(weights))
        b = tuple(check_real(f"energies[{j}]", v, low=0) for j, v in enumerate(energies))
        if sum(w) != 1:
            raise ParameterError(f"`weights` must sum to 1 (fractions of the p features); they sum to {float(sum(w))}.")
        return cls(s, w, b)  # type: ignore[arg-type]

    @classmethod
    def power_law(cls, p: Any, alpha: Any, beta: Any, r2: Any = 1) -> Spectrum:
        """``p`` features with ``s_j = j^{−α}`` and ``β_j² ∝ j^{−β}`` normalized to ``Σ β_j² = r²``.

        ``p`` is an integer in ``[1, 10^12]`` or ``inf`` (the limit ``p → ∞`` at fixed ``γ = p/n``,
        which needs ``α > 0`` and ``β > 1``).  Sums over more than a few hundred features are taken
        in closed form (:mod:`asymptotics.solve.spectral_sums`), so the cost does not grow with ``p``;
        the exact per-feature ``weights`` are only materialized for ``p ≤ 10^6``.
        """
        infinite = (isinstance(p, str) and p.strip().lower() in ("inf", "+inf", "infinity", "∞")) or (
            isinstance(p, float) and p == math.inf
        )
        pp: Any = math.inf if infinite else check_int("p", p, low=1, high=POWER_LAW_MAX_P)
        a = check_real("alpha", alpha, low=0)
        bb = check_real("beta", beta)
        rr = check_real("r2", r2, low=0)
        if infinite and (a <= 0 or bb <= 1):
            raise ParameterError(
                f"spectrum power_law with p=inf needs alpha > 0 and beta > 1 (Σ j^-beta must converge); "
                f"got alpha = {float(a):g}, beta = {float(bb):g}."
            )
        w = (Fraction(1, pp),) * pp if not infinite and pp <= 10**6 else ()
        shown = "inf" if infinite else pp
        return cls((), w, (), label=f"power_law(p={shown}, alpha={a}, beta={bb})", _power=(pp, a, bb, rr))  # type: ignore[arg-type]

    @classmethod
    def parse(cls, text: str) -> Spectrum | None:
        """Read a spectrum from text (the CLI's ``spectrum=`` parameter).

        ``"isotropic"`` → ``None`` (Σ = I); ``"power_law:p=1000,alpha=1,beta=0[,r2=1]"``;
        ``"blocks:s1/w1/b1,s2/w2/b2,..."`` (eigenvalue/weight/energy per block, e.g.
        ``"blocks:1/0.5/1,10/0.5/0"``).
        """
        if isinstance(text, Spectrum) or text is None:
            return text
        if not isinstance(text, str):
            raise ParameterError(f"`spectrum` must be a Spectrum or a string; got {type(text).__name__}.")
        kind, _, body = text.strip().partition(":")
        kind = kind.strip().lower().replace("-", "_")
        try:
            if kind in ("isotropic", "identity", "") and not body:
                return None
            if kind in ("power_law", "powerlaw"):
                kw = dict(item.split("=", 1) for item in body.split(",") if item.strip())
                unknown = set(kw) - {"p", "alpha", "beta", "r2"}
                if unknown or not {"p", "alpha", "beta"} <= set(kw):
                    raise ValueError
                return cls.power_law(**{k.strip(): v.strip() for k, v in kw.items()})
            if kind == "blocks":
                triples = [item.split("/") for item in body.split(",") if item.strip()]
                if not triples or any(len(tr) != 3 for tr in triples):
                    raise ValueError
                s, w, b = zip(*triples, strict=True)
                return cls.from_blocks(list(s), list(w), list(b))
        except ParameterError:
            raise
        except ValueError:
            pass
        raise ParameterError(
            f"`spectrum` must be 'isotropic', 'power_law:p=P,alpha=A,beta=B[,r2=R]' or 'blocks:s/w/b,s/w/b,...'; got {text!r}."
        )

    @property
    def r2(self) -> Fraction:
        return self._power[3] if self._power else sum(self.energies, Fraction(0))

    @property
    def infinite(self) -> bool:
        """``True`` for a power law with ``p = ∞``."""
        return self._power is not None and self._power[0] == math.inf

    def _check_materializable(self) -> None:
        if self._power is not None and self._power[0] > 10**6:
            raise ParameterError(
                f"spectrum {self.label}: the per-feature blocks exist only for p ≤ 1000000 (the model sums larger "
                "power laws in closed form)."
            )

    def mp_blocks(self) -> tuple[list[Any], list[Any], list[Any]]:
        """(s, w, b) as mpf lists at the current precision (a power law: ``p ≤ 10^6``)."""
        if self._power is None:
            return ([to_mpf(v) for v in self.eigenvalues], [to_mpf(v) for v in self.weights], [to_mpf(v) for v in self.energies])
        self._check_materializable()
        p, a, bb, rr = self._power
        A, B = to_mpf(a), to_mpf(bb)
        s = [mpmath.mpf(j) ** (-A) for j in range(1, p + 1)]
        e = [mpmath.mpf(j) ** (-B) for j in range(1, p + 1)]
        tot = mpmath.fsum(e)
        R = to_mpf(rr)
        return s, [mpmath.mpf(1) / p] * p, [R * v / tot for v in e]

    def np_blocks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._power is None:
            return (
                np.array([float(v) for v in self.eigenvalues]),
                np.array([float(v) for v in self.weights]),
                np.array([float(v) for v in self.energies]),
            )
        self._check_materializable()
        p, a, bb, rr = self._power
        j = np.arange(1, p + 1, dtype=float)
        e = j ** (-float(bb))
        return j ** (-float(a)), np.full(p, 1.0 / p), float(rr) * e / e.sum()


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class RidgeParams:
    """Validated ridge parameters (exact fractions).

    ``gamma`` > 0, ``lam`` ≥ 0 (``inf`` allowed: the null estimator), ``r2`` ≥ 0,
    ``sigma2`` ≥ 0, ``tau2`` ≥ 0 (misspecification energy).  With ``spectrum`` the
    signal energy comes from the spectrum: ``r2`` is then left out (``None``) or must equal
    the spectrum's total energy.  Without a spectrum ``r2=None`` means 1.
    """

    gamma: Any
    lam: Any = 0
    r2: Any = None
    sigma2: Any = 1
    tau2: Any = 0
    spectrum: Spectrum | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "gamma", check_real("gamma", self.gamma, low=0, low_open=True))
        set_(self, "lam", check_real("lam", self.lam, low=0, allow_inf=True))
        given_r2 = None if self.r2 is None else check_real("r2", self.r2, low=0)
        set_(self, "r2", Fraction(1) if given_r2 is None else given_r2)
        set_(self, "sigma2", check_real("sigma2", self.sigma2, low=0))
        set_(self, "tau2", check_real("tau2", self.tau2, low=0))
        set_(self, "spectrum", Spectrum.parse(self.spectrum))  # type: ignore[arg-type]
        if self.spectrum is not None:
            if given_r2 is not None and given_r2 != self.spectrum.r2:
                raise ParameterError(
                    f"`r2` = {shown_params(r2=given_r2)['r2']} contradicts `spectrum`, whose energies sum to "
                    f"{shown_params(r2=self.spectrum.r2)['r2']}; leave `r2` out when a spectrum is given."
                )
            set_(self, "r2", self.spectrum.r2)
            if self.spectrum.infinite and self.lam == 0 and self.gamma > 1:
                raise ParameterError(
                    "`lam` must be > 0 for a power-law spectrum with p=inf when gamma > 1 (lam = 0 is allowed for "
                    "gamma ≤ 1): the ridgeless p → ∞ limit at gamma > 1 is not covered."
                )

    def shown(self) -> dict[str, str]:
        d = shown_params(gamma=self.gamma, lam=self.lam, r2=self.r2, sigma2=self.sigma2)
        if self.tau2:
            d["tau2"] = shown_params(tau2=self.tau2)["tau2"]
        if self.spectrum is not None:
            d["spectrum"] = self.spectrum.label
        return d


# ----------------------------------------------------------------------------- the formulas, once
def _isotropic(B: Any, c: Any, lam: Any, root: Any, g: Any, r2: Any, noise: Any) -> dict[str, Any]:
    """Isotropic ridge on backend ``B`` from ``c = λ + γ − 1`` and ``root = √(c² + 4λ)`` (formed by the caller)."""
    kappa, ratio = isotropic_kappa(B, c, lam, root)
    bias, variance, train = isotropic_risk_parts(B, kappa, ratio, root, g, r2, noise)
    return {"kappa": kappa, "bias": bias, "variance": variance, "train_error": train}


def _slack_terms(s: Any, w: Any, b: Any, k: Any) -> tuple[Any, Any, Any]:
    """Block terms of the κ equation at ``k``: ``wᵢqᵢ``, ``wᵢpᵢ``, ``wᵢqᵢpᵢ`` (``qᵢ = k/(sᵢ+k)``, ``pᵢ = sᵢ/(sᵢ+k)``)."""
    inv = 1 / (s + k)
    wq, p = w * (k * inv), s * inv
    return wq, w * p, wq * p


def _final_terms(s: Any, w: Any, b: Any, k: Any) -> tuple[Any, Any]:
    """Block terms of the quantities at the root: ``wᵢpᵢ²`` and ``bᵢsᵢqᵢ²``."""
    inv = 1 / (s + k)
    p, q = s * inv, k * inv
    return w * p * p, b * s * q * q


def _block_sums(B: Any, blocks: tuple[Any, Any, Any], terms: Any, k: Any) -> tuple[Any, ...]:
    """``Σᵢ terms(sᵢ, wᵢ, bᵢ, k)`` by ``B.sum`` over the block axis (numpy: points × blocks; mpmath: lists)."""
    if B.name == "np":
        return tuple(B.sum(t, axis=-1) for t in terms(*blocks, k[..., None]))
    rows = (terms(si, wi, bi, k) for si, wi, bi in zip(*blocks, strict=True))
    return tuple(B.sum(list(col)) for col in zip(*rows, strict=True))


@dataclass(frozen=True)
class _PowerBlocks:
    """A large power-law spectrum for :func:`_general`: its sums in closed form, ``norm = r²/Σ j^{−β}``."""

    sums: PowerLawSums
    norm: Any


def _slack_sums(B: Any, blocks: Any, k: Any) -> tuple[Any, Any, Any]:
    """``(Σ wᵢqᵢ, Σ wᵢpᵢ, Σ wᵢqᵢpᵢ)`` at ``k`` for blocks or a closed-form power law."""
    if isinstance(blocks, _PowerBlocks):
        return blocks.sums.slack(k)
    return _block_sums(B, blocks, _slack_terms, k)  # type: ignore[return-value]


def _final_sums(B: Any, blocks: Any, k: Any) -> tuple[Any, Any]:
    """``(Σ wᵢpᵢ², Σ bᵢsᵢqᵢ²)`` at the root ``k ≥ 0``."""
    if isinstance(blocks, _PowerBlocks):
        wpp, bb = blocks.sums.final(k)
        return wpp, blocks.norm * bb
    return _block_sums(B, blocks, _final_terms, k)  # type: ignore[return-value]


def _trace_smin(B: Any, blocks: Any, g: Any) -> tuple[Any, Any]:
    """``Σ wᵢsᵢ`` and the smallest eigenvalue."""
    if isinstance(blocks, _PowerBlocks):
        return blocks.sums.trace() + 0 * g, blocks.sums.smin()
    (trace,) = _block_sums(B, blocks, lambda s_, w_, b_, k_: (w_ * s_,), 0 * g)
    s = blocks[0]
    return trace, (s.min() if B.name == "np" else min(s))


@lru_cache(maxsize=16)
def _cached_sums(backend: str, p: int | None, alpha: Fraction, beta: Fraction, prec: int) -> PowerLawSums:
    """One :class:`PowerLawSums` per spectrum, backend and precision (its tables are reused across calls)."""
    if backend == "ball":
        from ..ball import AB

        return PowerLawSums(AB, p, alpha, beta)
    return PowerLawSums(MP if backend == "mp" else NP, p, alpha, beta)


BALL_DIRECT_MAX_P = 10**6
"""Largest power law summed term by term on balls (the same limit as the certified path's fallback)."""


def _ball_power_blocks(power: tuple[Any, Fraction, Fraction, Fraction]) -> tuple[list[Any], list[Any], list[Any]]:
    """A power law's ``(s, w, b)`` as balls, term by term: ``s_j = e^{−α log j}``, ``b_j = r² j^{−β}/Σ j^{−β}``."""
    from ..ball import AB

    p, a, bb, rr = power
    A, Bt = AB.num(a), AB.num(bb)
    logs = [AB.log(AB.num(j)) for j in range(2, p + 1)]
    one = AB.num(1)
    s = [one] + [AB.exp(-A * v) for v in logs]
    e = [one] + [AB.exp(-Bt * v) for v in logs]
    scale = AB.num(rr) / AB.fsum(e)
    return s, [AB.num(Fraction(1, p))] * p, [scale * v for v in e]


def _spectral_blocks(spectrum: Spectrum, B: Any) -> Any:
    """What :func:`_general` sums over: ``(s, w, b)`` blocks, or :class:`_PowerBlocks` for a large power law.

    ``α = 0`` (every eigenvalue 1) is the one block ``(1, 1, r²)``: the quantities depend on the
    signal only through its total energy there.
    """
    power = getattr(spectrum, "_power", None)  # (krr passes a duck-typed object with np_blocks only)
    ball = B.name == "ball"  # exact fractions as balls; power laws summed like the certified path
    if power is None:
        if ball:
            return tuple([B.num(v) for v in col] for col in (spectrum.eigenvalues, spectrum.weights, spectrum.energies))
        return spectrum.mp_blocks() if B.name == "mp" else spectrum.np_blocks()
    p, a, bb, rr = power
    if a == 0:
        one = B.num(1)
        return ([one], [one], [B.num(rr)]) if B.name != "np" else (np.ones(1), np.ones(1), np.full(1, float(rr)))
    if p <= (NP_DIRECT_MAX_P if B.name == "np" else MP_DIRECT_MAX_P):
        if ball:
            return _ball_power_blocks(power)
        return spectrum.mp_blocks() if B.name == "mp" else spectrum.np_blocks()
    if ball:
        from flint import ctx

        prec = ctx.prec
    else:
        prec = mpmath.mp.prec if B.name == "mp" else 53
    sums = _cached_sums(B.name, None if p == math.inf else int(p), a, bb, prec)
    return _PowerBlocks(sums, B.num(rr) / sums.energy())


def _general(
    B: Any,
    blocks: tuple[Any, Any, Any],
    g: Any,
    omg: Any,
    lam: Any,
    noise: Any,
    *,
    rtol: Any,
    x0: Any = None,
    throw: bool = True,
    params: dict[str, str] | None = None,
    kappa: Any = None,
) -> tuple[dict[str, Any], Any]:
    """The general-spectrum equivalent on backend ``B`` (see :func:`general_equivalent`); ``omg = 1 − g``.

    Returns the quantities (without ``τ²``), private parts for the float64 error bound
    (``_slack``, ``_size``, ``_ratio``, ``_one_minus_d2``), and the root finder's convergence flag.
    ``kappa`` (optional) is the root, already known (the ball path proves it and passes its ball):
    then nothing is solved and the quantities are evaluated there.
    """
    trivial = B.land(lam == 0, omg >= 0)  # λ = 0, p ≤ n: κ = 0
    h, dh, parts = _kappa_equation(B, blocks, g, omg, lam)
    if kappa is not None:  # a root proven by the caller (the ball path): no solve
        kappa = B.where(trivial, 0 * kappa, kappa)
        return _at_root(B, blocks, g, omg, lam, noise, kappa, trivial, parts), True
    trace, smin = _trace_smin(B, blocks, g)
    floor = -omg * smin / 2
    lo = B.where(omg < 0, B.where(lam > floor, lam, floor), lam)
    if isinstance(blocks, _PowerBlocks):
        # the closed-form tails cover κ ≥ kappa_floor; a root below it fails the residual check
        kf = blocks.sums.kappa_floor
        lo = B.where(lo < kf, kf + 0 * lo, lo)
        if B.name == "mp" and throw and kf > 0 and lo == kf and not trivial and (x0 is None or x0 <= kf) and h(lo) > 0:
            # the root is below the floor: say so after one evaluation (the caller then sums term
            # by term) instead of after ~100 bisection steps collapsing the bracket onto the floor
            raise ConvergenceError(f"ridge kappa: the root is below the closed-form floor {kf:.3g}", params=params)
    lo = B.where(B.lor(trivial, lo <= 0), 1 + 0 * lo, lo)  # a dummy bracket at the κ = 0 points
    hi = B.where(trivial, 2 + 0 * lo, lam + g * trace)
    hi = B.where(hi > lo, hi, 2 * lo)  # (only a closed-form floor above every root inverts it)
    if B.all(trivial):
        kappa, conv = 0 * lo, trivial
    else:
        if x0 is not None:
            x0 = B.where(B.land(lo < x0, x0 < hi), x0, B.sqrt(lo * hi))
        kappa, conv = increasing_root(h, dh, lo, hi, ops=B, rtol=rtol, x0=x0, throw=throw, what="ridge kappa", params=params)
        kappa = B.where(trivial, 0 * kappa, kappa)
    return _at_root(B, blocks, g, omg, lam, noise, kappa, trivial, parts), B.lor(trivial, conv)


def _kappa_equation(B: Any, blocks: Any, g: Any, omg: Any, lam: Any) -> tuple[Any, Any, Any]:
    """``h(κ) = 1 − df₁(κ)/n − λ/κ``, its derivative and the parts of ``1 − df₁/n``, on backend ``B``.

    ``h`` is strictly increasing on ``κ > 0`` (``df₁`` decreases, ``−λ/κ`` increases): the branch
    rule of the module docstring, and the uniqueness argument of the ball proof
    (docs/proofs/ridge.md).  ``parts(k)`` returns ``1 − df₁(k)/n`` in the form with the smallest
    terms, the magnitude of its terms, and ``γ Σ wᵢqᵢpᵢ``; it remembers its last ``k``.
    """
    small = g <= 2
    last: list[Any] = [None, None]  # h and dh are called in turn at the same κ: sum once

    def parts(k: Any) -> tuple[Any, Any, Any]:
        if last[0] is k:
            return last[1]
        wq, wp, wqp = _slack_sums(B, blocks, k)
        t = B.where(small, g * wq, g * wp)
        slack = B.where(small, omg + t, 1 - t)
        size = B.where(small, B.abs(omg) + t, 1 + t)
        last[:] = [k, (slack, size, g * wqp)]
        return last[1]

    def h(k: Any) -> Any:
        return parts(k)[0] - lam / k

    def dh(k: Any) -> Any:
        return (lam / k + parts(k)[2]) / k

    return h, dh, parts


def _at_root(B: Any, blocks: Any, g: Any, omg: Any, lam: Any, noise: Any, kappa: Any, trivial: Any, parts: Any) -> dict[str, Any]:
    """The quantities of :func:`_general` at its root ``kappa`` (0 at the ``trivial`` points)."""
    kk = B.where(trivial, 1 + 0 * kappa, kappa)
    slack, size, bend = parts(kk)
    wpp, bsqq = _final_sums(B, blocks, kappa)  # at κ = 0: qᵢ = 0, no bias
    # λ/κ = 1 − df₁/n at the root: λ = 0 with p > n interpolates, so the training error is exactly 0
    ratio = B.where(trivial, omg, lam / kk)
    # 1 − df₂/n = λ/κ + γ Σ wᵢqᵢpᵢ (positive terms); κ = 0: df₁ = df₂ = γ exactly
    one_minus_d2 = B.where(trivial, omg, ratio + bend)
    d2 = B.where(trivial, g, g * wpp)
    sing = one_minus_d2 <= 0  # γ = 1 (all mass) at λ = 0: the variance diverges
    safe = B.where(sing, 1 + 0 * one_minus_d2, one_minus_d2)
    zero = 0 * one_minus_d2
    bias = B.where(sing, zero, bsqq / safe)
    variance = B.where(sing, B.where(noise > 0, B.inf + zero, zero), noise * d2 / safe)
    train = B.where(sing, zero, ratio**2 * (bias + variance + noise))
    den = lam + kappa
    residual = B.where(den > 0, B.abs(lam - kappa * slack) / B.where(den > 0, den, 1 + zero), zero)
    out = {"kappa": kappa, "bias": bias, "variance": variance, "train_error": train}
    out.update(_slack=slack, _size=size, _ratio=ratio, _one_minus_d2=one_minus_d2, _residual=residual)
    return out


# ----------------------------------------------------------------------------- mp solve
def _isotropic_mp(pr: RidgeParams) -> tuple[dict[str, Any], Any]:
    g, lam, r2 = to_mpf(pr.gamma), to_mpf(pr.lam), to_mpf(pr.r2)
    noise = to_mpf(pr.sigma2 + pr.tau2)  # exact sum, rounded once
    tau2 = to_mpf(pr.tau2)
    if mpmath.isinf(lam):
        return _null_estimator(r2, noise, tau2), None
    # c = λ + γ − 1 and c² + 4λ are formed exactly from the Fraction inputs: rounding λ + γ first
    # would drop a λ far below 10^-dps at γ = 1 on every rung of the precision ladder (issue 13)
    c_exact = pr.lam + pr.gamma - 1
    root = mpmath.sqrt(to_mpf(c_exact * c_exact + 4 * pr.lam))
    out = _isotropic(MP, to_mpf(c_exact), lam, root, g, r2, noise)
    kappa = out["kappa"]
    # 1 − γ/(1+κ) = (κ + 1 − γ)/(1+κ), with 1 − γ exact (no cancellation at γ ≈ 1)
    one_minus_g = to_mpf(1 - pr.gamma)
    residual = abs(lam - kappa * (kappa + one_minus_g) / (1 + kappa)) / (lam + kappa) if lam + kappa > 0 else mpmath.mpf(0)
    out["risk"] = out["bias"] + out["variance"] + tau2
    return out, residual


def _null_estimator(r2: Any, noise: Any, tau2: Any) -> dict[str, Any]:
    """λ = ∞: β̂ = 0, so the risk is r² (+τ²) and the training error r² + σ² + τ²."""
    return {"kappa": mpmath.inf, "bias": r2, "variance": mpmath.mpf(0), "risk": r2 + tau2, "train_error": r2 + noise}


def _float64_kappa(pr: RidgeParams) -> float | None:
    """The float64 root of a general-spectrum κ (a start for Newton at working precision), or ``None``."""
    assert pr.spectrum is not None
    if pr.lam == math.inf:
        return None
    with np.errstate(all="ignore"):
        out, conv = _general_np(pr.spectrum, np.array([float(pr.gamma)]), np.array([float(pr.lam)]), np.array([1.0]))
    k = float(out["kappa"][0])
    # an unconverged point (e.g. a bracket collapsed onto the closed-form floor) is no start
    return k if bool(conv[0]) and math.isfinite(k) and k > 0 else None


def _power_limit(B: Any, blocks: _PowerBlocks, g: Any, omg: Any, lam: Any, noise: Any) -> tuple[dict[str, Any], Any]:
    """The power law at ``p = ∞`` (fixed ``γ = p/n``) on backend ``B``: the limit of :func:`_general`.

    With ``wⱼ = 1/p`` and ``Σⱼ sⱼ/(sⱼ+κ) = o(p)`` (``α > 0``), ``df₁/n`` and ``df₂/n`` vanish as
    ``p → ∞``: for ``λ > 0``, ``κ = λ``, ``𝓥 = 0``, ``𝓑 = λ² Σⱼ bⱼsⱼ/(sⱼ+λ)²`` (``bⱼ = r² j^{−β}/ζ(β)``,
    ``β > 1``) and ``R_train = 𝓑 + σ² + τ²``.  At ``λ = 0`` and ``γ < 1`` every ``p`` gives ``κ = 0``,
    ``𝓑 = 0``, ``𝓥 = σ²γ/(1−γ)``; ``γ = 1`` diverges; ``γ > 1`` is refused by :class:`RidgeParams`
    (``κ₀ ~ p^{−α} → 0`` while ``𝓥`` stays finite: the limits ``λ → 0`` and ``p → ∞`` do not commute).
    Returns the quantities (without ``τ²``), the private parts of :func:`_general` and a validity flag.
    """
    zero = 0 * (g + lam)
    pos = lam > 0
    k = B.where(pos, lam, 1 + zero)
    bias_pos = blocks.norm * blocks.sums.bias_sum(k)
    sing = B.land(B.lnot(pos), omg <= 0)
    safe = B.where(omg > 0, omg, 1 + zero)
    var0 = B.where(sing, B.where(noise > 0, B.inf + zero, zero), noise * g / safe)
    kappa = B.where(pos, lam, zero)
    bias = B.where(pos, bias_pos, zero)
    variance = B.where(pos, zero, var0)
    ratio = B.where(pos, 1 + zero, omg)
    train = B.where(pos, bias_pos + noise, B.where(sing, zero, omg * omg * (var0 + noise)))
    out = {"kappa": kappa, "bias": bias, "variance": variance, "train_error": train}
    out.update(_slack=ratio, _size=1 + zero, _ratio=ratio, _one_minus_d2=B.where(pos, 1 + zero, safe), _residual=zero)
    return out, B.land(B.isfinite(bias), B.lor(pos, omg >= 0))


def _general_mp(pr: RidgeParams, state: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
    """General spectrum at the current precision; ``state`` carries κ from one call (precision rung) to the next."""
    assert pr.spectrum is not None
    state = {} if state is None else state
    g, lam = to_mpf(pr.gamma), to_mpf(pr.lam)
    noise, tau2 = to_mpf(pr.sigma2 + pr.tau2), to_mpf(pr.tau2)
    if mpmath.isinf(lam):
        return _null_estimator(to_mpf(pr.spectrum.r2), noise, tau2), None
    blocks = _spectral_blocks(pr.spectrum, MP)
    omg = to_mpf(1 - pr.gamma)
    if pr.spectrum.infinite:
        out, _ = _power_limit(MP, blocks, g, omg, lam, noise)
        out = {k: v for k, v in out.items() if not k.startswith("_")}
        out["risk"] = out["bias"] + out["variance"] + tau2
        return out, mpmath.mpf(0)
    if "kappa" not in state:
        state["kappa"] = _float64_kappa(pr)
    x0 = None if state["kappa"] is None else mpmath.mpf(state["kappa"])
    try:
        out, residual = _equivalent(blocks, g, lam, noise, tau2, params=pr.shown(), one_minus_g=omg, x0=x0)
        fallback = isinstance(blocks, _PowerBlocks) and residual > residual_tolerance()
    except ConvergenceError:
        if not isinstance(blocks, _PowerBlocks):
            raise
        fallback = True
    if fallback:
        # κ below the closed-form tails' floor (tiny λ): sum term by term while p allows it
        if pr.spectrum._power[0] > 10**6:  # type: ignore[index]
            raise ConvergenceError(
                f"ridge: kappa is below {blocks.sums.kappa_floor:.3g}, the smallest value the closed-form power-law "
                "sums cover, and p > 1e6 is too large to sum term by term; use a larger lam or a smaller p.",
                params=pr.shown(),
            )
        out, residual = _equivalent(pr.spectrum.mp_blocks(), g, lam, noise, tau2, params=pr.shown(), one_minus_g=omg, x0=x0)
    if out["kappa"] > 0:
        state["kappa"] = out["kappa"]
    return out, residual


def _equivalent(
    blocks: Any, g: Any, lam: Any, noise: Any, tau2: Any, *, params: dict[str, str] | None, one_minus_g: Any, x0: Any
) -> tuple[dict[str, Any], Any]:
    """:func:`general_equivalent` on blocks or a closed-form power law (:func:`_spectral_blocks`)."""
    omg = 1 - g if one_minus_g is None else one_minus_g
    rtol = mpmath.mpf(10) ** (-(mpmath.mp.dps - 2))
    out, _ = _general(MP, blocks, g, omg, lam, noise, rtol=rtol, x0=x0, params=params)
    residual = out.pop("_residual")
    quantities = {k: v for k, v in out.items() if not k.startswith("_")}
    quantities["risk"] = quantities["bias"] + quantities["variance"] + tau2
    return quantities, residual


def general_equivalent(
    g: mpmath.mpf,
    lam: mpmath.mpf,
    noise: mpmath.mpf,
    tau2: mpmath.mpf,
    s: list[Any],
    w: list[Any],
    b: list[Any],
    *,
    params: dict[str, str] | None = None,
    one_minus_g: mpmath.mpf | None = None,
    x0: mpmath.mpf | float | None = None,
) -> tuple[dict[str, Any], Any]:
    """The general-spectrum deterministic equivalent on mpmath numbers (current precision).

    The one solver for every block-spectrum ridge problem of the package (ridge with a
    general Σ, kernel ridge regression level by level).  ``g = p/n``, ``lam`` the
    normalized ridge (finite, ≥ 0), ``noise = σ² + τ²``, ``tau2`` the misspecification
    added to the risk, blocks ``(sᵢ > 0, wᵢ, bᵢ)`` with ``Σ wᵢ = 1``.  ``one_minus_g`` is
    ``1 − g`` formed before rounding (default: ``1 − g`` from the rounded ``g``); pass it when
    ``g`` can sit within the working precision of 1.  ``x0`` warm-starts Newton (e.g. the
    float64 root, or the root at the previous precision).  Returns the quantities ``kappa,
    bias, variance, risk, train_error`` and the κ-equation residual.

    Every difference of nearly equal numbers is rewritten: with
    ``qᵢ = κ/(sᵢ+κ)`` and ``pᵢ = sᵢ/(sᵢ+κ)``, ``1 − df₁/n = (1 − γ) + γ Σ wᵢqᵢ`` for ``γ ≤ 2``,
    ``1 − df₂/n = λ/κ + γ Σ wᵢ qᵢ pᵢ`` (a sum of positive terms, by the κ equation),
    ``1 − df₁/n = λ/κ`` at the root, so ``𝓑 = Σ bᵢ sᵢ qᵢ²/(1 − df₂/n)`` and
    ``R_train = (λ/κ)² (R + σ²)``.  The same code (:func:`_general`) runs the float64 curves.
    """
    return _equivalent((s, w, b), g, lam, noise, tau2, params=params, one_minus_g=one_minus_g, x0=x0)


# ----------------------------------------------------------------------------- ball proofs
def _null_ball(r2: Fraction, noise: Fraction, tau2: Fraction) -> dict[str, Any]:
    """:func:`_null_estimator` on balls (exact inputs; ``κ = +∞`` exactly)."""
    from ..ball import AB

    num = AB.num
    return {"kappa": AB.inf, "bias": num(r2), "variance": num(0), "risk": num(r2 + tau2), "train_error": num(r2 + noise)}


def _add_risk(B: Any, out: dict[str, Any], tau2: Any) -> dict[str, Any]:
    """``risk = 𝓑 + 𝓥 + τ²``, kept an exact ``+∞`` where the variance is (an inexact ``τ²`` would blur it)."""
    risk = out["bias"] + out["variance"] + tau2
    out["risk"] = B.where(B.isinf(out["variance"]), out["variance"], risk)
    return out


def _isotropic_ball(pr: RidgeParams) -> tuple[dict[str, Any], Any]:
    """Isotropic ridge on balls: the closed forms of :func:`_isotropic` from the exact parameters.

    ``c = λ + γ − 1`` and ``c² + 4λ`` are formed as exact fractions (as on the certified path), so
    every input ball is the exact value or a rounding of it; the branch conditions (``c < 0``,
    ``λ = 0``, ``D = 0``) are then decided exactly.  Returns the quantities and the κ-equation
    residual (a ball: every point of the κ ball satisfies the bound).
    """
    from ..ball import AB

    num = AB.num
    noise = pr.sigma2 + pr.tau2
    if pr.lam == math.inf:
        return _null_ball(pr.r2, noise, pr.tau2), None
    c = pr.lam + pr.gamma - 1
    lam = num(pr.lam)
    out = _isotropic(AB, num(c), lam, AB.sqrt(num(c * c + 4 * pr.lam)), num(pr.gamma), num(pr.r2), num(noise))
    kappa = out["kappa"]
    den = lam + kappa
    pos = den > 0
    gap = AB.abs(lam - kappa * (kappa + num(1 - pr.gamma)) / (1 + kappa))
    residual = AB.where(pos, gap / AB.where(pos, den, 1), 0 * den)
    return _add_risk(AB, out, num(pr.tau2)), residual


def _general_ball(pr: RidgeParams, dps: int, state: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    r"""General spectrum on balls: κ proven by a sign change, the quantities by :func:`_general` on balls.

    Branch and uniqueness (docs/proofs/ridge.md): ``h(κ) = 1 − df₁(κ)/n − λ/κ`` is continuous
    and strictly increasing on ``κ > 0``, so it has at most one zero there; for ``λ > 0`` (and
    for ``λ = 0``, ``γ > 1``) a zero exists and it is the root of the branch rule.  The
    approximate zero comes from the certified path's own solver at the current precision; the
    sign change ``h(a) < 0 < h(b)`` on thin balls ``a < b`` around it, with ``h`` finite on
    ``[a, b] ⊂ (0, ∞)``, proves the zero lies in ``[a, b]``.  ``λ = 0``, ``γ ≤ 1`` is ``κ = 0``
    (``h > 0`` on ``(0, ∞)``); ``p = ∞`` is the closed-form limit ``κ = λ``.  The bracket's
    half-width is ``2^{−(need + (prec − need)/2)}`` relative (``need`` = the bits of ``dps``
    digits): below the requested digits, and above the rounding of ``h`` at the working
    precision ``prec``, so both improve when :func:`~asymptotics.ball.prove` adds bits.
    """
    from flint import ctx

    from ..ball import AB, BITS_PER_DIGIT, NotProven, root_by_sign_change

    spec = pr.spectrum
    assert spec is not None
    num = AB.num
    noise_f = pr.sigma2 + pr.tau2
    if pr.lam == math.inf:
        return _null_ball(spec.r2, noise_f, pr.tau2), None
    g, omg, lam, noise, tau2 = num(pr.gamma), num(1 - pr.gamma), num(pr.lam), num(noise_f), num(pr.tau2)
    if spec.infinite:
        out, _ = _power_limit(AB, _spectral_blocks(spec, AB), g, omg, lam, noise)
        out = {k: v for k, v in out.items() if not k.startswith("_")}
        return _add_risk(AB, out, tau2), num(0)
    if pr.lam == 0 and pr.gamma <= 1:
        blocks, kappa = _spectral_blocks(spec, AB), num(0)
    else:
        approx, _ = _general_mp(pr, state)  # the certified path's solver, at the ball precision
        k0 = approx["kappa"]
        blocks = _spectral_blocks(spec, AB)
        if isinstance(blocks, _PowerBlocks) and not k0 >= 2 * blocks.sums.kappa_floor:
            # below the closed-form tails' floor: term by term, as the certified path does
            if spec._power[0] > BALL_DIRECT_MAX_P:  # type: ignore[index]
                raise NotProven("ridge kappa: below the closed-form floor with p > 1e6")
            blocks = _ball_power_blocks(spec._power)  # type: ignore[arg-type]
        h, _, _ = _kappa_equation(AB, blocks, g, omg, lam)
        need = math.ceil(dps * BITS_PER_DIGIT)
        rel = Fraction(1, 2 ** (need + max(8, (ctx.prec - need) // 2)))
        kappa = root_by_sign_change(h, k0, rel=rel, increasing=True)
        if (kappa > 0) is not True:
            raise NotProven("ridge kappa: the bracket of the root is not inside kappa > 0")
    out, _ = _general(AB, blocks, g, omg, lam, noise, rtol=None, kappa=kappa)
    residual = out["_residual"]
    out = {k: v for k, v in out.items() if not k.startswith("_")}
    return _add_risk(AB, out, tau2), residual


def _solve_ball(pr: RidgeParams, dps: int, state: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Every ridge quantity as a ball (the proof route of :func:`solve`)."""
    return _general_ball(pr, dps, state) if pr.spectrum is not None else _isotropic_ball(pr)


def _solve_mp(pr: RidgeParams, state: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
    out, residual = _general_mp(pr, state) if pr.spectrum is not None else _isotropic_mp(pr)
    if residual is not None and residual > residual_tolerance():
        raise ConvergenceError(f"ridge: fixed-point residual {mpmath.nstr(residual, 3)} too large", params=pr.shown())
    return out, residual


def solve(params: RidgeParams, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified value of one ridge quantity (``risk``, ``bias``, ``variance``, ``train_error``, ``kappa``).

    A general spectrum is solved as a pipeline: Newton at the first precision rung starts from
    the float64 root, and the second rung starts from the first rung's root.
    """
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown ridge quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    state: dict[str, Any] = {}
    proof_state: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        out, residual = _solve_mp(params, state)
        return out[quantity], residual

    def ball_evaluate() -> tuple[Any, Any]:
        out, residual = _solve_ball(params, dps, proof_state)
        return out[quantity], residual

    c = certify(evaluate, dps, what=f"ridge {quantity}", params=params.shown(), prove=ball_evaluate)
    source = CHENG_MONTANARI_2022 if params.spectrum is not None else HMRT_2019
    return Result(
        c.value, NAME, quantity, params.shown(), dps, c.residual, c.error_estimate, BRANCH_RULE, source, **c.proof_fields()
    )


def _make(quantity: str, doc: str) -> Any:
    def fn(
        gamma: Real,
        lam: Real = 0,
        r2: Real | None = None,
        sigma2: Real = 1,
        tau2: Real = 0,
        *,
        spectrum: Spectrum | str | None = None,
        dps: int = DEFAULT_DPS,
    ) -> Result:
        return solve(RidgeParams(gamma, lam, r2, sigma2, tau2, spectrum), quantity, dps=dps)

    fn.__name__ = fn.__qualname__ = quantity
    fn.__doc__ = doc
    return fn


_COMMON = """

    Parameters
    ----------
    gamma : aspect ratio p/n (> 0).
    lam : normalized ridge penalty (≥ 0; ``0`` = ridgeless; ``"inf"`` = null estimator).
    r2 : signal energy ‖β‖² (≥ 0; default 1); omit when ``spectrum`` is given.
    sigma2 : label-noise variance (≥ 0).
    tau2 : misspecification energy (≥ 0): unobserved features' contribution.
    spectrum : a :class:`Spectrum` (or its text form, see :meth:`Spectrum.parse`) for
        general covariance; default ``None`` = isotropic Σ = I.
    dps : significant digits (default 30).

    Returns
    -------
    Result with ``value`` (mpf, ``+inf`` at γ = 1, λ = 0), the κ-equation residual and,
    when ball arithmetic proved the digits, ``proven=True`` with the ``enclosure`` (the
    error estimate is then the ball's relative radius); otherwise a precision-ladder error
    estimate and ``proven=False``.
    """
risk = _make(
    "risk",
    "Excess test risk ``R = 𝓑 + 𝓥 (+ τ²)``.\n\n    Ridgeless isotropic: ``σ²γ/(1−γ)`` (γ<1), ``r²(1−1/γ) + σ²/(γ−1)`` (γ>1)."
    + _COMMON,
)
bias = _make("bias", "Bias ``𝓑 = κ² Σ bᵢsᵢ/(sᵢ+κ)² / (1 − df₂/n)`` (isotropic: ``r²κ²/((1+κ)²−γ)``)." + _COMMON)
variance = _make("variance", "Variance ``𝓥 = σ² (df₂/n)/(1 − df₂/n)`` (isotropic: ``σ²γ/((1+κ)²−γ)``), σ² → σ²+τ²." + _COMMON)
train_error = _make("train_error", "Training error ``(λ/κ)² (R + σ²)`` with ``λ/κ = 1 − df₁/n``." + _COMMON)
kappa = _make("kappa", "Effective regularization κ (root of ``λ = κ(1 − df₁(κ)/n)``)." + _COMMON)


def _lambda_star(pr: RidgeParams) -> Fraction | float:
    """``λ* = (σ² + τ²) γ / r²`` exactly (``inf`` when ``r² = 0``)."""
    return math.inf if pr.r2 == 0 else Fraction((pr.sigma2 + pr.tau2) * pr.gamma / pr.r2)


def _tuned_params(gamma: Real, r2: Real | None, sigma2: Real, tau2: Real, spectrum: Spectrum | str | None) -> RidgeParams:
    return RidgeParams(gamma, 0 if spectrum is None else 1, r2, sigma2, tau2, spectrum)


def _numeric_lambda_star(pr: RidgeParams, dps: int) -> tuple[Any, Any]:
    """``λ*`` of a general spectrum by :func:`~asymptotics.solve.optimize.minimize_penalty`: ``(value, error)``.

    ``r² = 0`` gives ``+inf`` (the null estimator); otherwise the zero of ``dR/dλ`` on ``λ ≥ 0``
    (``0`` when the ridgeless estimator is optimal, e.g. noiseless data with a target
    concentrated on the large eigenvalues).
    """
    from ..solve.optimize import minimize_penalty

    if pr.r2 == 0:
        return mpmath.inf, mpmath.mpf(0)
    state: dict[str, Any] = {}
    allow_zero = not (pr.spectrum is not None and pr.spectrum.infinite and pr.gamma > 1)

    def risk_at(lam: Any) -> Any:
        lam_q = exact_penalty(mpmath.mpf(lam))
        out, _ = _solve_mp(RidgeParams(pr.gamma, lam_q, None, pr.sigma2, pr.tau2, pr.spectrum))
        return out["risk"]

    def evaluate() -> tuple[Any, Any]:
        return minimize_penalty(risk_at, state=state, what="ridge optimal_lambda", params=pr.shown(), allow_zero=allow_zero), None

    c = certify(evaluate, dps, what="ridge optimal_lambda", params=_shown_tuned(pr))
    return c.value, c.error_estimate


def _shown_tuned(pr: RidgeParams) -> dict[str, str]:
    return {k: v for k, v in pr.shown().items() if k != "lam"}


def optimal_lambda(
    gamma: Real,
    r2: Real | None = None,
    sigma2: Real = 1,
    tau2: Real = 0,
    *,
    spectrum: Spectrum | str | None = None,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Optimal penalty ``λ* = argmin_{λ ≥ 0} R(λ)``.

    Isotropic features (``spectrum=None``): the closed form ``λ* = (σ² + τ²) γ / r²`` exactly;
    ridge at ``λ*`` is the Bayes posterior mean under ``β ~ N(0, r²/p I)`` (Dobriban &
    Wager 2018, Thm 2.1).  ``r2 = 0`` gives ``+inf`` (the null estimator is optimal).

    General ``spectrum``: the zero of ``dR/dλ`` located to ``dps`` digits by
    :func:`asymptotics.solve.optimize.minimize_penalty` (a sign change of the derivative across
    a bracket of relative width ``10^{−dps−2}``; precision-ladder estimate, ``proven=False``);
    ``0`` exactly when ``dR/dλ ≥ 0`` at ``0⁺``.  When the signal energy is spread like the
    features (``bᵢ = r² wᵢ``, "isotropic relative to Σ") the optimum is again
    ``(σ² + τ²) γ / r²`` for every Σ (docs/models/ridge.md, "Optimal regularization").

    Parameters
    ----------
    gamma : aspect ratio p/n (> 0).
    r2 : signal energy (≥ 0; default 1); omit when ``spectrum`` is given.
    sigma2, tau2 : noise variance and misspecification energy (≥ 0).
    spectrum : a :class:`Spectrum` or its text form; default isotropic.
    dps : significant digits.
    """
    pr = _tuned_params(gamma, r2, sigma2, tau2, spectrum)
    if pr.spectrum is not None:
        value, err = _numeric_lambda_star(pr, dps)
        return Result(value, NAME, "optimal_lambda", _shown_tuned(pr), dps, None, err, None, DOBRIBAN_WAGER_2018)
    value = _lambda_star(pr)

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import AB

        return AB.num(value), None  # an exact fraction (or +inf) as a ball

    c = certify(lambda: (to_mpf(value), None), dps, what="optimal_lambda", params=pr.shown(), prove=ball_evaluate)
    shown = {k: v for k, v in pr.shown().items() if k != "lam"}
    return Result(c.value, NAME, "optimal_lambda", shown, dps, None, c.error_estimate, None, HMRT_2019, **c.proof_fields())


def optimal_risk(
    gamma: Real,
    r2: Real | None = None,
    sigma2: Real = 1,
    tau2: Real = 0,
    *,
    spectrum: Spectrum | str | None = None,
    dps: int = DEFAULT_DPS,
) -> Result:
    """Risk at ``λ*``: ``R(λ*) = min_{λ ≥ 0} R(λ)``.

    Isotropic: equals ``σ²γ m_γ(−λ*)`` (+τ²), monotone in γ (no double descent); proven on balls.
    General ``spectrum``: the certified risk at the numerically located ``λ*`` (first-order
    insensitive to its error, ``R(λ*+δ) − R(λ*) = R''δ²/2``); ``proven=False``.  ``extra``
    holds ``lambda_star``.  Parameters as in :func:`optimal_lambda`.
    """
    dps = check_dps(dps)
    pr = _tuned_params(gamma, r2, sigma2, tau2, spectrum)
    if pr.spectrum is not None:
        lam_value, lam_err = _numeric_lambda_star(pr, dps + 5)
        lam_q: Any = math.inf if lam_value == mpmath.inf else exact_penalty(lam_value)
        res = solve(RidgeParams(pr.gamma, lam_q, None, pr.sigma2, pr.tau2, pr.spectrum), "risk", dps=dps)
        with mpmath.mp.workdps(dps):
            lam_shown = +lam_value
        return Result(
            res.value,
            NAME,
            "optimal_risk",
            _shown_tuned(pr),
            dps,
            res.residual,
            res.error_estimate,
            BRANCH_RULE,
            DOBRIBAN_WAGER_2018,
            {"lambda_star": lam_shown},
        )
    lam_star = _lambda_star(pr)
    res = solve(RidgeParams(gamma, lam_star, r2, sigma2, tau2), "risk", dps=dps)
    with mpmath.mp.workdps(dps):
        lam_value = to_mpf(lam_star)
    shown = {k: v for k, v in pr.shown().items() if k != "lam"}
    return Result(
        res.value,
        NAME,
        "optimal_risk",
        shown,
        dps,
        res.residual,
        res.error_estimate,
        BRANCH_RULE,
        HMRT_2019,
        {"lambda_star": lam_value},
        enclosure=res.enclosure,
        proven=res.proven,
    )


# ----------------------------------------------------------------------------- float64 path
def curve_values(
    quantity: str,
    gamma: ArrayLike,
    lam: ArrayLike = 0.0,
    r2: ArrayLike = 1.0,
    sigma2: ArrayLike = 1.0,
    tau2: ArrayLike = 0.0,
    *,
    spectrum: Spectrum | str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 evaluation (broadcast over all array arguments).

    Same formulas as the certified path; returns ``(values, status)`` with the status
    codes of :class:`~asymptotics.result.CurveResult` (``inf`` + status 1 at γ = 1, λ = 0).
    """
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown ridge quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    spectrum = Spectrum.parse(spectrum)  # type: ignore[arg-type]
    g, lam, r2, s2, t2 = float_arrays(gamma=gamma, lam=lam, r2=r2, sigma2=sigma2, tau2=tau2)
    domain = (
        (g > 0)
        & (lam >= 0)
        & (r2 >= 0)
        & (s2 >= 0)
        & (t2 >= 0)
        & np.isfinite(g)
        & ~np.isnan(lam)
        & np.isfinite(r2)
        & np.isfinite(s2)
        & np.isfinite(t2)
    )
    if spectrum is not None and spectrum.infinite:
        domain = domain & ((lam > 0) | (g <= 1))  # see RidgeParams: no ridgeless p = ∞ limit at γ > 1
    noise = s2 + t2
    with np.errstate(all="ignore"):
        if spectrum is None:
            out, conv = _isotropic_np(g, lam, r2, noise)
        else:
            out, conv = _general_np(spectrum, g, lam, noise)
        null = np.isinf(lam)
        rr = r2 if spectrum is None else np.full_like(g, float(spectrum.r2))
        out["bias"] = np.where(null, rr, out["bias"])
        out["variance"] = np.where(null, 0.0, out["variance"])
        out["train_error"] = np.where(null, rr + noise, out["train_error"])
        out["kappa"] = np.where(null, np.inf, out["kappa"])
        out["risk"] = out["bias"] + out["variance"] + t2
    return status_ladder(domain, conv, out[quantity])


def _isotropic_np(g: np.ndarray, lam: np.ndarray, r2: np.ndarray, noise: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    # γ − 1 is exact in float64 for γ ∈ [1/2, 2] (Sterbenz), so c = λ + (γ − 1) keeps a tiny λ at γ ≈ 1;
    # hypot and halving before adding avoid overflow for λ beyond 1e154
    c = lam + (g - 1)
    out = _isotropic(NP, c, lam, np.hypot(c, 2 * np.sqrt(lam)), g, r2, noise)
    # a finite λ has a finite κ: an infinite one overflowed float64 (γ or λ near 1e308)
    return out, np.isfinite(out["kappa"]) | np.isinf(lam)


FLOAT64_TOLERANCE = 1e-6
"""Largest relative error bound accepted at status 0 on the general float64 path (six digits)."""


def _general_np(
    spectrum: Spectrum, g: np.ndarray, lam: np.ndarray, noise: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """:func:`_general` on float64 arrays (points × blocks), with an error bound per point.

    Besides Newton's convergence, a point passes only if a bound on its relative error is below
    :data:`FLOAT64_TOLERANCE`: an error ``δ`` in evaluating ``h(κ)`` (a few ulps of the magnitude
    ``M`` of its terms, plus the residual ``|h(κ)|`` itself) moves κ by
    ``δκ/κ = δ/(κh'(κ)) = δ/(1 − df₂/n)``, and each quantity by a few times that (its factors have
    log-derivatives in κ of modulus ≤ 2).  The bound used, ``(|h(κ)| + 32 ε M)/(1 − df₂/n)``,
    exceeded the observed error of the float64 path against the certified one by a factor of 2
    or more on every point tried (random two-block spectra with gaps up to 1e12, γ near the block
    boundaries, λ from 0 to 1).  Near-singular spectra (gaps of many decades with γ near a block
    boundary) fail it and get status 3 rather than a value with fewer than six correct digits.
    """
    shape = g.shape
    gf, lf = g.reshape(-1), lam.reshape(-1)
    lf = np.where(np.isfinite(lf), lf, 1.0)  # λ = ∞ is filled in by the caller
    omg = 1 - gf  # exact for γ ∈ [1/2, 2] (Sterbenz)
    nf = np.broadcast_to(noise, shape).reshape(-1)
    blocks = _spectral_blocks(spectrum, NP)
    if isinstance(blocks, _PowerBlocks) and blocks.sums.P is None:
        out, conv = _power_limit(NP, blocks, gf, omg, lf, nf)
    else:
        out, conv = _general(NP, blocks, gf, omg, lf, nf, rtol=1e-14, throw=False)
    slack, size, ratio, one_minus_d2 = out["_slack"], out["_size"], out["_ratio"], out["_one_minus_d2"]
    bound = (np.abs(slack - ratio) + 32 * np.finfo(float).eps * (size + ratio)) / one_minus_d2
    trivial = (lf == 0) & (omg >= 0)
    conv = trivial | (conv & (bound <= FLOAT64_TOLERANCE))
    bad = ~conv
    p = blocks.sums.P if isinstance(blocks, _PowerBlocks) else None
    if p is not None and bad.any() and p <= 10**6 and p * int(bad.sum()) <= 5 * 10**7:
        # points whose κ lies below the closed-form tails' floor: sum term by term while p allows it
        again, conv_b = _general(NP, spectrum.np_blocks(), gf[bad], omg[bad], lf[bad], nf[bad], rtol=1e-14, throw=False)
        bound_b = (
            np.abs(again["_slack"] - again["_ratio"]) + 32 * np.finfo(float).eps * (again["_size"] + again["_ratio"])
        ) / again["_one_minus_d2"]
        for key in ("kappa", "bias", "variance", "train_error"):
            out[key] = out[key].copy()
            out[key][bad] = again[key]
        conv = conv.copy()
        conv[bad] = conv_b & (bound_b <= FLOAT64_TOLERANCE)
    keys = ("kappa", "bias", "variance", "train_error")
    return {k: out[k].reshape(shape) for k in keys}, conv.reshape(shape)


# ----------------------------------------------------------------------------- registry
PROOF_NOTE = (
    "ball arithmetic: isotropic closed forms from exact inputs; general spectra: kappa proven by a sign change "
    "of the increasing h(kappa) (unique root on kappa > 0), power-law tails with Euler-Maclaurin and "
    "alternating-series bounds; proven=false (ladder estimate) where the balls cannot decide (a nearly "
    "singular kappa equation) or p > 1e6 with kappa below the closed-form floor"
)
"""What the ``proven`` flag of the ridge quantities covers (``asymptotics list``); derivation in docs/proofs/ridge.md."""


def _q(name: str, fn: Any, doc: str) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    params = ("gamma", "lam", "r2", "sigma2", "tau2", "spectrum")
    return QuantitySpec(name, doc, params, fn, curve, proof="proven", proof_note=PROOF_NOTE)


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Ridge regression: isotropic features or a general population spectrum.",
        params={
            "gamma": ParamSpec("gamma", "aspect ratio p/n, > 0"),
            "lam": ParamSpec("lam", "normalized ridge penalty, ≥ 0 (0 = ridgeless)", default="0"),
            "r2": ParamSpec("r2", "signal energy ||beta||^2, ≥ 0", default="1"),
            "sigma2": ParamSpec("sigma2", "noise variance, ≥ 0", default="1"),
            "tau2": ParamSpec("tau2", "misspecification energy, ≥ 0", default="0"),
            "spectrum": ParamSpec(
                "spectrum",
                "population spectrum: isotropic | power_law:p=P,alpha=A,beta=B[,r2=R] | blocks:s/w/b,s/w/b,...",
                default="isotropic",
                kind="spectrum",
            ),
            "k": ParamSpec("k", "index of the effective ranks r_k, R_k, integer 0 <= k < p", kind="int"),
            "p": ParamSpec("p", "number of features (blocks, isotropic); a power law has its own", kind="int"),
            "b": ParamSpec("b", "constant of k* = min{k : r_k >= b n} (benign), > 0", default="1"),
            "k_order": ParamSpec(
                "k_order", "integer k >= 1 of Cheng-Montanari Thm 1, error ~ n^-(1-1/k) (de_error_bound)", default="2", kind="int"
            ),
            "eta": ParamSpec(
                "eta", "eta in (0, 1/2) of Cheng-Montanari Thm 1, not given by the paper (de_error_bound)", default="1/4"
            ),
        },
        quantities={
            "risk": _q("risk", risk, "excess test risk"),
            "bias": _q("bias", bias, "bias part of the risk"),
            "variance": _q("variance", variance, "variance part of the risk"),
            "train_error": _q("train_error", train_error, "training error"),
            "kappa": _q("kappa", kappa, "effective regularization"),
            "optimal_lambda": QuantitySpec(
                "optimal_lambda",
                "optimal penalty",
                ("gamma", "r2", "sigma2", "tau2", "spectrum"),
                optimal_lambda,
                proof="partial",
                proof_note="isotropic: an exact fraction (sigma2 + tau2) gamma / r2 as a ball; with a spectrum the result "
                "says proven=false (ladder estimate of the zero of dR/dlam, sign-change bracket)",
            ),
            "optimal_risk": QuantitySpec(
                "optimal_risk",
                "risk at the optimal penalty",
                ("gamma", "r2", "sigma2", "tau2", "spectrum"),
                optimal_risk,
                proof="partial",
                proof_note="isotropic: the risk's closed forms at the exact lam* on balls; with a spectrum the result says "
                "proven=false (ladder estimate)",
            ),
            # diagnostics of the deterministic equivalent (asymptotics/models/_diagnostics.py)
            "effective_rank_r": QuantitySpec(
                "effective_rank_r",
                "effective rank r_k = sum_{i>k} lambda_i / lambda_{k+1} (Bartlett et al. 2020)",
                ("k", "spectrum", "p"),
                _diag.effective_rank_r,
                optional=("p",),
                proof="proven",
                proof_note=_diag.PROOF_NOTE,
            ),
            "effective_rank_R": QuantitySpec(
                "effective_rank_R",
                "effective rank R_k = (sum_{i>k} lambda_i)^2 / sum_{i>k} lambda_i^2 (Bartlett et al. 2020)",
                ("k", "spectrum", "p"),
                _diag.effective_rank_R,
                optional=("p",),
                proof="proven",
                proof_note=_diag.PROOF_NOTE,
            ),
            "benign": QuantitySpec(
                "benign",
                "vector (k*/n, n/R_k*) of the benign-overfitting variance bound, n = p/gamma",
                ("gamma", "b", "spectrum", "p"),
                _diag.benign,
                optional=("p",),
                proof="proven",
                proof_note=_diag.PROOF_NOTE,
            ),
            "degrees_of_freedom": QuantitySpec(
                "degrees_of_freedom",
                "vector (df1/n, df2/n) at the effective regularization kappa",
                ("gamma", "lam", "sigma2", "spectrum"),
                _diag.degrees_of_freedom,
                proof="proven",
                proof_note="the ridge kappa's ball (see kappa) and the degree-of-freedom sums on balls",
            ),
            "de_error_bound": QuantitySpec(
                "de_error_bound",
                "RATE ONLY (constants set to 1, not given by the paper): vector (eps_V, eps_B, variance_conditions, "
                "bias_conditions) of the Cheng-Montanari relative-error bound of the equivalent at n = p/gamma",
                ("gamma", "lam", "spectrum", "p", "k_order", "eta"),
                _diag.de_error_bound,
                optional=("p",),
                proof="proven",
                proof_note=_diag.CM_PROOF_NOTE,
            ),
        },
        system=system,
        source=HMRT_2019,
    )
)
