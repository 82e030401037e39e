r"""Inner-product kernels on the sphere and their harmonic (Gegenbauer) decomposition.

Data ``x ~ Unif(S^{d−1}(√d))``, kernel ``K(x, x') = h(⟨x, x'⟩/d)`` with ``h`` on ``[−1, 1]``
(docs/models/krr.md, 'Harmonic decomposition'; Six Lectures, arXiv 2308.13431, lecture 2).

* ``B(d, ℓ)`` (:func:`harmonic_count`): dimension of the degree-``ℓ`` spherical harmonics,
  ``C(d+ℓ−1, ℓ) − C(d+ℓ−3, ℓ−2)``, exact integer.
* ``Q_ℓ^{(d)}`` (:func:`gegenbauer`): the Gegenbauer polynomial of degree ``ℓ`` in the
  cosine ``s``, normalized by ``Q_ℓ(1) = 1``: ``C_ℓ^{(ν)}(s)/C_ℓ^{(ν)}(1)``, ``ν = (d−2)/2``;
  evaluated by the stable recurrence ``P_{k+1} = ((2k+d−2)sP_k − kP_{k−1})/(k+d−2)`` and, in
  :func:`gegenbauer_symbolic`, as an exact SymPy polynomial.
* ``μ_{d,ℓ}`` (:meth:`Kernel.eigenvalue`): the eigenvalue of the kernel operator on the
  degree-``ℓ`` harmonics (multiplicity ``B(d, ℓ)``), by Funk–Hecke

  .. math:: \mu_{d,\ell} = \frac{\int_{-1}^1 h(s)\,Q_\ell^{(d)}(s)\,(1-s^2)^{(d-3)/2}\,ds}{\int_{-1}^1 (1-s^2)^{(d-3)/2}\,ds}.

  Closed forms: ``h(s) = e^{cs}`` gives ``Γ(d/2)(2/c)^{d/2−1} I_{d/2−1+ℓ}(c)`` (Gegenbauer's
  plane-wave expansion, DLMF §10.23(ii)); a polynomial ``h`` gives an exact rational from
  the Gaussian-free moments ``E s^{2m} = Π_{j<m} (2j+1)/(d+2j)`` and the Rodrigues formula
  ``μ_{d,ℓ} = Γ(ν+1)/(2^ℓ Γ(ν+ℓ+1)) · E_{d+2ℓ}[h^{(ℓ)}(s)]``; ``relu_nngp`` and ``relu_ntk``
  have closed forms in Gamma functions at every ``d`` (:func:`_relu_coefficients`: ``h`` is ``d``
  times the average over directions ``u`` of ``relu(⟨u,x⟩)relu(⟨u,x'⟩)``, whose Gegenbauer
  coefficients follow from Rodrigues' formula).  Since ``Q_ℓ`` has the parity
  of ``ℓ``, only the even or odd part of ``h`` matters (:meth:`Kernel.parity_part`); when that
  part is a polynomial of degree ``D`` the levels of its parity are exact, and exactly 0 beyond
  ``D`` in every dimension (the odd part of ``relu_nngp`` is ``s/4``, of ``relu_ntk`` ``s/2``: their
  odd levels ``≥ 3`` vanish).  Other levels use tanh–sinh quadrature of the parity part, split
  in the ``d^{−1/2}`` window where the weight lives, at extra precision (``ℓ·log₁₀(d)/2``
  digits cancel), with mpmath's error estimate; a value below 10× that estimate is read as 0.
* ``ξ_ℓ = h^{(ℓ)}(0)/ℓ! = lim_d B(d, ℓ)μ_{d,ℓ}`` (:meth:`Kernel.xi`) and the trace identity
  ``Σ_ℓ B(d, ℓ)μ_{d,ℓ} = h(1)``.

The data's domain (sphere or hypercube ``{±1}^d``) is a :class:`Domain` object (:func:`get_domain`):
multiplicities, last level, eigenvalues and second moment differ there, the rest does not.

Named kernels (``get_kernel``): ``exp`` (``e^s``), ``exp:c`` (``e^{cs}``, ``c > 0``), ``poly:k``
(``(1 + s)^k``), ``coef:a0,a1,...`` (``Σ a_k s^k``, ``a_k ≥ 0``), ``relu_nngp``
(``(√(1−s²) + (π − arccos s)s)/(2π)``, the arc-cosine kernel ``E[relu(u)relu(v)]``),
``relu_ntk`` (``s(π − arccos s)/(2π) + relu_nngp(s)``, the NTK of a two-layer ReLU network),
the deep kernels ``nngp:ACT,L``, ``ntk:ACT,L`` (``L`` hidden layers, options ``sw2=``, ``sb2=``) and the first-layer
NT kernel ``nt:ACT`` (:mod:`asymptotics.deep_kernels`), or any SymPy expression in ``s``.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np

from ._lazy import is_sympy
from ._lazy import sympy as sp
from .errors import ConvergenceError, ParameterError
from .expression import KERNEL_FUNCTIONS, MAX_DEGREE, MAX_TEXT, Grammar, MagnitudeError, check_expr, compile_mp, number, parse


@functools.cache
def _s_var() -> Any:
    """The kernel's variable ``s = <x, x'>/d`` (a SymPy symbol, made on first use)."""
    return sp.Symbol("s", real=True)


def __getattr__(name: str) -> Any:  # ``S_VAR`` without importing SymPy at start-up
    if name == "S_VAR":
        return _s_var()
    if name == "_GRAMMAR":
        return _grammar()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

NAMES = ("exp", "exp:c", "poly:k", "coef:a0,a1,...", "relu_nngp", "relu_ntk", "nngp:ACT,L", "ntk:ACT,L", "nt:ACT")


def harmonic_count(d: int, ell: int) -> int:
    """``B(d, ℓ)``: number of linearly independent degree-``ℓ`` harmonics on ``S^{d−1}`` (exact)."""
    if ell == 0:
        return 1
    if ell == 1:
        return d
    return math.comb(d + ell - 1, ell) - math.comb(d + ell - 3, ell - 2)


DOMAINS = ("sphere", "hypercube")
QUAD_BLOCK = 16
"""Levels integrated together by one shared quadrature (:meth:`Kernel._funk_hecke_levels`)."""

EXACT_PREC_STEP = 128
"""Closed-form eigenvalues are computed at the working precision rounded up to this many bits (:meth:`Kernel.exact_value`)."""

MAX_CACHE = 50_000
"""Entries a kernel's value cache may hold before it is emptied."""

QUAD_BUDGET_S = 10.0
"""Seconds of Funk–Hecke quadrature one request may spend (:func:`quadrature_budget`) before a ConvergenceError."""

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("asymptotics_quadrature_deadline", default=None)


@contextmanager
def quadrature_budget(seconds: float | None = None) -> Iterator[None]:
    """Bound the Funk–Hecke quadrature time of everything run inside (one request, all precisions).

    Nested uses keep the outer deadline.  Outside any budget each quadrature call gets its own
    ``QUAD_BUDGET_S``.  Past the deadline the quadrature raises :class:`ConvergenceError`.
    """
    if _DEADLINE.get() is not None:
        yield
        return
    budget = QUAD_BUDGET_S if seconds is None else float(seconds)
    token = _DEADLINE.set((time.monotonic() + budget, budget))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def quadrature_deadline() -> float | None:
    """The ``time.monotonic()`` deadline of the enclosing :func:`quadrature_budget` (``None`` outside any)."""
    current = _DEADLINE.get()
    return None if current is None else current[0]


class QuadratureBudgetError(ConvergenceError):
    """The Funk–Hecke quadrature of one request ran past its time budget (:func:`quadrature_budget`)."""


def _budget_checker(name: str, d: int) -> Callable[[], None]:
    """A cheap check to call between quadrature steps: raises once the request's quadrature budget is spent."""
    deadline, budget = _DEADLINE.get() or (time.monotonic() + QUAD_BUDGET_S, QUAD_BUDGET_S)

    def check() -> None:
        if time.monotonic() > deadline and d == 0:  # d = 0: the Gaussian integrals of a deep kernel's layers
            raise QuadratureBudgetError(
                f"kernel {name[:80]!r}: the Gaussian quadratures of its layers exceeded their {budget:g} s budget "
                "(a deep non-ReLU kernel: fewer layers or sw2 nearer 1 converge faster; ReLU kernels have closed forms)."
            )
        if time.monotonic() > deadline:
            raise QuadratureBudgetError(
                f"kernel {name[:80]!r}: Funk-Hecke quadrature at d={d} exceeded its {budget:g} s budget "
                "(h is too sharply peaked or its spectrum decays too slowly on [-1, 1] for numerical integration); "
                "use a named kernel with a closed form (exp:c for e^(c*s)) or a polynomial (poly:k, coef:a0,a1,...)."
            )

    return check


def check_domain(domain: Any) -> str:
    """``"sphere"`` (``S^{d−1}(√d)``, the default) or ``"hypercube"`` (``{±1}^d``)."""
    if not isinstance(domain, str) or domain.strip().lower() not in DOMAINS:
        raise ParameterError(f"`domain` must be one of {', '.join(DOMAINS)}; got {domain!r}.")
    return domain.strip().lower()


def multiplicity(d: int, ell: int, domain: Any = "sphere") -> int:
    """Multiplicity of level ``ℓ``: ``B(d, ℓ)`` on the sphere, ``C(d, ℓ)`` (Walsh monomials of degree ℓ) on the hypercube."""
    return get_domain(domain).multiplicity(d, ell)


