r"""Diagnostics of the ridge deterministic equivalent for a general spectrum (issue 17).

Effective ranks (Bartlett, Long, Lugosi & Tsigler 2020, PNAS 117(48), "Benign overfitting in
linear regression", Definition 3): for a covariance with eigenvalues ``λ₁ ≥ λ₂ ≥ … ≥ λ_p > 0``
and an index ``0 ≤ k < p``,

.. math::
    r_k(\Sigma) = \frac{\sum_{i>k}\lambda_i}{\lambda_{k+1}},\qquad
    R_k(\Sigma) = \frac{\big(\sum_{i>k}\lambda_i\big)^2}{\sum_{i>k}\lambda_i^2}.

Finite-``p`` convention.  The ridge :class:`~asymptotics.models.ridge.Spectrum` stores weights as
*fractions* of the ``p`` features, which is all the proportional limit needs; an effective rank
needs the absolute count.  So ``power_law:p=P,…`` has its own ``P`` (``p=`` may be passed only if
it equals ``P``; ``P = inf`` is allowed), while ``blocks:`` and ``isotropic`` need an explicit
integer ``p=``: block ``i`` then holds ``mᵢ = wᵢ p`` equal eigenvalues, and every ``mᵢ`` must be an
integer.  Equal eigenvalues of different blocks are merged; the blocks are sorted decreasingly.

Benign-overfitting conditions (BLLT Theorem 4, in our words).  With ``n = p/γ`` samples and a
constant ``b > 0``, let ``k* = min{k ≥ 0 : r_k(Σ) ≥ b n}``.  For the minimum-norm interpolator and
sub-Gaussian independent coordinates there are constants ``b, c > 1`` (depending only on the
sub-Gaussian norm) such that, when ``k* < n/c``, the variance part of the excess risk is at most
``c σ² log(1/δ) (k*/n + n/R_{k*}(Σ))`` with probability ``1 − δ`` and at least
``(σ²/c)(k*/n + n/R_{k*}(Σ))`` in expectation; the constants are not explicit.  The quantity
``benign`` returns the vector ``(k*/n, n/R_{k*})``: both must vanish for benign overfitting.
When no ``k`` satisfies ``r_k ≥ b n`` both entries are ``+inf`` (the bound is void).

Degrees of freedom at the ridge solver's κ: ``df₁(κ)/n = γ Σ wᵢ sᵢ/(sᵢ+κ)`` and
``df₂(κ)/n = γ Σ wᵢ sᵢ²/(sᵢ+κ)²`` (the ``1 − df₂/n`` of the risk's denominator).

Exactness and proofs.  For blocks (and isotropic) every sum is a sum of rationals: the ranks are
exact fractions, returned as exact balls (``proven``).  Power laws use the term-by-term sums and
the closed-form Euler–Maclaurin tails of :func:`asymptotics.solve.spectral_sums.power_tail`, whose
truncation bounds are inside the balls.  The index ``k*`` is decided by comparisons that must hold
on balls (otherwise :class:`~asymptotics.ball.NotProven` and the precision ladder runs).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .._types import Real
from .._validate import check_int, check_real, shown_params
from ..errors import ParameterError

if TYPE_CHECKING:
    from ..result import Result
    from .ridge import Spectrum

BLLT_2020_TEXT = "Bartlett, Long, Lugosi, Tsigler (2020), Benign overfitting in linear regression, PNAS 117(48)"
MATERIALIZE_MAX_P = 10**5
"""Largest finite power law whose ``k*`` is found by scanning its materialized eigenvalues."""
DIRECT_TERMS = 64
"""Terms summed one by one before a power law's closed-form tail."""


# ----------------------------------------------------------------------------- spectra as eigenvalue lists
def _is_inf(p: Any) -> bool:
    return p == math.inf


