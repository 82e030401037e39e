r"""Learning curves of kernel ridge regression from any spectrum (eigenlearning convention).

Setting (docs/models/learning_curve.md)
---------------------------------------
A kernel with eigenvalues ``η_i > 0`` of degeneracy ``d_i`` (an integer ≥ 1: ``d_i`` orthonormal
eigenfunctions share ``η_i``), a target whose **total** power in that eigenspace is ``b_i ≥ 0``,
``n > 0`` samples, the **unnormalized** ridge ``δ = lam ≥ 0`` (``f̂ = k(x)ᵀ(K + δI)⁻¹y``) and label
noise of variance ``σ² = sigma2``.  Bordelon, Canatar & Pehlevan (ICML 2020, arXiv 2002.02561);
Simon, Dickens, Karkada & DeWeese, *the eigenlearning framework* (TMLR 2023, arXiv 2110.03922).

.. math::
    n = \sum_i d_i\frac{\eta_i}{\eta_i+\kappa} + \frac{\delta}{\kappa},\qquad
    L_i = \frac{\eta_i}{\eta_i+\kappa},\qquad
    E_0 = \frac{n}{n - \sum_i d_i L_i^2},

.. math::
    E_{\rm test} = E_0\Big(\sum_i (1-L_i)^2 b_i + \sigma^2\Big),\qquad
    E_{\rm train} = \Big(\frac{\delta}{n\kappa}\Big)^2 E_{\rm test},\qquad
    \text{mode error}_i = E_0 (1-L_i)^2 b_i .

``test_error`` includes the test-label noise ``σ²``; ``bias = E_0 Σ_i (1−L_i)² b_i`` and
``variance = (E_0 − 1)σ²`` are the parts of the *excess* error, so ``test_error = bias + variance + σ²``.

One solver underneath
---------------------
With ``P = Σ_i d_i`` features, ``γ = P/n``, the normalized ridge ``λ = δ/n`` and blocks
``(s_i, w_i, β-energy) = (η_i, d_i/P, b_i/η_i)``, the κ equation above *is* the general-spectrum ridge
equation ``λ = κ(1 − γΣ w_i s_i/(s_i+κ))`` with the same κ, ``1 − df₂/n = 1/E_0`` and ridge's risk
``𝓑 + 𝓥`` equals ``E_test − σ²`` (docs page, 'Mapping').  Bordelon's ``κ_B = δ + κ_B Σ_i d_iη_i/(nη_i + κ_B)``
is the same equation for ``κ_B = nκ``.  So every quantity is computed by
:func:`asymptotics.models.ridge._general` (certified path, float64 curves, ball proofs), and only
``L_i``, ``E_0`` and the per-mode error are formulas of this module, written once over a backend.

Power laws ``η_k = c k^{−α}`` (``k = 1..P``, degeneracy 1), ``b_k = k^{−β}/Σ_{j≤P} j^{−β}`` (total target
power 1) use the closed-form sums of :mod:`asymptotics.solve.spectral_sums`, also at ``P = ∞`` (``α > 1``,
``β > 1``), where ridge's own ``p = ∞`` limit (fixed ``γ``) does not apply: the sums are then the
infinite sums ``Σ_k`` at fixed ``n``.

Edge ``δ = 0``, ``n ≥ P`` (finitely many modes): κ = 0, every ``L_i = 1``, ``E_0 = n/(n − P)`` (``+∞``
at ``n = P``), the bias is 0, ``E_train = (1 − P/n)² E_test = (1 − P/n)σ²`` (ordinary least squares in the
``P`` features).
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
from .._types import ArrayLike, IntLike, Real
from .._validate import check_int, check_real, float_arrays, key_values, shown_params, to_mpf
from ..backend import MP, NP
from ..errors import ConvergenceError, ParameterError
from ..formulas import status_ladder
from ..precision import DEFAULT_DPS, certify
from ..references import Source
from ..result import Result
from ..solve.spectral_sums import EM_START, U_SPLIT, Y_MIN, PowerLawSums, _lower_float, em_tail, power_tail
from ..symbolic.system import FixedPointSystem
from . import ridge as ridge_model
from ._registry import ModelSpec, ParamSpec, QuantitySpec, register

NAME = "learning_curve"
QUANTITIES = (
    "kappa",
    "test_error",
    "train_error",
    "overfitting_coefficient",
    "learnability",
    "mode_error",
    "bias",
    "variance",
)
MODE_QUANTITIES = ("learnability", "mode_error")
BRANCH_RULE = "kappa: unique zero on kappa > 0 of the increasing 1 - lam/(n kappa) - sum_i d_i eta_i/(eta_i+kappa)/n"
POWER_LAW_MAX_P = ridge_model.POWER_LAW_MAX_P
DEFAULT_SPECTRUM = "power_law:alpha=1.5,beta=1.5"
"""The ``spectrum`` when none is given: ``η_k = k^{−3/2}``, ``b_k = k^{−3/2}/ζ(3/2)``, ``P = ∞``."""
G_INF = 4
"""The stand-in ``γ`` of a ``P = ∞`` power law in ridge's solver (any value > 2: only ``γ·w``-sums enter)."""

SIMON_2023 = Source(
    "J. B. Simon, M. Dickens, D. Karkada, M. R. DeWeese",
    "The eigenlearning framework: a conservation law perspective on kernel regression and wide neural networks",
    2023,
    arxiv="2110.03922",
    journal="TMLR 2023",
)
BCP_2020 = Source(
    "B. Bordelon, A. Canatar, C. Pehlevan",
    "Spectrum dependent learning curves in kernel regression and wide neural networks",
    2020,
    arxiv="2002.02561",
    journal="ICML 2020",
)


