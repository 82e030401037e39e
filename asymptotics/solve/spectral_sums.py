r"""Sums over a power-law spectrum in closed form: the cost does not grow with the number of features.

A power-law spectrum has ``P`` features (``P`` finite, up to 1e12, or ``P = ∞``) with eigenvalues
``s_j = j^{−α}`` and signal weights ``j^{−β}``.  The ridge equations need, at an effective
regularization ``k > 0``, the sums (``j = 1..P``)

    ``Σ p_j``, ``Σ q_j``, ``Σ q_j p_j``, ``Σ p_j²``, ``Σ j^{−β} s_j q_j²``,   ``p_j = 1/(1 + k j^α)``, ``q_j = 1 − p_j``,

and the spectrum constants ``Σ j^{−α}`` and ``Σ j^{−β}``.

Method
------
The first ``N`` terms are summed one by one (``N`` from the grid 32·2^i, the smallest with
``y = k N^α ≥ Y``).  Beyond ``N`` every term has ``u_j = 1/(k j^α) ≤ 1/Y`` and is expanded in
the convergent binomial series ``(1 + u)^{−m} = Σ_r binom(−m, r) u^r``, so that each tail is a
series in ``1/k`` whose coefficients are *pure power sums*

    ``S(s) = Σ_{j=N+1}^{P} j^{−s}``,  ``s = α n`` or ``s = α n + β``,

independent of ``k``: they are computed once per spectrum, ``N`` and precision (and cached)
by the Euler–Maclaurin formula, exact for pure powers: the integral is elementary and the
endpoint derivatives are ``(−1)^d (s)_d x^{−s−d}``.  Both truncations carry a bound:

* the binomial series (alternating, ``u ≤ 1/Y``): after ``R`` terms the remainder is at most
  ``(R+1)/(1 − 1/Y)²`` times the first omitted term summed over ``j``;
* Euler–Maclaurin with ``K`` correction terms: ``|R_K| ≤ 2ζ(2K)/(2π)^{2K} ∫_N^P |f^{(2K)}|`` with
  ``∫_N^∞ |f^{(2K)}| = (s)_{2K} N^{1−s−2K}/(s + 2K − 1)``.

``R`` and ``K`` are chosen so that the bounds are below the requested relative tolerance; a
bound that cannot be met raises :class:`~asymptotics.errors.ConvergenceError` (so the
truncation error is always far below the precision ladder's resolution).  On the ball backend
(:data:`~asymptotics.ball.AB`) both bounds are *added* to the result as a ball ``[−b, b]``
(computed in ball arithmetic), so every sum is a rigorous enclosure of the exact sum; the
validity conditions of the bounds (``u ≤ 1/2`` on the tail, ``s + 2K − 1 > 0``) are checked on
balls, and :class:`~asymptotics.ball.NotProven` is raised where one fails
(docs/proofs/ridge.md).  ``k`` below
``kappa_floor = Y/N_cap^α`` would need more than ``N_cap`` head terms: callers shrink their
bracket to it, and fall back to direct summation (small ``P``) or refuse.

Every formula is one function of a backend ``B`` (:mod:`asymptotics.backend`), so the
certified path (mpmath) and the float64 curves use the same tail sums.  Planning decisions
(``N``, ``R``, ``K``) are taken on floats; values are backend numbers.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache
from typing import Any

import mpmath

from ..errors import ConvergenceError

__all__ = ["PowerLawSums", "power_tail"]

Y_MIN = 16.0
"""Smallest ``k N^α`` at the start of the tail (the binomial series converges like ``Y^{-r}``)."""
N_START = 32
"""Smallest head length (the Euler–Maclaurin corrections of the power sums shrink like ``(2πN)^{-2k}``)."""


@cache
def _bernoulli_ratio(k: int) -> Fraction:
    """``B_{2k}/(2k)!`` exactly."""
    num, den = mpmath.bernfrac(2 * k)
    return Fraction(int(num), int(den)) / math.factorial(2 * k)


def _log_rising(s: float, d: int) -> float:
    """``log |(s)_d|`` (rising factorial), ``-inf`` when it vanishes."""
    out = 0.0
    for i in range(d):
        v = abs(s + i)
        if v == 0:
            return -math.inf
        out += math.log(v)
    return out


def _em_terms(s: float, N: int, log_rel: float, K_max: int = 2000) -> int:
    """Number ``K`` of Euler–Maclaurin corrections for ``Σ_{j>N} j^{−s}`` (planning only: floats, log scale).

    The remainder bound ``2ζ(2K)/(2π)^{2K} (s)_{2K} N^{1−s−2K}/(s+2K−1)`` (``ζ(2K) ≤ 1 + 3·2^{−2K}``)
    must be below ``e^{log_rel}`` times ``(N+1)^{−s}``, the first term of the sum (a lower bound of it).
    """
    lnN = math.log(N)
    lr = 0.0  # log |(s)_{2K}|
    floor = math.log(N) + s * math.log1p(1 / N)  # log(N^{1-s} / (N+1)^{-s})
    for K in range(1, K_max + 1):
        a, b = abs(s + 2 * K - 2), abs(s + 2 * K - 1)
        if a == 0 or b == 0 or lr == -math.inf:
            return K  # (s)_{2K} = 0: the formula is exact (s a non-positive integer)
        lr += math.log(a) + math.log(b)
        den = s + 2 * K - 1
        if den <= 0:
            continue
        log_bound = math.log(2 * (1 + 3 * 4.0**-K)) - 2 * K * math.log(2 * math.pi) + lr - 2 * K * lnN - math.log(den)
        if log_bound + floor < log_rel:
            return K
    raise ConvergenceError(f"power-law sums: Euler–Maclaurin for Σ j^-{s:.6g} beyond j = {N} did not converge")


def power_tail(B: Any, s: Fraction, N: int, P: int | None, log_rel: float) -> Any:
    """``S(s) = Σ_{j=N+1}^{P} j^{−s}`` on backend ``B`` (``P = None``: ∞, needs ``s > 1``), and a bound.

    Euler–Maclaurin at ``N`` (and at ``P``): ``S = ∫_N^P x^{−s}dx − N^{−s}/2 + P^{−s}/2 +
    Σ_{k=1}^{K} B_{2k}/(2k)! (s)_{2k−1} (N^{1−s−2k} − P^{1−s−2k})`` with ``K`` such that the remainder
    is below ``e^{log_rel}`` relative to the sum; ``s`` is exact, so its branches are exact.
    """
    if P is None and s <= 1:
        raise ValueError("power_tail: an infinite sum needs s > 1")
    sB = B.num(s)
    direct = 0 * sB
    while True:
        try:
            K = _em_terms(float(s), N, log_rel)
            break
        except ConvergenceError:
            # a steep power (s comparable to 2πN): sum the first terms directly and start later
            M = max(2 * N, N + math.ceil(float(s)))
            if P is not None and M >= P:
                M = P
            for j in range(N + 1, M + 1):
                direct = direct + B.exp(-sB * B.log(B.num(j)))
            N = M
            if P is not None and N >= P:
                return direct
    lnN = B.log(B.num(N))
    fN = B.exp(-sB * lnN)  # N^{-s}
    if P is None:
        integral = N * fN / (sB - 1)
        fP = 0 * fN
        lnP = None
    else:
        lnP = B.log(B.num(P))
        fP = B.exp(-sB * lnP)
        L = lnP - lnN
        integral = L if s == 1 else -(N * fN) * B.expm1((1 - sB) * L) / (sB - 1)
    total = integral - fN / 2 + fP / 2
    p_end = P is not None
    rising = sB  # (s)_{2k-1}
    xN = fN / N  # N^{-s-2k+1} for k = 1
    xP = fP / P if p_end else None
    n2 = B.num(N * N)
    p2 = B.num(P * P) if p_end else None
    for k in range(1, K + 1):
        c = B.num(_bernoulli_ratio(k))
        total = total + c * rising * (xN - xP if p_end else xN)
        rising = rising * (sB + 2 * k - 1) * (sB + 2 * k)
        xN = xN / n2
        if p_end:
            xP = xP / p2
    if B.name == "ball":
        total = total + _em_remainder(B, s, N, K, fN)
    return direct + total


def _em_remainder(B: Any, s: Fraction, N: int, K: int, fN: Any) -> Any:
    r"""The ball ``[−b, b]`` with ``b`` ≥ the Euler–Maclaurin remainder of ``Σ_{j>N} j^{−s}`` after ``K`` corrections.

    ``|R_K| ≤ |B_{2K}|/(2K)! ∫_N^P |f^{(2K)}|`` with ``f = x^{−s}``, ``|B_{2K}|/(2K)! = 2ζ(2K)/(2π)^{2K}``,
    ``ζ(2K) ≤ 1 + 3·4^{−K}``, and ``f^{(2K)} = (s)_{2K} x^{−s−2K}`` of one sign, so
    ``∫_N^P |f^{(2K)}| ≤ |(s)_{2K}| N^{1−s−2K}/(s + 2K − 1)`` when ``s + 2K − 1 > 0``.  ``(s)_{2K}``
    is formed exactly from the exact ``s``; ``fN`` is the ball ``N^{−s}``.
    """
    from ..ball import NotProven

    rising = Fraction(1)
    for i in range(2 * K):
        rising *= s + i
    if rising == 0:
        return 0 * fN  # s a non-positive integer: the formula is exact
    den = s + 2 * K - 1
    if den <= 0:
        raise NotProven(f"power-law sums: no Euler–Maclaurin remainder bound for s = {float(s):g}")
    zeta = Fraction(2) * (1 + Fraction(3, 4**K))
    two_pi = 2 * B.pi()
    b = B.num(zeta * abs(rising) / den) * fN * B.num(Fraction(N) ** (1 - 2 * K)) / two_pi ** (2 * K)
    return _pm(b)


def _pm(b: Any) -> Any:
    """The ball ``[−|b|, |b|]`` (every point of ``b`` bounded): a truncation error as a ball."""
    from flint import arb

    from ..ball import Ball

    return Ball(arb(0, 1)) * abs(b)


def _working_digits(B: Any) -> float:
    """Decimal digits of the backend's working precision (mpmath's, or python-flint's for balls)."""
    if B.name == "ball":
        from flint import ctx

        return ctx.prec / math.log2(10)
    return mpmath.mp.dps


