r"""Random features ridge regression with a general input covariance (``rf spectrum=``).

Setting
-------
``x = Σ^{1/2} g`` in ``R^d`` (``g`` standard Gaussian), ``Σ`` given as blocks ``(sᵢ, wᵢ, bᵢ)`` of
:class:`~asymptotics.models.ridge.Spectrum` (eigenvalue, fraction of the ``d`` coordinates, energy of ``β``
in that eigenspace); ``m = tr Σ/d = Σ wᵢsᵢ``.  Features ``σ(⟨θ_a, x⟩/√(d m))`` with ``θ_a ~ N(0, I_d)``
(the preactivations are standard Gaussians, so ``μ₀, μ₁, μ⋆`` are the activation's usual coefficients;
``m = 1`` is the convention of ``rf``), ``N = ψ₁d`` features, ``n = ψ₂d`` samples, target
``⟨β, x⟩ + f_NL + ε`` with ``‖β‖² = F₁²`` spread over the blocks in proportion to ``bᵢ``, ``E f_NL² = F⋆²``,
``Var ε = τ²``, penalty ``(Nλ/d)‖a‖²`` as in ``rf``.

Equations (derivation in docs/models/rf.md, "General input covariance")
-----------------------------------------------------------------------
With ``cᵢ = μ₁²sᵢ/m`` and ``eᵢ = sᵢ b̃ᵢ`` (``b̃ᵢ = F₁² bᵢ/Σb``), the feature-level regularization ``ν₂`` and
the sample-level one ``κ`` solve

.. math:: \rho = \kappa + \mu_\star^2 = \nu_2\Big(\psi_1 - \sum_i w_i\frac{c_i}{c_i+\nu_2}\Big),\qquad
          \psi_1\lambda = \kappa\Big(1 - \frac{\psi_1}{\psi_2} + \frac{\kappa}{\psi_2\nu_2}\Big),

(``ν₁ = ρ/ψ₁``: then ``N(1 − ν₁/ν₂) = df₁(ν₂)`` of the features' linear part), and with
``S_k = Σ wᵢ cᵢ^{k'}/(cᵢ+ν₂)^k``-type sums (see :func:`_at_root`)

.. math:: R = \frac{\mathcal B_{\rm tot}}{D} + (\tau^2 + F_\star^2)\frac{\mathrm{df}_2/n}{D} + F_\star^2,\qquad
          T = (\psi_1\lambda/\kappa)^2 (R + \tau^2).

``ψ₁ = ∞`` is ridge on ``x`` (:func:`kernel_limit_mp`, ridge's solver with ``γ = 1/ψ₂``,
``λ_r = (μ⋆² + ψ₂λ)m/(μ₁²ψ₂)``); ``ψ₂ = ∞`` is the same equations with ``1/ψ₂ = 0`` (``κ = ψ₁λ``).
Power laws with ``p > 4096`` and ``p = ∞`` (absolute sizes ``N``, ``n``; the equations with ``d = 1``) sum in
closed form by ridge's power-law machinery (:class:`PowerRF`); :func:`scaling_exponents` gives the predicted
scaling-law exponents (docs/models/rf.md, "Scaling laws").

Sources: Defilippis, Loureiro & Misiakiewicz, arXiv 2405.15699 (dimension-free deterministic equivalents for
RF regression); Bach, arXiv 2303.01372; Atanasov, Zavatone-Veth & Pehlevan, arXiv 2405.00592; Mei & Montanari,
arXiv 1908.05355 (the isotropic case, reproduced by ``spectrum=blocks:1/1/1``).
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from ..activations import coefficients_float
from ..backend import MP, NP
from ..errors import ConvergenceError, ParameterError
from ..formulas import status_ladder
from ..precision import DEFAULT_DPS, certify, residual_tolerance
from ..references import Source
from ..result import Result
from ..solve.roots import increasing_root
from .ridge import Spectrum

DLM_2024 = Source(
    "L. Defilippis, B. Loureiro, T. Misiakiewicz",
    "Dimension-free deterministic equivalents for random feature regression",
    2024,
    arxiv="2405.15699",
    where="the two-level deterministic equivalent; rf with Sigma = I: Mei-Montanari, arXiv:1908.05355",
)
FLOAT64_MAX_ERROR = 1e-6
"""A float64 value whose estimated relative error exceeds this gets status 3."""
MAX_DIRECT_P = 4096
"""Largest power-law ``p`` summed term by term (the RF equations need sums the closed-form tables do not hold)."""
SPECTRUM_QUANTITIES = ("risk", "bias", "variance", "train_error", "nu1", "nu2")
BRANCH_RULE = (
    "nu2 > 0 the unique root of the increasing H(nu2) = 1 - psi1/psi2 - psi1 lam/kappa + kappa/(psi2 nu2), "
    "kappa = nu2 (psi1 - sum w c/(c + nu2)) - mu*^2 > 0 (kappa = 0 when lam = 0 and psi1 <= psi2)"
)
PROOF_NOTE = "rf with spectrum=: precision-ladder estimate (no ball route yet)"


# ----------------------------------------------------------------------------- validation
def parse_spectrum(spectrum: Any) -> Spectrum | None:
    """Parse ``spectrum=`` for ``rf`` (``None`` for ``isotropic``); every refusal names ``spectrum``.

    ``power_law:...,r2=R`` with ``R ≠ 1`` is refused: in ``rf`` ``F1sq`` sets ``‖β‖²`` and the spectrum
    only says how it spreads over the eigenvalues (the blocks' energies likewise count only relative to their sum).
    """
    try:
        sp_ = Spectrum.parse(spectrum)
    except ParameterError as exc:
        msg = str(exc)
        if msg.startswith("`weights` must sum to 1"):
            total = msg.rsplit("sum to ", 1)[-1].rstrip(".")
            raise ParameterError(
                f"`spectrum` block weights (the middle field of each s/w/b, fractions of the d input coordinates, each "
                f"> 0) must sum to 1; they sum to {total} in {spectrum!r}."
            ) from None
        if msg.startswith("`spectrum`"):
            raise
        raise ParameterError(f"`spectrum` {spectrum!r}: {msg}") from None
    if sp_ is not None and sp_._power is not None and sp_._power[3] != 1:
        raise ParameterError(
            f"`spectrum` power_law's r2 (= {float(sp_._power[3]):g}) is not used by rf: `F1sq` sets ||beta||^2 and the "
            "spectrum only how it spreads over the eigenvalues; leave r2 out (or r2=1) and give F1sq=R."
        )
    return sp_


def check_spectrum(
    spectrum: Any, psi1: Any, psi2: Any, lam: Any, F1sq: Any, ms2_zero: bool | None = None, absolute: bool = False
) -> Spectrum:
    """Validate ``spectrum=`` for ``rf`` (a :class:`Spectrum` or its text); returns the parsed spectrum.

    Raises :class:`ParameterError` naming ``spectrum`` (or ``psi1``/``psi2``, ``N``/``n``) where the model is not
    defined here.  ``absolute``: the sizes were given as ``N``, ``n`` (only with ``p = ∞``).  ``psi1 = inf`` (the
    kernel limit: ridge on ``x``, :func:`kernel_limit_mp`) and ``psi2 = inf`` (infinite data: ``κ = ψ₁λ``) are
    defined for blocks and finite power laws.
    """
    sp_ = parse_spectrum(spectrum)
    if sp_ is None:
        sp_ = Spectrum.from_blocks([1], [1], [1])
    power = sp_._power
    if power is not None and power[0] == math.inf:
        if psi1 == math.inf or psi2 == math.inf:
            raise ParameterError(
                "`N` and `n` must be finite (> 0) with spectrum=power_law:p=inf: the limits N = inf, n = inf of the "
                "d = 1 equations are not covered (use a finite p with psi1=inf or psi2=inf)."
            )
        if not absolute:
            raise ParameterError(
                "`N` and `n` (absolute numbers of features and samples, > 0) are required with a power law of p=inf "
                "(psi1 = N/d and psi2 = n/d have no meaning without d); give N=... n=... instead of psi1/psi2/N_over_n."
            )
        if power[1] <= 1:
            raise ParameterError(
                f"`spectrum` power_law with p=inf for rf needs alpha > 1 (tr Sigma = sum j^-alpha finite); got {sp_.label}."
            )
    elif absolute:
        raise ParameterError(
            "`N` and `n` (absolute sizes) are for spectrum=power_law:p=inf only; with a finite p (or blocks) give "
            "psi1 = N/d and psi2 = n/d."
        )
    if F1sq != 0 and sp_.r2 == 0:
        raise ParameterError("`spectrum` energies (third field) are all 0 but F1sq > 0: give at least one energy > 0.")
    return sp_


_MU1_ZERO = (
    "`activation` with mu1 = 0 (no linear part) is not covered with a power law of p > 4096 or p = inf; "
    "use p <= 4096 (summed term by term)."
)


def _large_power(spectrum: Spectrum) -> bool:
    """A power law summed in closed form (``p > 4096`` or ``p = ∞``)."""
    power = spectrum._power
    return power is not None and power[1] != 0 and (power[0] == math.inf or power[0] > MAX_DIRECT_P)


def _blocks(spectrum: Spectrum, B: Any, F1: Any) -> tuple[Any, Any, Any, Any]:
    """``(s, w, ẽ, m)``: eigenvalues, weights, target energies ``ẽᵢ = F₁² bᵢ sᵢ/Σb`` and ``m = Σ wᵢsᵢ``."""
    power = spectrum._power
    if power is not None and power[1] == 0:
        s, w, b = [1], [1], [1]
    elif power is None:
        s, w, b = list(spectrum.eigenvalues), list(spectrum.weights), list(spectrum.energies)
    else:
        s, w, b = spectrum.mp_blocks() if B.name == "mp" else spectrum.np_blocks()
    if B.name == "mp":
        s, w, b = (
            [mpmath.mpf(v) if not hasattr(v, "numerator") else mpmath.mpf(v.numerator) / v.denominator for v in col]
            for col in (s, w, b)
        )
        tot = mpmath.fsum(b)
        e = [F1 * bi * si / tot if tot != 0 else mpmath.mpf(0) for bi, si in zip(b, s, strict=True)]
        m = mpmath.fsum(wi * si for wi, si in zip(w, s, strict=True))
        return s, w, e, m
    s, w, b = (np.array([float(v) for v in col]) for col in (s, w, b))
    tot = b.sum()
    e = b * s / tot if tot != 0 else 0 * b
    return s, w, e, float((w * s).sum())


# ----------------------------------------------------------------------------- power laws at any p (closed-form sums)
def _ec_head(s: Any, w: Any, b: Any, k: Any) -> tuple[Any]:
    """``j^{−β} p_j²`` with ``p_j = s_j/(s_j + k)`` (the head terms of :meth:`PowerRF.ec_sum`)."""
    p = s / (s + k)
    return (b * p * p,)


class PowerRF:
    r"""The RF sums over a power law ``s_j = j^{−α}``, target energies ``∝ j^{−β}``, for ``p > 4096`` or ``p = ∞``.

    Blocks ``c_j = C s_j``, weights ``W`` (``1/p``; ``1`` at ``p = ∞``), energies ``e_j = (F₁²/Z_β) j^{−β} s_j``
    (``Z_β = Σ_{j≤p} j^{−β}``), ``C = μ₁²/(W Σ_j s_j)`` (so ``Σ W c_j = μ₁²``).  With ``k = v/C`` and ridge's
    ``p_j = s_j/(s_j + k)``, ``q_j = 1 − p_j``, every sum of the RF equations is one of ridge's power-law sums
    (:class:`~asymptotics.solve.spectral_sums.PowerLawSums`; at ``p = ∞`` learning_curve's ``_InfiniteSums``,
    whose whole-range Euler–Maclaurin sums :func:`~asymptotics.solve.spectral_sums.em_tail` cover any small
    ``k``):

    ``S₁ = WΣp``, ``Σ w v/(c+v) = WΣq``, ``S₂ = WΣpq/v``, ``S₃ = WΣp²``,
    ``Σ e c/(c+v)² = (E/C) Σ j^{−β} p²``, ``Σ e/(c+v)² = (E/v²) Σ j^{−β} s q²``.

    The one new sum, ``Σ j^{−β} p_j²``, uses the same head, binomial tail series (entries ``S(α(r+2)+β)`` of
    the same power-sum table) and, at ``p = ∞`` and small ``k``, ``em_tail`` with the form ``(β, 0, 2)``.
    At ``p = ∞`` (``α > 1``: ``tr Σ = ζ(α)`` finite) the equations are written with ``d = 1`` (``ψ₁ = N``,
    ``ψ₂ = n``; docs/models/rf.md).  Finite ``p`` covers ``k`` down to the tables' floor only (below it MP raises
    :class:`ConvergenceError`, float64 gives status 3).
    """

    def __init__(self, B: Any, power: tuple[Any, Any, Any, Any], mu1sq: Any, F1: Any) -> None:
        from .learning_curve import _prec, _sums

        p, a, bb, _ = power
        self.B, self.inf, self.alpha, self.mu1sq = B, p == math.inf, a, mu1sq
        self.P = None if self.inf else int(p)
        self.core: Any = _sums(B.name, self.P, a, bb, _prec(B))
        trace = self.core.zeta_alpha() if self.inf else self.core.trace()  # Σ s (p = ∞) or Σ s/p
        self.C = mu1sq / trace
        self.E = F1 / self.core.energy()

    def floor_bracket(self, psi1: Any) -> tuple[Any, Any, Any]:
        """``(need, lo, hi)`` bracketing ``ν₂⁰`` (``S₁(ν₂⁰) = ψ₁``) in ``ν₂``.

        ``S₁ ≤ Σ W c/v = μ₁²/v``, so ``hi = 2μ₁²/ψ₁`` has ``S₁ < ψ₁``.  Below: ``Σ_{j≤J} p_j ≥ J/(1 + kJ^α)``;
        ``p = ∞``: ``J = 2N + 2``, ``k = J^{−α}`` gives ``S₁ ≥ N + 1``; finite ``p`` (needed for ``ψ₁ < 1``):
        ``J = p(1+ψ₁)/2``, ``k = εJ^{−α}``, ``ε = (1−ψ₁)/(4ψ₁)`` gives ``S₁ ≥ (J/p)/(1+ε) > ψ₁``.
        """
        B = self.B
        a = float(self.alpha) if B.name == "np" else mpmath.mpf(self.alpha.numerator) / self.alpha.denominator
        hi = 2 * self.mu1sq / psi1 + 0 * psi1
        if self.inf:
            need = True if B.name == "mp" else np.ones(np.shape(psi1), bool)
            return need, self.C * (2 * psi1 + 2) ** (-a), hi
        one = 1 + 0 * psi1
        need = psi1 < 1
        safe = B.where(need, psi1, one / 2)
        J = self.P * (1 + safe) / 2
        lo = self.C * (1 - safe) / (4 * safe) * J ** (-a)
        return need, B.where(need, lo, one), B.where(need, hi, 2 * one)

    def ec_sum(self, k: Any) -> Any:
        """``Σ_j j^{−β} p_j²`` at ``k > 0`` (``j^{−β}(1+u)^{−2} = Σ_r (−1)^r(r+1) k^{−r−2} j^{−α(r+2)−β}`` beyond the head)."""
        core = self.core

        def closed(kk: Any) -> tuple[Any]:
            N, R, ok = core._plan(kk)
            (h,) = core._head_sums(_ec_head, kk, N)
            if R == 0:
                return (h,)
            _, s_b = core._table(N)
            return (core._mask(h + core._series(kk, s_b, 2, 2, True, R), ok),)

        if self.inf:
            return core._dispatch(closed, k, ((core.beta, 0, 2),), _ec_head)[0]
        return closed(k)[0]

    def sums(self, terms: Any, v: Any) -> tuple[Any, ...]:
        """The sums ``Σᵢ terms(cᵢ, wᵢ, eᵢ, v)`` of :func:`_bsum` for ``terms`` in ``_s_terms, _e_terms, _c_terms``."""
        B, core = self.B, self.core
        if terms is _c_terms:
            return (self.mu1sq + 0 * v,)
        k = v / self.C
        if terms is _s_terms:
            if self.inf:
                sp, sqp = core.slack_inf(k)
                spp = core.pp_inf(k)
                sq = (mpmath.inf if B.name == "mp" else np.inf) + 0 * sp  # Σ q diverges (never used at p = ∞)
            else:
                sq, sp, sqp = core.slack(k)
                spp = core.final(k)[0]
            return sp, sq, sqp / v, spp
        if terms is _e_terms:
            return self.E / self.C * self.ec_sum(k), self.E / (v * v) * core.bias_sum(k)
        raise TypeError(f"PowerRF.sums: unknown terms {terms!r}")


def rf_blocks(spectrum: Spectrum, B: Any, mu1sq: Any, F1: Any) -> Any:
    """What the RF sums run over: ``(c, w, e)`` with ``cᵢ = μ₁²sᵢ/m``, or :class:`PowerRF` (``p > 4096``, ``p = ∞``)."""
    power = spectrum._power
    if power is not None and power[1] != 0 and (power[0] == math.inf or power[0] > MAX_DIRECT_P):
        return PowerRF(B, power, mu1sq, F1)
    s, w, e, m = _blocks(spectrum, B, F1)
    if B.name == "mp":
        return ([mu1sq * si / m for si in s], w, e)
    return (mu1sq * s / m, w, e)


# ----------------------------------------------------------------------------- formulas (mp scalars, numpy points × blocks)
def _bsum(B: Any, blocks: Any, terms: Any, v: Any) -> tuple[Any, ...]:
    """``Σᵢ terms(cᵢ, wᵢ, eᵢ, v)`` (mpmath: lists; numpy: points × blocks; a power law: :class:`PowerRF`)."""
    if isinstance(blocks, PowerRF):
        return blocks.sums(terms, v)
    if B.name == "np":
        c, w, e = blocks
        return tuple(t.sum(axis=-1) for t in terms(c, w, e, np.asarray(v)[..., None]))
    rows = [terms(ci, wi, ei, v) for ci, wi, ei in zip(*blocks, strict=True)]
    return tuple(mpmath.fsum(col) for col in zip(*rows, strict=True))


def _s_terms(c: Any, w: Any, e: Any, v: Any) -> tuple[Any, Any, Any, Any]:
    """``w c/(c+v)``, ``w v/(c+v)``, ``w c/(c+v)²``, ``w c²/(c+v)²``."""
    inv = 1 / (c + v)
    wc = w * c * inv
    return wc, w * v * inv, wc * inv, wc * c * inv


def _c_terms(c: Any, w: Any, e: Any, v: Any) -> tuple[Any]:
    """``w c`` (``Σ wc = μ₁²``, the trace of the features' linear part)."""
    return (w * c,)


def _small(B: Any, blocks: Any, psi1: Any) -> Any:
    """Where ``ψ₁ − S₁`` is formed as ``(ψ₁ − 1) + Σ w v/(c+v)`` (``Σ w = 1``; not at ``p = ∞``, where ``Σ w = ∞``)."""
    if isinstance(blocks, PowerRF) and blocks.inf:
        return psi1 < 0
    return psi1 <= 2


def _slack(B: Any, blocks: Any, psi1: Any, v: Any) -> tuple[Any, Any]:
    """``ψ₁ − S₁(v)`` without cancellation (``(ψ₁ − 1) + Σ w v/(c+v)`` for ``ψ₁ ≤ 2``) and ``ρ'(v) = ψ₁ − S₃``."""
    s1, sv, _, s3 = _bsum(B, blocks, _s_terms, v)
    slack = B.where(_small(B, blocks, psi1), (psi1 - 1) + sv, psi1 - s1)
    return slack, psi1 - s3


def _nu2_floor(B: Any, blocks: Any, psi1: Any, ms2: Any, cmax: Any, ctot: Any, rtol: Any) -> tuple[Any, Any]:
    """``ν₂`` where ``κ = 0`` (``ρ(ν₂) = μ⋆²``), and the root's convergence flag.

    ``ψ₁ − S₁`` increases in ``ν₂`` (zero at ``ν₂⁰``, or ``ν₂⁰ = 0`` when ``ψ₁ ≥ 1``); above ``ν₂⁰``
    ``ρ = ν₂(ψ₁ − S₁)`` increases, with ``ρ(ν₂) ≥ ψ₁ν₂ − Σwc``, so the root lies below ``(μ⋆² + Σwc)/ψ₁``.
    """
    one = 1 + 0 * psi1
    need0 = B.land(psi1 < 1, cmax > 0)
    lo0 = B.where(need0, cmax * 1e-300 + 0 * psi1, one)
    if B.name == "mp":
        lo0 = mpmath.mpf(10) ** (-mpmath.mp.dps - 30) * (cmax if cmax > 0 else 1)
    hi0 = B.where(need0, 2 * cmax / B.where(psi1 > 0, psi1, one) + 1, 2 * one)
    if isinstance(blocks, PowerRF):
        need0, lo0, hi0 = blocks.floor_bracket(psi1)

    def f0(v: Any) -> Any:
        return _slack(B, blocks, psi1, v)[0]

    def df0(v: Any) -> Any:
        return _bsum(B, blocks, _s_terms, v)[2]

    if B.name == "mp":
        v0, ok0 = increasing_root(f0, df0, lo0, hi0, ops=B, rtol=rtol, throw=False) if need0 else (mpmath.mpf(0), True)
    else:
        v0, ok0 = increasing_root(f0, df0, lo0, hi0, ops=B, rtol=rtol, throw=False)
        v0 = np.where(need0, v0, 0.0)
        ok0 = np.where(need0, ok0, True)
    pos = ms2 > 0

    def g(v: Any) -> Any:
        return v * _slack(B, blocks, psi1, v)[0] - ms2

    def dg(v: Any) -> Any:
        return _slack(B, blocks, psi1, v)[1]

    hi = (ms2 + ctot) / psi1 + v0 + 1
    lo = B.where(v0 > 0, v0, ms2 / (psi1 + 1) + 0 * v0) if B.name == "np" else (v0 if v0 > 0 else ms2 / (psi1 + 1))
    if B.name == "mp":
        if not pos:
            return v0, ok0
        v, ok = increasing_root(g, dg, lo, hi, ops=B, rtol=rtol, throw=False)
        return v, ok and ok0
    lo = np.where(lo > 0, lo, 1.0)
    v, ok = increasing_root(g, dg, lo, hi, ops=B, rtol=rtol, throw=False)
    return np.where(pos, v, v0), np.where(pos, ok, True) & ok0


def _kappa(B: Any, blocks: Any, psi1: Any, ms2: Any, v: Any) -> tuple[Any, Any]:
    """``κ(ν₂) = ν₂(ψ₁ − S₁) − μ⋆²`` and ``dκ/dν₂ = ψ₁ − S₃``."""
    slack, drho = _slack(B, blocks, psi1, v)
    return v * slack - ms2, drho


def solve_point(
    B: Any, blocks: Any, psi1: Any, psi2: Any, lam: Any, ms2: Any, omr: Any, *, rtol: Any, x0: Any = None
) -> dict[str, Any]:
    """The root ``(κ, ν₂)`` and every quantity (without the energies' weights) on backend ``B``.

    ``omr = 1 − ψ₁/ψ₂`` (formed exactly by the caller).  ``H(ν₂) = 1 − ψ₁/ψ₂ − ψ₁λ/κ + κ/(ψ₂ν₂)`` increases
    in ``ν₂`` where ``κ > 0`` (``κ`` increases with ``ν₂`` and ``1 − ψ₁λ/κ − df₁/n`` with ``κ``), from ``−∞``
    (``λ > 0``) or ``1 − ψ₁/ψ₂`` (``λ = 0``) at ``κ = 0`` to ``1`` at ``ν₂ = ∞``.
    """
    if isinstance(blocks, PowerRF):
        cmax = blocks.C
    else:
        c = blocks[0]
        cmax = max(c) if B.name == "mp" else float(np.max(c))
    ctot = _bsum(B, blocks, _c_terms, 0 * psi1)[0]
    vlo, ok_lo = _nu2_floor(B, blocks, psi1, ms2, cmax, ctot, rtol)
    trivial = B.land(lam == 0, omr >= 0)  # κ = 0

    def H(v: Any) -> Any:
        k, _ = _kappa(B, blocks, psi1, ms2, v)
        return omr - psi1 * lam / k + k / (psi2 * v)

    def dH(v: Any) -> Any:
        k, dk = _kappa(B, blocks, psi1, ms2, v)
        return psi1 * lam * dk / k**2 + (dk * v - k) / (psi2 * v * v)

    lo = B.where(vlo > lam, vlo, lam) if B.name == "np" else max(vlo, lam)
    lo = lo * (1 + rtol) if B.name == "mp" else lo * (1 + 1e-15)
    if B.name == "mp" and lo == 0:
        lo = mpmath.mpf(10) ** (-mpmath.mp.dps - 30)
    if B.name == "np":
        lo = np.where(lo > 0, lo, 1e-300)
    hi = 2 * lo + (ms2 + ctot + psi1 * lam + 1) / psi1
    for _ in range(60):  # double until H(hi) > 0 (H → 1 as ν₂ → ∞)
        bad = H(hi) <= 0
        if B.name == "np":
            if not np.any(bad & ~trivial):
                break
            hi = np.where(bad, 2 * hi, hi)
        else:
            if trivial or not bad:
                break
            hi = 2 * hi
    if B.name == "mp":
        if trivial:
            v, ok = vlo, ok_lo
        else:
            if x0 is not None and not lo < x0 < hi:
                x0 = None
            v, ok = increasing_root(H, dH, lo, hi, ops=B, rtol=rtol, throw=False, x0=x0)
    else:
        v, ok = increasing_root(H, dH, np.where(trivial, 1.0, lo), np.where(trivial, 2.0, hi), ops=B, rtol=rtol, throw=False)
        v = np.where(trivial, vlo, v)
        ok = np.where(trivial, ok_lo, ok & ok_lo)
    return _at_root(B, blocks, psi1, psi2, lam, ms2, omr, v, trivial, ok, H, dH)


def _e_terms(c: Any, w: Any, e: Any, v: Any) -> tuple[Any, Any]:
    """``e c/(c+v)²`` and ``e/(c+v)²`` (the bias sums)."""
    inv2 = 1 / (c + v) ** 2
    return e * c * inv2, e * inv2


def _at_root(
    B: Any, blocks: Any, psi1: Any, psi2: Any, lam: Any, ms2: Any, omr: Any, v: Any, trivial: Any, ok: Any, H: Any, dH: Any
) -> dict[str, Any]:
    """Quantities at the root, every difference rewritten as a sum of positive terms (docs/models/rf.md).

    ``ρ' = ρ/ν₂ + ν₂S₂``; ``D = 1 − df₂/n = r + κ(μ⋆² + ν₂²S₂)/(ψ₂ν₂²ρ')`` with ``r = 1 − df₁/n``;
    ``df₂/n = (ψ₁/ψ₂)[((ν₂S₁ + μ⋆²)/(ψ₁ν₂))² + (κ/(ψ₁ν₂))² S₃/ρ']``;
    ``𝓑_tot = Σ eᵢ[cᵢ(μ⋆² + ν₂²S₂) + ν₂²ρ']/(ρ'(cᵢ+ν₂)²)``.
    """
    s1, sv, s2, s3 = _bsum(B, blocks, _s_terms, v)
    small = _small(B, blocks, psi1)
    slack = B.where(small, (psi1 - 1) + sv, psi1 - s1)
    slack_size = B.where(small, B.abs(psi1 - 1) + sv, psi1 + s1)  # ψ₁ − S₁ cancels near ν₂⁰ (ψ₁ < 1)
    rho = B.where(trivial, ms2 + 0 * v, v * slack)
    kappa = B.where(trivial, 0 * v, rho - ms2)
    drho = rho / v + v * s2
    kk = B.where(kappa > 0, kappa, 1 + 0 * v)
    r = B.where(trivial, omr + 0 * v, B.where(lam > 0, psi1 * lam / kk, 0 * v))
    D = r + kappa * (ms2 + v * v * s2) / (psi2 * v * v * drho)
    a = (v * s1 + ms2) / (psi1 * v)
    u = kappa / (psi1 * v)
    df2 = psi1 / psi2 * (a * a + u * u * s3 / drho)
    ec, e0 = _bsum(B, blocks, _e_terms, v)
    btot = ((ms2 + v * v * s2) * ec + v * v * drho * e0) / drho
    # backward error in ν₂: |H| over the larger of the size of its terms and |ν₂ H'| (steep near κ = 0)
    if B.name == "mp":
        resid = 0 * v if trivial else abs(H(v)) / max(1 + abs(omr) + r + kappa / (psi2 * v), abs(v * dH(v)))
        slope = 0 * v if trivial else abs(v * dH(v))
    else:
        vv = np.where(trivial, 2 * v + 1, v)
        slope = np.where(trivial, 0.0, np.abs(vv * dH(vv)))
        size = 1 + np.abs(omr) + r + kappa / (psi2 * v)
        resid = np.where(trivial, 0.0, np.abs(H(vv)) / np.maximum(size, slope))
    return {
        "kappa": kappa,
        "nu1": rho / psi1,
        "nu2": v,
        "r": r,
        "D": D,
        "df2": df2,
        "btot": btot,
        "ok": ok,
        "residual": resid,
        "slope": slope,
        "rho": rho,
        "slack_cond": slack_size / B.where(slack != 0, B.abs(slack), 1e-300 + 0 * slack),
    }


def combine(B: Any, st: dict[str, Any], thr: Any, F1: Any, Fs: Any, tau2: Any) -> dict[str, Any]:
    """``bias, variance, risk, train_error`` from the root's parts; ``+inf`` at the threshold (``D = 0``)."""
    noise = tau2 + Fs
    D, zero = st["D"], 0 * st["D"]
    safe = B.where(thr, 1 + zero, D)
    inf = B.inf + zero if B.name == "np" else mpmath.inf
    bias = B.where(thr, B.where(F1 > 0, inf, zero), st["btot"] / safe)
    variance = B.where(thr, B.where(noise > 0, inf, zero), noise * st["df2"] / safe)
    risk = bias + variance + Fs
    r = st["r"]
    train = B.where(r == 0, zero, r * (r * (risk + tau2)))
    return {"bias": bias, "variance": variance, "risk": risk, "train_error": train, "nu1": st["nu1"], "nu2": st["nu2"]}


def _degenerate(ms2_zero: bool, lam: Any, psi1: Any, psi2: Any) -> bool:
    """``μ⋆ = 0``, ``λ = 0`` and ``min(ψ₁, ψ₂) ≥ 1``: least squares on the raw coordinates, ``ν₂ = 0``."""
    return ms2_zero and lam == 0 and min(psi1, psi2) >= 1


# ----------------------------------------------------------------------------- the kernel limit psi1 = inf: ridge on x
def ridge_spectrum(spectrum: Spectrum, F1sq: Any) -> Spectrum:
    """``Σ`` with ``β``'s energies scaled to ``‖β‖² = F₁²`` (what ``ridge`` reads as its ``spectrum``)."""
    F1 = Fraction(F1sq)
    if spectrum._power is not None:
        p, a, bb, _ = spectrum._power
        return dataclasses.replace(spectrum, _power=(p, a, bb, F1))
    tot = sum(spectrum.energies, Fraction(0))
    energies = tuple(F1 * e / tot for e in spectrum.energies) if tot else spectrum.energies
    return dataclasses.replace(spectrum, energies=energies)


def input_trace(spectrum: Spectrum, B: Any) -> Any:
    """``m = tr Σ/d`` on backend ``B`` (mp or np); closed form for power laws of ``p > 4096``."""
    power = spectrum._power
    if power is None:
        m = sum((w * s for w, s in zip(spectrum.weights, spectrum.eigenvalues, strict=True)), Fraction(0))
        return mpmath.mpf(m.numerator) / m.denominator if B.name == "mp" else float(m)
    if power[1] == 0:
        return mpmath.mpf(1) if B.name == "mp" else 1.0
    if _large_power(spectrum):
        from .learning_curve import _prec, _sums

        return _sums(B.name, int(power[0]), power[1], power[2], _prec(B)).trace()
    return _blocks(spectrum, B, 1)[3]


def kernel_map(psi2: Any, lam: Any, mu1sq: Any, ms2: Any, m: Any) -> Any:
    r"""``λ_r = (μ⋆² + ψ₂λ)m/(μ₁²ψ₂)``: the kernel limit is ridge on ``x`` at ``γ = 1/ψ₂`` and this ridge.

    The training residual is ``ψ₂λ/(ψ₂λ + μ⋆²)`` times ridge's (the kernel's ``μ⋆²`` identity part also fits
    the training noise; ``1`` when ``λ = μ⋆ = 0``).
    """
    return (ms2 + psi2 * lam) * m / (mu1sq * psi2)


def kernel_limit_mp(pr: Any, spectrum: Spectrum, mu1sq: Any, ms2: Any) -> tuple[dict[str, Any], Any]:
    r"""Every quantity at ``ψ₁ = ∞`` (current mpmath precision), by ridge's general solver.

    As ``ψ₁ → ∞`` at fixed ``ν₂`` the equations become ``ν₂(1 − S₁(ν₂)/ψ₂) = λ + μ⋆²/ψ₂`` (``κ/ψ₁ → ν₂``,
    ``ν₁ → ν₂``, ``ψ₁λ/κ → λ/ν₂``): with ``ν₂ = μ₁²k/m`` this is ridge's ``k(1 − γ Σ wᵢsᵢ/(sᵢ + k)) = λ_r``
    (:func:`kernel_map`).  Bias, variance, risk are ridge's with training noise ``σ² + τ²_ridge = τ² + F⋆²`` and
    misspecification ``τ²_ridge = F⋆²``; the training error is ``ratio²`` times ridge's.  ``μ₁ = 0``: the null
    estimator (``λ_r = ∞``), ``ν₂ = λ + μ⋆²/ψ₂``.  docs/models/rf.md, "General input covariance".
    """
    from . import ridge

    q = lambda x: mpmath.mpf(x.numerator) / x.denominator  # noqa: E731
    psi2, lam, F1, Fs, t2 = q(pr.psi2), q(pr.lam), q(pr.F1sq), q(pr.Fstar2), q(pr.tau2)
    noise = t2 + Fs
    if mu1sq == 0:
        out = ridge._null_estimator(F1, noise, Fs)
        nu2, residual = lam + ms2 / psi2, mpmath.mpf(0)
        ratio = psi2 * lam / (psi2 * lam + ms2)
    else:
        m = input_trace(spectrum, MP)
        lam_r = kernel_map(psi2, lam, mu1sq, ms2, m)
        ratio = psi2 * lam / (psi2 * lam + ms2) if psi2 * lam + ms2 != 0 else mpmath.mpf(1)
        blocks = ridge._spectral_blocks(ridge_spectrum(spectrum, pr.F1sq), MP)
        omg = q(1 - 1 / pr.psi2)
        out, residual = ridge._equivalent(blocks, 1 / psi2, lam_r, noise, Fs, params=pr.shown(), one_minus_g=omg, x0=None)
        nu2 = mu1sq * out["kappa"] / m
    res = {k: out[k] for k in ("bias", "variance", "risk")}
    res.update(train_error=ratio * ratio * out["train_error"], nu1=nu2, nu2=nu2)
    return res, residual


def _kernel_limit_np(
    quantity: str, sp_: Spectrum, p2: np.ndarray, lam: np.ndarray, mu1sq: float, ms2: float, F1: np.ndarray, Fs: np.ndarray,
    t2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float64 values, convergence and domain flags at ``ψ₁ = ∞`` (ridge's float64 path, :func:`kernel_limit_mp`)."""
    from . import ridge

    val, conv, dom = np.full(p2.shape, np.nan), np.ones(p2.shape, bool), np.ones(p2.shape, bool)
    with np.errstate(all="ignore"):
        if mu1sq == 0:
            den = p2 * lam + ms2
            ratio = np.where(den > 0, p2 * lam / np.where(den > 0, den, 1.0), 1.0)
            nu2 = lam + ms2 / p2
            vals = {"bias": F1, "variance": 0 * F1, "risk": F1 + Fs, "train_error": ratio**2 * (F1 + Fs + t2), "nu1": nu2}
            vals["nu2"] = nu2
            return np.asarray(vals[quantity], float) + 0 * p2, conv, dom
        m = input_trace(sp_, NP)
        lam_r = kernel_map(p2, lam, mu1sq, ms2, m)
        den = p2 * lam + ms2
        ratio = np.where(den > 0, p2 * lam / np.where(den > 0, den, 1.0), 1.0)
        rq = {"nu1": "kappa", "nu2": "kappa"}.get(quantity, quantity)
        # γ = 1/ψ₂ and λ_r are rounded before ridge sees them: a relative error ε in γ moves every output by
        # about ε/(1 − df₂/n) (large only at γ ≈ 1, λ_r ≈ 0); 1/(1 − df₂/n) = 1 + ridge's variance at unit noise
        amp, _ = ridge.curve_values("variance", 1 / p2, lam_r, 1.0, 1.0, 0.0, spectrum=ridge_spectrum(sp_, 1))
        rounding = 16 * np.finfo(float).eps * (2 + np.abs(amp))
        for f in np.unique(F1):
            at = F1 == f
            spf = ridge_spectrum(sp_, Fraction(float(f)))
            v, st = ridge.curve_values(rq, 1 / p2[at], lam_r[at], f, t2[at], Fs[at], spectrum=spf)
            if quantity == "train_error":
                v = ratio[at] ** 2 * v
            elif rq == "kappa":
                v = mu1sq * v / m
            val[at], conv[at], dom[at] = v, (st <= 1) & ~(rounding[at] > FLOAT64_MAX_ERROR), st != 2
    return val, conv, dom


# ----------------------------------------------------------------------------- certified path
def evaluate_mp(pr: Any, spectrum: Spectrum, state: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Every quantity at the current mpmath precision (no ladder) and the residual; ``state["v"]`` warm-starts ``ν₂``.

    ``pr``: a validated ``RFParams``; ``spectrum``: its checked spectrum.  Used by :func:`solve` and by rf's
    ``optimal_lambda`` (which minimizes the risk over ``λ`` at one precision per rung).
    """
    c = pr.activation.coefficients()
    mu1sq, ms2 = c.mu1**2, c.mustar2
    if mu1sq == 0 and ms2 == 0:
        raise ParameterError(f"`activation` {pr.activation.name!r} is constant on Gaussian inputs (mu1 = mu* = 0).")
    if pr.psi1 == math.inf:  # the kernel limit: ridge on x (one solver, ridge's)
        return kernel_limit_mp(pr, spectrum, mu1sq, ms2)
    if _degenerate(ms2 == 0, pr.lam, pr.psi1, pr.psi2) and pr.psi2 == math.inf:  # N >= d linear features span x
        Fs, t2 = (mpmath.mpf(v.numerator) / v.denominator for v in (pr.Fstar2, pr.tau2))
        zero = mpmath.mpf(0)
        return {"bias": zero, "variance": zero, "risk": Fs, "train_error": Fs + t2, "nu1": zero, "nu2": zero}, zero
    if _degenerate(ms2 == 0, pr.lam, pr.psi1, pr.psi2) and not spectrum.infinite:
        raise ParameterError(
            "`lam` must be > 0 for rf with `spectrum` and an affine activation when min(psi1, psi2) >= 1 "
            "(the ridgeless limit is least squares on x, nu2 = 0)."
        )
    F1 = mpmath.mpf(pr.F1sq.numerator) / pr.F1sq.denominator
    if mu1sq == 0 and _large_power(spectrum):
        raise ParameterError(_MU1_ZERO)
    blocks = rf_blocks(spectrum, MP, mu1sq, F1)
    q = lambda x: mpmath.inf if x == math.inf else mpmath.mpf(x.numerator) / x.denominator  # noqa: E731
    psi1, psi2, lam = q(pr.psi1), q(pr.psi2), q(pr.lam)
    omr = mpmath.mpf(1) if pr.psi2 == math.inf else q(1 - pr.psi1 / pr.psi2)  # psi2 = inf: kappa = psi1 lam
    rtol = mpmath.mpf(10) ** (-(mpmath.mp.dps - 2))
    x0 = state["v"]
    try:
        st = solve_point(MP, blocks, psi1, psi2, lam, ms2, omr, rtol=rtol, x0=None if x0 is None else +x0)
    except ConvergenceError as exc:
        if not isinstance(blocks, PowerRF) or blocks.inf:
            raise
        raise ConvergenceError(
            f"rf spectrum {spectrum.label}: nu2 lies below the closed-form power-law sums' floor (N = psi1 p or "
            f"n = psi2 p resolve more eigenvalues than their head holds); use p <= {MAX_DIRECT_P}, p = inf with N=, n= "
            f"(finite-p correction O(p^(1-alpha))), or a larger lam ({exc})",
            params=pr.shown(),
        ) from exc
    if not st["ok"]:
        raise ConvergenceError("rf spectrum: the nu2 root did not converge", params=pr.shown())
    state["v"] = st["nu2"]
    thr = pr.lam == 0 and pr.psi1 == pr.psi2
    out = combine(MP, st, thr, F1, q(pr.Fstar2), q(pr.tau2))
    if st["residual"] > residual_tolerance():
        raise ConvergenceError(f"rf spectrum: residual {mpmath.nstr(st['residual'], 3)} too large", params=pr.shown())
    return out, st["residual"]


def solve(params: Any, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified value of one quantity of ``rf`` with ``spectrum=`` (``params``: a validated ``RFParams``)."""
    if quantity not in SPECTRUM_QUANTITIES:
        raise ParameterError(
            f"rf quantity {quantity!r} is not defined with `spectrum`; valid: {', '.join(SPECTRUM_QUANTITIES)} "
            "(chi is the isotropic Mei-Montanari fixed point: use nu1, nu2)."
        )
    pr = params
    spectrum = check_spectrum(pr.spectrum, pr.psi1, pr.psi2, pr.lam, pr.F1sq, absolute=getattr(pr, "N", None) is not None)
    state: dict[str, Any] = {"v": None}

    def evaluate() -> tuple[Any, Any]:
        out, residual = evaluate_mp(pr, spectrum, state)
        return out[quantity], residual

    c = certify(evaluate, dps, what=f"rf {quantity}", params=pr.shown())
    return Result(
        c.value,
        "rf",
        quantity,
        pr.shown(),
        dps,
        c.residual,
        c.error_estimate,
        BRANCH_RULE,
        DLM_2024,
        {"proof_note": PROOF_NOTE},
        **c.proof_fields(),
    )


# ----------------------------------------------------------------------------- float64 path
def curve_values(
    quantity: str,
    p1: np.ndarray,
    p2: np.ndarray,
    lam: np.ndarray,
    act: Any,
    F1: np.ndarray,
    Fs: np.ndarray,
    t2: np.ndarray,
    spectrum: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 values and status codes on flat arrays (the caller broadcasts and reshapes).

    The same formulas as the certified path (:func:`solve_point` on :data:`NP`); a point whose estimated
    rounding error (the conditioning of ``H`` at its root times the unit roundoff) exceeds ``10⁻⁶`` gets
    status 3.
    """
    if quantity not in SPECTRUM_QUANTITIES:
        raise ParameterError(f"unknown rf quantity {quantity!r} with `spectrum`; valid: {', '.join(SPECTRUM_QUANTITIES)}.")
    sp_ = parse_spectrum(spectrum)
    sp_ = sp_ if sp_ is not None else Spectrum.from_blocks([1], [1], [1])
    _, m1, ms2 = coefficients_float(act)
    mu1sq = m1 * m1
    if mu1sq == 0 and _large_power(sp_):
        raise ParameterError(_MU1_ZERO)
    blocks = rf_blocks(sp_, NP, mu1sq, 1.0)
    domain = (p1 > 0) & (p2 > 0) & ~np.isnan(p1) & ~np.isnan(p2) & (lam >= 0) & np.isfinite(lam)
    domain &= (F1 >= 0) & (Fs >= 0) & (t2 >= 0) & np.isfinite(F1) & np.isfinite(Fs) & np.isfinite(t2)
    # psi1 = inf (kernel limit: ridge on x) or psi2 = inf (infinite data), not both; p = ∞ needs finite N, n
    domain &= ~(np.isinf(p1) & np.isinf(p2)) & ~((np.isinf(p1) | np.isinf(p2)) & sp_.infinite)
    kern = domain & np.isinf(p1)
    if not sp_.infinite:  # p = ∞: N linear features never span the input space
        degenerate = (ms2 == 0) & (lam == 0) & (np.minimum(p1, p2) >= 1)
        spans = domain & degenerate & np.isinf(p2)  # infinite data, N >= d linear features: x is fitted exactly
        domain &= kern | spans | ~degenerate
    else:
        spans = np.zeros(p1.shape, bool)
    val = np.full(p1.shape, np.nan)
    conv = np.zeros(p1.shape, bool)
    if spans.any():
        zero = 0 * Fs[spans]
        val[spans] = {"risk": Fs[spans], "train_error": Fs[spans] + t2[spans]}.get(quantity, zero)
        conv[spans] = True
    if kern.any():
        kv, kc, kd = _kernel_limit_np(quantity, sp_, p2[kern], lam[kern], mu1sq, ms2, F1[kern], Fs[kern], t2[kern])
        val[kern], conv[kern] = kv, kc
        domain[np.flatnonzero(kern)[~kd]] = False
    idx = np.flatnonzero(domain & ~kern & ~spans)
    if idx.size:
        with np.errstate(all="ignore"):
            a1, a2, al = p1[idx], p2[idx], lam[idx]
            omr = 1 - a1 / a2
            st = solve_point(NP, blocks, a1, a2, al, ms2, omr, rtol=1e-15)
            thr = (al == 0) & (a1 == a2)
            out = combine(NP, st, thr, F1[idx], Fs[idx], t2[idx])
            # the energies were normalized to F₁² = 1 (one block table for every point): scale the bias here
            bias = np.where(F1[idx] == 0, 0.0, out["bias"] * F1[idx])
            risk = bias + out["variance"] + Fs[idx]
            r = st["r"]
            train = np.where(r == 0, 0.0, r * (r * (risk + t2[idx])))
            v = {
                "bias": bias,
                "variance": out["variance"],
                "risk": risk,
                "train_error": train,
                "nu1": out["nu1"],
                "nu2": out["nu2"],
            }[quantity]
            # conditioning: relative change of ν₂ per unit residual of H, times the size of H's terms
            nu = st["nu2"]
            k = st["kappa"]
            kpos = np.where(k > 0, k, 1.0)
            size = 1 + np.abs(omr) + a1 * al / kpos + k / (a2 * nu)
            slope = st["slope"]
            cond = np.where(thr | (k == 0), 1.0, size / np.where(slope > 0, slope, np.nan))
            # κ = ρ − μ⋆² cancels when κ ≪ μ⋆² (tiny λ): ρ/κ units of roundoff in κ, hence in r and D
            canc = np.where(k > 0, st["rho"] / kpos * st["slack_cond"], 1.0)
            err = 50 * np.finfo(float).eps * (cond + canc) * (1 + np.abs(st["r"]) / np.maximum(st["D"], 1e-300))
            good = np.asarray(st["ok"], bool) & (st["residual"] < 1e-10) & (err < FLOAT64_MAX_ERROR)
            good |= thr
            val[idx] = v
            conv[idx] = good & ~np.isnan(v)
    return status_ladder(domain, conv, val)


# ----------------------------------------------------------------------------- scaling laws (power-law Σ and target)
def predicted_exponents(alpha: Fraction, beta: Fraction, linear: bool) -> tuple[Fraction, Fraction, Fraction]:
    r"""``(e_N, e_n, e_joint)``: the risk ``≍ N^{−e_N}`` (``n = ∞``), ``≍ n^{−e_n}`` (``N = ∞``), ``≍ n^{−e_joint}``
    along ``N = qn`` (any fixed ``q ≠ 1``); ridgeless (``λ = 0``), noiseless (``τ² = F⋆² = 0``), ``p = ∞``.

    With ``t = (α + β − 1)/α`` (``= 2r``, the source exponent of Caponnetto–De Vito / Cui et al. 2021: the
    target's risk weight per mode is ``s_jβ_j² ∝ j^{−(α+β)}``) and ``a = α`` for linear features (``μ⋆ = 0``:
    the effective regularization falls like ``N^{−α}`` or ``n^{−α}``) or ``a = 1`` (``μ⋆ > 0``: ``μ⋆²`` acts as
    a fixed ridge, ``ν₂ ≈ μ⋆²/N``, ``κ ≈ δ/n``):

    ``e_N = a·min(1, t)`` (projection error ``Σ e_j k/(s_j + k)``: linear in ``k``),
    ``e_n = a·min(2, t)`` (ridge bias ``Σ e_j k²/(s_j + k)²``: quadratic, saturating at 2),
    ``e_joint = min(e_N, e_n) = e_N``.  Derivation: docs/models/rf.md, "Scaling laws".
    """
    t = (alpha + beta - 1) / alpha
    a = alpha if linear else Fraction(1)
    eN, en = a * min(Fraction(1), t), a * min(Fraction(2), t)
    return eN, en, min(eN, en)


def scaling_exponents(spectrum: str | Spectrum | None = None, activation: Any = "relu", *, dps: int = DEFAULT_DPS) -> Result:
    """Predicted scaling-law exponents ``(e_N, e_n, e_joint)`` of the rf risk (see :func:`predicted_exponents`).

    ``spectrum`` must be ``power_law:p=inf,alpha=A,beta=B`` (``α > 1``, ``β > 1``); ``activation`` decides ``μ⋆ = 0``
    (linear features: exponents scale with ``α``) or ``μ⋆ > 0`` (the implicit ridge ``μ⋆²``).  Exact rationals.
    Sources: Defilippis, Loureiro & Misiakiewicz, arXiv 2405.15699; Atanasov, Zavatone-Veth & Pehlevan, arXiv
    2405.00592; Bach, arXiv 2303.01372; Cui, Loureiro, Krzakala & Zdeborová, arXiv 2105.15004.
    """
    from ..activations import get_activation
    from ..ball import AB

    sp_ = Spectrum.parse(spectrum) if spectrum is not None else None
    if sp_ is None or sp_._power is None or not sp_.infinite:
        raise ParameterError("`spectrum` must be power_law:p=inf,alpha=A,beta=B (alpha > 1, beta > 1) for scaling_exponents.")
    _, a, bb, _ = sp_._power
    if a <= 1:
        raise ParameterError(f"`spectrum` needs alpha > 1 for scaling_exponents (tr Sigma finite); got {sp_.label}.")
    act = get_activation(activation)
    with mpmath.workdps(30):
        c = act.coefficients()
        if c.mu1 == 0:
            raise ParameterError(f"`activation` {act.name!r} has mu1 = 0: its features learn no linear target (no decay).")
        linear = c.mustar2 == 0
    exps = predicted_exponents(Fraction(a), Fraction(bb), linear)
    shown = {"spectrum": sp_.label, "activation": act.name}
    cert = certify(
        lambda: (tuple(mpmath.mpf(e.numerator) / e.denominator for e in exps), None),
        dps,
        what="rf scaling_exponents",
        params=shown,
        prove=lambda: (tuple(AB.num(e) for e in exps), None),
    )
    extra = {"exponents": "e_N (n = inf), e_n (N = inf), e_joint (N = q n)", "linear_features": linear}
    return Result(
        cert.value, "rf", "scaling_exponents", shown, dps, None, cert.error_estimate, None, DLM_2024, extra, **cert.proof_fields()
    )
