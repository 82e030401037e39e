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


def _decide(x: Any, what: str = "effective rank: the comparison r_k >= b n") -> bool:
    """A comparison's truth value; an undecided ball comparison raises NotProven."""
    if x is True or x is False:
        return x
    from ..ball import NotProven

    raise NotProven(f"{what} is not decided at this precision")


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


# ----------------------------------------------------------------------------- Cheng–Montanari bound
CM_K_DEFAULT = 2
"""Default integer ``k`` of Cheng & Montanari's Theorem 1 (error ``n^{-(1-1/k)}``; its constants grow with ``k``)."""
CM_ETA_DEFAULT = Fraction(1, 4)
"""Default ``η`` (the paper's ``η(C_x) ∈ (0, 1/2)`` depends on the sub-Gaussian constant and is not given)."""
CM_RATE_NOTE = (
    "RATE ONLY, NOT A NUMERIC GUARANTEE: Theorem 1 states O(.) bounds whose constants C(C_x, D, k) and eta(C_x) "
    "are not given by the paper; every constant is set to 1 here (eta as passed)"
)
"""What ``de_error_bound`` does and does not promise (also in the Result's source and in docs/models/ridge.md)."""
CM_PROOF_NOTE = (
    "the ridge kappa's ball and exact effective-rank fractions (blocks, isotropic); power laws (finite p <= 1e5) "
    "materialized on balls, d_Sigma's maximum over every index taken on balls; " + CM_RATE_NOTE
)


def _cm_source() -> Any:
    from ..references import Source

    return Source(
        "C. Cheng, A. Montanari",
        "Dimension free ridge regression",
        2022,
        arxiv="2210.08571",
        journal="Ann. Statist. 52(6):2879-2912 (2024)",
        where="Theorem 1, Eqs. (24)-(29); " + CM_RATE_NOTE,
    )


def _cm_levels(spectrum: Any, p: Any) -> tuple[str, Any, Any]:
    """``("exact", [(s, m, e)], P)`` (decreasing eigenvalues ``s``, multiplicities ``m``, signal energies ``e``)
    or ``("power", (α, β, r²), P)`` for a finite power law materialized term by term."""
    kind, a, c = levels(spectrum, p)
    if kind == "exact":
        if spectrum is None:
            energy = {a[0][0]: Fraction(1)}
        elif spectrum._power is not None:  # α = 0: one eigenvalue, the energy's distribution is irrelevant
            energy = {a[0][0]: Fraction(spectrum._power[3])}
        else:
            energy = {}
            for s, e in zip(spectrum.eigenvalues, spectrum.energies, strict=True):
                energy[Fraction(s)] = energy.get(Fraction(s), Fraction(0)) + Fraction(e)
        return "exact", [(s, m, energy.get(s, Fraction(0))) for s, m in a], c
    if _is_inf(a):
        raise ParameterError(
            "`spectrum`: de_error_bound needs a finite number of samples n = p/gamma; a power law with p=inf "
            "has n = inf in the ridge parametrization. Pass a finite p."
        )
    if a > MATERIALIZE_MAX_P:
        raise ParameterError(
            f"`spectrum`: de_error_bound materializes a power law only for p ≤ {MATERIALIZE_MAX_P}; got p = {a}."
        )
    _, _, beta, r2 = spectrum._power
    return "power", (c, Fraction(beta), Fraction(r2)), a


def _cm_samples(P: int, gamma: Fraction, eta: Fraction) -> int:
    n = Fraction(P) / gamma
    if n.denominator != 1 or n < 2:
        raise ParameterError(
            f"`gamma` must make n = p/gamma an integer ≥ 2 (the number of samples of the theorem); got p/gamma = {float(n):g}."
        )
    if eta * n < 1:
        raise ParameterError(f"`eta` must be in [1/n, 1/2) so that floor(eta n) ≥ 1; got eta = {eta}, n = {int(n)}.")
    return int(n)


def _cm_exact_parts(lv: list[tuple[Fraction, int, Fraction]], P: int, n: int, j0: int) -> tuple[Fraction, Fraction, Fraction]:
    """``(σ₁, σ_{j0}, d_Σ)`` exactly; ``d_Σ = max(n, max_{1≤k≤min(n,P)} Σ_{l≥k} σ_l / σ_k)``.

    Within a block of eigenvalue ``s`` starting at (1-based) index ``M+1`` the ratio
    ``(M + m − k + 1) + T/s`` decreases in ``k``: only block starts are candidates.
    """
    top = min(n, P)
    d = Fraction(n)
    start = 0
    sig_j0 = Fraction(0)
    for idx, (s, m, _) in enumerate(lv):
        if start < j0 <= start + m:
            sig_j0 = s
        if start + 1 <= top:
            T = sum((mm * ss for ss, mm, _ in lv[idx + 1 :]), Fraction(0))
            d = max(d, m + T / s)
        start += m
    return lv[0][0], sig_j0, d


def _bmax(B: Any, a: Any, b: Any) -> Any:
    """``max(a, b)`` without deciding on balls: an undecided comparison selects the union of both balls,
    which contains the true maximum (it is one of the two true values)."""
    return B.where(a >= b, a, b)