def _lower_float(k: Any) -> float:
    """A float close to the lower end of a scalar ``k`` (mpf or ball), for planning only."""
    v = getattr(k, "v", None)
    return float(v.lower()) if v is not None else float(k)


class PowerLawSums:
    """The ridge sums over ``s_j = j^{−α}`` (``j = 1..P``), signal weights ``j^{−β}``, on backend ``B``.

    Parameters
    ----------
    B : Backend
        :data:`~asymptotics.backend.MP` (values at the current mpmath precision; build one per
        precision) or :data:`~asymptotics.backend.NP` (float64 arrays of points).
    P : int or None
        Number of features; ``None`` is ``P = ∞`` (only :meth:`bias_sum` and :meth:`energy` are
        then available; they need ``β > 1``).
    alpha, beta : Fraction
        Exponents (``α > 0``).
    digits : float
        Relative tolerance ``10^{−digits}`` of every truncation (default: ``dps + 5`` for MP, 17 for NP).
    n_cap : int
        Largest head length; ``k`` below :attr:`kappa_floor` is refused (MP: ConvergenceError;
        NP: NaN at those points).
    """

    def __init__(
        self, B: Any, P: int | None, alpha: Fraction, beta: Fraction, *, digits: float | None = None, n_cap: int | None = None
    ) -> None:
        if alpha <= 0:
            raise ValueError("PowerLawSums needs alpha > 0")
        self.B, self.P, self.alpha, self.beta = B, P, Fraction(alpha), Fraction(beta)
        self.scalar = B.name != "np"
        """One point per call (mpmath or a ball), not an array of points."""
        if digits is None:
            digits = _working_digits(B) + 5 if self.scalar else 17
        self.log_rel = -digits * math.log(10)
        self.n_cap = n_cap if n_cap is not None else (2**16 if self.scalar else 2**12)
        self._heads: dict[int, Any] = {}
        self._tables: dict[int, Any] = {}
        # P ≤ N_cap: the head can hold every term, so every k > 0 is covered (summed one by one)
        self.kappa_floor = 0.0 if P is not None and P <= self.n_cap else Y_MIN / float(self.n_cap) ** float(alpha)
        """Smallest ``k`` the sums cover (``Y/N_cap^α``; 0 when ``P ≤ N_cap``)."""
        self.R_max = max(2, math.ceil((-self.log_rel + math.log(4 * (digits + 10))) / math.log(Y_MIN)) + 2)

    # ----------------------------------------------------------------- planning
    def head_length(self, kmin: float) -> int:
        """Smallest ``N = 32·2^i`` with ``kmin N^α ≥ Y`` (capped at ``n_cap``, and at ``P``)."""
        need = (Y_MIN / kmin) ** (1 / float(self.alpha)) if kmin > 0 else math.inf
        N = N_START
        while N < need and N < self.n_cap:
            N *= 2
        N = min(N, self.n_cap)
        return N if self.P is None else min(N, self.P)

    def _head(self, N: int) -> tuple[Any, Any, Any]:
        """Head blocks ``(s_j, 1, j^{−β})``, ``j = 1..N``, as backend numbers."""
        if N not in self._heads:
            B = self.B
            if B.name == "np":
                import numpy as np

                j = np.arange(1, N + 1, dtype=float)
                self._heads[N] = (j ** -float(self.alpha), np.ones(N), j ** -float(self.beta))
            else:
                A, Bt = B.num(self.alpha), B.num(self.beta)
                logs = [B.log(B.num(j)) for j in range(2, N + 1)]
                s = [B.num(1)] + [B.exp(-A * v) for v in logs]
                b = [B.num(1)] + [B.exp(-Bt * v) for v in logs]
                self._heads[N] = (s, [B.num(1)] * N, b)
        return self._heads[N]

    def _table(self, N: int) -> tuple[list[Any], list[Any]]:
        """``S(αn)`` (n = 1..R_max+2; finite ``P`` only) and ``S(αn + β)`` (n = 0..R_max+2) beyond ``N``.

        Entry ``n`` enters every tail series with a weight of at most ``Y^{−(n−2)}`` relative to the
        series' first term, so it is computed to that much less relative accuracy.
        """
        if N not in self._tables:
            B, a, b, P = self.B, self.alpha, self.beta, self.P
            s_a: list[Any] = [None]
            s_b: list[Any] = []
            for n in range(0, self.R_max + 3):
                lr = min(math.log(1e-3), self.log_rel + max(0, n - 2) * math.log(Y_MIN))
                if n >= 1 and P is not None:
                    s_a.append(power_tail(B, a * n, N, P, lr))
                s_b.append(power_tail(B, a * n + b, N, P, lr))
            self._tables[N] = (s_a, s_b)
        return self._tables[N]

    def _plan(self, k: Any) -> tuple[int, int, Any]:
        """Head length ``N``, series length ``R`` (0: no tail) and the points where the tail applies.

        The third item is ``True`` (MP, or every NP point) or a boolean array.  MP raises
        :class:`~asymptotics.errors.ConvergenceError` below :attr:`kappa_floor`.
        """
        B = self.B
        if self.scalar:
            kmin = _lower_float(k)
        else:
            finite = k[B.isfinite(k)]
            kmin = float(finite.min()) if finite.size else 1.0
        N = self.head_length(kmin)
        if self.P is not None and N >= self.P:
            return self.P, 0, True
        y = kmin * float(N) ** float(self.alpha)
        ok: Any = True
        if not y >= Y_MIN * (1 - 1e-12):
            if self.scalar:
                raise ConvergenceError(
                    f"power-law sums: kappa = {kmin:.3g} is below {self.kappa_floor:.3g}, the smallest "
                    f"effective regularization the closed-form tail covers with {self.n_cap} head terms"
                )
            ok = k * float(N) ** float(self.alpha) >= Y_MIN * (1 - 1e-12)
            y = Y_MIN
        # the series remainder (R+1)/(1-1/y)^2 y^-R (relative to its first term) below the tolerance
        R = 1
        while math.log((R + 1) / (1 - 1 / y) ** 2) - R * math.log(y) >= self.log_rel:
            R += 1
        if R > self.R_max:
            raise ConvergenceError(f"power-law sums: the tail series needs {R} terms (k N^α = {y:.3g})")
        return N, R, ok

    def _series(self, k: Any, entries: list[Any], first: int, shift: int, weighted: bool, R: int) -> Any:
        """``Σ_{r<R} (−1)^r c_r k^{−(r+shift)} entries[first + r]`` with ``c_r = r + 1`` (weighted) or 1."""
        ik = 1 / k
        term = ik * ik if shift == 2 else ik
        total = 0 * ik
        for r in range(R):
            t = term * entries[first + r]
            if weighted:
                t = (r + 1) * t
            total = total + t if r % 2 == 0 else total - t
            term = term * ik
        return total

    def _tail_error(self, k: Any, N: int, entry: Any, power: int, weight: int) -> Any:
        r"""Ball backend: ``[−b, b]`` bounding the binomial series' remainder after ``R`` terms (0 otherwise).

        Every series here sums, over ``j > N``, ``u/(1+u)`` or ``u^m/(1+u)²`` (times a positive
        weight) with ``u = 1/(k j^α)``, expanded as ``Σ_r (∓1)^r c_r u^{r+m}`` with ``c_r = 1`` or
        ``r + 1``.  For ``0 < u ≤ 1/2`` the terms alternate and ``c_r u^r`` decreases (``(r+2)u/(r+1)
        ≤ 2u ≤ 1``), so the remainder is at most the first omitted term: summed over ``j``,
        ``weight · k^{−power} · entry`` with ``entry`` the power sum ``S`` of that term.  The
        condition ``k (N+1)^α ≥ 2`` (so ``u ≤ 1/2`` for every ``j > N``) is checked on balls.
        """
        B = self.B
        if B.name != "ball":
            return 0
        from ..ball import NotProven

        reach = k * B.exp(B.num(self.alpha) * B.log(B.num(N + 1)))
        if (reach >= 2) is not True:
            raise NotProven("power-law sums: the binomial tail series is not proven convergent at this kappa")
        return _pm(weight * entry / k**power)

    def _mask(self, x: Any, ok: Any) -> Any:
        return x if ok is True else self.B.where(ok, x, self.B.nan)

    # ----------------------------------------------------------------- the sums
    def _head_sums(self, terms: Any, k: Any, N: int) -> tuple[Any, ...]:
        from ..models.ridge import _block_sums  # the same block terms as any other spectrum

        return _block_sums(self.B, self._head(N), terms, k)

    def slack(self, k: Any) -> tuple[Any, Any, Any]:
        """``(Σ wq, Σ wp, Σ wqp)`` with ``w = 1/P`` at ``k > 0`` (finite ``P``)."""
        from ..models.ridge import _slack_terms

        assert self.P is not None
        N, R, ok = self._plan(k)
        hq, hp, hqp = self._head_sums(_slack_terms, k, N)
        if R == 0:
            return hq / self.P, hp / self.P, hqp / self.P
        s_a, _ = self._table(N)
        p_tail = self._series(k, s_a, 1, 1, False, R) + self._tail_error(k, N, s_a[1 + R], R + 1, 1)
        qp_tail = self._series(k, s_a, 1, 1, True, R) + self._tail_error(k, N, s_a[1 + R], R + 1, R + 1)
        q_tail = (self.P - N) - p_tail
        return tuple(self._mask((h + t) / self.P, ok) for h, t in ((hq, q_tail), (hp, p_tail), (hqp, qp_tail)))  # type: ignore[return-value]

    def final(self, k: Any) -> tuple[Any, Any]:
        """``(Σ w p², Σ j^{−β} s_j q_j²)`` at ``k ≥ 0`` (finite ``P``; the second without the normalization)."""
        from ..models.ridge import _final_terms

        B = self.B
        pos = k > 0
        kk = B.where(pos, k, 1 + 0 * k)
        N, R, ok = self._plan(kk)
        hpp, hb = self._head_sums(_final_terms, kk, N)
        if R == 0:
            pp, bb = hpp, hb
        else:
            s_a, s_b = self._table(N)
            pp_tail = self._series(kk, s_a, 2, 2, True, R) + self._tail_error(kk, N, s_a[2 + R], R + 2, R + 1)
            bb_tail = kk * kk * self._series(kk, s_b, 1, 2, True, R) + self._tail_error(kk, N, s_b[1 + R], R, R + 1)
            pp = self._mask(hpp + pp_tail, ok)
            bb = self._mask(hb + bb_tail, ok)
        return B.where(pos, pp / self.P, 1 + 0 * pp), B.where(pos, bb, 0 * bb)

    def bias_sum(self, k: Any) -> Any:
        """``Σ_{j=1}^{P} j^{−β} s_j k²/(s_j + k)²`` at ``k > 0`` (any ``P``; without the normalization)."""
        from ..models.ridge import _final_terms

        N, R, ok = self._plan(k)
        _, hb = self._head_sums(_final_terms, k, N)
        if R == 0:
            return hb
        _, s_b = self._table(N)
        tail = k * k * self._series(k, s_b, 1, 2, True, R) + self._tail_error(k, N, s_b[1 + R], R, R + 1)
        return self._mask(hb + tail, ok)

    def energy(self) -> Any:
        """``Σ_{j=1}^{P} j^{−β}`` (``P = ∞``: ``ζ(β)``, needs ``β > 1``)."""
        N = N_START if self.P is None else min(N_START, self.P)
        head = self.B.fsum(self._head(N)[2]) if self.scalar else self._head(N)[2].sum()
        if self.P is not None and N >= self.P:
            return head
        return head + self._table(N)[1][0]

    def trace(self) -> Any:
        """``Σ_{j=1}^{P} j^{−α}/P`` (finite ``P``)."""
        assert self.P is not None
        N = min(N_START, self.P)
        head = self.B.fsum(self._head(N)[0]) if self.scalar else self._head(N)[0].sum()
        if N >= self.P:
            return head / self.P
        return (head + self._table(N)[0][1]) / self.P

    def smin(self) -> Any:
        """The smallest eigenvalue ``P^{−α}``."""
        assert self.P is not None
        B = self.B
        return B.exp(-B.num(self.alpha) * B.log(B.num(self.P)))