def levels(spectrum: Any, p: Any) -> tuple[str, Any, Any]:
    """The eigenvalue list of ``spectrum`` with ``p`` features.

    Returns ``("exact", [(s, m), …], P)`` (distinct eigenvalues ``s`` as Fractions in decreasing
    order with integer multiplicities ``m``, ``P = Σ m``) or ``("power", P, α)`` for a power law
    ``s_j = j^{−α}`` with ``α > 0`` (``P`` an int or ``math.inf``).
    """
    given = None if p is None else check_int("p", p, low=1, high=10**12)
    if spectrum is None:
        if given is None:
            raise ParameterError("`p` (the number of features, an integer in [1, 10^12]) is required for an isotropic spectrum.")
        return "exact", [(Fraction(1), given)], given
    power = spectrum._power
    if power is not None:
        P, alpha = power[0], power[1]
        if given is not None and given != P:
            raise ParameterError(f"`p` = {given} contradicts the spectrum {spectrum.label}; leave `p` out for a power law.")
        if alpha == 0:
            if _is_inf(P):
                raise ParameterError("a power law with alpha = 0 needs a finite p.")
            return "exact", [(Fraction(1), int(P))], int(P)
        return "power", P, Fraction(alpha)
    if given is None:
        raise ParameterError(
            "`p` (the number of features, an integer in [1, 10^12]) is required for a blocks spectrum: "
            "block i holds w_i * p equal eigenvalues."
        )
    merged: dict[Fraction, Fraction] = {}
    for s, w in zip(spectrum.eigenvalues, spectrum.weights, strict=True):
        merged[Fraction(s)] = merged.get(Fraction(s), Fraction(0)) + Fraction(w) * given
    out = []
    for s in sorted(merged, reverse=True):
        m = merged[s]
        if m.denominator != 1:
            raise ParameterError(
                f"`p` = {given}: the block with eigenvalue {float(s):g} would hold {float(m):g} features; "
                "every weight times p must be an integer."
            )
        out.append((s, int(m)))
    return "exact", out, given


def _check_k(k: Any, P: Any) -> int:
    high = 10**12 if _is_inf(P) else int(P) - 1
    return check_int("k", k, low=0, high=high)


# ----------------------------------------------------------------------------- exact (rational) ranks
def exact_tails(lv: list[tuple[Fraction, int]], k: int) -> tuple[Fraction, Fraction, Fraction]:
    """``(Σ_{i>k} λᵢ, Σ_{i>k} λᵢ², λ_{k+1})`` exactly for a list of (eigenvalue, multiplicity)."""
    start = 0
    for idx, (s, m) in enumerate(lv):
        if start <= k < start + m:
            left = start + m - k
            rest = lv[idx + 1 :]
            t1 = left * s + sum((mm * ss for ss, mm in rest), Fraction(0))
            t2 = left * s * s + sum((mm * ss * ss for ss, mm in rest), Fraction(0))
            return t1, t2, s
        start += m
    raise ParameterError(f"`k` must be below p = {start}; got {k}.")


def exact_benign(lv: list[tuple[Fraction, int]], n: Fraction, b: Fraction) -> tuple[Fraction | float, Fraction | float]:
    """``(k*/n, n/R_{k*})`` exactly (``(inf, inf)`` when no ``k`` has ``r_k ≥ b n``).

    Within a block of eigenvalue ``s`` (indices ``M ≤ k < M + m``) ``r_k = (M + m − k) + T/s``
    (``T`` the mass of the later blocks) decreases in ``k``, so the first ``k`` of the block is the
    only candidate there: ``k*`` is the start of the first block with ``m + T/s ≥ b n``.
    """
    start = 0
    for idx, (s, m) in enumerate(lv):
        T = sum((mm * ss for ss, mm in lv[idx + 1 :]), Fraction(0))
        if m + T / s >= b * n:
            t1, t2, _ = exact_tails(lv, start)
            return Fraction(start) / n, n * t2 / (t1 * t1)
        start += m
    return math.inf, math.inf


# ----------------------------------------------------------------------------- power laws on a backend
def _digits(B: Any) -> float:
    from ..solve.spectral_sums import _working_digits

    return _working_digits(B)


def power_sum(B: Any, s: Fraction, k: int, P: Any) -> Any:
    """``Σ_{j=k+1}^{P} j^{−s}`` on backend ``B`` (``P = inf`` needs ``s > 1``).

    The first :data:`DIRECT_TERMS` terms one by one, the rest by
    :func:`~asymptotics.solve.spectral_sums.power_tail` (Euler–Maclaurin, its remainder inside the
    ball on :data:`~asymptotics.ball.AB`).
    """
    from ..solve.spectral_sums import power_tail

    sB = B.num(s)
    stop = k + DIRECT_TERMS if _is_inf(P) else min(int(P), k + DIRECT_TERMS)
    total = B.fsum([B.exp(-sB * B.log(B.num(j))) for j in range(k + 1, stop + 1)])
    if not _is_inf(P) and stop >= P:
        return total
    log_rel = -(_digits(B) + 5) * math.log(10)
    return total + power_tail(B, s, stop, None if _is_inf(P) else int(P), log_rel)