def _cm_power_parts(B: Any, P: int, alpha: Fraction, beta: Fraction, n: int, j0: int, kappa: Any) -> tuple[Any, ...]:
    """``(σ₁, σ_{j0}, d_Σ, df₁, Σ e/(s+κ), Σ e/s)`` for ``s_j = j^{−α}``, ``e_j = j^{−β}`` (unnormalized: ρ is scale free).

    ``d_Σ = max(n, max_{1≤k≤min(n,P)} Σ_{l≥k} s_l / s_k)`` is a maximum taken on the backend over
    every candidate ``k`` (:func:`_bmax`), so no float64 comparison chooses the index or the branch.
    """
    A, Bt = B.num(alpha), B.num(beta)
    logs = [B.log(B.num(j)) for j in range(1, P + 1)]
    s = [B.exp(-A * lg) for lg in logs]
    e = [B.exp(-Bt * lg) for lg in logs]
    top = min(n, P)
    tails: list[Any] = [None] * P
    acc = B.num(0)
    for j in range(P - 1, -1, -1):  # Σ_{l≥j+1} s_l from the smallest eigenvalue up
        acc = acc + s[j]
        tails[j] = acc
    d = B.num(n)
    for kk in range(top):
        d = _bmax(B, tails[kk] / s[kk], d)
    sig_j0 = s[j0 - 1] if j0 <= P else B.num(0)
    df1 = B.fsum([x / (x + kappa) for x in s])
    num = B.fsum([ee / (x + kappa) for x, ee in zip(s, e, strict=True)])
    den = B.fsum([ee / x for x, ee in zip(s, e, strict=True)])
    return B.num(1), sig_j0, d, df1, num, den


def _cm_bound(B: Any, kind: str, data: Any, P: int, n: int, lam: Fraction, k: int, eta: Fraction, kappa: Any) -> tuple[Any, ...]:
    """``(ε_V, ε_B, variance conditions hold, bias conditions hold)`` of Theorem 1 with every constant = 1."""
    j0 = math.floor(eta * n)
    if kind == "exact":
        sig1, sig_j0, d = _cm_exact_parts(data, P, n, j0)
        sig1, sig_j0, d = B.num(sig1), B.num(sig_j0), B.num(d)
        df1 = B.fsum([B.num(m) * B.num(s) / (B.num(s) + kappa) for s, m, _ in data])
        num = B.fsum([B.num(e) / (B.num(s) + kappa) for s, _, e in data])
        den = B.fsum([B.num(e) / B.num(s) for s, _, e in data])
        signal = any(e > 0 for _, _, e in data)
    else:
        alpha, beta, r2 = data
        sig1, sig_j0, d, df1, num, den = _cm_power_parts(B, P, alpha, beta, n, j0, kappa)
        signal = r2 > 0
    nB, lamB, one = B.num(n), B.num(lam), B.num(1)
    L = B.log(nB)
    Ld = B.log(d)
    chi = one + sig_j0 * d * Ld * Ld / (nB * lamB)
    t = lamB / kappa  # λ/λ* = 1 − df₁/n ∈ (0, 1); the other side as df₁/n (no cancellation when λ/λ* ≈ 1)
    sep = B.where(t <= B.num(Fraction(1, 2)), t, df1 / nB)  # undecided (t ≈ 1/2): the union holds min(t, 1 − t)
    s45 = sep**4 * B.sqrt(sep)
    nk = B.exp((one - one / B.num(k)) * L)  # n^{1 − 1/k}
    core = chi**3 * L * L
    eps_v = core / (nk * s45 * sep**5)
    cond_v = _decide(core <= nB * s45, "de_error_bound: the variance condition")
    if not signal:  # β = 0: bias and equivalent vanish identically; ρ (Eq. 27) is undefined, the bias statement unused
        return eps_v, B.num(0), B.num(int(cond_v)), B.num(0)
    rho = num / (den * df1)
    sr = B.sqrt(rho)
    eps_b = (kappa / sig1) ** (k + 1) / (nB * sep**3) + core / (sr * nk * s45 * sep**4)
    cond_lam = _decide((lamB / sig1) * B.num(k) / B.exp(L / B.num(k)) <= sep / 2, "de_error_bound: the penalty condition")
    cond_b = cond_v and _decide(core <= nB * s45 * sr, "de_error_bound: the bias condition") and cond_lam
    return eps_v, eps_b, B.num(int(cond_v)), B.num(int(cond_b))