@lru_cache(maxsize=256)
def kravchuk_row(d: int, ell: int) -> tuple[int, ...]:
    """Coefficients ``c_j`` of ``(1 − t)^ℓ(1 + t)^{d−ℓ}``, exact integers, ``j = 0..d``.

    On ``{±1}^d`` with ``s = Σ x_i/d`` and ``|S| = ℓ``, ``E[h(s)χ_S] = 2^{−d} Σ_j c_j h((d − 2j)/d)``
    (``c_j = K_j(ℓ)``, the Kravchuk polynomial; docs/models/krr.md, 'The hypercube', writes the same sum with
    ``C(d,j)K_ℓ(j)/C(d,ℓ) = K_j(ℓ)``).
    """
    row = [math.comb(d - ell, m) for m in range(d - ell + 1)]
    for _ in range(ell):
        row = [(row[j] if j < len(row) else 0) - (row[j - 1] if j >= 1 else 0) for j in range(len(row) + 1)]
    return tuple(row)


def gegenbauer(d: int, ell: int, s: Any) -> Any:
    """``Q_ℓ^{(d)}(s)`` (normalized, ``Q_ℓ(1) = 1``) by the three-term recurrence; mpmath or numpy ``s``."""
    a, b = s * 0 + 1, s
    if ell == 0:
        return a
    for k in range(1, ell):
        a, b = b, ((2 * k + d - 2) * s * b - k * a) / (k + d - 2)
    return b


@lru_cache(maxsize=512)
def gegenbauer_symbolic(d: int, ell: int) -> sp.Expr:
    """``Q_ℓ^{(d)}`` as an exact SymPy polynomial in ``s`` (same recurrence, rational coefficients)."""
    a, b = sp.Integer(1), _s_var()
    if ell == 0:
        return a
    for k in range(1, ell):
        a, b = b, sp.expand(((2 * k + d - 2) * _s_var() * b - k * a) / sp.Integer(k + d - 2))
    return b