def power_tails(B: Any, P: Any, alpha: Fraction, k: int) -> tuple[Any, Any, Any]:
    """``(Σ_{j>k} j^{−α}, Σ_{j>k} j^{−2α}, (k+1)^{−α})``; the first is ``+inf`` when ``P = inf`` and ``α ≤ 1``."""
    lam = B.exp(-B.num(alpha) * B.log(B.num(k + 1)))
    if _is_inf(P) and alpha <= 1:
        return B.inf, (B.inf if 2 * alpha <= 1 else power_sum(B, 2 * alpha, k, P)), lam
    return power_sum(B, alpha, k, P), power_sum(B, 2 * alpha, k, P), lam


def ranks(B: Any, tails: tuple[Any, Any, Any]) -> tuple[Any, Any]:
    """``(r_k, R_k)`` from the tails; ``R_k = +inf`` when the first tail diverges."""
    t1, t2, lam = tails
    if B.isinf(t1):
        return B.inf, B.inf
    return t1 / lam, t1 * t1 / t2


def _decide(x: Any) -> bool:
    """A comparison's truth value; an undecided ball comparison raises NotProven."""
    if x is True or x is False:
        return x
    from ..ball import NotProven

    raise NotProven("effective rank: the comparison r_k >= b n is not decided at this precision")


def power_benign(B: Any, P: Any, alpha: Fraction, n: Fraction, b: Fraction) -> tuple[Any, Any]:
    """``(k*/n, n/R_{k*})`` for a power law on backend ``B`` (finite ``P ≤`` :data:`MATERIALIZE_MAX_P`)."""
    bn = B.num(b * n)
    nB = B.num(n)

    def ge(x: Any) -> bool:
        return _decide(x >= bn)

    P = int(P)
    if P > MATERIALIZE_MAX_P:
        raise ParameterError(
            f"`benign` scans the eigenvalues of a finite power law only for p ≤ {MATERIALIZE_MAX_P}; got p = {P} "
            "(use p=inf for the limit)."
        )
    A = B.num(alpha)
    lam = [B.num(1)] + [B.exp(-A * B.log(B.num(j))) for j in range(2, P + 1)]
    t1 = t2 = B.num(0)
    tail1: list[Any] = [None] * P
    tail2: list[Any] = [None] * P
    for j in range(P - 1, -1, -1):  # tails from the smallest eigenvalue up
        t1 = t1 + lam[j]
        t2 = t2 + lam[j] * lam[j]
        tail1[j], tail2[j] = t1, t2
    for k in range(P):
        if ge(tail1[k] / lam[k]):
            return B.num(k) / nB, nB * tail2[k] / (tail1[k] * tail1[k])
    return B.inf, B.inf


# ----------------------------------------------------------------------------- the quantities on a backend
def effective_ranks(B: Any, spectrum: Any, p: Any, k: Any) -> tuple[Any, Any]:
    """``(r_k, R_k)`` on backend ``B``: exact fractions as ``B`` numbers for blocks, power sums otherwise."""
    kind, a, c = levels(spectrum, p)
    if kind == "exact":
        kk = _check_k(k, c)
        t1, t2, lam = exact_tails(a, kk)
        return B.num(t1 / lam), B.num(t1 * t1 / t2)
    kk = _check_k(k, a)
    return ranks(B, power_tails(B, a, c, kk))


def benign_terms(B: Any, spectrum: Any, p: Any, gamma: Any, b: Any) -> tuple[Any, Any]:
    """``(k*/n, n/R_{k*})`` with ``n = p/γ`` on backend ``B``."""
    g = check_real("gamma", gamma, low=0, low_open=True)
    bb = check_real("b", b, low=0, low_open=True)
    kind, a, c = levels(spectrum, p)
    if kind == "exact":
        n = Fraction(c) / g
        x, y = exact_benign(a, n, bb)
        return B.num(x), B.num(y)
    if _is_inf(a):
        raise ParameterError("`benign` needs a finite number of samples n = p/gamma: pass a power law with finite p.")
    return power_benign(B, a, c, Fraction(a) / g, bb)