# ----------------------------------------------------------------------------- small k: Euler–Maclaurin on the whole range
EM_START = 256
"""First index of the whole-range Euler–Maclaurin sum of :func:`em_tail` (the terms below it are summed one by one)."""
U_SPLIT = Fraction(1, 4)
""":func:`em_tail` needs ``k M^α ≤ U_SPLIT``; its integral is a series in ``u`` below it and in ``1/u`` above its inverse."""


@cache
def _middle_integral(s: Fraction, m: int, prec: int) -> mpmath.mpf:
    """``∫_{1/4}^{∞} u^{s−1}(1+u)^{−m} du`` (needs ``m > s``) at ``prec`` bits: quadrature on ``[1/4, 4]`` (analytic
    there) plus the convergent series ``Σ_r binom(−m, r) 4^{s−m−r}/(m + r − s)`` of ``∫_4^∞``."""
    with mpmath.workprec(prec + 20):
        ss = mpmath.mpf(s.numerator) / s.denominator
        lo, hi = mpmath.mpf(U_SPLIT.numerator) / U_SPLIT.denominator, mpmath.mpf(U_SPLIT.denominator) / U_SPLIT.numerator
        mid = mpmath.quad(lambda u: u ** (ss - 1) * (1 + u) ** (-m), [lo, 1, hi])
        tail, r, c = mpmath.mpf(0), 0, mpmath.mpf(1)  # c = binom(−m, r)
        while True:
            t = c * hi ** (ss - m - r) / (m + r - ss)
            tail += t
            if abs(t) < mpmath.eps * abs(tail) * 2.0**-10 and r > 2:
                break
            c = -c * (m + r) / (r + 1)
            r += 1
        return +(mid + tail)