def sphere_moment(d: int, m: int) -> sp.Rational:
    """``E s^m`` for the cosine ``s = ⟨x, e⟩/d`` on ``S^{d−1}`` (exact; 0 for odd ``m``)."""
    if m % 2:
        return sp.Integer(0)
    out = sp.Integer(1)
    for j in range(m // 2):
        out *= sp.Rational(2 * j + 1, d + 2 * j)
    return out


@dataclass(frozen=True, eq=False)
class Kernel:
    """An inner-product kernel ``h``: name, SymPy expression in ``s`` (if any), evaluators.

    ``closed(d, ℓ)`` returns ``μ_{d,ℓ}`` at the current precision when a closed form exists.
    """

    name: str
    expr: sp.Expr | None
    mp: Callable[[Any], Any]
    np: Callable[[np.ndarray], np.ndarray]
    closed: Callable[[int, int], Any] | None = None
    closed_h2: Callable[[int], Any] | None = None
    closed_cube: Callable[[int, int], Any] | None = None
    closed_cube_h2: Callable[[int], Any] | None = None
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    ball_closed: Callable[[int, int], Any] | None = None
    ball_closed_h2: Callable[[int], Any] | None = None
    ball_closed_cube: Callable[[int, int], Any] | None = None
    ball_closed_cube_h2: Callable[[int], Any] | None = None
    ball_h: tuple[Callable[..., Any], Callable[..., Any]] | None = None
    """``(h(z, analytic), h_end(t, sign, analytic))`` on ``acb`` balls for a kernel that :func:`compile_ball` cannot
    evaluate (``relu_*``: ``acos``), with ``h_end(t, σ) = h(σ(1 − t²))`` (see :func:`_ball_sphere_mean`)."""

    def __str__(self) -> str:
        return self.name

    @property
    def is_polynomial(self) -> bool:
        if "is_polynomial" not in self._cache:
            self._cache["is_polynomial"] = self.expr is not None and bool(self.expr.is_polynomial(_s_var()))
        return self._cache["is_polynomial"]

    def degree(self) -> int | None:
        """Degree of ``h`` when it is a polynomial in ``s`` (−1 for ``h ≡ 0``), else ``None``."""
        if "degree" not in self._cache:
            degree = None
            if self.is_polynomial:
                degree = -1 if self.expr == 0 else int(sp.degree(self.expr, _s_var()))
            self._cache["degree"] = degree
        return self._cache["degree"]

    def exact_value(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` (an exact formula: closed form, rational) at the current precision, cached under ``key``.

        The value is computed at the current precision rounded up to a multiple of
        :data:`EXACT_PREC_STEP` bits (plus 20 guard bits) and kept, so that both rungs of a
        precision ladder, and every later request at that precision or below, share one
        evaluation; it is returned rounded to the current precision.  Only for formulas whose
        accuracy is the working precision (never quadrature: its two rungs must stay independent).
        """
        prec = mpmath.mp.prec
        cached = self._cache.get(key)
        if cached is None or cached[0] < prec:
            work = -(-(prec + 20) // EXACT_PREC_STEP) * EXACT_PREC_STEP
            with mpmath.workprec(work):
                value = compute()
            if len(self._cache) > MAX_CACHE:
                self._cache.clear()
            self._cache[key] = cached = (work, value)
        return +cached[1]

    def h1(self) -> Any:
        """``h(1) = Σ_ℓ B(d, ℓ)μ_{d,ℓ}`` (the trace identity) at the current precision."""
        if self.expr is not None:
            return self.exact_value("h1", lambda: _evalf(self.expr.subs(_s_var(), 1)))
        return self.mp(mpmath.mpf(1))

    def second_moment(self, d: int, domain: Any = "sphere") -> Any:
        """``E h(s)² = Σ_ℓ B(d, ℓ)μ_{d,ℓ}²`` (Parseval for the zonal function) at the current precision.

        Sphere: closed form for ``e^{cs}`` (the level-0 eigenvalue of ``e^{2cs}``), exact rational
        for polynomials, Funk–Hecke quadrature of ``h²`` otherwise.  Hypercube: the finite sum
        ``2^{−d} Σ_j C(d, j) h((d − 2j)/d)²`` (positive terms; ``cosh(2c/d)^d`` for ``e^{cs}``).
        See :meth:`Domain.second_moment`.
        """
        return get_domain(domain).second_moment(self, d)

    def xi(self, ell: int) -> Any:
        """``ξ_ℓ = h^{(ℓ)}(0)/ℓ! = lim_{d→∞} B(d, ℓ)μ_{d,ℓ}`` (Taylor coefficient) at the current precision."""
        key = ("xi", ell)
        if key not in self._cache:
            if self.expr is None:
                raise ParameterError(f"kernel {self.name!r}: Taylor coefficients need a SymPy expression.")
            self._cache[key] = sp.series(self.expr, _s_var(), 0, ell + 1).removeO().coeff(_s_var(), ell)
        return _evalf(self._cache[key])

    def parity_part(self, ell: int) -> tuple[sp.Expr | None, int | None]:
        """The part of ``h`` with the parity of ``ℓ`` (``(h(s) ± h(−s))/2``) and its degree if it is a polynomial.

        ``μ_{d,ℓ} = E[h(s)Q_ℓ(s)]`` only sees that part, because ``Q_ℓ`` has the parity of ``ℓ``.
        When the part is a polynomial of degree ``D`` (e.g. the odd part ``s/4`` of ``relu_nngp``),
        the levels of that parity are exact rationals and vanish beyond ``D`` in every dimension.
        ``arccos`` is rewritten through ``arcsin`` (odd) so that SymPy sees the symmetry.
        """
        key = ("parity", ell % 2)
        if key not in self._cache:
            part, degree = None, None
            if self.expr is not None:
                try:
                    h = self.expr.rewrite(sp.asin)
                    sign = 1 if ell % 2 == 0 else -1
                    part = sp.simplify(sp.expand((h + sign * h.subs(_s_var(), -_s_var())) / 2))
                    if part.is_polynomial(_s_var()):
                        degree = -1 if part == 0 else sp.degree(part, _s_var())
                except (TypeError, ValueError, NotImplementedError, AttributeError):  # pragma: no cover - SymPy limits
                    part, degree = None, None
            self._cache[key] = (part, degree)
        return self._cache[key]

    def _exact_part(self, ell: int) -> tuple[sp.Expr | None, int | None]:
        """The polynomial that level ``ℓ`` sees, if there is one: ``h`` itself (polynomial kernel, degree
        ``None``: every level is computed) or its parity part of degree ``D`` (levels above ``D`` vanish)."""
        if self.is_polynomial:
            return self.expr, None
        part, degree = self.parity_part(ell)
        return (part, degree) if degree is not None else (None, None)

    def eigenvalue(self, d: int, ell: int, domain: Any = "sphere") -> tuple[Any, Any]:
        """``(μ_{d,ℓ}, error)`` at the current precision.

        Exact (error 0) for closed forms, polynomial kernels and levels whose parity part of ``h`` is
        a polynomial (exactly 0 beyond its degree); Funk–Hecke quadrature of the parity part otherwise.
        ``domain="hypercube"``: see :meth:`cube_eigenvalue`.  See :meth:`Domain.eigenvalue`.
        """
        return get_domain(domain).eigenvalue(self, d, ell)

    def cube_eigenvalue(self, d: int, ell: int) -> tuple[Any, Any]:
        """``(μ_ℓ, error)`` on the hypercube ``{±1}^d``: ``E[h(s)x_1⋯x_ℓ]``, ``s = Σ_i x_i/d`` (multiplicity ``C(d, ℓ)``).

        See :meth:`Hypercube.eigenvalue`.
        """
        return HYPERCUBE.eigenvalue(self, d, ell)

    # ------------------------------------------------------------------ balls (proven digits, issue 15)
    def _ball_cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` (a ball) cached under ``key`` for this and every lower python-flint precision."""
        from flint import ctx

        full = ("ball", *key) if isinstance(key, tuple) else ("ball", key)
        cached = self._cache.get(full)
        if cached is None or cached[0] < ctx.prec:
            if len(self._cache) > MAX_CACHE:
                self._cache.clear()
            cached = self._cache[full] = (ctx.prec, compute())
        return cached[1]

    def ball_h1(self) -> Any:
        """``h(1)`` as a ball (exact SymPy value evaluated in ball arithmetic); NotProven without an expression."""
        from .ball import NotProven

        if self.expr is None:
            raise NotProven(f"kernel {self.name!r}: no expression to evaluate h(1) on balls")
        return self._ball_cached("h1", lambda: sympy_ball(self.expr.subs(_s_var(), 1)))

    def ball_xi(self, ell: int) -> Any:
        """``ξ_ℓ`` as a ball: the exact SymPy Taylor coefficient (:meth:`xi`) evaluated in ball arithmetic."""
        self.xi(ell)  # fills the exact coefficient (SymPy series) into the cache
        return self._ball_cached(("xi", ell), lambda: sympy_ball(self._cache[("xi", ell)]))

    def ball_eigenvalue(self, d: int, ell: int, domain: Any = "sphere") -> Any:
        """``μ_ℓ`` as a ball that contains the exact eigenvalue (see :meth:`Domain.ball_eigenvalue`)."""
        dom = get_domain(domain)
        return self._ball_cached((dom.name, d, ell), lambda: dom.ball_eigenvalue(self, d, ell))

    def ball_second_moment(self, d: int, domain: Any = "sphere") -> Any:
        """``E h(s)²`` as a ball (see :meth:`Domain.ball_second_moment`)."""
        dom = get_domain(domain)
        return self._ball_cached((dom.name, "h2", d), lambda: dom.ball_second_moment(self, d))

    def ball_levels_blocker(self, d: int, domain: Any = "sphere") -> str | None:
        """Why this kernel's finite-``d`` eigenvalues or ``E h²`` have no ball route (``None``: the route may exist).

        A proof that needs them stops on a reason at once, before any mpmath work (deep kernels override it).
        """
        return None

    def _parity_mp(self, ell: int) -> Callable[[Any], Any]:
        """mpmath evaluator of the parity part of ``h`` seen by level ``ℓ`` (``h`` itself if unknown)."""
        key = ("parity_mp", ell % 2)
        if key not in self._cache:
            part, _ = self.parity_part(ell)
            self._cache[key] = self.mp if part is None else compile_mp(part, _s_var())  # guarded, like self.mp
        return self._cache[key]

    def _funk_hecke_levels(self, d: int, top: int) -> list[tuple[Any, Any]]:
        """``(μ_{d,ℓ}, error)`` for ``ℓ = 0..top`` by one tanh–sinh quadrature shared by all levels.

        The same rule as :func:`mpmath.quad` (its :class:`~mpmath.calculus.quadrature.TanhSinh`
        nodes, the same split points in the ``d^{−1/2}`` window, degrees raised until
        mpmath's error estimate is met) with a vector integrand: the parity parts of ``h`` are
        evaluated once per node and ``Q_0..Q_top`` come from one recurrence, so a block of
        levels costs about as much as one level did.  ``top·log₁₀(d)/2 + 10`` extra digits
        cover the cancellation in the high levels; a value below 10× its error is read as 0.
        """
        from mpmath.calculus.quadrature import TanhSinh

        extra = int(top * math.log10(max(d, 2)) / 2) + 10
        want = range(top + 1)
        out: list[tuple[Any, Any]] = [(mpmath.mpf(0), mpmath.mpf(0))] * (top + 1)
        with mpmath.workdps(mpmath.mp.dps + extra):
            prec = mpmath.mp.prec
            eps = mpmath.ldexp(1, -prec + 4)
            mpmath.mp.prec += 20  # evaluate with 20 guard bits, as mpmath.quad does
            nu = mpmath.mpf(d - 2) / 2
            expo = mpmath.mpf(d - 3) / 2
            r = 1 / mpmath.sqrt(d)
            pts = sorted(
                {mpmath.mpf(-1), mpmath.mpf(1), mpmath.mpf(0), *[sg * k * r for k in (1, 2, 4, 8) for sg in (-1, 1) if k * r < 1]}
            )
            # a parity whose part of h is a polynomial has exact levels (eigenvalue() never reads them from here)
            parts = [self._parity_mp(p) if self._exact_part(p)[0] is None else None for p in (0, 1)]
            rule = TanhSinh(mpmath.mp)
            max_degree = rule.guess_degree(prec)
            check = _budget_checker(self.name, d)
            check()
            total = [mpmath.mpf(0)] * (top + 1)
            total_err = [mpmath.mpf(0)] * (top + 1)

            def values(s: Any) -> list[Any]:
                if 1 - s * s <= 0:  # a node that rounds onto ±1 (the weight is 0 there, or singular at d = 2)
                    return [mpmath.mpf(0)] * (top + 1)
                weight = (1 - s * s) ** expo
                hs = [part(s) * weight if part is not None and p <= top else 0 for p, part in enumerate(parts)]
                q_prev, q = s * 0 + 1, s
                row = [hs[0] * q_prev]
                for k in range(1, top + 1):
                    if k > 1:
                        q_prev, q = q, ((2 * (k - 1) + d - 2) * s * q - (k - 1) * q_prev) / (k - 1 + d - 2)
                    row.append(hs[k % 2] * q)
                return row

            try:
                for a, b in zip(pts[:-1], pts[1:], strict=True):
                    results: list[list[Any]] = []
                    errs = [mpmath.mpf(1)] * (top + 1)
                    for degree in range(1, max_degree + 1):
                        nodes = rule.get_nodes(a, b, degree, prec)
                        h = mpmath.mpf(2) ** (-degree)
                        acc = [mpmath.mpf(0)] * (top + 1)
                        for i, (x, w) in enumerate(nodes):
                            if i % 32 == 0:
                                check()
                            for k, v in enumerate(values(x)):
                                acc[k] += w * v
                        step = [h * (results[-1][k] / (2 * h) + acc[k]) if results else h * acc[k] for k in want]
                        results.append(step)
                        if degree > 1:
                            errs = [rule.estimate_error([res[k] for res in results], prec, eps) for k in want]
                            if all(e <= eps for e in errs):
                                break
                    for k in want:
                        total[k] += results[-1][k]
                        total_err[k] += errs[k]
            except (TypeError, ValueError, ZeroDivisionError) as exc:
                raise ParameterError(f"kernel {self.name!r} could not be evaluated on [-1, 1]: {exc}") from None
            den = mpmath.sqrt(mpmath.pi) * mpmath.gamma(nu + mpmath.mpf(1) / 2) / mpmath.gamma(nu + 1)
            for k in want:
                value, err = total[k] / den, total_err[k] / den
                if isinstance(value, mpmath.mpc):
                    raise ParameterError(f"kernel {self.name!r} is not real on [-1, 1].")
                if not mpmath.isfinite(value):
                    raise ParameterError(f"kernel {self.name!r}: the Funk-Hecke integral of level {k} is not finite.")
                out[k] = (mpmath.mpf(0) if abs(value) <= 10 * err else value, err)
        return out

    def _funk_hecke(self, d: int, ell: int, h: Callable[[Any], Any]) -> tuple[Any, Any]:
        """``E[h(s)Q_ℓ(s)]`` by quadrature against the cosine law, with mpmath's error estimate."""
        extra = int(ell * math.log10(max(d, 2)) / 2) + 10
        with mpmath.workdps(mpmath.mp.dps + extra):
            nu = mpmath.mpf(d - 2) / 2
            expo = mpmath.mpf(d - 3) / 2
            r = 1 / mpmath.sqrt(d)
            pts = sorted(
                {mpmath.mpf(-1), mpmath.mpf(1), mpmath.mpf(0), *[sg * k * r for k in (1, 2, 4, 8) for sg in (-1, 1) if k * r < 1]}
            )

            check = _budget_checker(self.name, d)
            calls = [0]

            def f(s: Any) -> Any:
                calls[0] += 1
                if calls[0] % 32 == 0:
                    check()
                return h(s) * gegenbauer(d, ell, s) * (1 - s * s) ** expo

            try:
                num, err = mpmath.quad(f, pts, error=True)
            except (TypeError, ValueError, ZeroDivisionError) as exc:
                raise ParameterError(f"kernel {self.name!r} could not be evaluated on [-1, 1]: {exc}") from None
            den = mpmath.sqrt(mpmath.pi) * mpmath.gamma(nu + mpmath.mpf(1) / 2) / mpmath.gamma(nu + 1)
            value, err = num / den, err / den
            if isinstance(value, mpmath.mpc):
                raise ParameterError(f"kernel {self.name!r} is not real on [-1, 1].")
            if not mpmath.isfinite(value):
                raise ParameterError(f"kernel {self.name!r}: the Funk-Hecke integral of level {ell} is not finite.")
            if abs(value) <= 10 * err:
                value = mpmath.mpf(0)
        return value, err


# ----------------------------------------------------------------------------- domains
class Domain:
    """Where the data live: the levels that diagonalize every inner-product kernel there.

    A domain gives the multiplicity of level ``ℓ``, the last level (``None``: infinitely many),
    the eigenvalue ``μ_ℓ`` of a kernel and its second moment ``E h(s)² = Σ_ℓ (mult.) μ_ℓ²``, each
    from a closed form of the kernel when it has one (cached, :meth:`Kernel.exact_value`), exactly
    for a polynomial (part of) ``h``, and numerically otherwise; subclasses supply the
    domain's own formulas.  The models take ``domain=`` as text (``"sphere"``, ``"hypercube"``);
    :func:`get_domain` turns it into one of :data:`SPHERE`, :data:`HYPERCUBE`.
    """

    name = ""
    poly_key = ""  # cache key of exact polynomial eigenvalues

    def multiplicity(self, d: int, ell: int) -> int:
        """Number of eigenfunctions of level ``ℓ`` (exact)."""
        raise NotImplementedError

    def last_level(self, d: int) -> int | None:
        """Highest level with eigenfunctions (``None``: unbounded)."""
        raise NotImplementedError

    def space(self, d: Any) -> str:
        """The set, in words (for messages; ``d`` an integer or a symbol such as ``"d"``)."""
        raise NotImplementedError

    def closed(self, kernel: Kernel) -> tuple[Callable[[int, int], Any] | None, Callable[[int], Any] | None]:
        """The kernel's closed forms on this domain: ``(μ(d, ℓ), E h²(d))``, ``None`` where there is none."""
        raise NotImplementedError

    def poly_eigenvalue(self, part: sp.Expr, d: int, ell: int) -> sp.Expr:
        """Exact ``μ_ℓ`` of a polynomial ``h`` (or parity part of ``h``)."""
        raise NotImplementedError

    def numeric_eigenvalue(self, kernel: Kernel, d: int, ell: int) -> tuple[Any, Any]:
        """``(μ_ℓ, error)`` of a kernel without closed form or polynomial part."""
        raise NotImplementedError

    def numeric_second_moment(self, kernel: Kernel, d: int) -> Any:
        """``E h(s)²`` of a kernel that is not a polynomial and has no closed form."""
        raise NotImplementedError

    def eigenvalue(self, kernel: Kernel, d: int, ell: int) -> tuple[Any, Any]:
        """``(μ_ℓ, error)`` of ``kernel`` at the current precision (error 0: exact)."""
        closed, _ = self.closed(kernel)
        if closed is not None:
            return kernel.exact_value((self.name, d, ell), lambda: closed(d, ell)), mpmath.mpf(0)
        part, degree = kernel._exact_part(ell)
        if part is None:
            return self.numeric_eigenvalue(kernel, d, ell)
        key = (self.poly_key, d, ell)
        if key not in kernel._cache:
            kernel._cache[key] = sp.Integer(0) if degree is not None and ell > degree else self.poly_eigenvalue(part, d, ell)
        return _evalf(kernel._cache[key]), mpmath.mpf(0)

    def second_moment(self, kernel: Kernel, d: int) -> Any:
        """``E h(s)²`` at the current precision."""
        _, closed_h2 = self.closed(kernel)
        if closed_h2 is not None:
            return kernel.exact_value((self.name, "h2", d), lambda: closed_h2(d))
        if not kernel.is_polynomial:
            return self.numeric_second_moment(kernel, d)
        key = (self.poly_key, "h2", d)
        if key not in kernel._cache:
            kernel._cache[key] = self.poly_eigenvalue(sp.expand(kernel.expr**2), d, 0)  # type: ignore[operator]
        return _evalf(kernel._cache[key])

    def ball_closed(self, kernel: Kernel) -> tuple[Callable[[int, int], Any] | None, Callable[[int], Any] | None]:
        """The kernel's ball closed forms on this domain: ``(μ(d, ℓ), E h²(d))``, ``None`` where there is none."""
        raise NotImplementedError

    def ball_numeric_eigenvalue(self, kernel: Kernel, d: int, ell: int) -> Any:
        """A proven ``μ_ℓ`` of a kernel without closed form or polynomial part (NotProven where there is no route)."""
        from .ball import NotProven

        raise NotProven(f"kernel {kernel.name!r}: no rigorous eigenvalue route on the {self.name}")

    def ball_numeric_second_moment(self, kernel: Kernel, d: int) -> Any:
        """A proven ``E h(s)²`` of a kernel that is not a polynomial and has no closed form."""
        from .ball import NotProven

        raise NotProven(f"kernel {kernel.name!r}: no rigorous second moment on the {self.name}")

    def ball_eigenvalue(self, kernel: Kernel, d: int, ell: int) -> Any:
        """``μ_ℓ`` as a ball: the closed form on balls, the exact rational (polynomial part) as a ball, or
        :meth:`ball_numeric_eigenvalue`; an exact 0 where the eigenvalue is exactly 0."""
        from .ball import AB

        last = self.last_level(d)
        if ell < 0 or (last is not None and ell > last):
            return AB.num(0)
        closed, _ = self.ball_closed(kernel)
        if closed is not None:
            return closed(d, ell)
        part, degree = kernel._exact_part(ell)
        if part is None:
            return self.ball_numeric_eigenvalue(kernel, d, ell)
        key = (self.poly_key, d, ell)
        if key not in kernel._cache:
            kernel._cache[key] = sp.Integer(0) if degree is not None and ell > degree else self.poly_eigenvalue(part, d, ell)
        return sympy_ball(kernel._cache[key])

    def ball_second_moment(self, kernel: Kernel, d: int) -> Any:
        """``E h(s)²`` as a ball (closed form, exact rational for polynomials, else :meth:`ball_numeric_second_moment`)."""
        _, closed_h2 = self.ball_closed(kernel)
        if closed_h2 is not None:
            return closed_h2(d)
        if not kernel.is_polynomial:
            return self.ball_numeric_second_moment(kernel, d)
        key = (self.poly_key, "h2", d)
        if key not in kernel._cache:
            kernel._cache[key] = self.poly_eigenvalue(sp.expand(kernel.expr**2), d, 0)  # type: ignore[operator]
        return sympy_ball(kernel._cache[key])

    def __repr__(self) -> str:
        return f"Domain({self.name!r})"


class Sphere(Domain):
    """``x ~ Unif(S^{d−1}(√d))``: spherical harmonics, multiplicity ``B(d, ℓ)``, Funk–Hecke eigenvalues
    (exact rationals from the cosine moments for polynomials, tanh–sinh quadrature otherwise)."""

    name = "sphere"
    poly_key = "poly"

    def multiplicity(self, d: int, ell: int) -> int:
        return harmonic_count(d, ell)

    def last_level(self, d: int) -> int | None:
        return None

    def space(self, d: Any) -> str:
        return f"S^{d - 1}" if isinstance(d, int) else f"S^({d}-1)"

    def closed(self, kernel: Kernel) -> tuple[Callable[[int, int], Any] | None, Callable[[int], Any] | None]:
        return kernel.closed, kernel.closed_h2

    def poly_eigenvalue(self, part: sp.Expr, d: int, ell: int) -> sp.Expr:
        return _poly_eigenvalue(part, d, ell)

    def ball_closed(self, kernel: Kernel) -> tuple[Callable[[int, int], Any] | None, Callable[[int], Any] | None]:
        return kernel.ball_closed, kernel.ball_closed_h2

    def numeric_eigenvalue(self, kernel: Kernel, d: int, ell: int) -> tuple[Any, Any]:
        """Funk–Hecke quadrature shared by a block of levels (:meth:`Kernel._funk_hecke_levels`)."""
        cache = kernel._cache
        key = ("quad", d, ell)
        need = mpmath.mp.prec
        cached = cache.get(key)
        if cached is None or cached[0] < need:
            top = ell + QUAD_BLOCK - 1 - ell % QUAD_BLOCK  # levels come in blocks sharing one set of nodes
            for k, (value, err) in enumerate(kernel._funk_hecke_levels(d, top)):
                old = cache.get(("quad", d, k))
                if old is None or old[0] < need:
                    cache[("quad", d, k)] = (need, value, err)
            cached = cache[key]
        return +cached[1], cached[2]

    def ball_numeric_eigenvalue(self, kernel: Kernel, d: int, ell: int) -> Any:
        """Funk–Hecke on balls: ``E[h(s)Q_ℓ(s)]`` by rigorous integration (:func:`_ball_sphere_mean`) of the
        parity part of ``h`` (or ``h``), NotProven where ``h`` has no ball evaluator (docs/proofs/krr.md §1)."""
        h, h_end, even = _ball_kernel_functions(kernel, ell)

        def q(z: Any) -> Any:
            return gegenbauer(d, ell, z)

        def f(z: Any, a: bool) -> Any:
            return h(z, a) * q(z)

        def f_end(t: Any, sign: int, a: bool) -> Any:
            return h_end(t, sign, a) * (q(1 - t * t) if sign > 0 or ell % 2 == 0 else -q(1 - t * t))

        extra = int(ell * math.log2(max(d, 2))) + 20  # μ_ℓ ≈ ξ_ℓ ℓ!/d^ℓ: the integral cancels that many bits
        return _ball_sphere_mean(d, f, f_end, even, _ball_kinks(kernel), extra)

    def ball_numeric_second_moment(self, kernel: Kernel, d: int) -> Any:
        """``E h(s)²`` on balls by rigorous integration of ``h²`` (:func:`_ball_sphere_mean`)."""
        h, h_end, _ = _ball_kernel_functions(kernel, None)
        return _ball_sphere_mean(
            d, lambda z, a: h(z, a) ** 2, lambda t, sign, a: h_end(t, sign, a) ** 2, False, _ball_kinks(kernel), 20
        )

    def numeric_second_moment(self, kernel: Kernel, d: int) -> Any:
        key = ("h2quad", d)
        cached = kernel._cache.get(key)
        if cached is None or cached[0] < mpmath.mp.prec:
            value, _ = kernel._funk_hecke(d, 0, lambda s: kernel.mp(s) ** 2)
            kernel._cache[key] = cached = (mpmath.mp.prec, value)
        return +cached[1]


class Hypercube(Domain):
    """``x`` uniform on ``{±1}^d``: Walsh monomials, level ``ℓ = |S| ≤ d`` of multiplicity ``C(d, ℓ)``.

    ``μ_ℓ = E[h(s)x_1⋯x_ℓ]``, ``s = Σ_i x_i/d``: closed form for ``e^{cs}`` (the expectation
    factorizes over coordinates), ``sinh(c/d)^ℓ cosh(c/d)^{d−ℓ}``; otherwise the Kravchuk sum
    ``2^{−d} Σ_j c_j h((d−2j)/d)`` (:func:`kravchuk_row`), exact for polynomial parts (and 0 beyond
    their degree, as on the sphere).
    """

    name = "hypercube"
    poly_key = "cube_poly"

    def multiplicity(self, d: int, ell: int) -> int:
        return math.comb(d, ell)

    def last_level(self, d: int) -> int | None:
        return d

    def space(self, d: Any) -> str:
        return "{-1,1}^" + str(d)

    def closed(self, kernel: Kernel) -> tuple[Callable[[int, int], Any] | None, Callable[[int], Any] | None]:
        return kernel.closed_cube, kernel.closed_cube_h2

    def eigenvalue(self, kernel: Kernel, d: int, ell: int) -> tuple[Any, Any]:
        if ell > d or ell < 0:
            return mpmath.mpf(0), mpmath.mpf(0)
        return super().eigenvalue(kernel, d, ell)

    def ball_closed(self, kernel: Kernel) -> tuple[Callable[[int, int], Any] | None, Callable[[int], Any] | None]:
        return kernel.ball_closed_cube, kernel.ball_closed_cube_h2

    def ball_numeric_eigenvalue(self, kernel: Kernel, d: int, ell: int) -> Any:
        """The Kravchuk sum ``2^{−d} Σ_j c_j h((d−2j)/d)`` on balls: a finite sum at exact rational points, so the
        ball is rigorous wherever ``h`` (its parity part) evaluates on balls (:func:`sympy_ball`)."""
        from .ball import AB, NotProven

        if kernel.expr is None:
            raise NotProven(f"kernel {kernel.name!r}: no expression to evaluate on balls")
        part, _ = kernel.parity_part(ell)
        expr = kernel.expr if part is None else part
        total = AB.fsum(c * sympy_ball(expr, sp.Rational(d - 2 * j, d)) for j, c in enumerate(kravchuk_row(d, ell)) if c)
        return total / AB.num(2**d)

    def ball_numeric_second_moment(self, kernel: Kernel, d: int) -> Any:
        """``2^{−d} Σ_j C(d, j) h((d − 2j)/d)²`` on balls (finite sum at exact points)."""
        from .ball import AB, NotProven

        if kernel.expr is None:
            raise NotProven(f"kernel {kernel.name!r}: no expression to evaluate on balls")
        total = AB.fsum(math.comb(d, j) * sympy_ball(kernel.expr, sp.Rational(d - 2 * j, d)) ** 2 for j in range(d + 1))
        return total / AB.num(2**d)

    def poly_eigenvalue(self, part: sp.Expr, d: int, ell: int) -> sp.Expr:
        poly = sp.Poly(part, _s_var())
        row = kravchuk_row(d, ell)  # ℓ = 0: the binomials (E h of h², the second moment)
        return sp.Add(*[c * poly.eval(sp.Rational(d - 2 * j, d)) for j, c in enumerate(row) if c]) / 2**d

    def numeric_eigenvalue(self, kernel: Kernel, d: int, ell: int) -> tuple[Any, Any]:
        """The Kravchuk sum at extra precision: the terms reach ``Σ|c_j||h_j| 2^{−d}``, so the digits lost
        to cancellation are measured and the sum is redone with that many more digits; the error returned
        is ``10^{−p}`` times that size at the final precision ``p``."""
        key = ("cube", d, ell)
        cached = kernel._cache.get(key)
        if cached is not None and cached[0] >= mpmath.mp.prec:
            return +cached[1], cached[2]
        row = kravchuk_row(d, ell)
        h = kernel._parity_mp(ell)
        extra = 10
        for _ in range(4):
            with mpmath.workdps(mpmath.mp.dps + extra):
                terms = [c * h(mpmath.mpf(d - 2 * j) / d) for j, c in enumerate(row) if c]
                value = mpmath.fsum(terms) / mpmath.mpf(2) ** d
                size = mpmath.fsum(abs(x) for x in terms) / mpmath.mpf(2) ** d
                err = size * mpmath.mpf(10) ** (-(mpmath.mp.dps - 2))
            if err <= mpmath.mpf(10) ** (-(mpmath.mp.dps + 2)) * abs(value) or size == 0:
                break
            lost = int(mpmath.log10(size / abs(value))) + 1 if value != 0 else mpmath.mp.dps
            extra += lost
        if abs(value) <= 10 * err:
            value = mpmath.mpf(0)
        kernel._cache[key] = (mpmath.mp.prec, value, err)
        return +value, err

    def numeric_second_moment(self, kernel: Kernel, d: int) -> Any:
        """The finite sum ``2^{−d} Σ_j C(d, j) h((d − 2j)/d)²`` (positive terms) at 5 extra digits."""
        with mpmath.workdps(mpmath.mp.dps + 5):
            total = mpmath.fsum(math.comb(d, j) * kernel.mp(mpmath.mpf(d - 2 * j) / d) ** 2 for j in range(d + 1))
            return total / mpmath.mpf(2) ** d


SPHERE = Sphere()
HYPERCUBE = Hypercube()
_DOMAIN_OBJECTS = {"sphere": SPHERE, "hypercube": HYPERCUBE}


def get_domain(domain: Any = "sphere") -> Domain:
    """The :class:`Domain` named by ``domain`` (``"sphere"``, ``"hypercube"``; validated by :func:`check_domain`)."""
    if isinstance(domain, Domain):
        return domain
    return _DOMAIN_OBJECTS[check_domain(domain)]


def _evalf(e: Any) -> Any:
    if isinstance(e, str):
        raise TypeError("_evalf takes a number or a SymPy object, never text")
    e = sp.sympify(e)
    if e.is_Rational:
        return mpmath.mpf(int(e.p)) / int(e.q)
    if not e.free_symbols:  # the guarded evaluator first: SymPy's evalf has no magnitude limit
        try:
            with mpmath.workdps(15):
                compile_mp(e, _s_var(), strict=True)(0)
        except MagnitudeError:
            raise ParameterError(f"`kernel`: the constant {sp.sstr(e)[:60]} is too large to evaluate.") from None
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            pass  # not a magnitude problem: SymPy reports it below
    return mpmath.mpf(sp.N(e, mpmath.mp.dps + 5))


def _poly_eigenvalue(expr: sp.Expr, d: int, ell: int) -> sp.Expr:
    """Exact ``μ_{d,ℓ}`` of a polynomial kernel: ``E[h(s) Q_ℓ(s)]`` from the exact cosine moments."""
    prod = sp.Poly(sp.expand(expr * gegenbauer_symbolic(d, ell)), _s_var())
    # exact arithmetic throughout: rational coefficients give a Rational (never nsimplify, which may
    # return radicals that are only close to it), symbolic ones (e.g. 1/π) a closed form
    return sp.expand(sp.Add(*[c * sphere_moment(d, k) for (k,), c in prod.terms()]))


# ----------------------------------------------------------------------------- ball evaluation (issue 15)
_BALL_FUNCTIONS = {
    "exp": "exp",
    "log": "log",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "asin": "asin",
    "acos": "acos",
    "atan": "atan",
    "erf": "erf",
    "erfc": "erfc",
    "Abs": "__abs__",
}
"""SymPy functions that :func:`sympy_ball` evaluates by the Arb function of the same meaning (real balls).
Each is continuous on its real domain, and Arb returns NaN (never a wrong ball) outside it."""


def sympy_ball(expr: Any, at: Any = None) -> Any:
    """Evaluate a SymPy expression in ball arithmetic at ``s = at`` (an exact rational or a ball).

    Exact numbers become exact (or tight) balls, ``π`` and ``e`` Arb's constants, ``+``, ``×``,
    powers and the functions of :data:`_BALL_FUNCTIONS` Arb's outward-rounded operations, so the
    result contains the exact value (NaN outside a function's domain).  Anything else (``Piecewise``,
    floats, ``Max``...) raises :class:`~asymptotics.ball.NotProven`: no rigorous route is claimed.
    """
    from flint import arb

    from .ball import AB, Ball, NotProven

    memo: dict[Any, Any] = {}
    point = None if at is None else (at if isinstance(at, Ball) else sympy_ball(sp.sympify(at)))

    def ev(e: Any) -> Any:
        if e in memo:
            return memo[e]
        if e.is_Integer:
            out = AB.num(int(e))
        elif e.is_Rational:
            out = AB.num(int(e.p)) / int(e.q)
        elif e is sp.pi:
            out = Ball(arb.pi())
        elif e is sp.E:
            out = Ball(arb(1).exp())
        elif e.is_Symbol:
            if point is None or e.name != "s":
                raise NotProven(f"free symbol {e} in a value evaluated on balls")
            out = point
        elif e.is_Add:
            out = AB.fsum(ev(a) for a in e.args)
        elif e.is_Mul:
            out = AB.num(1)
            for a in e.args:
                out = out * ev(a)
        elif e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                out = ev(base) ** int(ex)
            elif ex == sp.S.Half:
                out = AB.sqrt(ev(base))
            else:
                b = ev(base)
                out = Ball(arb.nan()) if (b > 0) is not True else Ball(b.v ** ev(ex).v)
        elif isinstance(e, sp.Function) and type(e).__name__ in _BALL_FUNCTIONS and len(e.args) == 1:
            arg = ev(e.args[0])
            out = Ball(getattr(arg.v, _BALL_FUNCTIONS[type(e).__name__])())
        else:
            raise NotProven(f"{type(e).__name__} has no rigorous ball evaluation here")
        memo[e] = out
        return out

    return ev(sp.sympify(expr))


def _exp_balls(c: sp.Rational) -> dict[str, Callable[..., Any]]:
    """The closed forms of ``e^{cs}`` on balls (same formulas as the mpmath closures of :func:`_exp_kernel`)."""

    def const() -> Any:
        from flint import arb, fmpq

        return arb(fmpq(int(c.p), int(c.q)))

    def closed(d: int, ell: int) -> Any:
        from flint import arb

        from .ball import Ball

        cc, half = const(), arb(d) / 2
        return Ball(half.gamma() * (2 / cc) ** (half - 1) * cc.bessel_i(half - 1 + ell))

    def closed_h2(d: int) -> Any:
        from flint import arb

        from .ball import Ball

        cc, half = 2 * const(), arb(d) / 2
        return Ball(half.gamma() * (2 / cc) ** (half - 1) * cc.bessel_i(half - 1))

    def closed_cube(d: int, ell: int) -> Any:
        from .ball import Ball

        x = const() / d
        return Ball(x.sinh() ** ell * x.cosh() ** (d - ell))

    def closed_cube_h2(d: int) -> Any:
        from .ball import Ball

        return Ball((2 * const() / d).cosh() ** d)

    return {
        "ball_closed": closed,
        "ball_closed_h2": closed_h2,
        "ball_closed_cube": closed_cube,
        "ball_closed_cube_h2": closed_cube_h2,
    }


def _relu_coefficients_ball(d: int, k: int) -> tuple[Any, Any]:
    """:func:`_relu_coefficients` on balls (the same closed forms: Gamma functions, a binomial, a rising factorial)."""
    from flint import arb

    nu = arb(d - 2) / 2
    half = arb(1) / 2
    z = arb.pi().sqrt() * (nu + half).gamma() / (nu + 1).gamma()
    if k == 0:
        return 1 / (z * (d - 1)), half
    if k == 1:
        return arb(1) / (2 * d), _relu_coefficient_ball(nu, z, k, 0)
    if k % 2 == 0:
        return _relu_coefficient_ball(nu, z, k, 1), arb(0)
    return arb(0), _relu_coefficient_ball(nu, z, k, 0)


def _relu_coefficient_ball(nu: Any, z: Any, k: int, power: int) -> Any:
    from flint import arb

    m = k - 1 - power
    j = m // 2
    x = k + nu - arb(1) / 2
    binom = arb(1)
    for i in range(j):
        binom = binom * (x - i) / (i + 1)
    value = arb.fac_ui(m) * binom / (z * (nu + arb(1) / 2).rising(k) * arb(2) ** k)
    return value if j % 2 == 0 else -value


def _relu_nngp_ball(d: int, ell: int) -> Any:
    from .ball import Ball

    return Ball(d * _relu_coefficients_ball(d, ell)[0] ** 2)


def _relu_ntk_ball(d: int, ell: int) -> Any:
    """:func:`_relu_ntk_closed` on balls."""
    from .ball import Ball

    return Ball(d * _relu_coefficients_ball(d, ell)[0] ** 2 + _relu_sk0_ball(d, ell).v)


def _relu_sk0_ball(d: int, ell: int) -> Any:
    """:func:`_relu_sk0_closed` on balls."""
    from flint import arb

    from .ball import Ball

    total = arb(0)
    up = _relu_coefficients_ball(d, ell + 1)[1]
    if not up.is_zero():
        total += harmonic_count(d, ell + 1) * up**2 * arb(ell + 1) / (2 * ell + d) / harmonic_count(d, ell)
    if ell >= 1:
        down = _relu_coefficients_ball(d, ell - 1)[1]
        if not down.is_zero():
            k = ell - 1
            c = arb(1) if k == 0 else arb(k + d - 2) / (2 * k + d - 2)
            total += harmonic_count(d, k) * down**2 * c / harmonic_count(d, ell)
    return Ball(total)


# ----------------------------------------------------------------------------- rigorous Funk–Hecke integration
FH_T1 = Fraction(1, 2)
"""The end pieces of :func:`_ball_sphere_mean` are ``s = ±(1 − t²)``, ``0 ≤ t ≤ FH_T1``; the middle is ``|s| ≤ 1 − FH_T1²``."""

FH_EVAL_LIMIT = 100_000
"""Integrand evaluations allowed per ``acb.integral`` call (beyond: NotProven)."""


def _half_power(u: Any, e: int, a: bool) -> Any:
    """``u^{e/2}`` on an ``acb`` ball, principal branch (its ``sqrt`` checks the cut when ``a``)."""
    if e % 2 == 0:
        return u ** (e // 2)
    return u ** ((e - 1) // 2) * u.sqrt(analytic=a)


def _ball_sphere_mean(
    d: int,
    f: Callable[[Any, bool], Any],
    f_end: Callable[[Any, int, bool], Any],
    even: bool,
    kinks: tuple[Fraction, ...],
    extra: int,
) -> Any:
    r"""``E f(s)`` for the cosine ``s`` of a uniform point of ``S^{d−1}``, proven (a real :class:`~asymptotics.ball.Ball`).

    ``E f = (1/Z)∫_{−1}^{1} f(s)(1 − s²)^{(d−3)/2} ds``, ``Z = √π Γ((d−1)/2)/Γ(d/2)``.  The middle
    ``|s| ≤ c = 1 − t₁²`` is integrated in ``s`` (the weight is analytic where ``Re(1 − z²) > 0``); each end
    ``s = σ(1 − t²)``, ``0 ≤ t ≤ t₁``, in ``t``: ``ds = 2t dt`` up to orientation and ``1 − s² = t²(2 − t²)``, so the
    weight becomes ``2t^{d−2}(2 − t²)^{(d−3)/2}``, analytic near ``[0, t₁]`` — the endpoint singularity of the
    weight (``d`` even) is gone and every endpoint is an exact rational.  ``f_end(t, σ) = f(σ(1 − t²))`` lets a
    kernel supply a form analytic in ``t`` (``relu_*``).  ``even``: ``f`` is even, so twice ``[0, 1]``.
    ``acb.integral`` (Arb's rigorous Gauss–Legendre with bisection, ``f`` checks analyticity on each ball)
    bounds each piece; ``kinks`` (exact rationals in ``(−1, 1)``) are only split points.  The work runs at
    ``extra`` more bits (cancellation), raised once more if the result is still too wide.
    """
    from flint import acb, arb, ctx, fmpq

    from .ball import Ball, NotProven, workprec

    prec = ctx.prec
    t1 = arb(fmpq(FH_T1.numerator, FH_T1.denominator))
    c = 1 - FH_T1 * FH_T1
    e = d - 3

    def mid(z: Any, a: bool) -> Any:
        return f(z, a) * _half_power(1 - z * z, e, a)

    def end(sign: int) -> Callable[[Any, bool], Any]:
        def g(t: Any, a: bool) -> Any:
            return f_end(t, sign, a) * 2 * t ** (d - 2) * _half_power(2 - t * t, e, a)

        return g

    lo = Fraction(0) if even else -c
    inner = sorted({k for k in kinks if lo < k < c})
    mid_pts = [arb(fmpq(p.numerator, p.denominator)) for p in (lo, *inner, c)]
    end_splits = {
        sign: sorted({Fraction(math.sqrt(1 - float(abs(k)))) for k in kinks if k * sign > c and 1 - abs(k) > 0})
        for sign in (1, -1)
    }

    def integrate(bits: int) -> Any:
        with workprec(bits):
            tol = arb(2) ** (-bits)
            rel = arb(2) ** (-(prec + 10))
            total = acb(0)
            pieces: list[tuple[Callable[[Any, bool], Any], list[Any]]] = [(mid, mid_pts)]
            for sign in (1,) if even else (1, -1):
                pts = [arb(0), *(arb(fmpq(q.numerator, q.denominator)) for q in end_splits[sign] if 0 < q < FH_T1), t1]
                pieces.append((end(sign), pts))
            for g, pts in pieces:
                for a0, b0 in zip(pts, pts[1:], strict=False):
                    try:
                        total += acb.integral(g, a0, b0, rel_tol=rel, abs_tol=tol, eval_limit=FH_EVAL_LIMIT)
                    except (ValueError, ArithmeticError, TypeError) as exc:
                        raise NotProven(f"rigorous Funk-Hecke integration failed: {exc}") from None
            if even:
                total = 2 * total
            if not total.is_finite() or not total.imag.contains(0):
                raise NotProven("rigorous Funk-Hecke integration did not converge (non-analytic or non-real integrand)")
            half = arb(d - 1) / 2
            z = arb.pi().sqrt() * half.gamma() / (half + arb(1) / 2).gamma()
            return total.real / z

    value = integrate(prec + extra)
    acc = value.rel_accuracy_bits() if not value.is_zero() else prec
    if acc < prec + 4:  # more cancellation than foreseen: once more with the bits that were missing
        # (a ball holding no digit reports about -2^63 bits: then twice the bits instead)
        value = integrate(prec + extra + min(max(0, prec + 12 - acc), prec + extra))
    with workprec(prec):
        return Ball(+value)


def _ball_kernel_functions(kernel: Kernel, ell: int | None) -> tuple[Callable[..., Any], Callable[..., Any], bool]:
    """``(h(z, a), h_end(t, σ, a), even)`` on ``acb`` balls for :func:`_ball_sphere_mean`.

    ``ell`` given: the parity part of ``h`` seen by level ``ℓ`` when :func:`compile_ball` evaluates it
    (``h_ℓ Q_ℓ`` is then even), else ``h``; ``ell=None``: ``h`` itself.  NotProven without a ball evaluator.
    """
    from .ball import NotProven
    from .expression import compile_ball

    if kernel.ball_h is not None:
        return kernel.ball_h[0], kernel.ball_h[1], False
    if kernel.expr is None:
        raise NotProven(f"kernel {kernel.name!r}: no expression to integrate on balls")
    key = ("ball_fn", None if ell is None else ell % 2)
    if key not in kernel._cache:
        out = None
        part = kernel.parity_part(ell)[0] if ell is not None else None
        for expr, even in ((part, True), (kernel.expr, False)):
            if expr is None:
                continue
            try:
                out = (compile_ball(expr, _s_var()), even)
                break
            except TypeError:
                continue
        kernel._cache[key] = out
    if kernel._cache[key] is None:
        raise NotProven(f"kernel {kernel.name!r}: no ball evaluator for its expression (e.g. acos, asin)")
    h, even = kernel._cache[key]

    def h_end(t: Any, sign: int, a: bool) -> Any:
        return h(sign * (1 - t * t), a)

    return h, h_end, even


def _ball_kinks(kernel: Kernel) -> tuple[Fraction, ...]:
    """Rational split points in ``(−1, 1)`` near the kinks of ``h`` (Abs/Max/Min/sign/Heaviside/Piecewise with a
    polynomial argument of degree ≤ 4); only a help for the integrator, which detects non-analytic balls itself."""
    key = ("ball_kinks",)
    if key in kernel._cache:
        return kernel._cache[key]
    pts: set[Fraction] = set()
    if kernel.expr is not None:
        s = _s_var()
        cands: list[Any] = []
        for node in sp.preorder_traversal(kernel.expr):
            if isinstance(node, sp.Abs | sp.sign | sp.Heaviside):
                cands.append(node.args[0])
            elif isinstance(node, sp.Max | sp.Min):
                cands.extend(x - y for i, x in enumerate(node.args) for y in node.args[i + 1 :])
            elif isinstance(node, sp.Piecewise):
                for _, cond in node.args:
                    cands.extend(r.lhs - r.rhs for r in cond.atoms(sp.core.relational.Relational))
        for cnd in cands:
            if not cnd.has(s) or not cnd.is_polynomial(s) or sp.degree(cnd, s) > 4:
                continue
            try:
                roots = sp.solve(sp.Eq(cnd, 0), s)
            except (NotImplementedError, TypeError, ValueError):
                continue
            for r in roots:
                if r.is_real and -1 < float(r) < 1:
                    pts.add(Fraction(r.p, r.q) if r.is_Rational else Fraction(float(r)))
    kernel._cache[key] = out = tuple(sorted(pts))
    return out


def _relu_ball_h(ntk: bool) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``relu_nngp`` (``ntk=False``) or ``relu_ntk`` on ``acb`` balls, analytic where the flag asks it.

    ``h(s) = (√(1 − s²) + (π − arccos s)s)/(2π)`` (``+ s(π − arccos s)/(2π)`` for the NTK).  Middle: ``arccos`` is
    analytic off ``(−∞, −1] ∪ [1, ∞)``, so ``|Re z| < 1`` is required, and ``√`` checks its cut.  Ends
    ``s = σ(1 − t²)``: ``√(1 − s²) = t√(2 − t²)`` and ``arccos s = 2 arcsin(t/√2)`` (``σ = 1``) or
    ``π − 2 arcsin(t/√2)`` (``σ = −1``), analytic in ``t`` for ``|Re t/√2| < 1`` and ``Re(2 − t²) > 0``.
    """
    from flint import acb, arb

    def nan() -> Any:
        return acb(arb.nan(), arb.nan())

    def combine(s: Any, root: Any, theta: Any) -> Any:
        pi = arb.pi()
        out = (root + (pi - theta) * s) / (2 * pi)
        return out + s * (pi - theta) / (2 * pi) if ntk else out

    def h(z: Any, a: bool) -> Any:
        if not abs(z.real) < 1:
            return nan()
        return combine(z, (1 - z * z).sqrt(analytic=a), z.acos())

    def h_end(t: Any, sign: int, a: bool) -> Any:
        w = t / arb(2).sqrt()
        if not abs(w.real) < 1:
            return nan()
        theta = 2 * w.asin()
        if sign < 0:
            theta = arb.pi() - theta
        return combine(sign * (1 - t * t), t * (2 - t * t).sqrt(analytic=a), theta)

    return h, h_end


# ----------------------------------------------------------------------------- named kernels
def _exp_kernel(c: sp.Rational) -> Kernel:
    def closed(d: int, ell: int) -> Any:
        cc = mpmath.mpf(c.p) / c.q
        half = mpmath.mpf(d) / 2
        return mpmath.gamma(half) * (2 / cc) ** (half - 1) * mpmath.besseli(half - 1 + ell, cc)

    def closed_h2(d: int) -> Any:  # E e^{2cs}: level 0 of e^{2cs}
        cc = 2 * mpmath.mpf(c.p) / c.q
        half = mpmath.mpf(d) / 2
        return mpmath.gamma(half) * (2 / cc) ** (half - 1) * mpmath.besseli(half - 1, cc)

    def closed_cube(d: int, ell: int) -> Any:  # E[e^{cΣx_i/d} x_1⋯x_ℓ] factorizes over the coordinates
        x = mpmath.mpf(c.p) / c.q / d
        return mpmath.sinh(x) ** ell * mpmath.cosh(x) ** (d - ell)

    def closed_cube_h2(d: int) -> Any:  # E e^{2cΣx_i/d} = cosh(2c/d)^d
        return mpmath.cosh(2 * (mpmath.mpf(c.p) / c.q) / d) ** d

    name = "exp" if c == 1 else f"exp:{c}"
    cf = float(c)
    return Kernel(
        name,
        sp.exp(c * _s_var()),
        lambda s: mpmath.exp(mpmath.mpf(c.p) / c.q * s),
        lambda s: np.exp(cf * s),
        closed,
        closed_h2,
        closed_cube,
        closed_cube_h2,
        **_exp_balls(c),
    )


def _relu_nngp() -> sp.Expr:
    s = _s_var()
    return (sp.sqrt(1 - s**2) + (sp.pi - sp.acos(s)) * s) / (2 * sp.pi)


def _relu_coefficients(d: int, k: int) -> tuple[Any, Any]:
    r"""``(a_k, b_k) = (E[t₊Q_k(t)], E[1{t>0}Q_k(t)])`` for the cosine ``t`` of a uniform point of ``S^{d−1}``.

    With ``ν = (d−2)/2``, the density ``(1−t²)^{ν−1/2}/Z``, ``Z = √π Γ(ν+½)/Γ(ν+1)``, and Rodrigues'
    formula ``(1−t²)^{ν−1/2}Q_k(t) = (−1)^k/(2^k(ν+½)_k) · D^k(1−t²)^{k+ν−1/2}``, integrating by parts
    once (``t₊``) or not at all (the step) leaves ``D^{k−2}`` resp. ``D^{k−1}`` of ``(1−t²)^α``,
    ``α = k+ν−½``, at ``t = 0``: ``m!·(−1)^j C(α, j)`` when ``m = 2j`` is even, else 0.  So
    ``a_0 = 1/(Z(d−1))``, ``a_1 = 1/(2d)``, ``a_k = (k−2)!(−1)^j C(α, j)/(Z2^k(ν+½)_k)`` for even
    ``k ≥ 2`` (``j = k/2−1``), 0 for odd ``k ≥ 3``; ``b_0 = ½``, ``b_k = (k−1)!(−1)^{j+k+1}C(α, j)/(Z2^k(ν+½)_k)``
    for odd ``k`` (``j = (k−1)/2``), 0 for even ``k ≥ 2``.  Valid for every ``d ≥ 2``.
    """
    nu = mpmath.mpf(d - 2) / 2
    if k == 0:
        z = mpmath.sqrt(mpmath.pi) * mpmath.gamma(nu + mpmath.mpf(1) / 2) / mpmath.gamma(nu + 1)
        return 1 / (z * (d - 1)), mpmath.mpf(1) / 2
    if k == 1:
        return mpmath.mpf(1) / (2 * d), _relu_coefficient(nu, k, 0)
    if k % 2 == 0:
        return _relu_coefficient(nu, k, 1), mpmath.mpf(0)
    return mpmath.mpf(0), _relu_coefficient(nu, k, 0)


def _relu_coefficient(nu: Any, k: int, power: int) -> Any:
    """``a_k`` (``power = 1``) or ``|b_k|`` (``power = 0``) of :func:`_relu_coefficients` at a level of the right parity."""
    m = k - 1 - power  # the derivative order left at t = 0
    j = m // 2
    half = mpmath.mpf(1) / 2
    z = mpmath.sqrt(mpmath.pi) * mpmath.gamma(nu + half) / mpmath.gamma(nu + 1)
    value = mpmath.factorial(m) * mpmath.binomial(k + nu - half, j) / (z * mpmath.ldexp(mpmath.rf(nu + half, k), k))
    return value if j % 2 == 0 else -value


def _relu_nngp_closed(d: int, ell: int) -> Any:
    r"""``μ_{d,ℓ}`` of ``relu_nngp``: ``h(⟨x̂,x̂'⟩) = d·E_u[relu(⟨u,x̂⟩)relu(⟨u,x̂'⟩)]`` over a uniform unit ``u``
    (``E‖w‖² = d`` for ``w ~ N(0, I_d)``; relu is 1-homogeneous), so by Funk–Hecke ``μ_{d,ℓ} = d·a_ℓ²``."""
    return d * _relu_coefficients(d, ell)[0] ** 2


def _relu_ntk_closed(d: int, ell: int) -> Any:
    r"""``μ_{d,ℓ}`` of ``relu_ntk = s·κ₀(s) + relu_nngp(s)``, ``κ₀ = (π − arccos s)/(2π) = Σ_k B(d,k)b_k²Q_k``.

    Multiplying by ``s`` moves level ``k`` to ``k ± 1``: ``sQ_k = ((k+d−2)Q_{k+1} + kQ_{k−1})/(2k+d−2)``
    (``sQ_0 = Q_1``), so ``μ_ℓ(sκ₀) = [B_{ℓ−1}b_{ℓ−1}²c_{ℓ−1} + B_{ℓ+1}b_{ℓ+1}²(ℓ+1)/(2ℓ+d)]/B_ℓ`` with
    ``c_0 = 1``, ``c_k = (k+d−2)/(2k+d−2)``.
    """
    return _relu_nngp_closed(d, ell) + _relu_sk0_closed(d, ell)


def _relu_sk0_closed(d: int, ell: int) -> Any:
    r"""``μ_{d,ℓ}`` of ``s·κ₀(s)`` (the first-layer part of ``relu_ntk``, and the NT kernel ``nt:relu``); see
    :func:`_relu_ntk_closed`."""
    total = mpmath.mpf(0)
    up = _relu_coefficients(d, ell + 1)[1]
    if up:
        total += harmonic_count(d, ell + 1) * up**2 * mpmath.mpf(ell + 1) / (2 * ell + d) / harmonic_count(d, ell)
    if ell >= 1:
        down = _relu_coefficients(d, ell - 1)[1]
        if down:
            k = ell - 1
            c = mpmath.mpf(1) if k == 0 else mpmath.mpf(k + d - 2) / (2 * k + d - 2)
            total += harmonic_count(d, k) * down**2 * c / harmonic_count(d, ell)
    return total


def _from_expr(
    expr: sp.Expr,
    name: str,
    closed: Callable[[int, int], Any] | None = None,
    ball_closed: Callable[[int, int], Any] | None = None,
    ball_h: tuple[Callable[..., Any], Callable[..., Any]] | None = None,
) -> Kernel:
    f_mp = compile_mp(expr, _s_var())  # guarded mpmath evaluator (asymptotics.expression), not lambdify
    f_np = sp.lambdify(_s_var(), expr, ["scipy", "numpy"])
    _check_finite_on_interval(expr, f_mp, name)
    return Kernel(name, expr, f_mp, f_np, closed, ball_closed=ball_closed, ball_h=ball_h)


def _check_finite_on_interval(expr: sp.Expr, f_mp: Callable[[Any], Any], name: str) -> None:
    """``h`` must be real and finite on ``[−1, 1]`` (on a grid, by the guarded evaluator, then symbolically at
    the ends, where ``h(1)`` is the trace): the grid comes first, so SymPy never evaluates a value too large."""
    with mpmath.workdps(20):
        for k in range(-20, 21):
            s = mpmath.mpf(k) / 20
            try:
                v = f_mp(s)
            except MagnitudeError:
                raise ParameterError(
                    f"kernel {name!r} is too large to evaluate at s = {mpmath.nstr(s, 3)} (beyond about exp(1e4932)); "
                    "h must be finite on [-1, 1]."
                ) from None
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                raise ParameterError(f"kernel {name!r} cannot be evaluated at s = {mpmath.nstr(s, 3)} in [-1, 1].") from None
            if not mpmath.isfinite(v) or (isinstance(v, mpmath.mpc) and v.imag != 0):
                shown = mpmath.nstr(v, 5) if isinstance(v, mpmath.mpc) or not mpmath.isfinite(v) else "?"
                raise ParameterError(f"kernel {name!r} is not real and finite at s = {mpmath.nstr(s, 3)} (h = {shown}).")
    for end in (1, -1):
        v = expr.subs(_s_var(), end)
        if v.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or not v.is_finite or v.is_real is False:
            raise ParameterError(
                f"kernel {name!r} is not real and finite at s = {end} (h({end}) = {v}); h must be finite on [-1, 1]."
            )


def _parse_rational(name: str, text: str) -> sp.Rational:
    """An exact rational (decimal, scientific or ``p/q``) within the literal limits of :mod:`asymptotics.expression`."""
    try:
        return number(text, "kernel")
    except ParameterError as exc:
        raise ParameterError(f"`kernel` {name[:60]!r}: {str(exc).partition(': ')[2]}") from None


_NAMED = "a named kernel (exp, exp:c, poly:k, coef:a0,a1,..., relu_nngp, relu_ntk, nngp:ACT,L, ntk:ACT,L, nt:ACT)"


@functools.cache
def _grammar() -> Grammar:
    """What ``kernel=`` text may contain (made on first use: the variable is a SymPy symbol)."""
    return Grammar("kernel", _s_var(), KERNEL_FUNCTIONS, named=_NAMED)

"""What ``kernel=`` text may contain: see :mod:`asymptotics.expression` (a whitelist, never ``eval``)."""


@lru_cache(maxsize=128)
def _from_text(text: str) -> Kernel:
    raw = text.strip()
    key, _, arg = raw.partition(":")
    key = key.strip().lower()
    if key == "exp":
        c = _parse_rational(raw, arg) if arg else sp.Integer(1)
        if c <= 0:
            raise ParameterError(f"`kernel` {raw!r}: exp:c needs c > 0.")
        return _exp_kernel(c)
    if key == "poly":
        try:
            k = int(arg)
        except ValueError:
            k = -1
        if k < 0 or k > 50:
            raise ParameterError(f"`kernel` {raw!r}: poly:k needs an integer degree k in [0, 50].")
        return _from_expr((1 + _s_var()) ** k, f"poly:{k}")
    if key == "coef":
        if arg.count(",") > MAX_DEGREE:
            raise ParameterError(f"`kernel` coef:a0,a1,... takes at most {MAX_DEGREE + 1} coefficients (degree {MAX_DEGREE}).")
        coefs = [_parse_rational(raw, a) for a in arg.split(",") if a.strip()]
        if not coefs or any(a < 0 for a in coefs):
            raise ParameterError(f"`kernel` {raw!r}: coef:a0,a1,... needs non-negative Taylor coefficients.")
        return _from_expr(sum(a * _s_var()**k for k, a in enumerate(coefs)), f"coef:{','.join(str(a) for a in coefs)}")
    if key in ("relu_nngp", "arccos1"):
        return _from_expr(_relu_nngp(), "relu_nngp", _relu_nngp_closed, _relu_nngp_ball, _relu_ball_h(False))
    if key in ("nngp", "ntk", "nt"):  # deep NNGP/NTK and first-layer NT kernels (asymptotics.deep_kernels)
        from .deep_kernels import deep_kernel

        return deep_kernel(raw)
    if key == "relu_ntk":
        s = _s_var()
        expr = s * (sp.pi - sp.acos(s)) / (2 * sp.pi) + _relu_nngp()
        return _from_expr(expr, "relu_ntk", _relu_ntk_closed, _relu_ntk_ball, _relu_ball_h(True))
    expr = parse(raw, _grammar())  # a whitelist over Python's syntax tree: nothing is evaluated
    if not isinstance(expr, sp.Expr) or expr.free_symbols - {_s_var()}:
        raise ParameterError(
            f"`kernel` {raw!r} is neither a named kernel (exp, exp:c, poly:k, coef:a0,a1,..., relu_nngp, relu_ntk) "
            "nor a SymPy expression in s (the cosine <x,x'>/d), e.g. 'exp(s/2)'."
        )
    return _from_expr(expr, raw)


def get_kernel(spec: Any = "exp") -> Kernel:
    """A :class:`Kernel` from a name (see module docstring), a SymPy expression in ``s``, or a Kernel."""
    if isinstance(spec, Kernel):
        return spec
    if is_sympy(spec) and isinstance(spec, sp.Expr):
        check_expr(spec, _grammar())  # the text whitelist and limits, for a SymPy object from Python
        expr = spec.subs({v: _s_var() for v in spec.free_symbols if v.name == "s"})
        if expr.free_symbols - {_s_var()}:
            raise ParameterError(f"`kernel` {str(expr)[:80]!r} must be an expression in s alone.")
        return _from_expr(expr, str(spec))
    if is_sympy(spec) or not isinstance(spec, str) or not spec.strip():
        raise ParameterError(f"`kernel` must be a name (exp, poly:k, relu_ntk, ...) or an expression in s; got {spec!r}.")
    if len(spec) > MAX_TEXT:
        raise ParameterError(f"`kernel` is {len(spec)} characters long; an expression may have at most {MAX_TEXT}.")
    return _from_text(spec)


__all__ = [
    "DOMAINS",
    "HYPERCUBE",
    "SPHERE",
    "Domain",
    "NAMES",
    "Kernel",
    "gegenbauer",
    "gegenbauer_symbolic",
    "get_domain",
    "get_kernel",
    "harmonic_count",
    "check_domain",
    "kravchuk_row",
    "multiplicity",
    "QuadratureBudgetError",
    "quadrature_budget",
    "quadrature_deadline",
    "sphere_moment",
]