def shown(spectrum: Any, **params: Any) -> dict[str, str]:
    """The parameters as shown in a Result (exact strings)."""
    out = {k: str(v) for k, v in params.items() if isinstance(v, int) and v is not None}
    out.update(shown_params(**{k: v for k, v in params.items() if v is not None and not isinstance(v, int)}))
    out["spectrum"] = "isotropic" if spectrum is None else spectrum.label
    return out


# ----------------------------------------------------------------------------- certified quantities
def _result(value_fn: Any, quantity: str, params: dict[str, str], dps: int, source: Any, prove: bool = True) -> Any:
    """Certify ``value_fn(B)`` (the same formula on mpmath, and on balls as the proof)."""
    from ..backend import MP
    from ..precision import certify
    from ..result import Result
    from .ridge import NAME

    def evaluate() -> tuple[Any, Any]:
        return value_fn(MP), None

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import AB

        return value_fn(AB), None

    c = certify(evaluate, dps, what=f"ridge {quantity}", params=params, prove=ball_evaluate if prove else None)
    return Result(c.value, NAME, quantity, params, dps, c.residual, c.error_estimate, None, source, **c.proof_fields())


def _bllt() -> Any:
    from ..references import Source

    return Source(
        "P. L. Bartlett, P. M. Long, G. Lugosi, A. Tsigler",
        "Benign overfitting in linear regression",
        2020,
        arxiv="1906.11300",
        journal="PNAS 117(48)",
    )


def effective_rank_r(k: int, *, spectrum: Spectrum | str | None = None, p: int | None = None, dps: int = 30) -> Result:
    r"""Effective rank ``r_k(Σ) = Σ_{i>k} λᵢ / λ_{k+1}`` (Bartlett, Long, Lugosi & Tsigler 2020, Def. 3).

    Parameters
    ----------
    k : index ``0 ≤ k < p``.
    spectrum : ridge spectrum (text or :class:`~asymptotics.models.ridge.Spectrum`); ``None`` = isotropic.
    p : number of features (required for blocks and isotropic; a power law has its own).
    dps : significant digits.

    Returns
    -------
    Result (exact and proven for blocks; ``+inf`` for ``power_law`` with ``p=inf`` and ``α ≤ 1``).
    Isotropic: ``r_k = p − k``.
    """
    from .ridge import Spectrum

    spec = Spectrum.parse(spectrum)
    levels(spec, p)  # validate before certifying
    params = shown(spec, k=check_int("k", k, low=0, high=10**12), p=None if p is None else check_int("p", p, low=1, high=10**12))
    return _result(lambda B: effective_ranks(B, spec, p, k)[0], "effective_rank_r", params, dps, _bllt())


def effective_rank_R(k: int, *, spectrum: Spectrum | str | None = None, p: int | None = None, dps: int = 30) -> Result:
    r"""Effective rank ``R_k(Σ) = (Σ_{i>k} λᵢ)² / Σ_{i>k} λᵢ²`` (BLLT 2020, Def. 3); ``r_k ≤ R_k ≤ r_k²`` (their Lemma 5).

    Parameters as :func:`effective_rank_r`.  Isotropic: ``R_k = p − k``.
    """
    from .ridge import Spectrum

    spec = Spectrum.parse(spectrum)
    levels(spec, p)
    params = shown(spec, k=check_int("k", k, low=0, high=10**12), p=None if p is None else check_int("p", p, low=1, high=10**12))
    return _result(lambda B: effective_ranks(B, spec, p, k)[1], "effective_rank_R", params, dps, _bllt())


