r"""Deformed Marchenko–Pastur law: the sample covariance of data with a general population spectrum.

Setting
-------
``X`` is ``n × p`` with rows ``x = Σ^{1/2} g`` (``g`` with i.i.d. entries of mean 0 and variance
1); ``n, p → ∞`` with ``p/n → γ``, and the spectral law of ``Σ`` tends to ``H`` (here a finite
set of atoms ``t_j ≥ 0`` with weights ``w_j``, ``Σ w_j = 1``, or the continuous Marchenko–Pastur law
``mp:gamma=G,scale=S``, for which the equation becomes a cubic: see "continuous population law" below and
docs/models/dmp.md).  The spectral law ``μ`` of
``S = XᵀX/n`` (``p × p``) tends to a deterministic law, the *deformed Marchenko–Pastur law*.

Equations (Silverstein & Bai 1995)
----------------------------------
The companion transform ``m̃`` of ``XXᵀ/n`` (``n × n``) is the root of

.. math:: z = -\frac{1}{\tilde m} + \gamma \sum_j \frac{w_j t_j}{1 + t_j \tilde m},

and, because ``XXᵀ`` and ``XᵀX`` share their non-zero eigenvalues (``n m̃ = p m − (n − p)/z``),

.. math:: m(z) = \frac{\tilde m(z) + (1 - \gamma)/z}{\gamma}.

One atom ``t = 1`` gives back ``mp`` (``σ² = t``); an atom at ``t = 0`` with weight ``w``
drops out of the sum, so ``m̃`` is the companion of the law with ``γ' = γ(1 − w)`` and the
other atoms renormalized, and ``μ = (1 − w) μ' + w δ₀``.  The mass of ``μ`` at 0 is
``max(w₀, 1 − 1/γ, 0)``.

Branch rule (stated and used as the certificate)
------------------------------------------------
Multiplying by ``m̃ Π_j (1 + t_j m̃)`` turns the equation into a polynomial of degree ``K + 1``
in ``m̃`` (``K`` distinct non-zero atoms).  Every root is isolated (mpmath ``polyroots`` at the
working precision, checked by the residual) and one is picked:

* ``Im z ≠ 0``: the unique root with ``Im m̃ · Im z > 0`` (Silverstein & Bai 1995: there is
  exactly one in the half-plane; a real ``m̃`` would make ``z = z(m̃)`` real, so the other roots
  lie strictly in the other half-plane).  The pick is refused unless the second-best root is
  strictly on the other side.
* real ``z`` outside the support: the unique real root ``m̃`` with ``1 + t_j m̃ ≠ 0``, ``m̃ ≠ 0``
  and ``z'(m̃) > 0`` (Silverstein & Choi 1995, Theorems 4.1–4.2: ``x ∉ supp`` iff such a root
  exists; it continues the transform, which is increasing on every gap).  ``m → 0`` at ``∓∞``
  like ``−1/z`` and ``m > 0`` for ``z < 0``.
* ``z = 0`` with no mass at 0 (γ < 1, no zero atom): ``m(0) = E_H[1/t] / (1 − γ)``.

Proofs (rational atoms; docs/proofs/dmp.md): the root is isolated on balls by Krawczyk's test (complex
``z``, and the density's root with ``Im > 0`` at real ``x``: at most one root of the real polynomial lies
in the upper half-plane) or by a sign change (real ``z``), and the rule above is decided on the ball:
``Im m̃ · Im z > 0``, or a real root in ``B`` with ``z'(m̃) > 0``, which by Silverstein & Choi (1995)
is the transform *and* proves ``z`` off the support.  The edges come from all real critical points
isolated by FLINT (``fmpz_poly.complex_roots``).  Undecided balls fall back to the ladder (``proven=False``).

Support
-------
``x ∉ supp`` iff ``x = z(m)`` for a real ``m`` with ``z'(m) > 0`` (Silverstein & Choi 1995).  So
the gaps are the images of the intervals where ``z'(m) > 0`` between the consecutive real zeros
of ``z'(m) = 1/m² − γ Σ_j w_j t_j²/(1 + t_j m)²`` (a polynomial of degree ``2K`` after
clearing denominators), the poles ``−1/t_j`` and 0; the support intervals are the complement.
The density on the support is ``Im m(x + i0)/π = Im m̃(x + i0)/(γπ)``.

References
----------
J. W. Silverstein, Z. D. Bai (1995), *On the empirical distribution of eigenvalues of a class of
large dimensional random matrices*, J. Multivariate Anal. 54; J. W. Silverstein, S.-I. Choi (1995),
*Analysis of the limiting spectral distribution of large dimensional random matrices*,
J. Multivariate Anal. 54; Bai & Silverstein (2010), ch. 4.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

import mpmath
import numpy as np
from mpmath import mp

from .._lazy import sympy as sp
from .._types import ArrayLike, Complex, IntLike, Real
from .._validate import check_int, check_real, exact_str, float_arrays, key_values, shown_params, to_complex_fractions, to_mpf
from ..errors import BranchError, ConvergenceError, ParameterError
from ..precision import DEFAULT_DPS, certify, check_dps, residual_tolerance
from ..references import Source
from ..result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK, Result, checked_status
from ..symbolic import symbols as S
from ..symbolic.system import FixedPointSystem
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

NAME = "dmp"
SILVERSTEIN_BAI_1995 = Source(
    "J. W. Silverstein, Z. D. Bai",
    "On the empirical distribution of eigenvalues of a class of large dimensional random matrices",
    1995,
    journal="J. Multivariate Anal. 54",
    where="Theorem 1.1",
)
SILVERSTEIN_CHOI_1995 = Source(
    "J. W. Silverstein, S.-I. Choi",
    "Analysis of the limiting spectral distribution of large dimensional random matrices",
    1995,
    journal="J. Multivariate Anal. 54",
    where="Theorems 4.1, 4.2",
)
BRANCH_RULE = (
    "companion mt = root of z = -1/mt + gamma sum w t/(1+t mt): Im mt * Im z > 0 (unique); real z off the "
    "support: the real root with z'(mt) > 0; m = (mt + (1-gamma)/z)/gamma"
)
MAX_ATOMS = 40
"""Most distinct non-zero atoms of a spectrum (the polynomial has degree ``K + 1``)."""
SPECTRUM_FORMS = "'isotropic', 'blocks:t/w,t/w,...', 'power_law:p=P,alpha=A', 'spike:t=T,w=W' or 'mp:gamma=G[,scale=S]'"


# ----------------------------------------------------------------------------- spectrum
def _small_G_digits(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a continuous-law routine with ``⌈−log₁₀ G⌉ + 5`` extra digits when ``G < 10⁻¹²``: as ``G → 0`` the
    cubic's roots (and the edge polynomial's) pair up at distances ``~ √G``, below the working precision's
    tolerances otherwise (the law tends to MP with ``σ² = S``).  The caller rounds the result."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        spec = next((a for a in args if isinstance(a, PopulationSpectrum)), None)
        G = spec._mp[0] if spec is not None and spec._mp is not None else None
        if G is None or G >= Fraction(1, 10**12):
            return fn(*args, **kwargs)
        extra = len(str(G.denominator)) - len(str(G.numerator)) + 5
        with mpmath.workdps(mpmath.mp.dps + extra):
            return fn(*args, **kwargs)

    return run


@dataclass(frozen=True)
class PopulationSpectrum:
    """Population spectral law ``H``: atoms ``t_j ≥ 0`` (distinct, ascending) with weights ``w_j > 0``.

    ``power_law`` atoms ``j^{−α}`` (``j = 1..p``) are irrational for non-integer ``α``; they are
    then kept as ``(p, α)`` and evaluated at the working precision.
    """

    eigenvalues: tuple[Fraction, ...]
    weights: tuple[Fraction, ...]
    label: str = "blocks"
    _power: tuple[int, Fraction] | None = None
    _mp: tuple[Fraction, Fraction] | None = None
    """``(G, S)`` for the continuous law ``mp:gamma=G,scale=S`` (no atoms; see :func:`mp_law`)."""

    @classmethod
    def from_blocks(cls, eigenvalues: Sequence[Any], weights: Sequence[Any], label: str | None = None) -> PopulationSpectrum:
        """Atoms ``eigenvalues`` (≥ 0) with ``weights`` (> 0, summing to 1); equal atoms are merged."""
        if len(eigenvalues) != len(weights) or not eigenvalues:
            raise ParameterError("`spectrum`: eigenvalues and weights must be non-empty and of equal length.")
        merged: dict[Fraction, Fraction] = {}
        for j, (t, w) in enumerate(zip(eigenvalues, weights, strict=True)):
            tf: Fraction = check_real(f"spectrum eigenvalue [{j}]", t, low=0)  # type: ignore[assignment]
            wf: Fraction = check_real(f"spectrum weight [{j}]", w, low=0, low_open=True)  # type: ignore[assignment]
            merged[tf] = merged.get(tf, Fraction(0)) + wf
        if sum(merged.values()) != 1:
            raise ParameterError(f"`spectrum` weights must sum to 1; they sum to {float(sum(merged.values()))}.")
        if all(t == 0 for t in merged):
            raise ParameterError("`spectrum` must have a non-zero eigenvalue (all atoms are at 0).")
        if sum(1 for t in merged if t != 0) > MAX_ATOMS:
            raise ParameterError(f"`spectrum` has more than {MAX_ATOMS} distinct non-zero eigenvalues.")
        ts = tuple(sorted(merged))
        text = ",".join(f"{exact_str(t)}/{exact_str(merged[t])}" for t in ts)
        return cls(ts, tuple(merged[t] for t in ts), label or f"blocks:{text}")

    @classmethod
    def power_law(cls, p: Any, alpha: Any) -> PopulationSpectrum:
        """``p`` atoms ``j^{−α}``, ``j = 1..p``, each of weight ``1/p`` (``1 ≤ p ≤ MAX_ATOMS``, ``α ≥ 0``)."""
        pp = check_int("p", p, low=1, high=MAX_ATOMS)
        a = check_real("alpha", alpha, low=0)
        label = f"power_law:p={pp},alpha={exact_str(a)}"
        if a == 0:
            return cls((Fraction(1),), (Fraction(1),), label)
        if a.denominator == 1:  # type: ignore[union-attr]
            return cls.from_blocks([Fraction(1, j**a.numerator) for j in range(pp, 0, -1)], [Fraction(1, pp)] * pp, label)  # type: ignore[union-attr]
        return cls((), (Fraction(1, pp),) * pp, label, (pp, a))  # type: ignore[arg-type]

    @classmethod
    def mp_law(cls, G: Any, S: Any = 1) -> PopulationSpectrum:
        """The Marchenko–Pastur law of ratio ``G`` and scale ``S``: the limit spectrum of ``S WᵀW/m``, ``W`` an
        ``m × p`` standard Gaussian matrix, ``p/m → G``
        (``10⁻⁶⁰ ≤ G ≤ 1000``, ``0 < S ≤ 10⁶``; below ``10⁻⁶⁰`` use ``blocks:S/1``, the limit).  For ``G > 1`` it has
        the atom ``1 − 1/G`` at 0 (kept: it is the zero weight ``w₀``)."""
        gg: Fraction = check_real("spectrum gamma", G, low=0, high=1000, low_open=True)  # type: ignore[assignment]
        if gg < Fraction(1, 10**60):
            raise ParameterError(
                f"`spectrum gamma` must be in [1e-60, 1000] (below 1e-60 the law is blocks:S/1 to 60 digits); got {G!r}."
            )
        ss: Fraction = check_real("spectrum scale", S, low=0, high=10**6, low_open=True)  # type: ignore[assignment]
        label = f"mp:gamma={exact_str(gg)}" + ("" if ss == 1 else f",scale={exact_str(ss)}")
        return cls((), (), label, None, (gg, ss))

    @classmethod
    def parse(cls, text: Any) -> PopulationSpectrum:
        """Read ``isotropic``, ``blocks:t/w,...``, ``power_law:p=P,alpha=A[,beta=B,r2=R]`` or ``spike:t=T,w=W``.

        In ``blocks`` a weight may also be written as a fraction, ``t/a/b`` meaning weight ``a/b``
        (e.g. ``blocks:1/1/3,4/2/3``).
        ``beta`` and ``r2`` (the target's power law in ``ridge``) are accepted and ignored.
        ``spike:t=T,w=W`` is the two-level spectrum ``T`` with weight ``W`` and 1 with ``1 − W``.
        ``mp:gamma=G[,scale=S]`` is the continuous Marchenko–Pastur law (:meth:`mp_law`).
        """
        if isinstance(text, PopulationSpectrum):
            return text
        if text is None:
            return cls((Fraction(1),), (Fraction(1),), "isotropic")
        if not isinstance(text, str):
            raise ParameterError(f"`spectrum` must be a string ({SPECTRUM_FORMS}); got {type(text).__name__}.")
        kind, _, body = text.strip().partition(":")
        kind = kind.strip().lower().replace("-", "_")
        try:
            if kind in ("isotropic", "identity") and not body.strip():
                return cls((Fraction(1),), (Fraction(1),), "isotropic")
            if kind == "blocks":
                pairs = [item.split("/") for item in body.split(",") if item.strip()]
                if not pairs or any(len(pr) not in (2, 3) for pr in pairs):
                    raise ValueError
                # t/w, or t/a/b for the weight a/b (exact fractions such as 1/3)
                weights = [pr[1].strip() if len(pr) == 2 else Fraction(pr[1].strip()) / Fraction(pr[2].strip()) for pr in pairs]
                return cls.from_blocks([pr[0].strip() for pr in pairs], weights)
            if kind in ("mp", "marchenko_pastur"):
                kw = key_values(body)
                if not {"gamma"} <= set(kw) <= {"gamma", "scale"}:
                    raise ValueError
                return cls.mp_law(kw["gamma"], kw.get("scale", 1))
            if kind in ("power_law", "powerlaw", "spike"):
                kw = key_values(body)
                if kind == "spike":
                    if set(kw) != {"t", "w"}:
                        raise ValueError
                    w = check_real("w", kw["w"], low=0, high=1, low_open=True, high_open=True)
                    return cls.from_blocks([kw["t"], 1], [w, 1 - w], f"spike:t={kw['t']},w={kw['w']}")  # type: ignore[operator]
                if not {"p", "alpha"} <= set(kw) <= {"p", "alpha", "beta", "r2"}:
                    raise ValueError
                return cls.power_law(kw["p"], kw["alpha"])
        except ParameterError:
            raise
        except (ValueError, ZeroDivisionError):
            pass
        raise ParameterError(f"`spectrum` must be {SPECTRUM_FORMS}; got {text!r}.")

    @property
    def zero_weight(self) -> Fraction:
        """Weight ``w₀`` of the atom at 0."""
        if self._mp is not None:
            return max(Fraction(0), 1 - 1 / self._mp[0])
        return self.weights[0] if self.eigenvalues and self.eigenvalues[0] == 0 else Fraction(0)

    @property
    def exact(self) -> bool:
        """Finitely many rational atoms (the ball routes and the exact polynomials apply)."""
        return self._power is None and self._mp is None

    @property
    def continuous(self) -> bool:
        """The continuous law ``mp:gamma=G,scale=S``."""
        return self._mp is not None

    def mp_atoms(self) -> tuple[list[Any], list[Any]]:
        """Non-zero atoms and their weights as mpf at the current precision."""
        if self._power is not None:
            p, a = self._power
            A = to_mpf(a)
            return [mpmath.mpf(j) ** (-A) for j in range(1, p + 1)], [mpmath.mpf(1) / p] * p
        pairs = [(t, w) for t, w in zip(self.eigenvalues, self.weights, strict=True) if t != 0]
        return [to_mpf(t) for t, _ in pairs], [to_mpf(w) for _, w in pairs]

    def np_atoms(self) -> tuple[np.ndarray, np.ndarray]:
        with mp.workdps(20):
            ts, ws = self.mp_atoms()
            return np.array([float(t) for t in ts]), np.array([float(w) for w in ws])

    def moments(self, k: int, exact: bool) -> list[Any]:
        """``h_r = Σ_j w_j t_j^r`` for ``r = 0..k`` (Fractions when ``exact``, else mpf).

        For ``mp:gamma=G,scale=S``: ``h_r = S^r Σ_{j=1}^{r} N(r, j) G^{j−1}`` with the Narayana numbers
        ``N(r, j) = C(r, j) C(r, j − 1)/r`` (exact rationals).
        """
        if self._mp is not None:
            from math import comb

            G, Sc = self._mp
            h = [Fraction(1)] + [
                Sc**r * sum((Fraction(comb(r, j) * comb(r, j - 1), r) * G ** (j - 1) for j in range(1, r + 1)), Fraction(0))
                for r in range(1, k + 1)
            ]
            return h if exact else [to_mpf(v) for v in h]
        if exact:
            return [
                sum((w * t**r for t, w in zip(self.eigenvalues, self.weights, strict=True)), Fraction(0)) for r in range(k + 1)
            ]
        ts, ws = self.mp_atoms()
        h0 = mpmath.mpf(1)
        return [h0] + [mpmath.fsum(w * t**r for t, w in zip(ts, ws, strict=True)) for r in range(1, k + 1)]


def _spec(spectrum: Any) -> PopulationSpectrum:
    return PopulationSpectrum.parse(spectrum)


def _gamma(gamma: Any) -> Fraction:
    return check_real("gamma", gamma, low=0, low_open=True)  # type: ignore[return-value]


def _atom_mass(g: Fraction, sp_: PopulationSpectrum) -> Fraction:
    """Mass of ``μ`` at 0: ``max(w₀, 1 − 1/γ, 0)``."""
    return max(sp_.zero_weight, 1 - 1 / g, Fraction(0))


def _gamma_eff(g: Fraction, sp_: PopulationSpectrum) -> Fraction:
    """``γ' = γ (1 − w₀)``: the aspect ratio seen by the non-zero atoms."""
    return g * (1 - sp_.zero_weight)


# ----------------------------------------------------------------------------- polynomials (any number type)
def _pmul(a: list[Any], b: list[Any]) -> list[Any]:
    out = [a[0] * 0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] = out[i + j] + x * y
    return out


def _padd(a: list[Any], b: list[Any]) -> list[Any]:
    n = max(len(a), len(b))
    a, b = a + [0] * (n - len(a)), b + [0] * (n - len(b))
    return [x + y for x, y in zip(a, b, strict=True)]


def _basis(ts: list[Any], ws: list[Any], power: int) -> tuple[list[Any], list[Any]]:
    """``Π_j (1 + t_j m)^power`` and ``Σ_j w_j t_j^power Π_{k≠j} (1 + t_k m)^power`` (ascending coefficients)."""
    one = ts[0] * 0 + 1
    factors = [[one, t] if power == 1 else [one, 2 * t, t * t] for t in ts]
    prod = [one]
    for f in factors:
        prod = _pmul(prod, f)
    total = [one * 0]
    for j, (t, w) in enumerate(zip(ts, ws, strict=True)):
        term = [w * t**power]
        for k, f in enumerate(factors):
            if k != j:
                term = _pmul(term, f)
        total = _padd(total, term)
    return prod, total


@dataclass
class _Problem:
    """The equation's pieces at the current precision: ``Π``, ``Σ`` and the critical-point polynomial."""

    g: Any
    ts: list[Any]
    ws: list[Any]
    prod: list[Any]
    ssum: list[Any]
    crit: list[Any]

    @classmethod
    def build(cls, g_f: Fraction, spec: PopulationSpectrum) -> _Problem:
        g = to_mpf(g_f)
        ts, ws = spec.mp_atoms()
        prod, ssum = _basis(ts, ws, 1)
        prod2, ssum2 = _basis(ts, ws, 2)
        crit = _padd(prod2, [0, 0] + [-g * c for c in ssum2])  # m²Π(1+tm)² z'(m)
        omg = 1 - _gamma_eff(g_f, spec)  # leading coefficient Π t² (1 − γ'), exactly 0 at γ' = 1
        crit = crit[: 2 * len(ts) + 1]
        crit[-1] = mpmath.fprod(t * t for t in ts) * to_mpf(omg)
        if omg == 0:
            crit = crit[:-1]
        return cls(g, ts, ws, prod, ssum, crit)

    def companion_poly(self, z: Any) -> list[Any]:
        """``z m Π + Π − γ m Σ`` (ascending), whose roots are the candidate ``m̃``."""
        return _padd(_padd([0] + [z * c for c in self.prod], self.prod), [0] + [-self.g * c for c in self.ssum])

    def z_of(self, m: Any) -> Any:
        return -1 / m + self.g * mpmath.fsum(w * t / (1 + t * m) for t, w in zip(self.ts, self.ws, strict=True))

    def dz(self, m: Any) -> Any:
        return 1 / m**2 - self.g * mpmath.fsum(w * t * t / (1 + t * m) ** 2 for t, w in zip(self.ts, self.ws, strict=True))


def _roots(coeffs: list[Any]) -> list[Any]:
    """All roots of the polynomial with ascending ``coeffs`` (trailing zeros stripped), mpmath."""
    c = list(coeffs)
    while len(c) > 1 and c[-1] == 0:
        c.pop()
    if len(c) <= 1:
        return []
    try:
        return list(mpmath.polyroots(c[::-1], maxsteps=400, extraprec=2 * mp.prec))
    except mpmath.libmp.libhyper.NoConvergence as exc:
        raise ConvergenceError(f"deformed MP: polynomial roots did not converge ({exc})") from None


def _poly_residual(coeffs: list[Any], r: Any) -> Any:
    num = abs(mpmath.polyval(coeffs[::-1], r))
    den = mpmath.fsum(abs(c) * abs(r) ** k for k, c in enumerate(coeffs))
    return num / den if den else num


def _real_tol() -> Any:
    return mpmath.mpf(10) ** (-(mp.dps // 2))


def _edges_mp(pb: _Problem) -> list[tuple[Any, Any]]:
    """Support intervals of the continuous part (the complement of the gaps), at the current precision."""
    tol = _real_tol()
    poles = sorted(-1 / t for t in pb.ts)
    crit = sorted(mpmath.re(r) for r in _roots(pb.crit) if abs(mpmath.im(r)) <= tol * (1 + abs(r)))
    marks: list[tuple[Any, str]] = [(p, "pole") for p in poles] + [(mpmath.mpf(0), "zero")]
    marks += [(c, "crit") for c in crit if all(abs(c - p) > tol * (1 + abs(p)) for p, _ in marks)]
    marks.sort(key=lambda e: e[0])
    inf = mpmath.inf
    ends: list[tuple[Any, str]] = [(-inf, "inf"), *marks, (inf, "inf")]
    gaps = []
    for (lo, kl), (hi, kh) in zip(ends[:-1], ends[1:], strict=True):
        mid = lo + 0.5 * (hi - lo) if kl != "inf" and kh != "inf" else (hi - 1 - abs(hi) if kl == "inf" else lo + 1 + abs(lo))
        if pb.dz(mid) <= 0:
            continue
        zl = {"inf": mpmath.mpf(0), "pole": inf, "zero": -inf}.get(kl) if kl != "crit" else pb.z_of(lo)
        zh = {"inf": mpmath.mpf(0), "pole": -inf, "zero": inf}.get(kh) if kh != "crit" else pb.z_of(hi)
        gaps.append((zl, zh))
    gaps.sort(key=lambda e: e[0])  # type: ignore[arg-type,return-value]
    support, cur = [], -inf
    for lo, hi in gaps:
        if lo > cur:
            support.append((cur, lo))
        cur = max(cur, hi)
    if cur < inf:
        support.append((cur, inf))
    out = [(a, b) for a, b in support if b > a]
    if any(not mpmath.isfinite(a) or not mpmath.isfinite(b) for a, b in out):
        raise ConvergenceError("deformed MP: the support computation found an unbounded interval")
    return out


def _noise(r: Any, frac: int) -> Any:
    """``2^(−prec/frac) (1 + |r|)``: the margin below which a computed root's coordinate is not trusted
    (a double root is found only to half the working bits)."""
    return mpmath.mpf(2) ** (-(mp.prec // frac)) * (1 + abs(r))


def _companion_mp(pb: _Problem, z: Any, support: list[tuple[Any, Any]], strict: bool = False) -> tuple[Any, Any]:
    """``(m̃(z), residual)`` by the branch rule (module docstring) at the current precision.

    ``strict``: the pick must be decided with a margin (:func:`_noise`), else :class:`BranchError` /
    :class:`ConvergenceError` (the caller :func:`_companion_auto` then raises the precision).  Complex
    ``z``: a root whose ``Im`` lies clearly on the side of ``Im z`` is ``m̃`` (there is exactly one there,
    Bai & Silverstein 2010, Theorem 4.3).  Real ``z``: exactly one real root with ``z' > 0`` and it is
    separated from every other root by more than the margin (so ``z'`` has its sign decided).
    """
    coeffs = pb.companion_poly(z)
    roots = _roots(coeffs)
    if isinstance(z, mpmath.mpc) and mpmath.im(z) != 0:
        s = 1 if mpmath.im(z) > 0 else -1
        ranked = sorted(roots, key=lambda r: -s * mpmath.im(r))
        best = ranked[0]
        if strict:
            if not s * mpmath.im(best) > _noise(best, 2):
                raise BranchError("deformed MP: Im m̃ · Im z > 0 not decided at this precision")
            return best, _poly_residual(coeffs, best)
        if s * mpmath.im(best) <= 0 or (len(ranked) > 1 and s * mpmath.im(ranked[1]) >= 0):
            # Im z below the resolution of the roots: continue the real-axis pick at Re z off the support
            best = _continue_from_real(pb, z, coeffs)
            if best is None or s * mpmath.im(best) <= 0:
                raise BranchError("deformed MP: no unique root with Im m̃ · Im z > 0")
        return best, _poly_residual(coeffs, best)
    tol = _real_tol()
    cands = []
    for r in roots:
        if abs(mpmath.im(r)) > tol * (1 + abs(r)):
            continue
        m = mpmath.re(r)
        if m == 0 or any(abs(1 + t * m) <= tol for t in pb.ts):
            continue
        if pb.dz(m) > 0:
            cands.append(m)
    if len(cands) != 1:
        raise ConvergenceError(f"deformed MP: {len(cands)} real roots with z'(m) > 0 (expected exactly 1)")
    if strict:
        m = cands[0]
        others = sorted(roots, key=lambda r: abs(r - m))[1:]
        if others and not abs(others[0] - m) > _noise(m, 3):
            raise ConvergenceError("deformed MP: the real root is not separated from another (a point near an edge)")
    return cands[0], _poly_residual(coeffs, cands[0])


def _exact_bits(zf: tuple[Fraction, Fraction]) -> int:
    """Bits in the exact input ``z`` (numerators and denominators of both parts)."""
    return sum(q.numerator.bit_length() + q.denominator.bit_length() for q in (Fraction(zf[0]), Fraction(zf[1])))


def _companion_auto(g_f: Fraction, spec: PopulationSpectrum, zf: tuple[Fraction, Fraction]) -> tuple[Any, Any]:
    """``(m̃(z), residual)`` at the current precision, the branch decided at as many bits as it needs.

    The input is exact, so the pick of :func:`_companion_mp` (``strict``) is retried at doubled precision
    until it is decided with a margin: at ``z`` within ``δ`` of an edge the two real roots are ``~√δ``
    apart, and at ``Im z = ε`` the roots that continue the real ones have ``Im ~ ε``.  The cap grows with
    the input's own bits and ``log(1/ε)``; past it, the non-strict rule at the working precision.
    The value is rounded back to the working precision (the ladder compares two such).
    """
    base = mp.prec
    cap = 4 * base + 2 * _exact_bits(zf) + 64
    if zf[1] != 0:
        zr, zi = abs(to_mpf(zf[0])), abs(to_mpf(zf[1]))
        cap += 2 * max(0, int(mpmath.log(zr + zi, 2) - mpmath.log(zi, 2)))
    cap = min(cap, 40_000)
    prec = base
    while True:
        with mp.workprec(prec):
            pb = _Problem.build(g_f, spec)
            z = to_mpf(zf[0]) if zf[1] == 0 else mpmath.mpc(to_mpf(zf[0]), to_mpf(zf[1]))
            try:
                mt, res = _companion_mp(pb, z, [], strict=True)
            except (BranchError, ConvergenceError):
                mt = None
        if mt is not None:
            return +mt, +res
        if prec >= cap:
            break
        prec = min(2 * prec, cap)
    pb = _Problem.build(g_f, spec)
    z = to_mpf(zf[0]) if zf[1] == 0 else mpmath.mpc(to_mpf(zf[0]), to_mpf(zf[1]))
    return _companion_mp(pb, z, [])


def _continue_from_real(pb: _Problem, z: Any, coeffs: list[Any]) -> Any:
    """For ``z`` within the roots' resolution of a real ``x`` off the support: the real pick at ``x``
    (the root with ``z' > 0``) polished by Newton at ``z`` (``mpc`` keeps ``Im`` to full relative
    precision); ``None`` when ``x`` is on the support or Newton does not settle."""
    try:
        m, _ = _companion_mp(pb, mpmath.re(z), [])
    except ConvergenceError:
        return None
    r = mpmath.mpc(m)
    dcoeffs = [k * c for k, c in enumerate(coeffs)][1:]
    eps = mpmath.mpf(2) ** (-mp.prec + 12)
    for _ in range(30):
        step = mpmath.polyval(coeffs[::-1], r) / mpmath.polyval(dcoeffs[::-1], r)
        r -= step
        if abs(step) <= eps * abs(r) and abs(mpmath.im(step)) <= eps * abs(mpmath.im(r)):
            return r
    return None


def _in_support(x: Any, support: list[tuple[Any, Any]]) -> bool:
    return any(a <= x <= b for a, b in support)


def _density_at(pb: _Problem, x: Any, support: list[tuple[Any, Any]], residual: bool = True) -> tuple[Any, Any]:
    """Density of the continuous part at real ``x > 0`` and the residual of the root used (``None`` when
    ``residual`` is False: quadrature nodes do not need it)."""
    if not any(a < x < b for a, b in support):
        return mpmath.mpf(0), None
    coeffs = pb.companion_poly(x)
    best = _upper_root_newton(coeffs)
    if best is None:
        best = max(_roots(coeffs), key=lambda r: mpmath.im(r))
    return max(mpmath.im(best), 0) / (pb.g * mpmath.pi), (_poly_residual(coeffs, best) if residual else None)


def _upper_root_newton(coeffs: list[Any]) -> Any:
    """The root with ``Im > 0`` of the real polynomial at a real ``x``, from numpy's roots polished by Newton.

    At ``x`` inside the support exactly one root has ``Im > 0``: the ``K + 1`` roots are the limits of the
    roots at ``x + iε``, of which only ``m̃`` lies in the upper half-plane (Bai & Silverstein 2010,
    Theorem 4.3), and a non-real root in the lower one comes with its conjugate (real coefficients).  So a
    Newton limit with ``Im`` clearly positive is that root, whichever float64 root it started from.  The
    start is the top float64 root, its imaginary part raised to ``1e-7 |r|``; when float64 returns only
    real roots (near an edge the pair looks real), a root of the closest pair.  ``None`` when the polish
    does not settle or lands on a real root (the caller then isolates all roots with ``polyroots``); a
    limit in the lower half-plane gives its conjugate (also a root).  Non-real coefficients: ``None``.
    """
    if any(isinstance(c, mpmath.mpc) and mpmath.im(c) != 0 for c in coeffs):
        return None
    fr = np.roots([float(mpmath.re(c)) for c in coeffs[::-1]])
    if len(fr) == 0 or not np.all(np.isfinite(fr)):
        return None
    top = complex(fr[np.argmax(fr.imag)])
    if top.imag <= 1e-7 * abs(top) and len(fr) > 1:  # all real in float64: start at the closest pair
        dist = np.abs(fr[:, None] - fr[None, :]) + np.diag(np.full(len(fr), np.inf))
        top = complex(fr[np.unravel_index(np.argmin(dist), dist.shape)[0]])
    r = _newton_flint(coeffs, complex(top.real, max(top.imag, 1e-7 * abs(top))))
    if r is None or not abs(mpmath.im(r)) > mpmath.mpf(2) ** (-mp.prec // 2) * abs(r):
        return None
    return r if mpmath.im(r) > 0 else mpmath.conj(r)  # the conjugate of a root is a root


def _newton_flint(coeffs: list[Any], start: complex, steps: int = 100) -> Any:
    """Newton's iteration for a root of the polynomial with real ``mpf`` coefficients (ascending) from
    ``start``, in python-flint at twice mpmath's working precision (midpoints only: a fast polish, not a proof);
    the root as ``mpc``, or ``None`` when it does not settle."""
    from flint import acb, acb_poly, arb, ctx

    from ..ball import _mpf_to_arb, to_mpmath

    saved = ctx.prec
    ctx.prec = 2 * mp.prec + 20  # as polyroots' extra precision: near a double root P(r)/P'(r) loses digits
    try:
        P = acb_poly([acb(_mpf_to_arb(mpmath.mpf(c))) for c in coeffs])
        dP = P.derivative()
        r = acb(arb(start.real), arb(start.imag))
        eps = arb(2) ** (12 - mp.prec)
        for _ in range(steps):
            d = dP(r)
            if d.contains(0):
                return None
            step = P(r) / d
            step = acb(step.real.mid(), step.imag.mid())
            r = r - step
            r = acb(r.real.mid(), r.imag.mid())
            if abs(step).mid() <= (eps * abs(r)).mid():
                return to_mpmath(r)
        return None
    finally:
        ctx.prec = saved


# ----------------------------------------------------------------------------- symbolic
@cache
def system() -> FixedPointSystem:
    """The Silverstein–Bai equation for the companion transform and the ``m ↔ m̃`` relation.

    Unknown ``m̃``; quantities: the Stieltjes transform ``m`` of ``XᵀX/n`` and the derivative
    ``z'(m̃)`` whose real zeros give the support edges.
    """
    i, t, w, K = S.i, S.s, S.w, S.K
    gamma, z, mt = S.gamma, S.z, S.m_tilde
    rhs = -1 / mt + gamma * sp.Sum(w[i] * t[i] / (1 + t[i] * mt), (i, 1, K))
    eq = sp.Eq(z, rhs)
    dz = 1 / mt**2 - gamma * sp.Sum(w[i] * t[i] ** 2 / (1 + t[i] * mt) ** 2, (i, 1, K))
    sys_ = FixedPointSystem(
        name="deformed_marchenko_pastur",
        unknowns=(mt,),
        parameters=(z, gamma, K),
        equations=(eq,),
        quantities={"stieltjes": (mt + (1 - gamma) / z) / gamma, "dz": dz},
        labels={"stieltjes": "m(z)", "dz": r"z'(\tilde{m})"},
        source=SILVERSTEIN_BAI_1995,
    )
    sys_.check_rational()
    return sys_


# ----------------------------------------------------------------------------- certified quantities
def _result(
    value: Any,
    quantity: str,
    shown: dict[str, str],
    dps: int,
    residual: Any,
    err: Any,
    branch: str | None,
    proof: dict[str, Any] | None = None,
) -> Result:
    return Result(value, NAME, quantity, shown, dps, residual, err, branch, SILVERSTEIN_BAI_1995, **(proof or {}))


def _shown(spec: PopulationSpectrum, **kw: Any) -> dict[str, str]:
    return {**shown_params(**kw), "spectrum": spec.label}


def edges(gamma: Real, spectrum: PopulationSpectrum | str | None = None, *, dps: int = DEFAULT_DPS) -> Result:
    """Support intervals of the continuous part, as the flat list ``[a₁, b₁, a₂, b₂, ...]`` (ascending).

    Gaps are the images ``z(I)`` of the intervals ``I`` of the real line (cut at the poles
    ``−1/t_j`` and 0) on which ``z'(m̃) > 0`` (Silverstein & Choi 1995); the edges are the values
    ``z(m_c)`` at the real zeros ``m_c`` of ``z'``, found as the roots of a polynomial of degree 2K.
    Precision-ladder estimate (not proven).
    """
    g, spec = _gamma(gamma), _spec(spectrum)
    shown = _shown(spec, gamma=g)

    def run() -> tuple[Any, Any]:
        sup = _support_of(g, spec)
        return [v for ab in sup for v in ab], None

    prove = (lambda: _edges_ball(g, spec)) if spec.exact else None
    c = certify(run, dps, what="dmp edges", params=shown, prove=prove)
    return _result(c.value, "edges", shown, dps, None, c.error_estimate, None, c.proof_fields())


def _check_z(zf: tuple[Fraction, Fraction], g: Fraction, spec: PopulationSpectrum) -> None:
    if zf[1] != 0:
        return
    if zf[0] == 0:
        if _atom_mass(g, spec) > 0 or _gamma_eff(g, spec) == 1 or (spec._mp is not None and spec._mp[0] == 1):
            raise ParameterError("`z` = 0 lies in the support (an atom or hard edge at 0); pass z ≠ 0 or Im z ≠ 0.")
        return
    # decided at as many digits as the exact x needs: 40, doubled while x lies within the margin of an
    # edge, up to a cap set by x's own digits (past it x counts as on the support: an edge is in it)
    dps, cap = 40, min(2 * len(str(zf[0].numerator)) + 2 * len(str(zf[0].denominator)) + 80, 4000)
    while True:
        with mp.workdps(dps):
            sup = _support_of(g, spec)
            x = to_mpf(zf[0])
            clear = all(abs(x - e) > mpmath.mpf(10) ** (10 - dps) * (1 + abs(e)) for ab in sup for e in ab)
        if clear or dps >= cap:
            break
        dps = min(2 * dps, cap)
    with mp.workdps(dps):
        if not clear or _in_support(x, sup):
            shown = ", ".join(f"[{mpmath.nstr(a, 6)}, {mpmath.nstr(b, 6)}]" for a, b in sup)
            raise ParameterError(
                f"`z` = {exact_str(zf[0])} lies on the support {shown}, where the Stieltjes transform is not "
                "defined; pass z with Im z ≠ 0 (e.g. '1+1e-9j')."
            )


def _support_of(g: Fraction, spec: PopulationSpectrum) -> list[tuple[Any, Any]]:
    """Support intervals at the current precision (discrete spectra or the continuous ``mp:`` law)."""
    return _cont_edges(g, spec) if spec.continuous else _edges_mp(_Problem.build(g, spec))


def _transform(zf: tuple[Fraction, Fraction], g_f: Fraction, spec: PopulationSpectrum, companion: bool) -> tuple[Any, Any]:
    if spec.continuous:
        return _cont_transform(zf, g_f, spec, companion)
    pb = _Problem.build(g_f, spec)
    g = pb.g
    if zf == (0, 0):  # γ' < 1, no atom: m(0) = E[1/t]/(1 − γ), m̃ has a pole
        if companion:
            raise ParameterError("`z` = 0 is a pole of the companion transform when gamma < 1.")
        ts, ws = spec.mp_atoms()
        return mpmath.fsum(w / t for t, w in zip(ts, ws, strict=True)) / (1 - g), None
    real_z = zf[1] == 0
    z = to_mpf(zf[0]) if real_z else mpmath.mpc(to_mpf(zf[0]), to_mpf(zf[1]))
    mt, res = _companion_auto(g_f, spec, zf)
    if res > residual_tolerance():
        raise ConvergenceError(f"deformed MP: residual {mpmath.nstr(res, 3)} of the companion root")
    val = mt if companion else (mt + (1 - g) / z) / g
    if not real_z and mpmath.im(val) * mpmath.im(z) <= 0:
        raise BranchError("deformed MP: Im m and Im z differ in sign")
    return val, res


@_small_G_digits
def _cont_transform(zf: tuple[Fraction, Fraction], g_f: Fraction, spec: PopulationSpectrum, companion: bool) -> tuple[Any, Any]:
    """:func:`_transform` for ``H = MP(G, S)`` (:func:`_cont_companion`); ``m(0) = E_H[1/t]/(1 − γ) = 1/(S(1 − G)(1 − γ))``."""
    assert spec._mp is not None
    g = to_mpf(g_f)
    if zf == (0, 0):
        if companion:
            raise ParameterError("`z` = 0 is a pole of the companion transform when gamma < 1.")
        G, Sc = spec._mp
        return to_mpf(1 / (Sc * (1 - G) * (1 - g_f))), None
    z = to_mpf(zf[0]) if zf[1] == 0 else mpmath.mpc(to_mpf(zf[0]), to_mpf(zf[1]))
    mt, res = _cont_companion(g_f, spec, z)
    if res > residual_tolerance():
        raise ConvergenceError(f"deformed MP: residual {mpmath.nstr(res, 3)} of the companion root")
    val = mt if companion else (mt + (1 - g) / z) / g
    if zf[1] != 0 and mpmath.im(val) * mpmath.im(z) <= 0:
        raise BranchError("deformed MP: Im m and Im z differ in sign")
    return val, res


def stieltjes(z: Complex, gamma: Real, spectrum: PopulationSpectrum | str | None = None, *, dps: int = DEFAULT_DPS) -> Result:
    """Stieltjes transform ``m(z) = ∫ μ(dx)/(x − z)`` of the law of ``XᵀX/n`` (``m ~ −1/z`` at infinity).

    ``m = (m̃ + (1 − γ)/z)/γ`` with ``m̃`` the root of the Silverstein–Bai polynomial picked by the
    branch rule (module docstring).  Real ``z`` off the support gives a real value (``m > 0`` for
    ``z < 0``).  Precision-ladder estimate with the polynomial residual.
    """
    g, spec = _gamma(gamma), _spec(spectrum)
    zf = to_complex_fractions("z", z)
    _check_z(zf, g, spec)
    shown = _shown(spec, z=zf, gamma=g)
    prove = (lambda: _transform_ball(zf, g, spec, False)) if spec.exact else None
    c = certify(lambda: _transform(zf, g, spec, False), dps, what="dmp stieltjes", params=shown, prove=prove)
    return _result(c.value, "stieltjes", shown, dps, c.residual, c.error_estimate, BRANCH_RULE, c.proof_fields())


def companion(z: Complex, gamma: Real, spectrum: PopulationSpectrum | str | None = None, *, dps: int = DEFAULT_DPS) -> Result:
    """Companion transform ``m̃(z) = γ m(z) − (1 − γ)/z`` of ``XXᵀ/n`` (the Silverstein–Bai root itself)."""
    g, spec = _gamma(gamma), _spec(spectrum)
    zf = to_complex_fractions("z", z)
    if zf == (0, 0):
        raise ParameterError("`z` = 0 is in the support of the companion law or a pole of its transform; pass z ≠ 0.")
    _check_z(zf, g, spec)
    shown = _shown(spec, z=zf, gamma=g)
    prove = (lambda: _transform_ball(zf, g, spec, True)) if spec.exact else None
    c = certify(lambda: _transform(zf, g, spec, True), dps, what="dmp companion", params=shown, prove=prove)
    return _result(c.value, "companion", shown, dps, c.residual, c.error_estimate, BRANCH_RULE, c.proof_fields())


def _density_mp(xf: Fraction, g: Fraction, spec: PopulationSpectrum) -> tuple[Any, Any]:
    if spec.continuous:
        return _cont_density(xf, g, spec)
    if xf < 0:
        return mpmath.mpf(0), None
    if xf == 0:
        return (mpmath.inf if _gamma_eff(g, spec) == 1 else mpmath.mpf(0)), None
    pb = _Problem.build(g, spec)
    return _density_at(pb, to_mpf(xf), _edges_mp(pb))


def density(x: Real, gamma: Real, spectrum: PopulationSpectrum | str | None = None, *, dps: int = DEFAULT_DPS) -> Result:
    """Density of the continuous part, ``Im m̃(x + i0)/(γπ)`` on the support, 0 outside.

    Atoms at 0 (``max(w₀, 1 − 1/γ)``) are not included (see :func:`cdf`); ``+inf`` at ``x = 0``
    when ``γ(1 − w₀) = 1`` (hard edge).  Precision-ladder estimate; the residual is that of the
    polynomial at the root used.
    """
    g, spec = _gamma(gamma), _spec(spectrum)
    xf = check_real("x", x)
    shown = _shown(spec, x=xf, gamma=g)
    prove = (lambda: _density_ball(xf, g, spec)) if spec.exact else None  # type: ignore[arg-type]
    c = certify(lambda: _density_mp(xf, g, spec), dps, what="dmp density", params=shown, prove=prove)  # type: ignore[arg-type]
    return _result(c.value, "density", shown, dps, c.residual, c.error_estimate, None, c.proof_fields())


def _near_singular(pb: _Problem) -> list[Any]:
    """``Re z(m_c)`` at the non-real zeros ``m_c`` of ``z'``: where the density has a complex branch point
    (a near-gap: the density dips sharply there); quadrature panels are cut at these points."""
    tol = _real_tol()
    out = []
    for r in _roots(pb.crit):
        if abs(mpmath.im(r)) > tol * (1 + abs(r)) and mpmath.im(r) > 0:
            out.append(mpmath.re(pb.z_of(r)))
    return out


def _theta(a: Any, b: Any, x: Any) -> Any:
    return mpmath.acos(1 - 2 * (x - a) / (b - a)) if x < b else mpmath.pi


def _interval_mass(pb: _Problem, a: Any, b: Any, upto: Any) -> Any:
    """``∫_a^{upto} ρ`` with ``t = a + (b − a)(1 − cos θ)/2`` (removes the square-root edges).

    Tanh–sinh quadrature with the panels cut at the near-singular points (:func:`_near_singular`);
    raises :class:`ConvergenceError` when mpmath's error estimate exceeds the working precision.
    """
    th = _theta(a, b, upto)
    sup = [(a, b)]
    cuts = sorted({_theta(a, b, c) for c in _near_singular(pb) if a < c < upto})

    def f(theta: Any) -> Any:
        # (1 − cos θ)/2 = sin²(θ/2): no cancellation, so t stays above a hard edge a = 0 for every θ > 0
        t = a + (b - a) * mpmath.sin(theta / 2) ** 2
        return _density_at(pb, t, sup, residual=False)[0] * (b - a) * mpmath.sin(theta) / 2

    val, err = mpmath.quad(f, [0, *cuts, th], error=True, maxdegree=8, method="tanh-sinh")
    if err > mpmath.mpf(10) ** (-(mp.dps // 2 + 2)) * max(abs(val), 1):  # the ladder compares the rest
        raise ConvergenceError(f"cdf: quadrature error estimate {mpmath.nstr(err, 3)} above the working precision")
    return val


def _cdf_mp(xf: Fraction, g: Fraction, spec: PopulationSpectrum) -> tuple[Any, Any]:
    if spec.continuous:
        return _cont_cdf(xf, g, spec)
    if xf < 0:
        return mpmath.mpf(0), None
    total = to_mpf(_atom_mass(g, spec))
    pb = _Problem.build(g, spec)
    x = to_mpf(xf)
    for a, b in _edges_mp(pb):
        if x > a:
            total += _interval_mass(pb, a, b, min(x, b))
    return min(total, mpmath.mpf(1)), None


def cdf(x: Real, gamma: Real, spectrum: PopulationSpectrum | str | None = None, *, dps: int = DEFAULT_DPS) -> Result:
    """CDF ``μ((−∞, x])`` including the atom ``max(w₀, 1 − 1/γ, 0)`` at 0.

    The density is integrated over each support interval up to ``x`` (mpmath ``quad`` in the
    variable θ of ``t = a + (b − a)(1 − cos θ)/2``, smooth at square-root and hard edges).
    Precision-ladder estimate.
    """
    g, spec = _gamma(gamma), _spec(spectrum)
    xf = check_real("x", x)
    shown = _shown(spec, x=xf, gamma=g)
    c = certify(lambda: _cdf_mp(xf, g, spec), dps, what="dmp cdf", params=shown)  # type: ignore[arg-type]
    return _result(c.value, "cdf", shown, dps, None, c.error_estimate, None)


def moment_series(k: int, g: Any, h: list[Any]) -> list[Any]:
    """Moments ``μ_0..μ_k`` of ``μ`` from the moments ``h_r`` of ``H`` (exact with Fractions).

    With ``ζ = 1/z`` and ``y = −z m̃ = 1 + γ Σ_{k≥1} μ_k ζ^k``, the equation becomes
    ``y = 1 + γ Σ_{r≥1} h_r (ζ y)^r``; the coefficients are found order by order.
    (``μ₂ = h₂ + γ h₁²``, ``μ₃ = h₃ + 3γh₁h₂ + γ²h₁³``.)
    """
    one = h[0] * 0 + 1
    y = [one] + [one * 0] * k
    for _ in range(k):
        acc = [one] + [one * 0] * k
        power = [one] + [one * 0] * k  # (ζ y)^r truncated
        for r in range(1, k + 1):
            power = [one * 0] + _pmul(power, y)[:k]
            for i in range(k + 1):
                acc[i] += g * h[r] * power[i]
        y = acc
    return [one] + [y[i] / g for i in range(1, k + 1)]


def _moment_proof(exact: Fraction, value: Any, dps: int) -> dict[str, Any]:
    """``enclosure``/``proven`` of the exact rational moment: its ball proves the rounded ``value``.

    Not proven (an empty dict) when proofs are off, for the value 0 or beyond ``2^±40000``.
    """
    from .. import ball
    from ..precision import proofs_enabled

    if not proofs_enabled() or value == 0 or abs(mpmath.mag(value)) > 40_000:
        return {}
    try:
        p = ball.prove(lambda: (ball.AB.num(exact), None), dps, what="dmp moment", round_value=lambda _m, _d: value)
    except ball.NotProven:
        return {}
    return {"enclosure": ball.enclosure(p.balls, dps), "proven": True}


def moment(k: IntLike, gamma: Real, spectrum: PopulationSpectrum | str | None = None, *, dps: int = DEFAULT_DPS) -> Result:
    """k-th moment ``∫ x^k dμ`` (atom included), ``0 ≤ k ≤ 60``, in closed form in the moments of ``H``.

    Exact rational for rational atoms (error 0), e.g. ``μ₁ = h₁``, ``μ₂ = h₂ + γh₁²``; see
    :func:`moment_series`.  A power law with irrational atoms is summed in mpmath (ladder).
    """
    kk = check_int("k", k, low=0, high=60)
    g, spec = _gamma(gamma), _spec(spectrum)
    dps = check_dps(dps)
    shown = {"k": str(kk), **_shown(spec, gamma=g)}
    if spec.exact or spec.continuous:
        exact = moment_series(kk, g, spec.moments(kk, True))[kk]
        with mp.workdps(dps):
            v = to_mpf(exact)
        return _result(v, "moment", shown, dps, None, mpmath.mpf(0), None, _moment_proof(exact, v, dps))
    c = certify(lambda: (moment_series(kk, to_mpf(g), spec.moments(kk, False))[kk], None), dps, what="dmp moment", params=shown)
    return _result(c.value, "moment", shown, dps, None, c.error_estimate, None)


# ----------------------------------------------------------------------------- ball proofs (rational atoms)
# The proofs run inside :func:`asymptotics.ball.prove` (python-flint's and mpmath's precision set there);
# the mpmath ladder only supplies the starting point, every claim is checked on balls.  See docs/proofs/dmp.md.
def _exact_atoms(spec: PopulationSpectrum) -> tuple[list[Fraction], list[Fraction]]:
    """Non-zero atoms and their weights as exact fractions (rational spectra only)."""
    pairs = [(t, w) for t, w in zip(spec.eigenvalues, spec.weights, strict=True) if t != 0]
    return [t for t, _ in pairs], [w for _, w in pairs]


def _q(x: Fraction | int) -> Any:
    """An exact rational as an ``arb`` ball at the working precision."""
    from ..ball import AB

    return AB.num(Fraction(x)).v


def _exact_companion(
    zf: tuple[Fraction, Fraction], g: Fraction, spec: PopulationSpectrum
) -> tuple[list[Fraction], list[Fraction]]:
    """Real and imaginary parts of the companion polynomial ``z m Π + Π − γ m Σ`` (exact, ascending)."""
    ts, ws = _exact_atoms(spec)
    prod, ssum = _basis(ts, ws, 1)
    re_ = _padd(_padd([Fraction(0)] + [zf[0] * c for c in prod], prod), [Fraction(0)] + [-g * c for c in ssum])
    im_ = [Fraction(0)] + [zf[1] * c for c in prod]
    return re_, _padd(im_, [Fraction(0)] * len(re_))


def _sym_interval(r: Any) -> Any:
    """The real ball ``[−r, r]`` (``r`` an ``arb``, its upper bound taken)."""
    from flint import arb

    e = arb(abs(r).upper())
    return (-e).union(e)


def _krawczyk(P: Any, dP: Any, c: Any) -> Any:
    """A complex ball containing exactly one root of the ``acb_poly`` ``P`` near the point ``c``.

    Krawczyk's operator ``K(X) = c − y P(c) + (1 − y P'(X))(X − c)`` on the box ``X = c + [−r, r](1 + i)``
    with ``y ≈ 1/P'(c)``: ``K(X) ⊂ int X`` proves a unique root in ``X`` (mean value form of the analytic
    ``P`` over the convex box, then Brouwer); the root lies in ``K(X)``, which is returned.
    """
    from flint import acb, arb, ctx

    from ..ball import NotProven

    C = acb(c.real.mid(), c.imag.mid())
    dc = dP(C)
    if dc.contains(0):
        raise NotProven("dmp: P'(m) vanishes at the root (a double root: an edge)")
    y = 1 / dc
    y = acb(y.real.mid(), y.imag.mid())
    step = y * P(C)
    r0 = abs(step) * 4 + abs(C) * arb(2) ** (-(ctx.prec - 16)) + arb(2) ** (-ctx.prec)
    for k in range(4):
        iv = _sym_interval(r0 * arb(16) ** k)
        X = C + acb(iv, iv)
        K = C - step + (1 - y * dP(X)) * (X - C)
        if X.contains_interior(K):
            return K
    raise NotProven("dmp: Krawczyk's test did not close around the companion root")


def _dz_arb(m: Any, g: Fraction, ts: list[Fraction], ws: list[Fraction]) -> Any:
    """``z'(m) = 1/m² − γ Σ w t²/(1 + t m)²`` on a real ball."""
    out = 1 / (m * m)
    for t, w in zip(ts, ws, strict=True):
        d = 1 + _q(t) * m
        out -= _q(g * w * t * t) / (d * d)
    return out


def _dz_exact(m: Fraction, g: Fraction, ts: list[Fraction], ws: list[Fraction]) -> Fraction:
    return 1 / (m * m) - g * sum((w * t * t / (1 + t * m) ** 2 for t, w in zip(ts, ws, strict=True)), Fraction(0))


def _z_arb(m: Any, g: Fraction, ts: list[Fraction], ws: list[Fraction]) -> Any:
    """``z(m) = −1/m + γ Σ w t/(1 + t m)`` on a real ball."""
    out = -1 / m
    for t, w in zip(ts, ws, strict=True):
        out += _q(g * w * t) / (1 + _q(t) * m)
    return out


def _real_root_ball(coeffs: list[Fraction], m0: Any, g: Fraction, spec: PopulationSpectrum) -> Any:
    """A real ball ``X`` with a root of the (real) companion polynomial, ``X`` inside ``B`` and ``z'(X) > 0``.

    Silverstein & Choi (1995, Theorem 4.2): a real ``m ∈ B = {m ≠ 0, 1 + t_j m ≠ 0}`` with ``z'(m) > 0`` is the
    companion transform at ``x = z(m)``, and ``x`` is off the support.  So such a ball proves both.
    """
    from flint import arb_poly

    from ..ball import Ball, NotProven, root_by_sign_change

    ts, ws = _exact_atoms(spec)
    P = arb_poly([_q(c) for c in coeffs])
    X = root_by_sign_change(lambda b: Ball(P(b.v)), m0).v
    if X.contains(0) or any((1 + _q(t) * X).contains(0) for t in ts):
        raise NotProven("dmp: the real root's ball meets a pole of z(m)")
    if not _dz_arb(X, g, ts, ws) > 0:
        raise NotProven("dmp: z'(m) > 0 not decided on the real root's ball (a point near an edge)")
    return X


def _companion_ball(zf: tuple[Fraction, Fraction], g: Fraction, spec: PopulationSpectrum) -> tuple[Any, Any]:
    """``(m̃ ball, residual)`` at ``z`` off the support, the branch proven on the ball (module docstring).

    Complex ``z``: Krawczyk's test isolates a root and its ball lies strictly in the half-plane of ``z``;
    ``m̃(z)`` is the only root there (Bai & Silverstein 2010, Theorem 4.3, with ``m̃(z̄) = conj m̃(z)``).
    Real ``z``: :func:`_real_root_ball`.
    """
    from flint import acb, acb_poly

    from ..ball import Ball, NotProven

    re_, im_ = _exact_companion(zf, g, spec)
    pb = _Problem.build(g, spec)
    z = to_mpf(zf[0]) if zf[1] == 0 else mpmath.mpc(to_mpf(zf[0]), to_mpf(zf[1]))
    m0, _ = _companion_auto(g, spec, zf)
    res = _poly_residual(pb.companion_poly(z), m0)
    if zf[1] == 0:
        return _real_root_ball(re_, mpmath.re(m0), g, spec), res
    P = acb_poly([acb(_q(a), _q(b)) for a, b in zip(re_, im_, strict=True)])
    K = _krawczyk(P, P.derivative(), Ball(mpmath.mpc(m0)).v)
    s = 1 if zf[1] > 0 else -1
    if not (K.imag * s > 0):
        raise NotProven("dmp: Im m̃ · Im z > 0 not decided on the ball")
    return K, res


def _transform_ball(zf: tuple[Fraction, Fraction], g: Fraction, spec: PopulationSpectrum, companion: bool) -> tuple[Any, Any]:
    """Ball route of :func:`stieltjes` / :func:`companion`: ``m = (m̃ + (1 − γ)/z)/γ`` on the proven ``m̃``."""
    from flint import acb

    from ..ball import Ball

    if zf == (0, 0):  # γ < 1, no zero atom (checked by _check_z): m(0) = E_H[1/t]/(1 − γ), exact
        ts, ws = _exact_atoms(spec)
        return Ball(_q(sum((w / t for t, w in zip(ts, ws, strict=True)), Fraction(0)) / (1 - g))), None
    mt, res = _companion_ball(zf, g, spec)
    if companion:
        return Ball(mt), res
    z = _q(zf[0]) if zf[1] == 0 else acb(_q(zf[0]), _q(zf[1]))
    return Ball((mt + _q(1 - g) / z) / _q(g)), res


def _density_ball(xf: Fraction, g: Fraction, spec: PopulationSpectrum) -> tuple[Any, Any]:
    """Ball route of :func:`density`.

    Inside the support (the ladder's support says where to look): Krawczyk's test isolates a root of the
    real polynomial at ``x`` whose ball has ``Im > 0`` strictly; it is ``m̃(x + i0)`` (the other roots are
    limits of roots in the lower half-plane), and the density is ``Im m̃/(γπ)``.  Outside: a real root with
    ``z' > 0`` (:func:`_real_root_ball`) proves ``x`` off the support, and the density is exactly 0.
    """
    from flint import acb, acb_poly, arb

    from ..ball import AB, Ball, NotProven, to_mpmath

    if xf < 0:
        return AB.num(0), None
    if xf == 0:
        return (AB.inf if _gamma_eff(g, spec) == 1 else AB.num(0)), None
    pb = _Problem.build(g, spec)
    x = to_mpf(xf)
    coeffs, _ = _exact_companion((xf, Fraction(0)), g, spec)
    mcoeffs = pb.companion_poly(x)
    if not any(a < xf < b for a, b in _support_guide(g, spec.label)):
        m0, _ = _companion_auto(g, spec, (xf, Fraction(0)))
        _real_root_ball(coeffs, m0, g, spec)
        return AB.num(0), None
    m0 = _upper_root_newton(mcoeffs)
    if m0 is None:
        m0 = max(_roots(mcoeffs), key=lambda r: mpmath.im(r))
    P = acb_poly([acb(_q(c)) for c in coeffs])
    K = _krawczyk(P, P.derivative(), Ball(mpmath.mpc(m0)).v)
    if not K.imag > 0:
        raise NotProven("dmp: Im m̃(x + i0) > 0 not decided on the ball (a point near an edge)")
    return Ball(K.imag / (_q(g) * arb.pi())), _poly_residual(mcoeffs, to_mpmath(K))


@lru_cache(maxsize=256)
def _support_guide(g: Fraction, label: str) -> tuple[tuple[Fraction, Fraction], ...]:
    """The ladder's support at 50 digits as fractions (cached): only where :func:`_density_ball` looks first;
    a point placed on the wrong side makes the proof fail, never a wrong claim."""
    with mp.workdps(50):
        return tuple((_mpf_fraction(a), _mpf_fraction(b)) for a, b in _edges_mp(_Problem.build(g, _spec(label))))


def _mpf_fraction(x: Any) -> Fraction:
    sign, man, exp, _ = x._mpf_
    v = Fraction(int(man)) * Fraction(2) ** int(exp)
    return -v if sign else v


def _edges_ball(g: Fraction, spec: PopulationSpectrum) -> tuple[list[Any], None]:
    """Ball route of :func:`edges` (Silverstein & Choi 1995, as in :func:`_edges_mp`).

    The real zeros of ``z'`` are *all* isolated rigorously (FLINT's ``fmpz_poly.complex_roots`` on the
    critical polynomial with its denominators cleared: real roots have an exactly zero imaginary part,
    each ball holds one simple root); a multiple root (two edges merging) is not proven.  Between
    consecutive marks (poles ``−1/t``, 0, the real critical points) ``z'`` has no zero, so its sign is
    that at one rational point, computed exactly.  The gaps ``z(I)`` and their union are formed with
    decided ball comparisons; an edge is ``z(m_c)`` on the critical point's ball, or exactly 0.
    """
    import math

    from flint import arb, fmpz_poly

    from ..ball import Ball, NotProven, _exact_fraction

    ts, ws = _exact_atoms(spec)
    prod2, ssum2 = _basis(ts, ws, 2)
    crit = _padd(prod2, [Fraction(0), Fraction(0)] + [-g * c for c in ssum2])
    while len(crit) > 1 and crit[-1] == 0:
        crit.pop()
    den = math.lcm(*(c.denominator for c in crit))
    roots: Any = fmpz_poly([int(c * den) for c in crit]).complex_roots()  # [(acb root, multiplicity)]
    marks: list[tuple[Any, str]] = [(_q(-1 / t), "pole") for t in ts] + [(arb(0), "zero")]
    for r, mult in roots:
        if r.imag == 0:
            if mult != 1:
                raise NotProven("dmp: a multiple critical point (two support edges merge)")
            marks.append((r.real, "crit"))
    marks.sort(key=lambda e: float(e[0].mid()))
    for (a, _), (b, _) in zip(marks[:-1], marks[1:], strict=True):
        if not b > a:
            raise NotProven("dmp: the critical points are not separated from the poles on the balls")
    gaps: list[tuple[Any, Any]] = []
    ends: list[tuple[Any, str]] = [(None, "inf"), *marks, (None, "inf")]
    for (lo, kl), (hi, kh) in zip(ends[:-1], ends[1:], strict=True):
        if kl == "inf":
            q = _exact_fraction(hi.lower().mid()) - 1 - abs(_exact_fraction(hi.mid()))
        elif kh == "inf":
            q = _exact_fraction(lo.upper().mid()) + 1 + abs(_exact_fraction(lo.mid()))
        else:
            q = _exact_fraction(((lo.upper() + hi.lower()) / 2).mid())
            if not (lo < _q(q) < hi):
                raise NotProven("dmp: no rational point separates two marks")
        if q == 0 or any(1 + t * q == 0 for t in ts) or _dz_exact(q, g, ts, ws) <= 0:
            continue
        inf = arb.pos_inf()
        zl = {"inf": arb(0), "pole": inf, "zero": -inf}[kl] if kl != "crit" else _z_arb(lo, g, ts, ws)
        zh = {"inf": arb(0), "pole": -inf, "zero": inf}[kh] if kh != "crit" else _z_arb(hi, g, ts, ws)
        gaps.append((zl, zh))
    gaps.sort(key=lambda e: float(e[0].mid()) if e[0].is_finite() else (-math.inf if e[0] < 0 else math.inf))
    support: list[tuple[Any, Any]] = []
    cur = arb.neg_inf()
    for lo, hi in gaps:
        if lo > cur:
            support.append((cur, lo))
        elif not lo <= cur:
            raise NotProven("dmp: the order of two gaps is not decided on the balls")
        if hi > cur:
            cur = hi
        elif not hi <= cur:
            raise NotProven("dmp: the order of two gap ends is not decided on the balls")
    if cur < arb.pos_inf():
        support.append((cur, arb.pos_inf()))
    out = []
    for a, b in support:
        if not b > a:
            if b == a:  # an empty interval between two touching gaps
                continue
            raise NotProven("dmp: the length of a support interval is not decided on the balls")
        if not (a.is_finite() and b.is_finite()):
            raise NotProven("dmp: unbounded support interval")
        out += [Ball(a), Ball(b)]
    return out, None


# ----------------------------------------------------------------------------- continuous population law H = MP(G, S)
# docs/models/dmp.md, "Continuous population law": with w = −1/m̃, ∫ t dH/(1 + t m̃) = (1 − s_H(w)/m̃)/m̃, so the
# equation gives s_H(w) = m̃(γ − 1 − z m̃)/γ (linear in s_H); substituted into the MP quadratic
# G S w s² + (w − S(1 − G)) s + 1 = 0 (times m̃) it leaves the cubic below (the resultant in s, up to the factor m̃).
def _cont_coeffs(z: Any, g: Any, G: Any, Sc: Any) -> list[Any]:
    """Ascending coefficients of ``γ + c₁m + c₂m² − G S z² m³`` whose roots contain ``m̃(z)``."""
    a = g - 1
    return [g, -G * Sc * a * a + g * z - g * Sc * (1 - G) * a, 2 * G * Sc * a * z + g * Sc * (1 - G) * z, -G * Sc * z * z]


def _cont_roots(coeffs: list[Any]) -> list[Any]:
    """Roots of the cubic; when ``polyroots`` does not converge (roots of very different sizes, near the hard
    edge 0), again with more steps and working bits."""
    try:
        return _roots(coeffs)
    except ConvergenceError:
        try:
            return list(mpmath.polyroots(coeffs[::-1], maxsteps=4000, extraprec=4 * mp.prec))
        except mpmath.libmp.libhyper.NoConvergence as exc:
            raise ConvergenceError(f"deformed MP (mp spectrum): cubic roots did not converge ({exc})") from None


def _cont_params(spec: PopulationSpectrum) -> tuple[Any, Any]:
    assert spec._mp is not None
    return to_mpf(spec._mp[0]), to_mpf(spec._mp[1])


def _s_true(w: Any, G: Any, Sc: Any) -> Any:
    """``s_H(w) = ∫ dH(t)/(t − w)`` for ``H = MP(G, S)``: ``(S(1 − G) − w + √(w − λ₋)√(w − λ₊))/(2GSw)``
    (principal roots: analytic off ``[λ₋, λ₊]``, ``~ −1/w`` at infinity; ``λ± = S(1 ± √G)²``)."""
    rg = mpmath.sqrt(G)
    lm, lp = Sc * (1 - rg) ** 2, Sc * (1 + rg) ** 2
    w = mpmath.mpc(w)
    return (Sc * (1 - G) - w + mpmath.sqrt(w - lm) * mpmath.sqrt(w - lp)) / (2 * G * Sc * w)


def _s_root(m: Any, z: Any, g: Any) -> Any:
    """The value of ``s_H(−1/m̃)`` that the root ``m̃`` carries: ``m̃(γ − 1 − z m̃)/γ``."""
    return m * (g - 1 - z * m) / g


def _on_true_branch(m: Any, z: Any, g: Any, G: Any, Sc: Any) -> bool:
    """``m̃`` solves the Silverstein–Bai equation with the true ``s_H`` (not the other root of the quadratic)."""
    st = _s_true(-1 / m, G, Sc)
    return bool(abs(_s_root(m, z, g) - st) <= _noise(st, 3) * 16)


def _cont_dz(m: Any, g: Any, G: Any, Sc: Any) -> Any:
    """``z'(m̃)`` on the true branch: ``(1 − γ)/m̃² + 2γ s/m̃³ − γ s'(w)/m̃⁴``, ``w = −1/m̃``,
    ``s' = −(GSs² + s)/(2GSws + w − S(1 − G))`` (the quadratic differentiated)."""
    w = -1 / m
    s = _s_true(w, G, Sc)
    ds = -(G * Sc * s * s + s) / (2 * G * Sc * w * s + w - Sc * (1 - G))
    return mpmath.re((1 - g) / m**2 + 2 * g * s / m**3 - g * ds / m**4)


def _cont_companion(g_f: Fraction, spec: PopulationSpectrum, z: Any) -> tuple[Any, Any]:
    """``(m̃(z), residual)`` for ``H = MP(G, S)`` at the current precision (branch rule of the docs).

    Complex ``z``: the root with ``Im m̃ · Im z > 0`` whose ``s = m̃(γ − 1 − z m̃)/γ`` is the true ``s_H(−1/m̃)``
    (equivalently ``Im s · Im z > 0``: the other root of the quadratic has ``Im s · Im w < 0``).  Real ``z`` off the
    support: the real root on the true branch with ``−1/m̃ ∉ [λ₋, λ₊]`` and ``z'(m̃) > 0`` (Silverstein & Choi 1995).
    """
    g = to_mpf(g_f)
    G, Sc = _cont_params(spec)
    coeffs = _cont_coeffs(z, g, G, Sc)
    roots = _cont_roots(coeffs)
    if isinstance(z, mpmath.mpc) and mpmath.im(z) != 0:
        sz = 1 if mpmath.im(z) > 0 else -1
        c = [
            r for r in roots if sz * mpmath.im(r) > 0 and sz * mpmath.im(_s_root(r, z, g)) > 0 and _on_true_branch(r, z, g, G, Sc)
        ]
        if len(c) != 1:
            raise BranchError(f"deformed MP (mp spectrum): {len(c)} roots on the true branch with Im m̃ · Im z > 0")
        return c[0], _poly_residual(coeffs, c[0])
    tol = _real_tol()
    rg = mpmath.sqrt(G)
    lm, lp = Sc * (1 - rg) ** 2, Sc * (1 + rg) ** 2
    cands = []
    for r in roots:
        if abs(mpmath.im(r)) > tol * (1 + abs(r)) or mpmath.re(r) == 0:
            continue
        m = mpmath.re(r)
        if lm - tol <= -1 / m <= lp + tol:
            continue
        if _on_true_branch(m, z, g, G, Sc) and _cont_dz(m, g, G, Sc) > 0:
            cands.append(m)
    if len(cands) != 1:
        raise ConvergenceError(f"deformed MP (mp spectrum): {len(cands)} real roots on the true branch with z' > 0")
    return cands[0], _poly_residual(coeffs, cands[0])


@lru_cache(maxsize=64)
def _cont_edge_poly(g: Fraction, G: Fraction, Sc: Fraction) -> tuple[Fraction, ...]:
    """The discriminant of the cubic in ``m̃`` with its factor ``z²`` removed (exact, ascending in ``z``): its real
    zeros are the ``z`` where two roots merge, among them every critical value ``z(m_c)``, ``z'(m_c) = 0``."""
    m, z = sp.symbols("m z")
    P = sum(c * m**k for k, c in enumerate(_cont_coeffs(z, sp.Rational(g), sp.Rational(G), sp.Rational(Sc))))
    D = sp.Poly(sp.cancel(sp.discriminant(sp.expand(P), m) / z**2), z)
    return tuple(Fraction(int(sp.fraction(c)[0]), int(sp.fraction(c)[1])) for c in reversed(D.all_coeffs()))


def _cont_upper(g: Any, G: Any, Sc: Any, x: Any, strict: bool = True) -> Any:
    """``m̃(x + i0)`` at real ``x > 0`` when ``x`` is inside the support, else ``None``: the root with ``Im > 0`` of
    the real cubic (at most one: complex roots come in pairs) whose ``s`` is the true ``s_H`` (``Im s > 0``).
    ``strict``: ``Im m̃`` must clear the rounding margin :func:`_noise` (a real double root at an edge splits
    into a pair with ``Im ~ 2^(−prec/2)``); the quadrature inside a known interval only asks ``Im m̃ > 0``
    (near a hard edge at 0 ``Im m̃/|m̃| ~ √x`` is tiny but exact)."""
    coeffs = _cont_coeffs(x, g, G, Sc)
    r = _upper_root_newton(coeffs)
    if r is None:
        r = max(_cont_roots(coeffs), key=lambda v: mpmath.im(v))
    if not mpmath.im(r) > (_noise(r, 3) if strict else 0) or not mpmath.im(_s_root(r, x, g)) > 0:
        return None
    if strict and not _on_true_branch(r, x, g, G, Sc):  # implied by Im s > 0; checked again with a margin
        return None
    return r


@_small_G_digits
def _cont_edges(g_f: Fraction, spec: PopulationSpectrum) -> list[tuple[Any, Any]]:
    """Support intervals for ``H = MP(G, S)``: the candidate edges are 0 and the real zeros ``≥ 0`` of
    :func:`_cont_edge_poly`; an interval between consecutive candidates is in the support iff the density is
    positive at its midpoint (it has no zero inside: a zero of the density is an edge, hence a candidate)."""
    assert spec._mp is not None
    g = to_mpf(g_f)
    G, Sc = _cont_params(spec)
    poly = [to_mpf(c) for c in _cont_edge_poly(g_f, *spec._mp)]
    tol = _real_tol()
    cand = sorted(
        {mpmath.mpf(0)}
        | {mpmath.re(r) for r in _cont_roots(poly) if abs(mpmath.im(r)) <= tol * (1 + abs(r)) and mpmath.re(r) > tol}
    )
    out: list[tuple[Any, Any]] = []
    for a, b in zip(cand[:-1], cand[1:], strict=True):
        if _cont_upper(g, G, Sc, (a + b) / 2) is None:
            continue
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    if not out:
        raise ConvergenceError("deformed MP (mp spectrum): no support interval found")
    return out


@_small_G_digits
def _cont_density(xf: Fraction, g_f: Fraction, spec: PopulationSpectrum) -> tuple[Any, Any]:
    assert spec._mp is not None
    if xf < 0:
        return mpmath.mpf(0), None
    if xf == 0:
        hard = _gamma_eff(g_f, spec) == 1 or spec._mp[0] == 1
        return (mpmath.inf if hard else mpmath.mpf(0)), None
    g = to_mpf(g_f)
    G, Sc = _cont_params(spec)
    x = to_mpf(xf)
    if not any(a < x < b for a, b in _cont_edges(g_f, spec)):
        return mpmath.mpf(0), None
    r = _cont_upper(g, G, Sc, x, False)
    if r is None:  # within the rounding of an edge the pair is numerically real: the density is 0 to this precision
        return mpmath.mpf(0), None
    return mpmath.im(r) / (g * mpmath.pi), _poly_residual(_cont_coeffs(x, g, G, Sc), r)


@_small_G_digits
def _cont_cdf(xf: Fraction, g_f: Fraction, spec: PopulationSpectrum) -> tuple[Any, Any]:
    """Atom ``max(w₀, 1 − 1/γ)`` plus the density integrated in ``θ`` (``t = a + (b − a) sin²(θ/2)``), tanh–sinh."""
    if xf < 0:
        return mpmath.mpf(0), None
    g = to_mpf(g_f)
    G, Sc = _cont_params(spec)
    total = to_mpf(_atom_mass(g_f, spec))
    x = to_mpf(xf)
    for a, b in _cont_edges(g_f, spec):
        if x <= a:
            continue

        def f(theta: Any, a: Any = a, b: Any = b) -> Any:
            t = a + (b - a) * mpmath.sin(theta / 2) ** 2
            # below 10^(−3 dps − 6) (b − a) from a hard edge at 0 the mass is < 10^(−dps − 2) (ρ = O(t^(−2/3)))
            r = _cont_upper(g, G, Sc, t, False) if a < t < b and t - a > mpmath.mpf(10) ** (-3 * mp.dps - 6) * (b - a) else None
            return (mpmath.im(r) / (g * mpmath.pi) if r is not None else 0) * (b - a) * mpmath.sin(theta) / 2

        val, err = mpmath.quad(f, [0, mpmath.pi / 2, _theta(a, b, min(x, b))], error=True, maxdegree=8, method="tanh-sinh")
        if err > mpmath.mpf(10) ** (-(mp.dps // 2 + 2)) * max(abs(val), 1):
            raise ConvergenceError(f"cdf: quadrature error estimate {mpmath.nstr(err, 3)} above the working precision")
        total += val
    return min(total, mpmath.mpf(1)), None


def _cont_curve(
    fn: Callable[..., Result], pts: np.ndarray, g: np.ndarray, spec: PopulationSpectrum, cplx: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 curve for ``H = MP(G, S)``: each point on the certified path at 16 digits (status 2 for a
    ParameterError such as ``z`` on the support, 3 when it does not converge)."""
    pts, g = np.broadcast_arrays(pts, g)
    val = np.full(pts.shape, np.nan + 0j if cplx else np.nan)
    status = np.full(pts.shape, STATUS_OK)
    for i in np.ndindex(pts.shape):
        v, gv = pts[i], g[i]
        if not (np.isfinite(v) and np.isfinite(gv) and gv > 0):
            status[i] = STATUS_DOMAIN
            continue
        try:
            r = fn(complex(v) if cplx else Fraction(float(v)), Fraction(float(gv)), spec, dps=16).value
            val[i] = complex(r) if cplx else float(r)
            if not cplx and np.isinf(val[i]):
                status[i] = STATUS_INFINITE
        except ParameterError:
            status[i] = STATUS_DOMAIN
        except (ConvergenceError, BranchError):
            status[i] = STATUS_NOT_CONVERGED
    val = np.where((status == STATUS_OK) | (status == STATUS_INFINITE), val, np.nan)
    return checked_status(val, status)


# ----------------------------------------------------------------------------- float64 path
_MAX_FALLBACK = 64
_NEAR_EDGE = 1e-6  # relative distance to an edge below which a point goes to the certified path
_GL_PANEL = np.polynomial.legendre.leggauss(20)
_PANELS = 64  # equal θ panels of each support interval (refined at the requested points)


def _np_basis(ts: np.ndarray, ws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    prod, ssum = _basis([float(t) for t in ts], [float(w) for w in ws], 1)
    return np.array(prod, dtype=float), np.array(ssum, dtype=float)


def _np_roots(coeffs: np.ndarray) -> np.ndarray:
    """Roots of many polynomials (rows: ascending coefficients, non-zero leading) via companion matrices."""
    n, d = coeffs.shape[0], coeffs.shape[1] - 1
    lead = coeffs[:, -1:]
    comp = np.zeros((n, d, d), dtype=complex)
    comp[:, 1:, :-1] = np.eye(d - 1)
    comp[:, :, -1] = -coeffs[:, :-1] / lead
    r = np.linalg.eigvals(comp)
    # two Newton steps on each root
    for _ in range(2):
        p = np.zeros_like(r)
        dp = np.zeros_like(r)
        for c in coeffs.T[::-1]:
            dp = dp * r + p
            p = p * r + c[:, None]
        step = np.where(dp != 0, p / np.where(dp != 0, dp, 1), 0)
        r = r - np.where(np.isfinite(step), step, 0)
    return r


def _np_root_err(coeffs: np.ndarray, acoeffs: np.ndarray, r: np.ndarray, ssum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order bounds for float64 roots ``r`` (one column per row of ``coeffs``): ``(error, ∂r/∂γ)``.

    ``error = (|P(r)| + 8u Σ A_k |r|^k)/|P'(r)|``: the residual plus the rounding of the coefficients and of
    Horner's rule (``A_k`` the coefficients formed from absolute values, ``|z||Π| + |Π| + γ|Σ|``; ``u`` the unit
    roundoff) over the derivative, the root's conditioning (large near a double root: an edge).
    ``|∂r/∂γ| = |r Σ(r)|/|P'(r)|`` (``∂P/∂γ = −m Σ(m)``): how far the root moves with ``γ``.
    """
    p = np.zeros_like(r)
    dp = np.zeros_like(r)
    pa = np.zeros(r.shape)
    ar = np.abs(r)
    for c, ca in zip(coeffs.T[::-1], acoeffs.T[::-1], strict=True):
        dp = dp * r + p
        p = p * r + c[:, None]
        pa = pa * ar + ca[:, None]
    sv = np.zeros_like(r)
    for c in ssum[::-1]:
        sv = sv * r + c
    u = np.finfo(float).eps / 2
    with np.errstate(all="ignore"):
        num = (np.abs(p) + 8 * u * pa) / np.abs(dp)
        dg = np.abs(r * sv) / np.abs(dp)
    return np.where(np.isfinite(num), num, np.inf), np.where(np.isfinite(dg), dg, np.inf)


def _gamma_rounding(g: float) -> float:
    """``|γ − decimal(γ)|``: the float ``γ`` against the shortest decimal that prints as it (``repr``), the
    number the user most likely meant; 0 when ``γ`` is a short binary fraction such as 2 or 0.5."""
    return float(abs(Fraction(g) - Fraction(repr(g))))


def _abs_rows(z: np.ndarray, g: np.ndarray, prod: np.ndarray, ssum: np.ndarray) -> np.ndarray:
    """The rows of :func:`_poly_rows` built from absolute values (for :func:`_np_root_err`)."""
    return _poly_rows(np.abs(z).astype(complex), np.abs(g), np.abs(prod), -np.abs(ssum)).real


def _poly_rows(z: np.ndarray, g: np.ndarray, prod: np.ndarray, ssum: np.ndarray) -> np.ndarray:
    K = len(prod) - 1
    c = np.zeros((z.size, K + 2), dtype=complex)
    c[:, 1:] += z[:, None] * prod[None, :]
    c[:, : K + 1] += prod[None, :]
    c[:, 1 : K + 1] -= g[:, None] * ssum[None, :]
    return c


@cache
def _support_np(g: float, label: str) -> tuple[tuple[float, float], ...]:
    """Support intervals in float64 (from the certified computation at 20 digits, cached)."""
    spec = _spec(label)
    with mp.workdps(20):
        return tuple((float(a), float(b)) for a, b in _edges_mp(_Problem.build(Fraction(g), spec)))


@cache
def _singular_np(g: float, label: str) -> tuple[float, ...]:
    """:func:`_near_singular` in float64 (cached)."""
    with mp.workdps(20):
        return tuple(float(c) for c in _near_singular(_Problem.build(Fraction(g), _spec(label))))


def _fallback(
    mask: np.ndarray,
    fn: Callable[..., Result],
    spec: PopulationSpectrum,
    first: np.ndarray,
    g: np.ndarray,
    limit: int = _MAX_FALLBACK,
) -> tuple[np.ndarray, np.ndarray]:
    """Certified values (16 digits) at the first ``limit`` points of ``mask``; ``(values, done)``."""
    vals = np.full(mask.shape, np.nan, dtype=first.dtype if np.iscomplexobj(first) else float)
    done = np.zeros(mask.shape, dtype=bool)
    for n, idx in enumerate(np.argwhere(mask)):
        if n >= limit:
            break
        i = tuple(idx)
        v = first[i]
        arg: Any = complex(v) if np.iscomplexobj(first) else Fraction(float(v))
        try:
            r = fn(arg, Fraction(float(g[i])), spec, dps=16).value
            vals[i], done[i] = (complex(r) if np.iscomplexobj(first) else float(r)), True
        except (ParameterError, ConvergenceError):
            pass
    return vals, done


def _near(x: np.ndarray, sup: tuple[tuple[float, float], ...]) -> np.ndarray:
    near = np.zeros(x.shape, dtype=bool)
    for a, b in sup:
        for e in (a, b):
            near |= np.abs(x - e) <= _NEAR_EDGE * max(abs(e), abs(b))
    return near


def _inside(x: np.ndarray, sup: tuple[tuple[float, float], ...]) -> np.ndarray:
    out = np.zeros(x.shape, dtype=bool)
    for a, b in sup:
        out |= (x > a) & (x < b)
    return out


def _dens_np(x: np.ndarray, g: np.ndarray, prod: np.ndarray, ssum: np.ndarray, with_err: bool = False) -> Any:
    """Im of the upper root / (γπ) at real points ``x`` (1-d), assuming they lie inside the support.

    ``with_err``: also two masks (:func:`_np_root_err`): the numerical error bound exceeds ``1e-8`` of that
    ``Im`` (the caller recomputes on the certified path), and the change from the float ``γ`` to its decimal
    (:func:`_gamma_rounding`) exceeds ``1e-7`` of it (the 6th digit hangs on γ's last bit: status 3)."""
    rows = _poly_rows(x.astype(complex), g, prod, ssum)
    r = _np_roots(rows)
    k = np.argmax(r.imag, axis=1)
    top = np.take_along_axis(r, k[:, None], axis=1)
    val = np.maximum(top[:, 0].imag, 0) / (g * np.pi)
    if not with_err:
        return val
    num, dg = _np_root_err(rows, _abs_rows(x, g, prod, ssum), top, ssum)
    im = top[:, 0].imag
    dgam = np.array([_gamma_rounding(float(v)) for v in g])
    cond = dg[:, 0] * dgam + im * dgam / g  # density = Im m̃/(γπ)
    return val, ~(num[:, 0] <= 1e-8 * im), ~(cond <= 1e-7 * im)


def density_curve(
    x: ArrayLike, gamma: ArrayLike, spectrum: PopulationSpectrum | str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 density; ``(values, status)``.

    Per point: the companion matrix of the polynomial (numpy ``eigvals``, two Newton steps) and
    the root with the largest imaginary part; points within ``1e-6`` (relative) of an edge, or whose root
    error bound (:func:`_np_root_err`) exceeds ``1e-8`` of its ``Im``, go to the certified path (at most 64
    per call), else status 3.  Status 3 also where the float ``γ`` and its decimal (:func:`_gamma_rounding`)
    give densities more than ``1e-7`` apart.  Status 1 (+inf) at the hard edge ``x = 0``.
    """
    spec = _spec(spectrum)
    x, g = float_arrays(x=x, gamma=gamma)
    if spec.continuous:
        return _cont_density_curve(x, g, spec)
    x, g = np.broadcast_arrays(x, g)
    val = np.zeros(x.shape)
    status = np.full(x.shape, STATUS_OK)
    valid = np.isfinite(x) & np.isfinite(g) & (g > 0)
    status[~valid] = STATUS_DOMAIN
    ts, ws = spec.np_atoms()
    prod, ssum = _np_basis(ts, ws)
    w0 = float(spec.zero_weight)
    near_all = np.zeros(x.shape, dtype=bool)
    illcond = np.zeros(x.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for gv in np.unique(g[valid]):
            sel = valid & (g == gv)
            sup = _support_np(float(gv), spec.label)
            xs = x[sel]
            inside = _inside(xs, sup) & (xs > 0)
            v = np.zeros(xs.shape)
            loose = np.zeros(xs.shape, dtype=bool)
            ill = np.zeros(xs.shape, dtype=bool)
            if inside.any():
                v[inside], loose[inside], ill[inside] = _dens_np(xs[inside], np.full(inside.sum(), gv), prod, ssum, with_err=True)
            hard = (xs == 0) & (gv * (1 - w0) == 1)
            v[hard] = np.inf
            val[sel] = v
            near_all[sel] = (_near(xs, sup) | loose) & (xs != 0)
            illcond[sel] = ill
    near_all &= ~illcond
    fb, done = _fallback(near_all, density, spec, x, g)
    val = np.where(done, fb, val)
    status = np.where((near_all & ~done) | illcond, STATUS_NOT_CONVERGED, status)
    status = np.where((status == STATUS_OK) & np.isinf(val), STATUS_INFINITE, status)
    val = np.where((status == STATUS_OK) | (status == STATUS_INFINITE), val, np.nan)
    return checked_status(val, status)


# ----------------------------------------------------------------------------- float64 path of the continuous law
@cache
def _cont_support_np(g: float, label: str) -> tuple[tuple[float, float], ...]:
    """:func:`_cont_edges` in float64 (at 20 digits, cached)."""
    with mp.workdps(20):
        return tuple((float(a), float(b)) for a, b in _cont_edges(Fraction(g), _spec(label)))


def _cont_dens_np(x: np.ndarray, gv: float, G: float, Sc: float, with_err: bool = False) -> Any:
    """Density ``Im m̃/(γπ)`` at points ``x`` inside the support: the root of the cubic with the largest ``Im``
    (numpy companion matrices, two Newton steps).  ``with_err``: also the mask of points whose root error bound
    ``|P/P'|`` exceeds ``1e-8`` of ``Im m̃`` or whose ``s = m̃(γ − 1 − x m̃)/γ`` has not ``Im s > 0`` (the caller
    recomputes them on the certified path)."""
    a = gv - 1
    rows = np.stack(
        [
            np.full(x.shape, gv),
            -G * Sc * a * a + gv * x - gv * Sc * (1 - G) * a,
            (2 * G * Sc * a + gv * Sc * (1 - G)) * x,
            -G * Sc * x * x,
        ],
        axis=1,
    ).astype(complex)
    r = _np_roots(rows)
    top = np.take_along_axis(r, np.argmax(r.imag, axis=1)[:, None], axis=1)[:, 0]
    val = np.maximum(top.imag, 0) / (gv * np.pi)
    if not with_err:
        return val
    p = np.zeros_like(top)
    dp = np.zeros_like(top)
    for c in rows.T[::-1]:
        dp = dp * top + p
        p = p * top + c
    err = np.abs(p) / np.abs(dp) + 8 * np.finfo(float).eps * np.abs(top)
    s_im = (top * (gv - 1 - x * top) / gv).imag
    return val, ~((err <= 1e-8 * top.imag) & (s_im > 0))


def _cont_density_curve(x: np.ndarray, g: np.ndarray, spec: PopulationSpectrum) -> tuple[np.ndarray, np.ndarray]:
    """:func:`density_curve` for ``H = MP(G, S)`` (vectorized; near edges and unsure points: certified, ≤ 64)."""
    assert spec._mp is not None
    G, Sc = float(spec._mp[0]), float(spec._mp[1])
    x, g = np.broadcast_arrays(x, g)
    val = np.zeros(x.shape)
    status = np.full(x.shape, STATUS_OK)
    valid = np.isfinite(x) & np.isfinite(g) & (g > 0)
    status[~valid] = STATUS_DOMAIN
    bad = np.zeros(x.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for gv in np.unique(g[valid]):
            sel = valid & (g == gv)
            sup = _cont_support_np(float(gv), spec.label)
            xs = x[sel]
            inside = _inside(xs, sup) & (xs > 0)
            v = np.zeros(xs.shape)
            loose = np.zeros(xs.shape, dtype=bool)
            if inside.any():
                v[inside], loose[inside] = _cont_dens_np(xs[inside], float(gv), G, Sc, with_err=True)
            hard = (xs == 0) & ((gv * (1 - float(spec.zero_weight)) == 1) | (G == 1))
            v[hard] = np.inf
            val[sel] = v
            bad[sel] = (_near(xs, sup) | loose) & (xs != 0)
    fb, done = _fallback(bad, density, spec, x, g)
    val = np.where(done, fb, val)
    status = np.where(bad & ~done, STATUS_NOT_CONVERGED, status)
    status = np.where((status == STATUS_OK) & np.isinf(val), STATUS_INFINITE, status)
    val = np.where((status == STATUS_OK) | (status == STATUS_INFINITE), val, np.nan)
    return checked_status(val, status)


def _panel_masses(
    a: float, b: float, th: np.ndarray, gv: float, prod: np.ndarray, ssum: np.ndarray, dens: Callable[..., Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mass of each panel ``[th_k, th_{k+1}]`` (θ variable of ``[a, b]``): one 20-node and two 20-node rules."""
    nodes, wts = _GL_PANEL
    lo, hi = th[:-1, None], th[1:, None]

    def rule(l0: np.ndarray, l1: np.ndarray) -> np.ndarray:
        theta = l0 + (l1 - l0) * (1 + nodes[None, :]) / 2
        t = a + (b - a) * (1 - np.cos(theta)) / 2
        tt = t.ravel()
        d = (_dens_np(tt, np.full(t.size, gv), prod, ssum) if dens is None else dens(tt)).reshape(t.shape)
        return (l1[:, 0] - l0[:, 0]) / 2 * np.sum(wts[None, :] * d * (b - a) * np.sin(theta) / 2, axis=1)

    mid = (lo + hi) / 2
    return rule(lo, hi), rule(lo, mid) + rule(mid, hi)


def cdf_curve(x: ArrayLike, gamma: ArrayLike, spectrum: PopulationSpectrum | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 CDF; ``(values, status)``.

    On each support interval the density is integrated in the variable θ of
    ``t = a + (b − a)(1 − cos θ)/2`` (smooth at square-root and hard edges) by composite
    Gauss–Legendre on 64 equal panels of ``[0, π]`` refined at every requested ``x``, and summed
    cumulatively; the error estimate is the summed difference of one 20-node rule and two per panel.
    A point whose estimate exceeds ``1e-8`` (relative), or within ``1e-6`` of an edge, goes to the
    certified path (at most 8 per call) or gets status 3.
    """
    spec = _spec(spectrum)
    x, g = float_arrays(x=x, gamma=gamma)
    cont = spec._mp
    x, g = np.broadcast_arrays(x, g)
    val = np.full(x.shape, np.nan)
    status = np.full(x.shape, STATUS_OK)
    valid = ~np.isnan(x) & np.isfinite(g) & (g > 0)
    status[~valid] = STATUS_DOMAIN
    if cont is None:
        ts, ws = spec.np_atoms()
        prod, ssum = _np_basis(ts, ws)
    else:  # the continuous law: no atoms; its density (:func:`_cont_dens_np`) replaces the polynomial's
        prod = ssum = np.zeros(1)
    bad = np.zeros(x.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for gv in np.unique(g[valid]):
            sel = valid & (g == gv)
            sup = (_support_np if cont is None else _cont_support_np)(float(gv), spec.label)
            xs = x[sel]
            tot = np.where(xs < 0, 0.0, float(_atom_mass(Fraction(float(gv)), spec)))
            err = np.zeros(xs.shape)
            for a, b in sup:
                part = (xs > a) & np.isfinite(xs)
                if not part.any():
                    continue
                up = np.minimum(xs[part], b)
                thx = np.arccos(np.clip(1 - 2 * (up - a) / (b - a), -1, 1))
                sing = [
                    np.arccos(np.clip(1 - 2 * (c - a) / (b - a), -1, 1))
                    for c in (_singular_np(float(gv), spec.label) if cont is None else ())
                    if a < c < b
                ]
                # panels graded geometrically towards each near-singular point (a complex branch point near the axis)
                graded = [c + sgn * np.pi * 2.0**-k for c in sing for sgn in (-1, 1) for k in range(2, 40)]
                grid = np.concatenate([np.linspace(0, np.pi, _PANELS + 1), thx, sing, np.clip(graded, 0, np.pi)])
                th = np.unique(grid)
                dens = None
                if cont is not None:
                    dens = functools.partial(_cont_dens_np, gv=float(gv), G=float(cont[0]), Sc=float(cont[1]))
                coarse, fine = _panel_masses(a, b, th, float(gv), prod, ssum, dens)
                cum = np.concatenate([[0.0], np.cumsum(fine)])
                cerr = np.concatenate([[0.0], np.cumsum(np.abs(fine - coarse))])
                k = np.searchsorted(th, thx)
                tot[part] += cum[k]
                err[part] += cerr[k]
            rel_bad = err > 1e-8 * np.maximum(np.abs(tot), 1e-300)
            val[sel] = np.clip(tot, 0, 1)
            bad[sel] = rel_bad | _near(xs, sup)
    fb, done = _fallback(bad & valid, cdf, spec, x, g, limit=8)
    val = np.where(done, fb, val)
    status = np.where(bad & valid & ~done, STATUS_NOT_CONVERGED, status)
    val = np.where(status == STATUS_OK, val, np.nan)
    return checked_status(val, status)


def stieltjes_curve(
    z: ArrayLike, gamma: ArrayLike, spectrum: PopulationSpectrum | str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized complex128 ``m(z)`` with the branch rule of the certified path; ``(values, status)``.

    Status 2 on the support (real ``z``); real points within ``1e-6`` of an edge, points where the pick is
    not clear-cut (the picked root's ``Im``, or its distance to the others for real ``z``, does not clear its
    error bound, :func:`_np_root_err`) or where that bound gives ``m`` a relative error above ``1e-8``, go to
    the certified path (at most 64 per call), else status 3; status 3 also where the float ``γ`` and its
    decimal (:func:`_gamma_rounding`) move ``m`` by more than ``1e-7``.
    """
    spec = _spec(spectrum)
    (g,) = float_arrays(gamma=gamma)
    z, g = float_arrays(complex, z=z, gamma=g)
    if spec.continuous:
        return _cont_curve(stieltjes, z, g.real, spec, True)
    z, g = np.broadcast_arrays(z, g.real)
    shape = z.shape
    z, g = z.ravel(), g.ravel()
    val = np.full(z.shape, np.nan + 0j)
    status = np.full(z.shape, STATUS_OK)
    valid = np.isfinite(z) & np.isfinite(g) & (g > 0)
    ts, ws = spec.np_atoms()
    prod, ssum = _np_basis(ts, ws)
    w0 = float(spec.zero_weight)
    bad = np.zeros(z.shape, dtype=bool)
    illcond = np.zeros(z.shape, dtype=bool)
    domain = ~valid
    with np.errstate(all="ignore"):
        for gv in np.unique(g[valid]):
            sel = np.flatnonzero(valid & (g == gv))
            sup = _support_np(float(gv), spec.label)
            zs = z[sel]
            real = zs.imag == 0
            on = real & (_inside(zs.real, sup) | np.isin(zs.real, [e for ab in sup for e in ab]))
            at0 = real & (zs.real == 0)
            on |= at0 & ((max(w0, 1 - 1 / gv) > 0) | (gv * (1 - w0) == 1))
            domain[sel] = on
            work = ~on & ~at0
            gg = np.full(work.sum(), gv)
            r = _np_roots(_poly_rows(zs[work], gg, prod, ssum))
            zw = zs[work]
            s = np.where(zw.imag > 0, 1.0, -1.0)[:, None]
            order = np.argsort(-s * r.imag, axis=1)
            best = np.take_along_axis(r, order[:, :1], axis=1)[:, 0]
            second = np.take_along_axis(r, order[:, 1:2], axis=1)[:, 0] if r.shape[1] > 1 else np.full(len(zw), -1j)
            cplx_ok = (s[:, 0] * best.imag > 0) & (s[:, 0] * second.imag < 0)
            # real z: the real root with z'(m) > 0
            rerr, rdg = _np_root_err(_poly_rows(zs[work], gg, prod, ssum), _abs_rows(zs[work], gg, prod, ssum), r, ssum)
            # the pick is decided only where the Im of the picked root (and of the runner-up) clears its error
            berr = np.take_along_axis(rerr, order[:, :1], axis=1)[:, 0]
            serr = np.take_along_axis(rerr, order[:, 1:2], axis=1)[:, 0] if r.shape[1] > 1 else np.zeros(len(zw))
            cplx_ok &= (s[:, 0] * best.imag > 10 * berr) & (s[:, 0] * second.imag < -10 * serr)
            rr = r.real
            isreal = np.abs(r.imag) <= 1e-8 * (1 + np.abs(r))
            dz = 1 / rr**2 - gv * np.sum(ws[None, None, :] * ts**2 / (1 + ts[None, None, :] * rr[..., None]) ** 2, axis=-1)
            good = isreal & (dz > 1e-10 / np.maximum(rr**2, 1e-300))
            nreal = good.sum(axis=1)
            pick = np.argmax(good, axis=1)
            mreal = np.take_along_axis(rr, pick[:, None], axis=1)[:, 0] + 0j
            merr = np.take_along_axis(rerr, pick[:, None], axis=1)[:, 0]
            rzw = zw.imag == 0
            mt = np.where(rzw, mreal, best)
            mterr = np.where(rzw, merr, berr)
            mtdg = np.take_along_axis(rdg, np.where(rzw, pick, order[:, 0])[:, None], axis=1)[:, 0]
            # a real pick: no other root within 100 error bounds (z' has its sign decided)
            gap = np.abs(r - mreal[:, None]) + np.where(np.arange(r.shape[1])[None, :] == pick[:, None], np.inf, 0)
            sep_ok = np.all(gap > 100 * (merr[:, None] + rerr), axis=1)
            ok = np.where(rzw, (nreal == 1) & sep_ok, cplx_ok)
            corr = (1 - gv) / zw
            m = (mt + corr) / gv
            # honest error of m: the root's error bound over γ, plus the rounding of the cancellation
            cancel = (np.abs(mt) + np.abs(corr)) / np.maximum(np.abs(mt + corr), 1e-300)
            merr_rel = mterr / np.maximum(np.abs(mt + corr), 1e-300) + 4 * np.finfo(float).eps * cancel
            ok &= (merr_rel < 1e-8) & np.isfinite(m)
            # the float γ against its decimal (the user's number) moves the 6th digit: status 3, no recomputation
            dgam = _gamma_rounding(float(gv))
            dm = (mtdg * dgam + dgam / np.abs(zw)) / gv + np.abs(m) * dgam / gv  # m = (m̃ + (1 − γ)/z)/γ
            ill = ~(dm <= 1e-7 * np.abs(m))
            near = rzw & _near(zw.real, sup)
            vv = np.full(len(zs), np.nan + 0j)
            vv[work] = np.where(rzw, m.real + 0j, m)
            vv[at0] = np.sum(ws / ts) / (1 - gv)  # m(0) = E[1/t]/(1 − γ)
            bb = np.zeros(len(zs), dtype=bool)
            bb[work] = ~ok | near
            il = np.zeros(len(zs), dtype=bool)
            il[work] = ill
            val[sel], bad[sel], illcond[sel] = vv, bb, il
    fb, done = _fallback(bad & ~domain & ~illcond, stieltjes, spec, z, g)
    val = np.where(done, fb, val)
    status = np.where(domain, STATUS_DOMAIN, np.where((bad & ~done) | illcond, STATUS_NOT_CONVERGED, STATUS_OK))
    val = np.where(status == STATUS_OK, val, np.nan + 0j)
    v, st = checked_status(val.reshape(shape), status.reshape(shape))
    return v, st


# ----------------------------------------------------------------------------- registry
_SPECTRUM_DOC = (
    "population spectrum: isotropic | blocks:t/w,t/w,... | power_law:p=P,alpha=A | spike:t=T,w=W | "
    "mp:gamma=G[,scale=S] (continuous Marchenko-Pastur law)"
)
_NOTE = (
    "precision-ladder estimate (quadrature of the density: polynomial roots + residual + branch rule checks); no ball proof yet"
)
_PARTIAL = (
    "rational atoms (blocks, spike, integer-alpha power laws); irrational power-law atoms and points too close to an edge: ladder"
)
_NOTE_TRANSFORM = (
    "partial: " + _PARTIAL + "; root isolated by Krawczyk's test on balls, branch proven on the ball: Im mt * Im z > 0 "
    "(complex z) or real root in B with z'(mt) > 0 (real z, Silverstein-Choi)"
)
_NOTE_DENSITY = (
    "partial: " + _PARTIAL + "; inside: the root with Im > 0 isolated by Krawczyk's test; outside: a real root with "
    "z' > 0 proves x off the support (density exactly 0); x = 0 exact"
)
_NOTE_EDGES = (
    "partial: " + _PARTIAL + "; every real critical point isolated (FLINT complex_roots of the integer polynomial), "
    "sign of z' between them exact, edges z(m_c) on balls; merging edges (double critical point): ladder"
)

MODEL = register(
    ModelSpec(
        name=NAME,
        aliases=("deformed_mp", "deformed_marchenko_pastur"),
        doc="Deformed Marchenko-Pastur law of X^T X / n, rows Sigma^(1/2) g, gamma = p/n, population spectrum H.",
        params={
            "gamma": ParamSpec("gamma", "aspect ratio p/n, > 0"),
            "spectrum": ParamSpec("spectrum", _SPECTRUM_DOC, default="isotropic", kind="spectrum"),
            "x": ParamSpec("x", "spectral point (density, cdf)"),
            "z": ParamSpec("z", "complex point off the support, e.g. 1+0.5j", kind="complex"),
            "k": ParamSpec("k", "moment order, integer 0..60", kind="int"),
        },
        quantities={
            "density": QuantitySpec(
                "density",
                "density of the continuous part",
                ("x", "gamma", "spectrum"),
                density,
                density_curve,
                proof="partial",
                proof_note=_NOTE_DENSITY,
            ),
            "cdf": QuantitySpec("cdf", "CDF incl. the atom at 0", ("x", "gamma", "spectrum"), cdf, cdf_curve, proof_note=_NOTE),
            "stieltjes": QuantitySpec(
                "stieltjes",
                "Stieltjes transform m(z)",
                ("z", "gamma", "spectrum"),
                stieltjes,
                stieltjes_curve,
                proof="partial",
                proof_note=_NOTE_TRANSFORM,
            ),
            "companion": QuantitySpec(
                "companion",
                "companion transform of XX^T/n",
                ("z", "gamma", "spectrum"),
                companion,
                proof="partial",
                proof_note=_NOTE_TRANSFORM,
            ),
            "edges": QuantitySpec(
                "edges",
                "support intervals [a1, b1, a2, b2, ...]",
                ("gamma", "spectrum"),
                edges,
                proof="partial",
                proof_note=_NOTE_EDGES,
            ),
            "moment": QuantitySpec(
                "moment",
                "k-th moment (closed form in the moments of H)",
                ("k", "gamma", "spectrum"),
                moment,
                proof="partial",
                proof_note="partial: exact rational for rational atoms (proven enclosure; not beyond 2^+-40000); "
                "ladder estimate for irrational power-law atoms",
            ),
        },
        system=system,
        source=SILVERSTEIN_BAI_1995,
    )
)

__all__ = [
    "MODEL",
    "PopulationSpectrum",
    "cdf",
    "companion",
    "density",
    "edges",
    "moment",
    "moment_series",
    "stieltjes",
    "system",
]