# ----------------------------------------------------------------------------- spectra
@dataclass(frozen=True)
class ModeSpectrum:
    """Kernel eigenvalues ``η_i`` (decreasing), degeneracies ``d_i`` and target powers ``b_i`` (exact), or a power law.

    Build with :meth:`from_modes`, :meth:`power_law`, :meth:`parse` (text) or :func:`from_data`.
    ``_power = (P, α, β, c)`` marks a power law ``η_k = c k^{−α}``, ``b_k = k^{−β}/Σ_{j≤P} j^{−β}``
    (``P`` an int or ``math.inf``).
    """

    eta: tuple[Fraction, ...] = ()
    deg: tuple[int, ...] = ()
    power: tuple[Fraction, ...] = ()
    label: str = "modes"
    _power: tuple[Any, Fraction, Fraction, Fraction] | None = None

    @classmethod
    def from_modes(cls, eta: Sequence[Any], deg: Sequence[Any] | None = None, power: Sequence[Any] | None = None) -> ModeSpectrum:
        """Modes ``(η_i > 0, d_i ≥ 1 integer, b_i ≥ 0)``, sorted by decreasing ``η`` (ties keep their order)."""
        m = len(eta)
        deg = [1] * m if deg is None else list(deg)
        power = [0] * m if power is None else list(power)
        if m == 0 or len(deg) != m or len(power) != m:
            raise ParameterError(
                f"`spectrum` modes need equally long, non-empty eta/deg/power lists; got lengths {m}, {len(deg)}, {len(power)}."
            )
        e = [check_real(f"eta[{j}]", v, low=0, low_open=True) for j, v in enumerate(eta)]
        d = [check_int(f"deg[{j}]", v, low=1, high=10**15) for j, v in enumerate(deg)]
        b = [check_real(f"power[{j}]", v, low=0) for j, v in enumerate(power)]
        order = sorted(range(m), key=lambda j: -e[j])
        return cls(tuple(e[j] for j in order), tuple(d[j] for j in order), tuple(b[j] for j in order))  # type: ignore[misc]

    @classmethod
    def power_law(cls, alpha: Any, beta: Any, P: Any = "inf", c: Any = 1) -> ModeSpectrum:
        """``η_k = c k^{−α}``, ``b_k = k^{−β}/Σ_{j≤P} j^{−β}`` for ``k = 1..P`` (``P = inf``: needs ``α > 1``, ``β > 1``)."""
        infinite = (isinstance(P, str) and P.strip().lower() in ("inf", "+inf", "infinity", "∞")) or (
            isinstance(P, float) and P == math.inf
        )
        pp: Any = math.inf if infinite else check_int("P", P, low=1, high=POWER_LAW_MAX_P)
        a = check_real("alpha", alpha, low=0, low_open=True)
        bb = check_real("beta", beta)
        cc = check_real("c", c, low=0, low_open=True)
        if infinite and (a <= 1 or bb <= 1):
            raise ParameterError(
                "spectrum power_law with P=inf needs alpha > 1 (sum of eigenvalues finite) and beta > 1 (target power "
                f"normalizable); got alpha = {float(a):g}, beta = {float(bb):g}."
            )
        shown = "inf" if infinite else pp
        label = f"power_law(alpha={a}, beta={bb}, P={shown}" + (f", c={cc})" if cc != 1 else ")")
        return cls(label=label, _power=(pp, a, bb, cc))  # type: ignore[arg-type]

    @classmethod
    def parse(cls, text: Any) -> ModeSpectrum:
        """``modes:eta/deg/power,...`` (e.g. ``modes:1/1/1,0.1/10/0.5``) or ``power_law:alpha=A,beta=B[,P=inf|int][,c=C]``."""
        if isinstance(text, ModeSpectrum):
            return text
        if not isinstance(text, str):
            raise ParameterError(f"`spectrum` must be a ModeSpectrum or a string; got {type(text).__name__}.")
        kind, _, body = text.strip().partition(":")
        kind = kind.strip().lower().replace("-", "_")
        try:
            if kind in ("power_law", "powerlaw"):
                kw = key_values(body, aliases={"p": "P"})
                if set(kw) - {"alpha", "beta", "P", "p", "c"} or not {"alpha", "beta"} <= set(kw):
                    raise ValueError
                if "p" in kw:
                    kw["P"] = kw.pop("p")
                return cls.power_law(**kw)
            if kind == "modes":
                triples = [item.split("/") for item in body.split(",") if item.strip()]
                if not triples or any(len(t) != 3 for t in triples):
                    raise ValueError
                e, d, b = zip(*triples, strict=True)
                return cls.from_modes([v.strip() for v in e], [v.strip() for v in d], [v.strip() for v in b])
        except ParameterError:
            raise
        except ValueError:
            pass
        raise ParameterError(
            "`spectrum` must be 'modes:eta/deg/power,...' (e.g. modes:1/1/1,0.1/10/0.5) or "
            f"'power_law:alpha=A,beta=B[,P=inf|int][,c=C]'; got {text!r}."
        )

    @property
    def infinite(self) -> bool:
        return self._power is not None and self._power[0] == math.inf

    @property
    def count(self) -> Any:
        """Number of listed modes (``P`` for a power law, ``math.inf`` when infinite)."""
        return self._power[0] if self._power is not None else len(self.eta)

    @property
    def features(self) -> Any:
        """``P = Σ d_i`` (the dimension of the feature space)."""
        return self._power[0] if self._power is not None else sum(self.deg)

    @property
    def scale(self) -> Fraction:
        """``c`` of a power law (1 for modes): the problem is solved for ``η/c`` and κ scaled back."""
        return self._power[3] if self._power is not None else Fraction(1)

    def ridge_spectrum(self) -> ridge_model.Spectrum:
        """The ridge spectrum of the mapping (finite only): blocks ``(η_i, d_i/P, b_i/η_i)`` or a power law of ``β − α``."""
        if self._power is not None:
            p, a, bb, _ = self._power
            return ridge_model.Spectrum.power_law(p, a, bb - a, 1)
        P = self.features
        return ridge_model.Spectrum.from_blocks(
            list(self.eta), [Fraction(d, P) for d in self.deg], [b / e for b, e in zip(self.power, self.eta, strict=True)]
        )

    def __str__(self) -> str:
        if self._power is not None:
            return self.label
        return "modes:" + ",".join(
            f"{shown_params(x=e)['x']}/{d}/{shown_params(x=b)['x']}"
            for e, d, b in zip(self.eta, self.deg, self.power, strict=True)
        )