def benign(
    gamma: Real, b: Real = 1, *, spectrum: Spectrum | str | None = None, p: int | None = None, dps: int = 30
) -> Result:
    r"""The two terms ``(k*/n, n/R_{k*})`` of the BLLT variance bound, ``k* = min{k ≥ 0 : r_k ≥ b n}``, ``n = p/γ``.

    Bartlett, Long, Lugosi & Tsigler (2020), Theorem 4: the min-norm interpolator's variance is
    within constant factors of ``σ²(k*/n + n/R_{k*})``; overfitting is benign when both vanish.

    Parameters
    ----------
    gamma : p/n (> 0).
    b : the constant of ``k*`` (> 0, default 1).
    spectrum, p : as :func:`effective_rank_r` (power laws: finite ``p ≤ 1e5``).

    Returns
    -------
    A vector Result ``(k*/n, n/R_{k*})``; ``(+inf, +inf)`` when no ``k < p`` has ``r_k ≥ b n``.
    """
    from .ridge import Spectrum

    spec = Spectrum.parse(spectrum)
    levels(spec, p)
    g = check_real("gamma", gamma, low=0, low_open=True)
    bb = check_real("b", b, low=0, low_open=True)
    params = shown(spec, p=None if p is None else check_int("p", p, low=1, high=10**12), gamma=g, b=bb)
    return _result(lambda B: tuple(benign_terms(B, spec, p, g, bb)), "benign", params, dps, _bllt())


def degrees_of_freedom(
    gamma: Real, lam: Real = 0, sigma2: Real = 1, *, spectrum: Spectrum | str | None = None, dps: int = 30
) -> Result:
    r"""``(df₁(κ)/n, df₂(κ)/n)`` at the ridge effective regularization κ (the ridge solver's root).

    ``df₁/n = γ Σ wᵢ sᵢ/(sᵢ+κ)``, ``df₂/n = γ Σ wᵢ sᵢ²/(sᵢ+κ)²`` (Cheng & Montanari 2022; Hastie et
    al. 2019 for Σ = I, where ``df₁/n = γ/(1+κ)``).  ``κ = 0`` (λ = 0, γ ≤ 1) gives ``(γ, γ)``;
    ``λ = inf`` gives ``(0, 0)``.  ``1 − df₁/n = λ/κ`` at the root.

    Parameters
    ----------
    gamma, lam, sigma2, spectrum : as :func:`asymptotics.models.ridge.kappa`.
    """
    from ..backend import MP
    from ..precision import certify
    from ..references import CHENG_MONTANARI_2022, HMRT_2019
    from ..result import Result
    from . import ridge as R

    pr = R.RidgeParams(gamma, lam, None, sigma2, 0, spectrum)
    state: dict[str, Any] = {}
    proof_state: dict[str, Any] = {}

    def df(B: Any, kappa: Any) -> tuple[Any, Any]:
        g = B.num(pr.gamma)
        if B.isinf(kappa):
            return B.num(0), B.num(0)
        if pr.spectrum is None:
            one = B.num(1)
            return g / (one + kappa), g / ((one + kappa) * (one + kappa))
        if pr.spectrum.infinite:  # p = inf: df/n → 0 for κ > 0
            return (g, g) if not (kappa > 0) else (B.num(0), B.num(0))
        if not (kappa > 0):
            return g, g
        blocks = R._spectral_blocks(pr.spectrum, B)
        _, wp, _ = R._slack_sums(B, blocks, kappa)
        wpp, _ = R._final_sums(B, blocks, kappa)
        return g * wp, g * wpp

    def evaluate() -> tuple[Any, Any]:
        out, residual = R._solve_mp(pr, state)
        return df(MP, out["kappa"]), residual

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import AB

        out, residual = R._solve_ball(pr, dps, proof_state)
        return df(AB, out["kappa"]), residual

    c = certify(evaluate, dps, what="ridge degrees_of_freedom", params=pr.shown(), prove=ball_evaluate)
    source = CHENG_MONTANARI_2022 if pr.spectrum is not None else HMRT_2019
    return Result(
        c.value,
        R.NAME,
        "degrees_of_freedom",
        pr.shown(),
        dps,
        c.residual,
        c.error_estimate,
        R.BRANCH_RULE,
        source,
        **c.proof_fields(),
    )


PROOF_NOTE = (
    "blocks and isotropic: exact rational sums as exact balls; power laws: term-by-term sums plus "
    "Euler-Maclaurin tails with their remainder bounds in the balls; benign's k* decided on balls"
)
"""What the ``proven`` flag of the effective-rank quantities covers."""