def _series_terms(ratio: float, m: int, log_rel: float) -> int:
    """Terms ``R`` of a series ``Σ binom(−m, r) x^r`` with ``x ≤ ratio`` whose omitted part is below ``e^{log_rel}``."""
    R = 1
    while (m - 1) * math.log(R + m) + R * math.log(ratio) - math.log(1 - ratio) >= log_rel - 2:
        R += 1
    return R


def _em_corrections(alpha: Fraction, gamma: Fraction, m: int, M: int, log_rel: float) -> int:
    """Euler–Maclaurin corrections ``K`` for :func:`em_tail` (planning on floats): the ``K``-th correction,
    about ``(2K)!/(2πM)^{2K}`` times the polynomially growing Taylor coefficient, below ``e^{log_rel}``."""
    grow = abs(float(gamma)) + m + float(alpha) + 2
    for K in range(1, 400):
        if math.lgamma(2 * K + 1) - 2 * K * math.log(2 * math.pi * M) + grow * math.log(2 * K + 2) < log_rel - 4:
            return K
    raise ConvergenceError("power-law sums: the whole-range Euler–Maclaurin sum did not converge")


def em_tail(B: Any, k: Any, alpha: Fraction, c: Fraction, e: int, m: int, log_rel: float, M: int = EM_START) -> Any:
    r"""``Σ_{j≥M} f(j)`` with ``f(x) = x^{−c} u^e (1+u)^{−m}``, ``u = k x^α``, for small ``k`` (``k M^α ≤ 1/4``).

    The sums of :class:`PowerLawSums` are of this form (``Σp``: ``(0,0,1)``, ``Σqp``: ``(0,1,2)``, ``Σp²``:
    ``(0,0,2)``, ``Σ j^{−β}s q²``: ``(β+α,2,2)``).  Their terms change from ``x^{−c}(k x^α)^e`` to
    ``x^{−c−α(m−e)}k^{e−m}`` at ``x ≈ k^{−1/α}``, far beyond ``M``; ``f`` is smooth on ``[M, ∞)``, so the
    Euler–Maclaurin formula on the whole range,

    ``Σ_{j≥M} f(j) = ∫_M^∞ f + f(M)/2 − Σ_{i=1}^{K} B_{2i}/(2i)! f^{(2i−1)}(M) + R_K``,

    converges like ``(2i)!/(2πM)^{2i}`` (the derivatives at ``M`` from the Taylor series of ``f`` in
    ``t = x/M − 1``; singularities of ``f`` lie at ``x = 0`` and at ``|x| = k^{−1/α} ≫ M``).  With
    ``u = k x^α`` the integral is ``α^{−1} k^{(c−1)/α} ∫_{u_0}^∞ u^{s−1}(1+u)^{−m} du``, ``s = (1−c)/α + e``,
    ``u_0 = k M^α``: a series in ``u`` on ``[u_0, 1/4]`` (``log`` where ``s + r = 0``) plus the constant
    ``∫_{1/4}^∞`` of :func:`_middle_integral` (needs ``m > s``, i.e. a convergent sum).  The remainder ``R_K``
    is estimated, not bounded: the ball backend is refused (callers raise ``NotProven`` below the
    closed-form floor instead).
    """
    s = (1 - c) / alpha + e
    if not m > s:
        raise ValueError("em_tail: the sum diverges (needs m > (1 - c)/alpha + e)")
    a = B.num(alpha)
    lnM = B.log(B.num(M))
    lnk = B.log(k)
    lnu0 = lnk + a * lnM
    u0 = B.exp(lnu0)
    # ∫_{u0}^{1/4} u^{s−1}(1+u)^{−m} du = Σ_r binom(−m, r) (U^{s+r} − u0^{s+r})/(s+r)
    lnU = B.log(B.num(U_SPLIT))
    R = _series_terms(float(U_SPLIT), m, log_rel)
    low = 0 * u0
    coef = 1  # binom(−m, r), an integer
    for r in range(R + 1):
        x = s + r
        if x == 0:
            t = lnU - lnu0
        else:
            xb = B.num(x)
            t = (B.exp(xb * lnU) - B.exp(xb * lnu0)) / xb
        low = low + coef * t
        coef = -coef * (m + r) // (r + 1)
    prec = _precision_bits(B)
    const = _middle_integral(s, m, prec)
    const = float(const) if B.name == "np" else const
    integral = B.exp(B.num((c - 1) / alpha) * lnk) / a * (low + const)
    # Taylor series of f(M(1+t)) / (M^{−c} u0^e) = (1+t)^{αe−c} (1 + u0 (1+t)^α)^{−m}
    gamma = alpha * e - c
    K = _em_corrections(alpha, gamma, m, M, log_rel)
    n_coef = 2 * K
    h = [1 + u0] + [u0 * B.num(_binom(alpha, i)) for i in range(1, n_coef + 1)]
    P = [B.exp(-m * B.log(h[0]))]
    for i in range(1, n_coef + 1):
        acc = 0 * u0
        for j in range(1, i + 1):
            acc = acc + ((1 - m) * j - i) * h[j] * P[i - j]
        P.append(acc / (i * h[0]))
    d = [_binom(gamma, i) for i in range(n_coef + 1)]
    coefs = []
    for i in range(n_coef + 1):
        acc = 0 * u0
        for j in range(i + 1):
            if d[j]:
                acc = acc + B.num(d[j]) * P[i - j]
        coefs.append(acc)
    corr = coefs[0] / 2
    for i in range(1, K + 1):
        num, den = mpmath.bernfrac(2 * i)
        bfac = Fraction(int(num), int(den) * 2 * i * M ** (2 * i - 1))  # B_{2i}/(2i)!·(2i−1)!/M^{2i−1}
        corr = corr - B.num(bfac) * coefs[2 * i - 1]
    pref = B.exp(-B.num(c) * lnM + e * lnu0)
    return integral + pref * corr


def _binom(x: Fraction, i: int) -> Fraction:
    """``binom(x, i)`` for a rational ``x``, exactly."""
    out = Fraction(1)
    for j in range(i):
        out = out * (x - j) / (j + 1)
    return out


def _precision_bits(B: Any) -> int:
    if B.name == "np":
        return 80
    return mpmath.mp.prec