def parse_spectrum(value: Any) -> ModeSpectrum:
    """``spectrum=`` parameter → :class:`ModeSpectrum` (required)."""
    if value is None:
        raise ParameterError("`spectrum` is required: 'modes:eta/deg/power,...' or 'power_law:alpha=A,beta=B[,P=..][,c=..]'.")
    return ModeSpectrum.parse(value)


# ----------------------------------------------------------------------------- P = ∞ power-law sums
class _InfiniteSums(PowerLawSums):
    """:class:`PowerLawSums` at ``P = ∞`` with the sums ridge's κ equation needs (``α > 1``).

    ``Σ_k p_k``, ``Σ_k q_kp_k``, ``Σ_k p_k²`` and ``Σ_k s_k = ζ(α)`` converge for ``α > 1`` (their tail
    series use ``S(αm) = Σ_{j>N} j^{−αm}``, ``m ≥ 1``); ``Σ q_k`` diverges and is never used (``γ > 2``
    selects the ``Σ w p`` form of ``1 − df₁/n``).  Values are unweighted; :class:`_Weighted` divides
    by ``G·n``.  An entry ``S(β)`` with ``β ≤ 1`` (only the energy needs it) is left out.
    """

    def _table(self, N: int) -> tuple[list[Any], list[Any]]:
        if N not in self._tables:
            B, a, b = self.B, self.alpha, self.beta
            s_a: list[Any] = [None]
            s_b: list[Any] = []
            for m in range(0, self.R_max + 3):
                lr = min(math.log(1e-3), self.log_rel + max(0, m - 2) * math.log(16.0))
                if m >= 1:
                    s_a.append(power_tail(B, a * m, N, None, lr))
                s_b.append(power_tail(B, a * m + b, N, None, lr) if a * m + b > 1 else None)
            self._tables[N] = (s_a, s_b)
        return self._tables[N]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.B.name != "ball":
            # below the closed-form floor the whole-range Euler–Maclaurin sums (em_tail) take over; the
            # solver keeps a (far smaller) positive floor for its bracket: n up to ~1e15 samples
            self.kappa_floor = Y_MIN / 1e15 ** float(self.alpha)

    @property
    def kappa_cover(self) -> float:
        """Smallest ``k`` of the closed-form (head + binomial tail) sums."""
        return Y_MIN / float(self.n_cap) ** float(self.alpha)

    @property
    def kappa_em(self) -> float:
        """Largest ``k`` of the whole-range Euler–Maclaurin sums (:func:`em_tail`: ``k·EM_START^α ≤ 1/4``)."""
        return float(U_SPLIT) / float(EM_START) ** float(self.alpha)

    def _dispatch(self, fn: Any, k: Any, forms: Sequence[tuple[Any, int, int]], head: Any) -> tuple[Any, ...]:
        """``fn(k)`` (closed form: head + binomial tail) or, at small ``k``, head ``j < EM_START`` plus
        :func:`em_tail` per ``(c, e, m)``.  The ball backend keeps the closed form (rigorous bounds) and
        raises ``NotProven`` below its floor (the whole-range remainder is estimated, not bounded)."""
        B = self.B
        if B.name == "ball":
            if _lower_float(k) >= self.kappa_cover * (1 + 1e-9):
                return fn(k)
            from ..ball import NotProven

            raise NotProven("learning_curve: kappa/c below the closed-form floor of the P = inf power-law sums")
        if self.scalar:
            if k > self.kappa_em:
                return fn(k)
            hs = self._head_sums(head, k, EM_START - 1)
            return tuple(h + em_tail(B, k, self.alpha, c, e, m, self.log_rel) for h, (c, e, m) in zip(hs, forms, strict=True))
        # whole-range Euler–Maclaurin from M = 256 (k·256^α ≤ 1/4) or from M = 64 (the float64 closed form's
        # floor 16/4096^α lies below 1/(4·64^α) for α ≥ 1), the closed form above
        k64 = self.kappa_em * (EM_START // 64) ** float(self.alpha)
        groups = [(k <= self.kappa_em, EM_START), ((k > self.kappa_em) & (k <= k64), 64)]
        big = ~(groups[0][0] | groups[1][0])
        out = fn(np.where(big, k, 1.0)) if bool(np.any(big)) else None
        for mask, M in groups:
            if not bool(np.any(mask)):
                continue
            kk = np.where(mask, k, self.kappa_em)
            hs = self._head_sums(head, kk, M - 1)
            vals = [h + em_tail(B, kk, self.alpha, c, e, m, self.log_rel, M) for h, (c, e, m) in zip(hs, forms, strict=True)]
            out = tuple(vals) if out is None else tuple(np.where(mask, v, o) for v, o in zip(vals, out, strict=True))
        return out  # type: ignore[return-value]

    def slack_inf(self, k: Any) -> tuple[Any, Any]:
        """``(Σ p, Σ qp)`` at ``k > 0``."""
        from .ridge import _slack_terms

        def head(s: Any, w: Any, b: Any, kk: Any) -> tuple[Any, Any]:
            return _slack_terms(s, w, b, kk)[1:]

        forms = ((Fraction(0), 0, 1), (Fraction(0), 1, 2))
        return self._dispatch(self._slack_closed, k, forms, head)  # type: ignore[return-value]

    def _slack_closed(self, k: Any) -> tuple[Any, Any]:
        from .ridge import _slack_terms

        N, R, ok = self._plan(k)
        _, hp, hqp = self._head_sums(_slack_terms, k, N)
        s_a, _ = self._table(N)
        p_tail = self._series(k, s_a, 1, 1, False, R) + self._tail_error(k, N, s_a[1 + R], R + 1, 1)
        qp_tail = self._series(k, s_a, 1, 1, True, R) + self._tail_error(k, N, s_a[1 + R], R + 1, R + 1)
        return self._mask(hp + p_tail, ok), self._mask(hqp + qp_tail, ok)

    def pp_inf(self, k: Any) -> Any:
        """``Σ p²`` at ``k > 0``."""
        from .ridge import _final_terms

        def head(s: Any, w: Any, b: Any, kk: Any) -> tuple[Any]:
            return (_final_terms(s, w, b, kk)[0],)

        return self._dispatch(lambda kk: (self._pp_closed(kk),), k, ((Fraction(0), 0, 2),), head)[0]

    def _pp_closed(self, k: Any) -> Any:
        from .ridge import _final_terms

        N, R, ok = self._plan(k)
        hpp, _ = self._head_sums(_final_terms, k, N)
        s_a, _ = self._table(N)
        return self._mask(hpp + self._series(k, s_a, 2, 2, True, R) + self._tail_error(k, N, s_a[2 + R], R + 2, R + 1), ok)

    def bias_sum(self, k: Any) -> Any:
        """``Σ_k k^{−β} s_k q_k²`` at ``k > 0`` (also below the closed-form floor)."""
        from .ridge import _final_terms

        def head(s: Any, w: Any, b: Any, kk: Any) -> tuple[Any]:
            return (_final_terms(s, w, b, kk)[1],)

        forms = ((self.beta + self.alpha, 2, 2),)
        return self._dispatch(lambda kk: (PowerLawSums.bias_sum(self, kk),), k, forms, head)[0]

    def zeta_alpha(self) -> Any:
        N = N_HEAD
        head = self.B.fsum(self._head(N)[0]) if self.scalar else self._head(N)[0].sum()
        return head + self._table(N)[0][1]


N_HEAD = 32


@dataclass(frozen=True)
class _Weighted:
    """The ``P = ∞`` sums as ridge's ``_PowerBlocks.sums``: weights ``w = 1/(G n)`` so that ``G·Σw(·) = Σ(·)/n``."""

    core: _InfiniteSums
    w: Any  # 1/(G n), a backend number or array

    @property
    def kappa_floor(self) -> float:
        return self.core.kappa_floor

    P = None

    def slack(self, k: Any) -> tuple[Any, Any, Any]:
        p, qp = self.core.slack_inf(k)
        return 0 * p, self.w * p, self.w * qp  # Σ w q is never read (γ = G > 2)

    def final(self, k: Any) -> tuple[Any, Any]:
        B = self.core.B
        pos = k > 0
        kk = B.where(pos, k, 1 + 0 * k)
        return self.w * self.core.pp_inf(kk), self.core.bias_sum(kk)

    def trace(self) -> Any:
        return self.w * self.core.zeta_alpha()

    def smin(self) -> Any:
        return 0 * self.w


@lru_cache(maxsize=16)
def _sums(backend: str, p: Any, alpha: Fraction, beta: Fraction, prec: int) -> PowerLawSums:
    """One sums object per (backend, P, α, β, precision); ``P = None``: :class:`_InfiniteSums`."""
    if backend == "ball":
        from ..ball import AB

        B: Any = AB
    else:
        B = MP if backend == "mp" else NP
    return _InfiniteSums(B, None, alpha, beta) if p is None else PowerLawSums(B, p, alpha, beta)


def _prec(B: Any) -> int:
    if B.name == "ball":
        from flint import ctx

        return int(ctx.prec)
    return mpmath.mp.prec if B.name == "mp" else 53


def _sums_for(B: Any, spec: ModeSpectrum, beta: Fraction) -> PowerLawSums:
    p, a, _, _ = spec._power  # type: ignore[misc]
    return _sums(B.name, None if p == math.inf else int(p), a, beta, _prec(B))


# ----------------------------------------------------------------------------- the ridge problem
def _ridge_parts(
    B: Any, spec: ModeSpectrum, n: Any, lam: Any, *, state: dict[str, Any], dps: int = DEFAULT_DPS
) -> dict[str, Any]:
    """Solve the mapped ridge problem on backend ``B``; returns normalized ``kappa`` (of ``η/c``), ``e0m1 = E_0 − 1``,
    ``bias`` (target powers ``b``), ``ratio = δ/(nκ)`` (``1 − P/n`` at κ = 0), ``residual`` and ``conv`` (numpy).

    ``n``, ``lam``: exact fractions (MP, ball) or float arrays (NP).
    """
    c = spec.scale
    if spec.infinite:
        return _infinite_parts(B, spec, n, lam, state=state, dps=dps)
    P = spec.features
    if B.name == "np":
        g = P / n
        out, conv = ridge_model._general_np(spec.ridge_spectrum(), g, lam / (float(c) * n), np.ones_like(g))
        kappa = out["kappa"]
        trivial = (lam == 0) & (n >= P)  # κ = 0: E_0 − 1 = P/(n − P) and 1 − P/n from n − P (exact near n = P)
        with np.errstate(all="ignore"):
            gap = n - P
            ratio = np.where(kappa > 0, lam / (float(c) * n * np.where(kappa > 0, kappa, 1.0)), gap / n)
            e0m1 = np.where(trivial, np.where(gap > 0, P / np.where(gap > 0, gap, 1.0), np.inf), out["variance"])
        parts = {"kappa": kappa, "e0m1": e0m1, "bias": out["bias"], "ratio": ratio, "conv": conv}
    else:
        pr = ridge_model.RidgeParams(Fraction(P) / n, lam / (c * n), None, 1, 0, spec.ridge_spectrum())
        if B.name == "ball":
            out, residual = ridge_model._solve_ball(pr, dps, state)
        else:
            out, residual = ridge_model._solve_mp(pr, state)
        kappa = out["kappa"]
        exact_ratio = 1 - pr.gamma
        zero = (kappa == 0) is True if B.name == "ball" else kappa == 0
        ratio = B.num(exact_ratio) if zero else B.num(pr.lam) / kappa
        parts = {"kappa": kappa, "e0m1": out["variance"], "bias": out["bias"], "ratio": ratio, "residual": residual}
    if spec._power is not None:  # bias of energies j^{α−β}/Σ j^{α−β}: rescale to b_k = k^{−β}/Σ j^{−β}
        _, a, bb, _ = spec._power
        parts["bias"] = parts["bias"] * (_sums_for(B, spec, bb - a).energy() / _sums_for(B, spec, bb).energy())
    return parts


def _infinite_parts(B: Any, spec: ModeSpectrum, n: Any, lam: Any, *, state: dict[str, Any], dps: int) -> dict[str, Any]:
    """``P = ∞`` power law: ridge's ``_general`` with the weighted infinite sums (``γ = G``, ``w = 1/(G n)``)."""
    _, a, bb, c = spec._power  # type: ignore[misc]
    core = _sums_for(B, spec, bb - a)  # ridge's bias sums weight coefficient energies b_k/s_k ∝ k^{α−β}
    norm = 1 / _sums_for(B, spec, bb).energy()
    if B.name == "np":
        g = np.full(np.shape(n), float(G_INF))
        blocks = ridge_model._PowerBlocks(_Weighted(core, 1 / (G_INF * n)), norm)  # type: ignore[arg-type]
        lam_r = lam / (float(c) * n)
        out, conv = ridge_model._general(NP, blocks, g, 1 - g, lam_r, np.ones_like(g), rtol=1e-14, throw=False)
        eps = np.finfo(float).eps
        bound = (np.abs(out["_slack"] - out["_ratio"]) + 32 * eps * (out["_size"] + out["_ratio"])) / out["_one_minus_d2"]
        conv = conv & (bound <= ridge_model.FLOAT64_TOLERANCE)
        return {"kappa": out["kappa"], "e0m1": out["variance"], "bias": out["bias"], "ratio": out["_ratio"], "conv": conv}
    g, omg = B.num(G_INF), B.num(1 - G_INF)
    lam_r = B.num(lam / (c * n))
    blocks = ridge_model._PowerBlocks(_Weighted(core, B.num(Fraction(1) / (G_INF * n))), norm)  # type: ignore[arg-type]
    one = B.num(1)
    if B.name == "ball":
        from flint import ctx

        from ..ball import BITS_PER_DIGIT, NotProven, root_by_sign_change

        with mpmath.workprec(int(ctx.prec)):
            approx = _infinite_parts(MP, spec, n, lam, state=state, dps=dps)
        h, _, _ = ridge_model._kappa_equation(B, blocks, g, omg, lam_r)
        need = math.ceil(dps * BITS_PER_DIGIT)
        rel = Fraction(1, 2 ** (need + max(8, (ctx.prec - need) // 2)))
        kappa = root_by_sign_change(h, approx["kappa"], rel=rel, increasing=True)
        if (kappa > 0) is not True:
            raise NotProven("learning_curve kappa: the bracket of the root is not inside kappa > 0")
        out, _ = ridge_model._general(B, blocks, g, omg, lam_r, one, rtol=None, kappa=kappa)
    else:
        rtol = mpmath.mpf(10) ** (-(mpmath.mp.dps - 2))
        x0 = state.get("kappa")
        try:
            out, _ = ridge_model._general(MP, blocks, g, omg, lam_r, one, rtol=rtol, x0=x0, params=None)
        except ConvergenceError as exc:
            if "floor" not in str(exc):
                raise
            raise ConvergenceError(
                f"learning_curve: kappa/c is below {core.kappa_floor:.3g} = 16/1e15^alpha, the smallest value the "
                "P = inf power-law sums accept (n beyond about 1e15 samples with a small lam); use a larger lam."
            ) from None
        if out["kappa"] > 0:
            state["kappa"] = out["kappa"]
    return {
        "kappa": out["kappa"],
        "e0m1": out["variance"],
        "bias": out["bias"],
        "ratio": out["_ratio"],
        "residual": out["_residual"],
    }


# ----------------------------------------------------------------------------- the eigenlearning formulas, once
def learnability_of(B: Any, eta: Any, kappa: Any) -> Any:
    """``L = η/(η + κ)`` (1 at κ = 0)."""
    return eta / (eta + kappa)


def mode_eta(B: Any, spec: ModeSpectrum, k: int) -> Any:
    """``η_k/c`` of mode ``k`` (1-based, decreasing order) as a backend number."""
    if spec._power is None:
        return B.num(spec.eta[k - 1])
    a = spec._power[1]
    return 1 + 0 * B.num(1) if k == 1 else B.exp(-B.num(a) * B.log(B.num(k)))


def mode_power(B: Any, spec: ModeSpectrum, k: int) -> Any:
    """``b_k`` of mode ``k``."""
    if spec._power is None:
        return B.num(spec.power[k - 1])
    bb = spec._power[2]
    return B.exp(-B.num(bb) * B.log(B.num(k))) / _sums_for(B, spec, bb).energy()


def target_learnability(B: Any, spec: ModeSpectrum, kappa: Any) -> Any:
    """``Σ_i L_i b_i / Σ_i b_i``.

    Power law (``Σ b = 1``): ``1 − Σ_k b_k q_k`` with ``q = κ/(s+κ)``, and ``Σ b q = Σ b q(p + q)``, where
    ``s q² = κ p q`` gives ``Σ k^{−β} p q = S_β(κ)/κ`` and ``Σ k^{−β} q² = S_{β−α}(κ)``,
    ``S_x(κ) = Σ k^{−x} s_k q_k²`` (the closed-form bias sums).
    """
    if spec._power is None:
        total = sum(spec.power, Fraction(0))
        if total == 0:
            raise ParameterError("`spectrum` has zero target power: the target learnability sum(L_i b_i)/sum(b_i) is undefined.")
        terms = [B.num(b) * learnability_of(B, B.num(e), kappa) for e, b in zip(spec.eta, spec.power, strict=True) if b]
        if B.name == "np":
            return sum(terms) / float(total)
        return B.fsum(terms) / B.num(total)
    _, a, bb, _ = spec._power
    pos = kappa > 0
    if B.name == "np":
        kk = np.where(pos, kappa, 1.0)
    else:
        if (kappa > 0) is not True:
            return 1 + 0 * kappa  # κ = 0 (finite P, δ = 0, n ≥ P): every mode learned
        kk = kappa
    s_beta = _sums_for(B, spec, bb).bias_sum(kk)
    s_low = _sums_for(B, spec, bb - a).bias_sum(kk)
    lost = (s_beta / kk + s_low) / _sums_for(B, spec, bb).energy()
    val = 1 - lost
    return np.where(pos, val, 1.0) if B.name == "np" else val


def quantities(
    B: Any, spec: ModeSpectrum, parts: dict[str, Any], sigma2: Any, mode: int | None, which: str | None = None
) -> dict[str, Any]:
    """The quantities from the ridge solution (``parts``), on backend ``B``; ``mode`` for the per-mode ones.

    The target learnability (no ``mode``) is computed only when ``which`` is ``"learnability"`` or ``None``.
    """
    c = B.num(spec.scale)
    kappa_r, e0m1, bias, ratio = parts["kappa"], parts["e0m1"], parts["bias"], parts["ratio"]
    e0 = 1 + e0m1
    zero = 0 * bias  # (the bias is finite; 0 where E_0 = +inf)
    noisy = sigma2 > 0
    variance = B.where(noisy, sigma2 * e0m1, zero)
    test = bias + variance + sigma2
    sing = B.isinf(e0)  # δ = 0, n = P: the interpolator's training error is exactly 0
    train = B.where(sing, zero, ratio * ratio * B.where(sing, zero, test))
    out = {
        "kappa": c * kappa_r,
        "overfitting_coefficient": e0,
        "bias": bias,
        "variance": variance,
        "test_error": test,
        "train_error": train,
    }
    if mode is not None:
        eta = mode_eta(B, spec, mode)
        out["learnability"] = learnability_of(B, eta, kappa_r)
        q = kappa_r / (eta + kappa_r)  # 1 − L without cancellation
        out["mode_error"] = B.where(sing, zero, e0 * q * q * mode_power(B, spec, mode))
    elif which in (None, "learnability"):
        out["learnability"] = target_learnability(B, spec, kappa_r)
    return out


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class LCParams:
    """Validated parameters: ``n > 0``, ``lam ≥ 0``, ``sigma2 ≥ 0`` (exact), ``spectrum``, ``mode`` (int ≥ 1 or None)."""

    n: Any
    lam: Any = 0
    sigma2: Any = 0
    spectrum: Any = DEFAULT_SPECTRUM
    mode: Any = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.n is None:
            raise ParameterError("missing parameter `n` (number of samples, > 0).")
        set_(self, "n", check_real("n", self.n, low=0, low_open=True))
        set_(self, "lam", check_real("lam", self.lam, low=0))
        set_(self, "sigma2", check_real("sigma2", self.sigma2, low=0))
        set_(self, "spectrum", parse_spectrum(self.spectrum))
        if self.mode is not None:
            set_(self, "mode", check_mode(self.mode, self.spectrum))
        if self.spectrum.infinite and self.lam == 0:
            pass  # κ > 0 always (infinitely many modes): fine

    def shown(self) -> dict[str, str]:
        d = shown_params(n=self.n, lam=self.lam, sigma2=self.sigma2)
        d["spectrum"] = str(self.spectrum)
        if self.mode is not None:
            d["mode"] = str(self.mode)
        return d


def check_mode(mode: Any, spec: ModeSpectrum) -> int:
    """``mode``: an integer ``1 ≤ mode ≤`` the number of listed modes (decreasing-η order)."""
    count = spec.count
    high = None if count == math.inf else int(count)
    return check_int("mode", mode, low=1, high=high)


# ----------------------------------------------------------------------------- certified path
def solve(pr: LCParams, quantity: str, *, dps: int = DEFAULT_DPS) -> Result:
    """Certified value of one quantity (proof by ridge's ball route where it reaches)."""
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown learning_curve quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    if quantity == "mode_error" and pr.mode is None:
        raise ParameterError("`mode` is required for mode_error: an integer >= 1 (mode index in decreasing-eta order).")
    state: dict[str, Any] = {}
    proof_state: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        parts = _ridge_parts(MP, pr.spectrum, pr.n, pr.lam, state=state, dps=dps)
        return quantities(MP, pr.spectrum, parts, to_mpf(pr.sigma2), pr.mode, quantity)[quantity], parts["residual"]

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import AB

        parts = _ridge_parts(AB, pr.spectrum, pr.n, pr.lam, state=proof_state, dps=dps)
        return quantities(AB, pr.spectrum, parts, AB.num(pr.sigma2), pr.mode, quantity)[quantity], parts["residual"]

    c = certify(evaluate, dps, what=f"learning_curve {quantity}", params=pr.shown(), prove=ball_evaluate)
    return Result(
        c.value, NAME, quantity, pr.shown(), dps, c.residual, c.error_estimate, BRANCH_RULE, SIMON_2023, **c.proof_fields()
    )


def _make(quantity: str, doc: str) -> Any:
    def fn(
        n: Real | None = None,
        lam: Real = 0,
        sigma2: Real = 0,
        *,
        spectrum: ModeSpectrum | str = DEFAULT_SPECTRUM,
        mode: IntLike | None = None,
        dps: int = DEFAULT_DPS,
    ) -> Result:
        return solve(LCParams(n, lam, sigma2, spectrum, mode), quantity, dps=dps)

    fn.__name__ = fn.__qualname__ = quantity
    fn.__doc__ = doc + _COMMON
    return fn


_COMMON = """

    Parameters
    ----------
    n : number of samples (> 0, real).
    lam : unnormalized ridge delta (>= 0; 0 = the minimum-norm interpolator).
    sigma2 : label-noise variance (>= 0).
    spectrum : :class:`ModeSpectrum` or text ``modes:eta/deg/power,...`` /
        ``power_law:alpha=A,beta=B[,P=inf|int][,c=C]`` (default ``power_law:alpha=1.5,beta=1.5``).
    mode : mode index (>= 1, decreasing eta) for ``learnability`` and ``mode_error``.
    dps : significant digits (default 30).

    Returns
    -------
    Result; ``proven=True`` with an enclosure where ridge's ball route proves the digits
    (Simon et al. 2023, arXiv 2110.03922; Bordelon, Canatar & Pehlevan 2020, arXiv 2002.02561).
    """

kappa = _make("kappa", "Effective regularization κ: ``n = Σ_i d_iη_i/(η_i+κ) + δ/κ``.")
test_error = _make("test_error", "Test MSE ``E = E_0(Σ_i (1−L_i)² b_i + σ²)`` (includes the label noise σ²).")
train_error = _make("train_error", "Training MSE ``(δ/(nκ))² E`` (``(1 − P/n)² E`` at κ = 0).")
overfitting_coefficient = _make("overfitting_coefficient", "Overfitting coefficient ``E_0 = n/(n − Σ_i d_i L_i²)``.")
learnability = _make(
    "learnability", "Learnability ``L_k = η_k/(η_k+κ)`` of mode ``k``; without ``mode``: ``Σ_i L_i b_i/Σ_i b_i``."
)
mode_error = _make("mode_error", "Error in eigenspace ``k``: ``E_0 (1−L_k)² b_k``.")
bias = _make("bias", "Bias ``E_0 Σ_i (1−L_i)² b_i``.")
variance = _make("variance", "Variance ``(E_0 − 1)σ²`` (``test_error = bias + variance + σ²``).")


# ----------------------------------------------------------------------------- float64 path
def curve_values(
    quantity: str,
    n: ArrayLike | None = None,
    lam: ArrayLike = 0.0,
    sigma2: ArrayLike = 0.0,
    *,
    spectrum: ModeSpectrum | str = DEFAULT_SPECTRUM,
    mode: IntLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized float64 values and status codes over ``n``, ``lam``, ``sigma2`` (broadcast).

    Same formulas as the certified path; ridge's float64 error bound decides status 0 vs 3.
    """
    if quantity not in QUANTITIES:
        raise ParameterError(f"unknown learning_curve quantity {quantity!r}; valid: {', '.join(QUANTITIES)}.")
    if n is None:
        raise ParameterError("missing parameter `n` (number of samples, > 0).")
    spec = parse_spectrum(spectrum)
    md = None if mode is None else check_mode(mode, spec)
    if quantity == "mode_error" and md is None:
        raise ParameterError("`mode` is required for mode_error: an integer >= 1 (mode index in decreasing-eta order).")
    nn, lm, s2 = float_arrays(n=n, lam=lam, sigma2=sigma2)
    shape = np.broadcast_shapes(nn.shape, lm.shape, s2.shape)
    nn, lm, s2 = (np.broadcast_to(x, shape).reshape(-1).astype(float) for x in (nn, lm, s2))
    domain = (nn > 0) & np.isfinite(nn) & (lm >= 0) & np.isfinite(lm) & (s2 >= 0) & np.isfinite(s2)
    vals = np.full(nn.shape, np.nan)
    conv = np.zeros(nn.shape, bool)
    idx = np.flatnonzero(domain)
    if idx.size:
        with np.errstate(all="ignore"):
            parts = _ridge_parts(NP, spec, nn[idx], lm[idx], state={})
            out = quantities(NP, spec, parts, s2[idx], md, quantity)[quantity]
        vals[idx] = np.broadcast_to(out, idx.shape)
        conv[idx] = parts["conv"] & ~np.isnan(vals[idx])
    values, status = status_ladder(domain, conv, vals)
    return values.reshape(shape), status.reshape(shape)


# ----------------------------------------------------------------------------- data spectra
def from_data(
    K: ArrayLike | None = None,
    X: ArrayLike | None = None,
    y: ArrayLike | None = None,
    *,
    tol: float = 1e-10,
    merge_rtol: float = 1e-9,
) -> ModeSpectrum:
    r"""A :class:`ModeSpectrum` from data: the empirical kernel matrix ``K`` (``m × m``) or data ``X`` (``m × p``).

    Eigenvalues ``η_i`` of ``K/m`` (or of the covariance ``XᵀX/m``), target powers ``b_i = (u_iᵀy)²/m`` with
    ``u_i`` the unit eigenvectors of ``K`` (for ``X``: ``u_i = X v_i/‖X v_i‖``, the left singular vectors,
    so that ``b_i`` is the power of ``y`` along the feature direction ``v_i``); ``y`` absent: ``b_i = 0``.
    Eigenvalues within a relative ``merge_rtol`` of each other form one degenerate mode (their powers add);
    ``η ≤ tol·η_max`` are dropped (with their power: it is unlearnable from this spectrum).
    The result is usable as ``spectrum=`` of every ``learning_curve`` quantity and of :func:`learning_curve`.
    """
    if (K is None) == (X is None):
        raise ParameterError("give exactly one of `K` (an m x m kernel matrix) or `X` (an m x p data matrix).")
    tol = float(check_real("tol", tol, low=0))
    merge_rtol = float(check_real("merge_rtol", merge_rtol, low=0))
    if K is not None:
        Km = np.asarray(K, dtype=float)
        if Km.ndim != 2 or Km.shape[0] != Km.shape[1] or Km.shape[0] == 0 or not np.all(np.isfinite(Km)):
            raise ParameterError(f"`K` must be a finite square m x m matrix; got shape {Km.shape}.")
        if not np.allclose(Km, Km.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.abs(Km).max()))):
            raise ParameterError("`K` must be symmetric (a kernel matrix).")
        m = Km.shape[0]
        ev, U = np.linalg.eigh((Km + Km.T) / 2)
        eta = ev / m
    else:
        Xm = np.asarray(X, dtype=float)
        if Xm.ndim != 2 or Xm.shape[0] == 0 or Xm.shape[1] == 0 or not np.all(np.isfinite(Xm)):
            raise ParameterError(f"`X` must be a finite m x p matrix; got shape {Xm.shape}.")
        m = Xm.shape[0]
        U, sv, _ = np.linalg.svd(Xm, full_matrices=False)
        eta = sv**2 / m
    if y is not None:
        yv = np.asarray(y, dtype=float).reshape(-1)
        if yv.shape[0] != m or not np.all(np.isfinite(yv)):
            raise ParameterError(f"`y` must be a finite vector of length m = {m}; got shape {np.shape(y)}.")
        b = (U.T @ yv) ** 2 / m
    else:
        b = np.zeros(eta.shape)
    if not eta.size or not eta.max() > 0:
        raise ParameterError("the data spectrum has no positive eigenvalue.")
    keep = eta > tol * eta.max()
    order = np.argsort(-eta[keep], kind="stable")
    e, bb = eta[keep][order], b[keep][order]
    groups: list[list[int]] = []
    for i in range(e.size):
        if groups and abs(e[groups[-1][0]] - e[i]) <= merge_rtol * e[groups[-1][0]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    etas = [Fraction(float(np.mean(e[g]))) for g in groups]
    degs = [len(g) for g in groups]
    pows = [Fraction(float(np.sum(bb[g]))) for g in groups]
    spec = ModeSpectrum.from_modes(etas, degs, pows)
    return ModeSpectrum(spec.eta, spec.deg, spec.power, label=f"data(m={m}, modes={len(etas)})")


def learning_curve(
    spectrum: ModeSpectrum | str,
    n: ArrayLike,
    lam: Real = 0.0,
    sigma2: Real = 0.0,
) -> Any:
    """A pandas DataFrame of the float64 learning curve: columns ``n, test_error, train_error, kappa, E0, status``.

    ``status`` is the worst status code of the row's four values (0 ok; see :class:`~asymptotics.result.CurveResult`).
    """
    import pandas as pd

    nn = np.atleast_1d(np.asarray(n, dtype=float))
    cols: dict[str, Any] = {"n": nn}
    worst = np.zeros(nn.shape, int)
    for q, col in (
        ("test_error", "test_error"),
        ("train_error", "train_error"),
        ("kappa", "kappa"),
        ("overfitting_coefficient", "E0"),
    ):
        v, s = curve_values(q, nn, lam, sigma2, spectrum=spectrum)
        cols[col] = v
        worst = np.maximum(worst, s)
    cols["status"] = worst
    return pd.DataFrame(cols)


# ----------------------------------------------------------------------------- symbolic
@cache
def system() -> FixedPointSystem:
    """Eigenlearning equations as SymPy objects: the κ equation and the quantities (LaTeX export)."""
    i, M = sp.Idx("i"), sp.Symbol("M", integer=True, positive=True)
    n, delta, kap, sigma2 = (
        sp.Symbol("n", positive=True),
        sp.Symbol("delta", nonnegative=True),
        sp.Symbol("kappa", positive=True),
        sp.Symbol("sigma^2", nonnegative=True),
    )
    eta, d, b = sp.IndexedBase(r"\eta"), sp.IndexedBase("d"), sp.IndexedBase("b")
    L = eta[i] / (eta[i] + kap)
    E0 = n / (n - sp.Sum(d[i] * L**2, (i, 1, M)))
    E0s = sp.Symbol("E_0")
    q = {
        "learnability": L,
        "overfitting_coefficient": E0,
        "bias": E0s * sp.Sum((1 - L) ** 2 * b[i], (i, 1, M)),
        "variance": (E0s - 1) * sigma2,
        "test_error": E0s * (sp.Sum((1 - L) ** 2 * b[i], (i, 1, M)) + sigma2),
        "train_error": (delta / (n * kap)) ** 2 * sp.Symbol("E"),
        "mode_error": E0s * (1 - L) ** 2 * b[i],
    }
    labels = {
        "learnability": "L_i",
        "overfitting_coefficient": "E_0",
        "bias": r"\mathcal{B}",
        "variance": r"\mathcal{V}",
        "test_error": "E",
        "train_error": r"E_{\mathrm{train}}",
        "mode_error": r"E_i",
    }
    eq = sp.Eq(n, sp.Sum(d[i] * L, (i, 1, M)) + delta / kap)
    return FixedPointSystem("learning_curve", (kap,), (n, delta, sigma2, M), (eq,), q, labels, SIMON_2023)


# ----------------------------------------------------------------------------- registry
PROOF_NOTE = (
    "ridge's ball route on the mapped problem (gamma = P/n, lam = delta/n, blocks eta_i, d_i/P, b_i/eta_i): "
    "kappa by a sign change of the increasing kappa equation, power-law sums (also P = inf) with Euler-Maclaurin and "
    "alternating-series bounds; proven=false (ladder estimate) where the balls cannot decide or kappa is below the "
    "closed-form floor of a large power law"
)
_PARAMS = ("n", "lam", "sigma2", "spectrum", "mode")


def _q(name: str, fn: Any, doc: str) -> QuantitySpec:
    def curve(**kw: Any) -> tuple[np.ndarray, np.ndarray]:
        return curve_values(name, **kw)

    optional = () if name == "mode_error" else ("mode",)
    return QuantitySpec(name, doc, _PARAMS, fn, curve, optional=optional, proof="proven", proof_note=PROOF_NOTE)


MODEL = register(
    ModelSpec(
        name=NAME,
        doc="Kernel ridge learning curves from any spectrum (eigenlearning / Bordelon-Canatar-Pehlevan convention).",
        params={
            "n": ParamSpec("n", "number of samples, > 0 (real)"),
            "lam": ParamSpec("lam", "unnormalized ridge delta >= 0 (0 = interpolation)", default="0"),
            "sigma2": ParamSpec("sigma2", "label-noise variance >= 0", default="0"),
            "spectrum": ParamSpec(
                "spectrum",
                "modes:eta/deg/power,... | power_law:alpha=A,beta=B[,P=inf|int][,c=C] (eta_k = c k^-alpha, b_k ~ k^-beta, "
                "sum b = 1)",
                default=DEFAULT_SPECTRUM,
                kind="spectrum",
            ),
            "mode": ParamSpec("mode", "mode index >= 1 in decreasing-eta order (learnability, mode_error)", kind="int"),
        },
        quantities={
            "kappa": _q("kappa", kappa, "effective regularization kappa (unnormalized)"),
            "test_error": _q("test_error", test_error, "test MSE E0 (sum (1-L_i)^2 b_i + sigma2), includes the noise"),
            "train_error": _q("train_error", train_error, "training MSE (delta/(n kappa))^2 E"),
            "overfitting_coefficient": _q("overfitting_coefficient", overfitting_coefficient, "E0 = n/(n - sum d_i L_i^2)"),
            "learnability": _q("learnability", learnability, "L_k of mode k, or the target learnability without mode"),
            "mode_error": _q("mode_error", mode_error, "error in eigenspace k: E0 (1-L_k)^2 b_k"),
            "bias": _q("bias", bias, "E0 sum (1-L_i)^2 b_i"),
            "variance": _q("variance", variance, "(E0 - 1) sigma2"),
        },
        system=system,
        source=SIMON_2023,
        aliases=("eigenlearning", "lc"),
    )
)