def de_error_bound(
    gamma: Real,
    lam: Real | None = None,
    *,
    spectrum: Spectrum | str | None = None,
    p: int | None = None,
    k_order: int = CM_K_DEFAULT,
    eta: Real = CM_ETA_DEFAULT,
    dps: int = 30,
) -> Result:
    r"""Rate of the relative error of the ridge deterministic equivalent at finite ``n`` (Cheng & Montanari 2022, Thm 1).

    **Rate only.**  The theorem bounds, with probability ``1 − O_k(n^{−D+1})`` over the design,

    .. math::
        \frac{|\mathscr V_X-V_n|}{V_n}\le C\,\varepsilon_V,\quad
        \varepsilon_V=\frac{\chi^3\log^2 n}{n^{1-1/k}\,s^{9.5}},\qquad
        \frac{|\mathscr B_X-B_n|}{B_n}\le C\,\varepsilon_B,\quad
        \varepsilon_B=\frac{(\kappa/\sigma_1)^{k+1}}{n s^3}+\frac{\chi^3\log^2 n}{\sqrt\rho\,n^{1-1/k}s^{8.5}},

    with ``κ`` the effective regularization (their ``λ_*``), ``s = min(λ/κ, 1 − λ/κ)`` (their
    ``κ``, Eq. 25), ``χ = 1 + σ_{⌊ηn⌋} d_Σ log²(d_Σ)/(nλ)`` (Eq. 24, eigenvalues and ``λ`` in units of
    ``σ₁``), ``d_Σ = max(n, max_{k ≤ min(n,p)} Σ_{l≥k}σ_l/σ_k)`` (the smallest admissible value of
    their Assumption 1.I) and ``ρ = ⟨β,(Σ+κ)^{-1}β⟩ / (‖Σ^{-1/2}β‖² Tr Σ(Σ+κ)^{-1}) ∈ (0, 1]`` (Eq. 27).
    The variance bound needs ``χ³ log²n ≤ C n s^{4.5}``; the bias bound also
    ``χ³ log²n ≤ C n s^{4.5} √ρ`` and ``(λ/σ₁) k n^{−1/k} ≤ s/2``.  The constants ``C = C(C_x, D, k)``
    and ``η = η(C_x)`` are **not given by the paper**: every constant is 1 here, ``η`` is a parameter.
    Assumptions not checked (they are about the data, not the parameters): ``x = Σ^{1/2} z`` with
    independent sub-Gaussian (or convex-concentrated) coordinates of ``z``.

    Parameters
    ----------
    gamma : p/n; ``n = p/γ`` must be an integer ≥ 2.
    lam : ridge penalty, > 0 (the ridgeless theorems are not implemented).  Required: the ridge model's
        default ``lam = 0`` does not apply here (a missing ``lam`` is a ParameterError naming it).
    spectrum, p : as :func:`effective_rank_r` (power laws: finite ``p ≤ 1e5``).
    k_order : the theorem's integer ``k ≥ 1`` (default 2).
    eta : the theorem's ``η ∈ (0, 1/2)`` (default 1/4) with ``⌊ηn⌋ ≥ 1``.

    Returns
    -------
    A vector Result ``(ε_V, ε_B, variance_conditions, bias_conditions)``; the last two are 1 when
    the theorem's side conditions hold with ``C = 1`` and 0 otherwise; ``bias_conditions`` includes
    the variance ones (Theorem 1's main hypothesis), so it is never above ``variance_conditions``.
    For ``β = 0`` (no signal) ``ε_B = 0`` (bias and equivalent vanish identically) and
    ``bias_conditions = 0``: ``ρ`` of Eq. 27 is undefined and the bias statement is not used.  At
    practical sizes ``ε`` is usually ≫ 1: the theorem then promises nothing numerically; it
    describes how the error shrinks as ``n`` grows.
    """
    from ..backend import MP
    from ..precision import certify
    from ..result import Result
    from . import ridge as R

    spec = R.Spectrum.parse(spectrum)
    g = check_real("gamma", gamma, low=0, low_open=True)
    if lam is None:
        raise ParameterError(
            "`lam` is required by de_error_bound and must be > 0 and finite (Cheng-Montanari Theorem 1 is for ridge "
            "with a positive penalty; the model-wide default lam = 0 does not apply here)."
        )
    lm = check_real("lam", lam, low=0, low_open=True)
    k = check_int("k_order", k_order, low=1, high=10**6)
    et = check_real("eta", eta, low=0, high=Fraction(1, 2), low_open=True, high_open=True)
    kind, data, P = _cm_levels(spec, p)
    n = _cm_samples(int(P), Fraction(g), Fraction(et))
    pr = R.RidgeParams(g, lm, None, 1, 0, spec)
    params = shown(spec, p=None if p is None else check_int("p", p, low=1, high=10**12), gamma=g, lam=lm, k_order=k, eta=et)
    state: dict[str, Any] = {}
    proof_state: dict[str, Any] = {}

    def evaluate() -> tuple[Any, Any]:
        out, residual = R._solve_mp(pr, state)
        return _cm_bound(MP, kind, data, int(P), n, Fraction(lm), k, Fraction(et), out["kappa"]), residual

    def ball_evaluate() -> tuple[Any, Any]:
        from ..ball import AB

        out, residual = R._solve_ball(pr, dps, proof_state)
        return _cm_bound(AB, kind, data, int(P), n, Fraction(lm), k, Fraction(et), out["kappa"]), residual

    c = certify(evaluate, dps, what="ridge de_error_bound", params=params, prove=ball_evaluate)
    source = _cm_source()
    return Result(c.value, R.NAME, "de_error_bound", params, dps, c.residual, c.error_estimate, None, source, **c.proof_fields())
