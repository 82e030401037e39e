r"""Activations and their Gaussian (Hermite) coefficients.

For ``G ~ N(0, 1)`` and an activation ``σ``,

.. math::
    \mu_0 = \mathbb E\,\sigma(G),\qquad \mu_1 = \mathbb E\,G\sigma(G),\qquad
    \mu_\star^2 = \mathbb E\,\sigma(G)^2 - \mu_0^2 - \mu_1^2
               = \mathbb E\big[(\sigma(G) - \mu_0 - \mu_1 G)^2\big],

and more generally ``μ_k = E[σ(G) He_k(G)]`` (probabilists' Hermite polynomials, so
``Σ_k μ_k²/k! = E σ(G)²``).  These numbers are all the random-features and
neural-tangent formulas need from ``σ`` (Mei & Montanari, arXiv 1908.05355; Six Lectures,
arXiv 2308.13431, lecture 3).

How the coefficients are computed, at the *current* mpmath precision:

* **closed forms** for the named activations that have them: ``relu``
  (``1/√(2π)``, ``1/2``, ``1/4 − 1/(2π)``), ``abs`` (``√(2/π)``, ``0``, ``1 − 2/π``),
  ``erf`` (``0``, ``2/√(3π)``, ``(2/π) arcsin(2/3) − 4/(3π)``), ``quadratic`` = ``x²``
  (``1``, ``0``, ``2``), ``linear`` = ``x`` (``0``, ``1``, ``0``);
* **exact Gaussian moments** for any polynomial SymPy expression (``E G^{2j} = (2j−1)!!``);
* **tanh–sinh quadrature** (``mpmath.quad``, split at 0 and at the kinks of ``Abs``,
  ``Max``, ``Min``, ``Heaviside``, ``sign`` and ``Piecewise``) for ``tanh``, ``softplus``
  ``log(1 + eˣ)``, ``sigmoid`` ``1/(1 + e^{−x})``, any other SymPy expression in ``x`` and
  any Python callable.  ``μ_⋆²`` is integrated directly as ``E[(σ − μ₀ − μ₁G)²]``, so it
  carries no cancellation.  Each quadrature reports mpmath's error estimate; the
  precision ladder of :func:`asymptotics.precision.certify` then confirms the digits.

Proven enclosures (:meth:`Activation.ball_coefficients`, :meth:`Activation.ball_hermite`) use
python-flint balls: the closed forms above in ball arithmetic, exact rational moments of
polynomials, and rigorous integration (``acb.integral``, kinks detected by the integrand) plus a
proven Gaussian tail bound for the rest; a Python callable raises
:class:`~asymptotics.ball.NotProven`.  Derivations: ``docs/proofs/activations.md``.

>>> from asymptotics.activations import get_activation
>>> import mpmath
>>> with mpmath.workdps(30):
...     c = get_activation("relu").coefficients()
...     print(mpmath.nstr(c.mustar2, 20))
0.090845056908104664231
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

import mpmath
import numpy as np

from . import expression as _expression
from ._lazy import is_sympy
from ._lazy import sympy as sp
from .errors import ConvergenceError, ParameterError
from .expression import MAX_TEXT, MagnitudeError, check_expr, compile_mp, parse
from .expression import real_roots_numeric as _roots_numeric
from .precision import MPMATH_LOCK


@cache
def _x() -> Any:
    """The variable ``x`` of activation expressions (a real SymPy symbol, made on first use)."""
    return sp.Symbol("x", real=True)


def __getattr__(name: str) -> Any:  # SymPy-valued module attributes, made on first access (no SymPy at import)
    if name == "X":
        return _x()
    if name == "_GRAMMAR":
        return _grammar()
    if name in ("_ODD_FUNCTIONS", "_EVEN_FUNCTIONS"):
        return _parity_functions()[name == "_EVEN_FUNCTIONS"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


NAMES = ("relu", "abs", "tanh", "erf", "quadratic", "linear", "softplus", "sigmoid")
_ALIASES = {"absolute": "abs", "|x|": "abs", "identity": "linear", "x": "linear", "square": "quadratic", "logistic": "sigmoid"}


@dataclass(frozen=True)
class Coefficients:
    """``μ₀, μ₁, μ_⋆²`` at the current precision, with a quadrature error bound (0 if exact)."""

    mu0: Any
    mu1: Any
    mustar2: Any
    error: Any

    @property
    def mustar(self) -> Any:
        return mpmath.sqrt(self.mustar2)


@dataclass(frozen=True, eq=False)
class Activation:
    """An activation ``σ``: a name, a SymPy expression in ``x`` (if known) and evaluators.

    Build one with :func:`get_activation` (a name, a SymPy expression or string, or a
    callable).  ``mp`` evaluates at the current mpmath precision; ``np`` is a vectorized
    float64 version for simulations.  A named activation builds ``expr`` on first access and
    computes its coefficients (and those of ``σ'`` where they have closed forms) without SymPy.
    """

    name: str
    expr: sp.Expr | None = field(repr=False)  # see _ExprField: a named activation builds it on first access
    mp: Callable[[Any], Any]
    np: Callable[[np.ndarray], np.ndarray]
    closed: Callable[[], tuple[Any, Any, Any]] | None = None
    kinks: tuple[float, ...] = (0.0,)
    derivative_fn: Callable[[Any], Any] | None = None
    """``σ'`` for a callable activation (an expression is differentiated by SymPy)."""
    derivative_closed: Callable[[], tuple[Any, Any, Any]] | None = None
    """Closed-form ``(μ₀, μ₁, μ_⋆²)`` of ``σ'`` (named activations that have them)."""
    derivative_named: Callable[[], Activation] | None = None
    """Builds ``σ'`` without SymPy (named activations whose ``σ'`` has closed-form coefficients)."""
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        return self.name

    # ------------------------------------------------------------------ derivative
    def derivative(self) -> Activation:
        """``σ'`` as an :class:`Activation` (its coefficients give the neural-tangent kernel).

        By Stein's lemma ``E σ'(G) = μ₁``, and ``E σ'(G)² = μ₀(σ')² + μ₁(σ')² + μ_⋆(σ')²``.
        Named activations carry closed forms where they exist; a SymPy expression is
        differentiated exactly; a callable needs ``derivative=`` (:func:`from_callable`).
        A jump of ``σ`` (a Dirac mass in ``σ'``) makes ``E σ'(G)²`` infinite: rejected.
        """
        if "derivative" in self._cache:
            return self._cache["derivative"]
        if self.derivative_named is not None:
            out = self.derivative_named()
        elif self.expr is not None:
            d = sp.diff(self.expr, _x())
            if d.has(sp.DiracDelta) or _has_jump(self.expr):
                raise ParameterError(
                    f"`activation` {self.name!r} has a jump, so σ' contains a Dirac mass and E σ'(G)² (the neural-tangent "
                    "kernel's diagonal) is infinite; use a continuous activation."
                )
            out = from_expression(d, name=f"d/dx {self.name}")
            if self.derivative_closed is not None:
                out = Activation(out.name, out.expr, out.mp, out.np, self.derivative_closed, out.kinks)
        elif self.derivative_fn is not None:
            out = from_callable(self.derivative_fn, name=f"d/dx {self.name}", kinks=self.kinks)
        else:
            raise ParameterError(
                f"`activation` {self.name!r} is a Python callable without a derivative: the neural-tangent model needs σ'. "
                "Pass `from_callable(fn, derivative=dfn)` or give σ as a SymPy expression in x."
            )
        self._cache["derivative"] = out
        return out

    # ------------------------------------------------------------------ coefficients
    def coefficients(self) -> Coefficients:
        """``μ₀, μ₁, μ_⋆²`` at the current mpmath precision (cached per precision)."""
        with MPMATH_LOCK:  # the cache key is the precision: no other call may change it meanwhile
            key = ("coef", mpmath.mp.prec)
            if key not in self._cache:
                self._cache[key] = self._coefficients()
            return self._cache[key]

    def _coefficients(self) -> Coefficients:
        if self.closed is not None:
            mu0, mu1, ms2 = self.closed()
            return Coefficients(mu0, mu1, ms2, mpmath.mpf(0))
        if self.expr is not None and self.expr.is_polynomial(_x()):
            mu0, mu1, ms2 = (_poly_gauss(e) for e in _poly_parts(self.expr))
            return Coefficients(mu0, mu1, ms2, mpmath.mpf(0))
        self._check_square_integrable()
        mu0, mu1, ms2, err = self._quad_coefficients()
        # the same moments with 10 more digits must agree: a divergent E σ(G)² (a non-integrable
        # singularity, too fast growth) gives values that move with the quadrature's resolution
        with mpmath.workdps(mpmath.mp.dps + 10):
            hi = self._quad_coefficients()
        gap = max(abs(a - b) for a, b in zip((mu0, mu1, ms2), hi[:3], strict=True))
        scale = 1 + abs(mu0) + abs(mu1) + ms2
        tol = mpmath.mpf(10) ** (-(mpmath.mp.dps // 2))
        if err > tol * scale or gap > mpmath.mpf(10) ** (-(mpmath.mp.dps - 5)) * scale or scale > mpmath.mpf(10) ** 30:
            raise ConvergenceError(
                f"`activation` {self.name!r}: its Gaussian moments do not converge (quadrature error {mpmath.nstr(err, 3)}, "
                f"change with precision {mpmath.nstr(gap, 3)}). E σ(G)² must be finite; a discontinuity away from 0 "
                "should be passed as a SymPy expression (kinks of Abs/Max/Piecewise are located) or as a polynomial."
            )
        return Coefficients(mu0, mu1, ms2, max(err, gap))

    def _check_square_integrable(self) -> None:
        """Growth check: the log of the integrand ``σ(x)²φ(x)`` must decrease from ``|x| = 40`` to ``|x| = 80``.

        ``E σ(G)² < ∞`` needs ``2 log|σ(x)| − x²/2 → −∞``: ``e^{x²/5}`` passes (``E σ² = √5``), ``e^{x²/4}``
        and faster growth fail.  Slow decay that the quadrature cannot resolve is caught afterwards
        by the convergence check of the moments.
        """
        for sign in (1, -1):
            logs = []
            for x in (mpmath.mpf(40) * sign, mpmath.mpf(80) * sign):
                try:
                    v = self.mp(x)
                except MagnitudeError:
                    raise ParameterError(
                        f"`activation` {self.name!r} grows too fast (σ(x) at x = {x} is beyond the evaluable range, "
                        "about exp(1e4932)): E σ(G)² must be finite for a standard Gaussian G."
                    ) from None
                except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
                    raise ParameterError(f"`activation` {self.name!r} could not be evaluated at x = {x}: {exc}") from None
                if isinstance(v, mpmath.mpc) and v.imag != 0:
                    raise ParameterError(f"`activation` {self.name!r} is not real-valued (σ({x}) = {mpmath.nstr(v, 5)}).")
                if not mpmath.isfinite(v):
                    raise ParameterError(f"`activation` {self.name!r} is not finite at x = {x}: E σ(G)² must be finite.")
                logs.append(2 * mpmath.log(abs(v)) - x * x / 2 if v != 0 else -mpmath.inf)
            if logs[1] >= logs[0] and logs[1] > -mpmath.inf:
                raise ParameterError(
                    f"`activation` {self.name!r} grows too fast (σ(x)²φ(x) does not decay between |x| = 40 and 80): "
                    "E σ(G)² must be finite for a standard Gaussian G."
                )

    def _quad_coefficients(self) -> tuple[Any, Any, Any, Any]:
        # μ₀, μ₁ through hermite(): exact zeros by parity, exact polynomial parts, zeros decided at two precisions
        mu0, e0 = self.hermite(0)
        mu1, e1 = self.hermite(1)
        ms2, e2 = self._gauss(lambda x: (self.mp(x) - mu0 - mu1 * x) ** 2)
        for name, v in (("mu0", mu0), ("mu1", mu1), ("mustar2", ms2)):
            if not mpmath.isfinite(v):
                raise ParameterError(
                    f"`activation` {self.name!r}: E σ(G)² is not finite ({name} = {v}); the activation must be "
                    "square-integrable under the standard Gaussian."
                )
        return mu0, mu1, ms2, max(e0, e1, e2)

    # ------------------------------------------------------------------ proven coefficients (balls)
    def ball_coefficients(self) -> tuple[Any, Any, Any]:
        """``(μ₀, μ₁, μ_⋆²)`` as proven enclosures (:class:`~asymptotics.ball.Ball`) at python-flint's precision.

        The balls contain the exact Gaussian moments; their width follows ``flint.ctx.prec``
        (set by the caller, e.g. :func:`asymptotics.ball.prove`).  Routes, in order: closed
        forms of the named activations (and of their derivatives), exact rational Gaussian
        moments of polynomials, and rigorous integration (``acb.integral``, split at the kinks,
        with a proven Gaussian tail bound) for the other named activations and SymPy
        expressions (see :mod:`docs/proofs/activations.md`).  Cached per precision.

        Returns
        -------
        tuple of Ball
            ``(μ₀, μ₁, μ_⋆²)``; exact zeros (parity, polynomials) are exact balls.

        Raises
        ------
        asymptotics.ball.NotProven
            No rigorous route: a Python callable, or an expression whose growth or
            analyticity cannot be bounded (the precision ladder's estimate stays).
        """
        from flint import ctx

        return self._ball_cached(("ball_coef", ctx.prec), lambda: _ball_coefficients(self))

    def ball_hermite(self, k: int) -> Any:
        """``μ_k = E[σ(G) He_k(G)]`` as a proven :class:`~asymptotics.ball.Ball` (see :meth:`ball_coefficients`).

        Raises
        ------
        asymptotics.ball.NotProven
            No rigorous route (see :meth:`ball_coefficients`).
        """
        from flint import ctx

        k = int(k)
        if k < 0:
            raise ValueError("the Hermite index k must be >= 0")
        return self._ball_cached(("ball_he", k, ctx.prec), lambda: _ball_hermite(self, k))

    def _ball_cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` cached under ``key`` (a failure to prove is cached too, and raised again)."""
        from .ball import NotProven

        with MPMATH_LOCK:  # the key holds flint's precision: no other call may change it meanwhile
            if key not in self._cache:
                try:
                    self._cache[key] = make()
                except NotProven as exc:
                    self._cache[key] = exc
            out = self._cache[key]
        if isinstance(out, NotProven):
            raise NotProven(str(out))
        return out

    def hermite(self, k: int) -> tuple[Any, Any]:
        """``(μ_k, error)`` with ``μ_k = E[σ(G) He_k(G)]`` at the current precision.

        ``error`` is an absolute bound: 0 when the value is exact.  Exact zeros come from
        parity: the terms of a SymPy ``σ`` whose parity is proven (:func:`_parity`) and
        opposite to ``k``'s contribute exactly 0, polynomial terms are integrated exactly,
        and only the other terms go to quadrature (none left: the value is exact, e.g.
        ``μ₀ = 0`` for ``tanh(x) + sin(x) + x**2 - 1``, ``μ₁ = 0`` for ``Abs(x) + cos(x)``).
        A quadrature value that is within its error bound of 0 here *and* with 10 more
        digits is returned as exactly 0 with that bound as its error (a relative test
        cannot certify a zero); a coefficient that is merely tiny (``1e-20``) is larger
        than its bound and stays as it is.
        """
        with MPMATH_LOCK:  # see coefficients()
            key = ("he", k, mpmath.mp.prec)
            if key not in self._cache:
                value, err, bound = self._hermite_parts(k)
                if bound is not None and abs(value) <= err + bound:
                    with mpmath.workdps(mpmath.mp.dps + 10):
                        v2, e2, b2 = self._hermite_parts(k)
                    if abs(v2) <= e2 + (b2 or 0):
                        value, err = mpmath.mpf(0), 2 * (err + bound)  # |μ_k| ≤ |value| + err + rounding
                self._cache[key] = (value, err)
            return self._cache[key]

    def _hermite_parts(self, k: int) -> tuple[Any, Any, Any]:
        """``(value, quadrature error, rounding bound)`` of ``μ_k``; the bound is ``None`` when the value is exact."""
        key = ("he_raw", k, mpmath.mp.prec)
        if key in self._cache:
            return self._cache[key]
        if self.expr is not None and self.expr.is_polynomial(_x()):
            out = (_poly_gauss(sp.expand(self.expr * sp.hermite_prob(k, _x()))), mpmath.mpf(0), None)
        else:
            if self.expr is None:
                exact, rest = mpmath.mpf(0), self.mp
            else:
                if ("split", k % 2) not in self._cache:
                    self._cache[("split", k % 2)] = _parity_split(self.expr, k % 2)
                poly, rest_expr = self._cache[("split", k % 2)]
                exact = _poly_gauss(sp.expand(poly * sp.hermite_prob(k, _x()))) if poly != 0 else mpmath.mpf(0)
                if rest_expr == 0:
                    self._cache[key] = (exact, mpmath.mpf(0), None)
                    return self._cache[key]
                rest = self.mp if rest_expr == self.expr else compile_mp(rest_expr, _x())  # same guarded evaluator
            v, e = self._gauss(lambda x: rest(x) * _he(k, x))
            # rounding of the quadrature sum and of exact + v: a few ulps of E|rest·He_k| ≤ (E rest² · k!)^{1/2}
            with mpmath.workdps(15):
                second, _ = self._gauss(lambda x: rest(x) ** 2)
                size = mpmath.sqrt(abs(second) * mpmath.factorial(k)) + abs(exact)
            bound = mpmath.mpf(10) ** (3 - mpmath.mp.dps) * size if mpmath.isfinite(size) else None  # no zero verdict
            out = (exact + v, e, bound)
        self._cache[key] = out
        return out

    def _gauss(self, f: Callable[[Any], Any]) -> tuple[Any, Any]:
        """``E f(G)`` by tanh–sinh quadrature split at the kinks; ``(value, error)``."""
        pts = [-mpmath.inf, *[mpmath.mpf(k) for k in sorted(set(self.kinks))], mpmath.inf]
        try:
            v, e = mpmath.quad(lambda x: f(x) * mpmath.exp(-x * x / 2), pts, error=True)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ParameterError(f"`activation` {self.name!r} could not be evaluated: {exc}") from None
        c = 1 / mpmath.sqrt(2 * mpmath.pi)
        if isinstance(v, mpmath.mpc):
            if abs(v.imag) > 10 * abs(e) + mpmath.eps:
                raise ParameterError(f"`activation` {self.name!r} is not real-valued on the real line.")
            v = v.real
        return v * c, e * c


class _Deferred:
    """An :attr:`Activation.expr` that is built on first access (named activations: no SymPy until asked)."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], Any]) -> None:
        self.build = build


class _ExprField:
    """The descriptor behind :attr:`Activation.expr`: stores the value; a :class:`_Deferred` is built on first access."""

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__["_expr"]
        if isinstance(value, _Deferred):
            with MPMATH_LOCK:
                value = obj.__dict__["_expr"]
                if isinstance(value, _Deferred):
                    value = value.build()
                    obj.__dict__["_expr"] = value
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__["_expr"] = value


Activation.expr = _ExprField()  # type: ignore[assignment,method-assign]


def _he(k: int, x: Any) -> Any:
    """Probabilists' Hermite polynomial ``He_k(x)`` by its three-term recurrence."""
    a, b = mpmath.mpf(1), x
    if k == 0:
        return a
    for j in range(1, k):
        a, b = b, x * b - j * a
    return b


def _poly_parts(p: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Polynomials whose Gaussian means are ``μ₀``, ``μ₁``, ``μ_⋆²`` (exact)."""
    mu0 = _gauss_exact(p)
    mu1 = _gauss_exact(sp.expand(_x() * p))
    resid = sp.expand((p - mu0 - mu1 * _x()) ** 2)
    return sp.expand(p), sp.expand(_x() * p), resid


def _gauss_exact(p: sp.Expr) -> sp.Expr:
    poly = sp.Poly(sp.expand(p), _x())
    total = sp.Integer(0)
    for (k,), c in poly.terms():
        if k % 2 == 0:
            total += c * sp.factorial2(k - 1)
    return sp.nsimplify(total) if total.has(sp.Float) else total


def _poly_gauss(p: sp.Expr) -> Any:
    """``E p(G)`` for a polynomial ``p``: exact, then evaluated at the current precision."""
    value = _gauss_exact(p)
    return mpmath.mpf(sp.N(value, mpmath.mp.dps + 5)) if not value.is_Rational else mpmath.mpf(value.p) / value.q


# odd and even functions of one real argument: f(−u) = −f(u), f(−u) = f(u)
@cache
def _parity_functions() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``(odd, even)`` SymPy functions of one argument (made on first use)."""
    return (
        (sp.sin, sp.tan, sp.sinh, sp.tanh, sp.erf, sp.atan, sp.asin, sp.asinh, sp.atanh, sp.sign),
        (sp.cos, sp.cosh, sp.sech, sp.Abs),
    )


def _parity(e: sp.Expr) -> int:
    """``1`` if ``e(−x) = e(x)`` is proven, ``−1`` if ``e(−x) = −e(x)`` is, ``0`` otherwise.

    A sound structural rule, linear in the size of the tree (no simplification, so it always
    ends quickly): constants are even and ``x`` odd; sums of terms of one parity keep it;
    products multiply parities; ``b**n`` is even for an even ``b`` and ``(−1)^n`` for an odd
    ``b`` and integer ``n``; any function of even arguments is even; an odd function of an
    odd argument is odd, an even one even.  Anything else (``exp(x)``, ``Max(x, 0)``,
    ``Piecewise``) is "unknown", never guessed.
    """
    if not e.has(_x()):
        return 1
    if e == _x():
        return -1
    if isinstance(e, sp.Add | sp.Mul):
        parts = [_parity(a) for a in e.args]
        if 0 in parts:
            return 0
        if isinstance(e, sp.Mul):
            return int(np.prod(parts))
        return parts[0] if all(p == parts[0] for p in parts) else 0
    if isinstance(e, sp.Pow):
        base, n = e.args
        pb = _parity(base)
        if n.has(_x()):
            return 1 if pb == 1 and _parity(n) == 1 else 0
        if pb == 1:
            return 1
        if pb == -1 and n.is_integer:
            return -1 if n.is_odd else 1
        return 0
    if isinstance(e, sp.Function | sp.Max | sp.Min):
        parts = [_parity(a) for a in e.args]
        if all(p == 1 for p in parts):
            return 1
        if len(parts) == 1 and parts[0] == -1:
            odd, even = _parity_functions()
            if isinstance(e, odd):
                return -1
            if isinstance(e, even):
                return 1
    return 0


def _parity_split(expr: sp.Expr, odd: int) -> tuple[sp.Expr, sp.Expr]:
    """The terms of ``expr`` that can contribute to ``μ_k`` for ``k ≡ odd (mod 2)``: ``(polynomial part, rest)``.

    ``expr`` is split at its top-level sum (products distributed over sums, nothing else
    expanded); a term of proven parity opposite to ``k``'s has ``E[term·He_k(G)] = 0`` exactly
    and is dropped.
    """
    opposite = 1 if odd else -1
    expanded = expr.expand(deep=False, mul=True, multinomial=False, power_exp=False, power_base=False, log=False)
    poly, rest = [], []
    for term in sp.Add.make_args(expanded):
        if _parity(term) == opposite:
            continue
        (poly if term.is_polynomial(_x()) else rest).append(term)
    rest_expr = sp.Add(*rest)
    # one term (or no change at all): keep the activation's own evaluator
    return sp.Add(*poly), (expr if not poly and len(rest) == len(sp.Add.make_args(expanded)) else rest_expr)


# ----------------------------------------------------------------------------- named
def _relu() -> tuple[Any, Any, Any]:
    pi = mpmath.pi
    return 1 / mpmath.sqrt(2 * pi), mpmath.mpf(1) / 2, mpmath.mpf(1) / 4 - 1 / (2 * pi)


def _abs() -> tuple[Any, Any, Any]:
    pi = mpmath.pi
    return mpmath.sqrt(2 / pi), mpmath.mpf(0), 1 - 2 / pi


def _erf() -> tuple[Any, Any, Any]:
    # E erf(aG)erf(bG) = (2/π) arcsin(2ab/√((1+2a²)(1+2b²))); E G erf(G) = E erf'(G) = 2/√(3π)
    pi = mpmath.pi
    return mpmath.mpf(0), 2 / mpmath.sqrt(3 * pi), 2 / pi * mpmath.asin(mpmath.mpf(2) / 3) - 4 / (3 * pi)


def _d_relu() -> tuple[Any, Any, Any]:
    # σ' = 1{x > 0}: E = 1/2, E G 1{G > 0} = 1/√(2π), variance 1/4 minus μ₁²
    pi = mpmath.pi
    return mpmath.mpf(1) / 2, 1 / mpmath.sqrt(2 * pi), mpmath.mpf(1) / 4 - 1 / (2 * pi)


def _d_abs() -> tuple[Any, Any, Any]:
    # σ' = sign(x): mean 0, E|G| = √(2/π), E sign² = 1
    pi = mpmath.pi
    return mpmath.mpf(0), mpmath.sqrt(2 / pi), 1 - 2 / pi


def _d_erf() -> tuple[Any, Any, Any]:
    # σ' = (2/√π)e^{−x²}: E e^{−G²} = 1/√3, E e^{−2G²} = 1/√5, odd moments 0
    pi = mpmath.pi
    return 2 / mpmath.sqrt(3 * pi), mpmath.mpf(0), 4 / (pi * mpmath.sqrt(5)) - 4 / (3 * pi)


def _has_jump(expr: sp.Expr) -> bool:
    """Whether ``expr`` jumps at one of its kinks (one-sided limits differ by more than 1e-8 of its size)."""
    f = compile_mp(expr, _x())  # guarded: cannot build astronomically large numbers
    with mpmath.workdps(30):
        for k in _kinks(expr):
            h = mpmath.mpf(10) ** -20
            try:
                lo, hi = f(mpmath.mpf(k) - h), f(mpmath.mpf(k) + h)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return False  # not evaluable here: the quadrature reports it
            if abs(hi - lo) > mpmath.mpf(10) ** -8 * (1 + abs(hi) + abs(lo)):
                return True
    return False


def _sigmoid_mp(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


def _softplus_mp(x: Any) -> Any:
    return mpmath.log1p(mpmath.exp(x)) if x < 0 else x + mpmath.log1p(mpmath.exp(-x))


def _special() -> Any:
    """``scipy.special`` (imported on first use: about 0.3 s)."""
    from scipy import special

    return special


def _np_erf(x: Any) -> Any:
    return _special().erf(x)


def _np_expit(x: Any) -> Any:
    return _special().expit(x)


def _linear_closed() -> tuple[Any, Any, Any]:
    return mpmath.mpf(0), mpmath.mpf(1), mpmath.mpf(0)


def _quadratic_closed() -> tuple[Any, Any, Any]:
    # x² = He₂ + 1: μ₀ = 1, μ₁ = 0, μ_⋆² = E G⁴ − 1 = 2
    return mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(2)


def _d_linear() -> tuple[Any, Any, Any]:  # σ' = 1
    return mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(0)


def _d_quadratic() -> tuple[Any, Any, Any]:  # σ' = 2x
    return mpmath.mpf(0), mpmath.mpf(2), mpmath.mpf(0)


_NAMED_EXPR: dict[str, Callable[[], Any]] = {
    "relu": lambda: sp.Max(_x(), 0),
    "abs": lambda: sp.Abs(_x()),
    "tanh": lambda: sp.tanh(_x()),
    "erf": lambda: sp.erf(_x()),
    "quadratic": lambda: _x() ** 2,
    "linear": lambda: _x(),
    "softplus": lambda: sp.log(1 + sp.exp(_x())),
    "sigmoid": lambda: 1 / (1 + sp.exp(-_x())),
}
"""The SymPy expression of each named activation (built on first access of :attr:`Activation.expr`)."""


def _named_derivative(parent: Activation, closed: Callable[[], tuple[Any, Any, Any]]) -> Callable[[], Activation]:
    """``σ'`` of a named activation whose ``σ'`` has closed-form coefficients, without SymPy.

    The coefficients are ``closed``; the expression (``d/dx`` of the parent's) and the evaluators
    (those :func:`from_expression` makes from it, the same as before) are built on first use, so the
    certified models never import SymPy for it.  These ``σ'`` are continuous or have one kink at 0
    (no jump of ``σ``: ``relu``, ``abs``, ``erf``, ``linear``, ``quadratic``).
    """

    def build() -> Activation:
        full: list[Activation] = []

        def expr() -> Any:
            return sp.diff(parent.expr, _x())

        def made() -> Activation:
            if not full:
                full.append(from_expression(expr(), name=f"d/dx {parent.name}"))
            return full[0]

        return Activation(
            f"d/dx {parent.name}", _Deferred(expr), lambda x: made().mp(x), lambda x: made().np(x), closed, (0.0,)
        )

    return build


def _named(name: str) -> Activation:
    """A named activation: closed-form coefficients where known; SymPy only when its expression is asked for."""
    expr = _Deferred(_NAMED_EXPR[name])
    if name == "relu":
        act = Activation("relu", expr, lambda x: x if x > 0 else mpmath.mpf(0), lambda x: np.maximum(x, 0.0), _relu)
        d_closed: Callable[[], tuple[Any, Any, Any]] | None = _d_relu
    elif name == "abs":
        act, d_closed = Activation("abs", expr, abs, np.abs, _abs), _d_abs
    elif name == "tanh":
        act, d_closed = Activation("tanh", expr, mpmath.tanh, np.tanh), None
    elif name == "erf":
        act, d_closed = Activation("erf", expr, mpmath.erf, _np_erf, _erf), _d_erf
    elif name == "quadratic":
        act, d_closed = Activation("quadratic", expr, lambda x: x * x, np.square, _quadratic_closed), _d_quadratic
    elif name == "linear":
        act = Activation("linear", expr, lambda x: x, lambda x: np.asarray(x, dtype=float), _linear_closed)
        d_closed = _d_linear
    elif name == "softplus":
        act, d_closed = Activation("softplus", expr, _softplus_mp, lambda x: np.logaddexp(0.0, x)), None
    else:
        assert name == "sigmoid"
        act, d_closed = Activation("sigmoid", expr, _sigmoid_mp, _np_expit), None
    if d_closed is not None:
        object.__setattr__(act, "derivative_closed", d_closed)
        object.__setattr__(act, "derivative_named", _named_derivative(act, d_closed))
    return act


# ----------------------------------------------------------------------------- parsing
@cache
def _grammar() -> Any:
    """What ``activation=`` text may contain: see :mod:`asymptotics.expression` (a whitelist, never ``eval``)."""
    return _expression.Grammar(
        "activation", _x(), _expression.ACTIVATION_FUNCTIONS, named=f"a named activation ({', '.join(NAMES)})"
    )


def _kinks(expr: sp.Expr) -> tuple[float, ...]:
    """Real points where ``expr`` may fail to be smooth (Abs/Max/Min/Heaviside/sign/Piecewise)."""
    cands: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Abs | sp.sign | sp.Heaviside):
            cands.append(node.args[0])
        elif isinstance(node, sp.Max | sp.Min):
            args = node.args
            cands.extend(a - b for i, a in enumerate(args) for b in args[i + 1 :])
        elif isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                cands.extend(r.lhs - r.rhs for r in cond.atoms(sp.core.relational.Relational))
    pts = {0.0}
    numeric: list[sp.Expr] = []
    for c in cands:
        if not c.has(_x()):
            continue
        # SymPy solves only what has closed-form roots (polynomials up to degree 4); anything else
        # (transcendental, high degree) could make sp.solve run for ever: its sign changes are found
        # numerically on [-40, 40] (beyond, the Gaussian weight is below 1e-347)
        if c.is_polynomial(_x()) and sp.degree(c, _x()) <= 4:
            try:
                for r in sp.solve(sp.Eq(c, 0), _x()):
                    if r.is_real:
                        pts.add(float(r))
                continue
            except (NotImplementedError, TypeError, ValueError):
                pass
        numeric.append(c)
    for c in numeric[:_MAX_NUMERIC_KINKS]:  # kink not located: the quadrature reports a larger error
        pts.update(_roots_numeric(compile_mp(c, _x()), -40, 40, 320))
    return tuple(sorted(pts))


_MAX_NUMERIC_KINKS = 32
"""Kink candidates located numerically (each costs a few hundred evaluations)."""


def from_expression(expr: sp.Expr | str, name: str | None = None) -> Activation:
    """An activation from a SymPy expression (or its text) in the variable ``x``.

    Text is parsed by :func:`asymptotics.expression.parse` (a whitelist of numbers, ``x``,
    ``pi``, ``E``, arithmetic and the functions of
    :data:`~asymptotics.expression.ACTIVATION_FUNCTIONS`; never ``eval``); decimal numbers are
    read exactly (``0.1`` is ``1/10``).  A SymPy object is checked against the same whitelist
    and limits.  Raises :class:`ParameterError` for anything else, other free symbols, or an
    expression beyond the limits of :mod:`asymptotics.expression`.
    """
    text = expr if isinstance(expr, str) else None
    if isinstance(expr, str):
        expr = parse(expr, _grammar())  # a whitelist over Python's syntax tree: nothing is evaluated
    elif isinstance(expr, sp.Basic):
        expr = check_expr(expr, _grammar())  # the same classes and limits for a SymPy object from Python
    if not isinstance(expr, sp.Expr):
        raise ParameterError(
            f"`activation` {text or expr!r} must be a named activation ({', '.join(NAMES)}) or an expression in x, "
            "e.g. 'x + 0.1*(x**2 - 1)'."
        )
    free = {s.name for s in expr.free_symbols}
    if "x" in free:  # a user's plain Symbol('x') → our real x
        expr = expr.subs({s: _x() for s in expr.free_symbols if s.name == "x"})
        free -= {"x"}
    if free:
        raise ParameterError(
            f"`activation` {text or str(expr)!r} is neither a named activation ({', '.join(NAMES)}) nor an expression "
            f"in x alone (it contains {', '.join(sorted(free))})."
        )
    if expr.has(sp.I) or expr.has(sp.zoo, sp.nan, sp.oo):
        raise ParameterError(f"`activation` {text or str(expr)!r} must be a real function of x.")
    f_mp = compile_mp(expr, _x())  # guarded mpmath evaluator (see asymptotics.expression)
    try:
        f_np = sp.lambdify(_x(), expr, ["scipy", "numpy"])
    except (ImportError, TypeError):  # pragma: no cover - numpy printer covers every function we accept
        f_np = np.vectorize(lambda v: float(f_mp(v)))
    return Activation(name or (text.strip() if text else str(expr)), expr, f_mp, f_np, None, _kinks(expr))


def from_callable(
    fn: Callable[[Any], Any],
    name: str | None = None,
    kinks: tuple[float, ...] = (0.0,),
    derivative: Callable[[Any], Any] | None = None,
) -> Activation:
    """An activation from a Python callable.

    ``fn`` must accept mpmath numbers (for the coefficients) and preferably numpy arrays
    (for simulations; otherwise it is vectorized elementwise).  ``kinks`` lists points
    where ``fn`` is not smooth, so the quadrature splits there.  ``derivative`` (``σ'``,
    same calling rules) is needed by the neural-tangent model only.
    """

    def f_np(x: np.ndarray) -> np.ndarray:
        try:
            out = np.asarray(fn(x), dtype=float)
            if out.shape == np.shape(x):
                return out
        except (TypeError, ValueError):
            pass
        return np.vectorize(lambda v: float(fn(v)), otypes=[float])(x)

    label = name or getattr(fn, "__name__", "callable")
    return Activation(label, None, fn, f_np, None, tuple(float(k) for k in kinks), derivative)


@lru_cache(maxsize=256)
def _from_text(text: str) -> Activation:
    key = text.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key in NAMES:
        return _named(key)
    return from_expression(text)


def get_activation(spec: Any = "relu") -> Activation:
    """An :class:`Activation` from a name, a SymPy expression/string in ``x``, or a callable.

    Named: ``relu``, ``abs``, ``tanh``, ``erf``, ``quadratic`` (``x²``), ``linear`` (``x``),
    ``softplus``, ``sigmoid``.  Anything else that is a string is parsed as a SymPy
    expression in ``x`` (e.g. ``"x + 0.1*(x**2 - 1)/sqrt(2)"``).
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        if not spec.strip():
            raise ParameterError(f"`activation` must be a name ({', '.join(NAMES)}) or an expression in x; got ''.")
        if len(spec) > MAX_TEXT:
            raise ParameterError(f"`activation` is {len(spec)} characters long; an expression may have at most {MAX_TEXT}.")
        return _from_text(spec)
    if is_sympy(spec):
        return from_expression(spec)  # type: ignore[arg-type]
    if callable(spec):
        return from_callable(spec)
    raise ParameterError(
        f"`activation` must be a name ({', '.join(NAMES)}), a SymPy expression in x, or a callable; got {spec!r}."
    )


# ----------------------------------------------------------------------------- proven coefficients (balls)
def _arb() -> Any:
    from flint import arb

    return arb


def _he_coeffs(k: int) -> list[int]:
    """Coefficients (constant term first) of the probabilists' Hermite polynomial ``He_k``."""
    a, b = [1], [0, 1]
    if k == 0:
        return a
    for j in range(1, k):
        nxt = [0, *b]
        for i, c in enumerate(a):
            nxt[i] -= j * c
        a, b = b, nxt
    return b


def _h_coeffs(k: int) -> list[int]:
    """Coefficients of the physicists' Hermite polynomial ``H_k`` (``H_{n+1} = 2x H_n − 2n H_{n−1}``)."""
    a, b = [1], [0, 2]
    if k == 0:
        return a
    for j in range(1, k):
        nxt = [0, *(2 * c for c in b)]
        for i, c in enumerate(a):
            nxt[i] -= 2 * j * c
        a, b = b, nxt
    return b


def _dfact(n: int) -> int:
    """``n!!`` with ``(−1)!! = 1``."""
    out = 1
    while n > 1:
        out *= n
        n -= 2
    return out


def _he_at_zero(m: int) -> int:
    """``He_m(0)``: 0 for odd ``m``, ``(−1)^{m/2} (m−1)!!`` for even ``m``."""
    return 0 if m % 2 else (-1) ** (m // 2) * _dfact(m - 1)


def _poly_mul(p: list[Any], q: list[Any]) -> list[Any]:
    out: list[Any] = [0] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] = out[i + j] + a * b
    return out


def _poly_mean(p: list[Any]) -> Any:
    """``E p(G)`` for coefficients ``p`` (constant first): ``Σ_j p_{2j} (2j−1)!!`` (exact for exact coefficients)."""
    total: Any = 0
    for j in range(0, len(p), 2):
        total = total + p[j] * _dfact(j - 1)
    return total


def _poly_ball(coeffs: list[Any], k: int | None) -> Any:
    """``μ_k`` (``k`` given) or ``(μ₀, μ₁, μ_⋆²)`` (``k=None``) of a polynomial, exactly, as balls."""
    from .ball import Ball

    if k is not None:
        return Ball(_poly_mean(_poly_mul(coeffs, _he_coeffs(k))))
    mu0 = _poly_mean(coeffs)
    mu1 = _poly_mean(_poly_mul(coeffs, [0, 1]))
    resid = list(coeffs) + [0, 0]
    resid[0] = resid[0] - mu0
    resid[1] = resid[1] - mu1
    return Ball(mu0), Ball(mu1), Ball(_poly_mean(_poly_mul(resid, resid)))


def _phi0() -> Any:
    """``φ(0) = 1/√(2π)`` as a ball."""
    from .ball import Ball

    arb = _arb()
    return Ball((1 / (2 * arb.pi())).sqrt())


def _inv_pi() -> Any:
    from .ball import Ball

    return Ball(1 / _arb().pi())


def _erf_scale() -> Any:
    """``2/√(3π)``."""
    from .ball import Ball

    arb = _arb()
    return Ball(2 / (3 * arb.pi()).sqrt())


def _gauss_e2(p: list[int]) -> Fraction:
    """``√3 · E[p(G) e^{−G²}]`` for an integer polynomial ``p``: ``Σ_{j even} p_j (j−1)!! / 3^{j/2}`` (exact)."""
    return sum((Fraction(p[j] * _dfact(j - 1), 3 ** (j // 2)) for j in range(0, len(p), 2)), Fraction(0))


# each named closed form: (μ₀, μ₁, μ_⋆²) and μ_k, both in balls (derivations in docs/proofs/activations.md)
def _relu_ball_he(k: int) -> Any:
    # ∫_0^∞ He_n φ = He_{n−1}(0) φ(0) (n ≥ 1) and x He_k = He_{k+1} + k He_{k−1}
    from .ball import Ball

    if k == 0:
        return _phi0()
    if k == 1:
        return Ball(Fraction(1, 2))
    return _phi0() * (_he_at_zero(k) + k * _he_at_zero(k - 2))


def _relu_ball() -> tuple[Any, Any, Any]:
    return _relu_ball_he(0), _relu_ball_he(1), Fraction(1, 4) - _inv_pi() / 2


def _abs_ball_he(k: int) -> Any:
    # |x| = 2 relu(x) − x
    from .ball import Ball

    if k == 1:
        return Ball(0)
    return _relu_ball_he(k) * 2


def _abs_ball() -> tuple[Any, Any, Any]:
    from .ball import Ball

    return _abs_ball_he(0), Ball(0), 1 - _inv_pi() * 2


def _erf_ball_he(k: int) -> Any:
    # μ_k = E erf^{(k)}(G), erf^{(k)}(x) = (2/√π)(−1)^{k−1} H_{k−1}(x) e^{−x²}, E[G^j e^{−G²}] = (j−1)!! 3^{−(j+1)/2}
    from .ball import Ball

    if k == 0:
        return Ball(0)
    return _erf_scale() * ((-1) ** (k - 1) * _gauss_e2(_h_coeffs(k - 1)))


def _erf_ball() -> tuple[Any, Any, Any]:
    from .ball import Ball

    arb = _arb()
    ms2 = 2 / arb.pi() * (arb(2) / 3).asin() - 4 / (3 * arb.pi())
    return Ball(0), _erf_ball_he(1), Ball(ms2)


def _d_relu_ball_he(k: int) -> Any:  # 1{x > 0}
    from .ball import Ball

    if k == 0:
        return Ball(Fraction(1, 2))
    return _phi0() * _he_at_zero(k - 1)


def _d_relu_ball() -> tuple[Any, Any, Any]:
    return _d_relu_ball_he(0), _d_relu_ball_he(1), Fraction(1, 4) - _inv_pi() / 2


def _d_abs_ball_he(k: int) -> Any:  # sign(x)
    from .ball import Ball

    if k % 2 == 0:
        return Ball(0)
    return _phi0() * (2 * _he_at_zero(k - 1))


def _d_abs_ball() -> tuple[Any, Any, Any]:
    from .ball import Ball

    return Ball(0), _d_abs_ball_he(1), 1 - _inv_pi() * 2


def _d_erf_ball_he(k: int) -> Any:  # (2/√π) e^{−x²}
    return _erf_scale() * _gauss_e2(_he_coeffs(k))


def _d_erf_ball() -> tuple[Any, Any, Any]:
    from .ball import Ball

    arb = _arb()
    ms2 = 4 / (arb.pi() * arb(5).sqrt()) - 4 / (3 * arb.pi())
    return _d_erf_ball_he(0), Ball(0), Ball(ms2)


def _poly_named(coeffs: list[int]) -> tuple[Callable[[], Any], Callable[[int], Any]]:
    return (lambda: _poly_ball(coeffs, None)), (lambda k: _poly_ball(coeffs, k))


_BALL_NAMED: dict[Any, tuple[Callable[[], Any], Callable[[int], Any]]] = {
    _relu: (_relu_ball, _relu_ball_he),
    _abs: (_abs_ball, _abs_ball_he),
    _erf: (_erf_ball, _erf_ball_he),
    _d_relu: (_d_relu_ball, _d_relu_ball_he),
    _d_abs: (_d_abs_ball, _d_abs_ball_he),
    _d_erf: (_d_erf_ball, _d_erf_ball_he),
    _linear_closed: _poly_named([0, 1]),
    _quadratic_closed: _poly_named([0, 0, 1]),
    _d_linear: _poly_named([1]),
    _d_quadratic: _poly_named([0, 2]),
}
"""Ball closed forms, keyed by the mpmath closed form of :attr:`Activation.closed` they prove."""


def _ball_coefficients(act: Activation) -> tuple[Any, Any, Any]:
    from .ball import Ball

    named = _BALL_NAMED.get(act.closed)
    if named is not None:
        return tuple(Ball(v) if not isinstance(v, Ball) else v for v in named[0]())  # type: ignore[return-value]
    coeffs = _sympy_poly_coeffs(act)
    if coeffs is not None:
        return _poly_ball(coeffs, None)
    return _ball_quad_coefficients(act)


def _ball_hermite(act: Activation, k: int) -> Any:
    from .ball import Ball

    named = _BALL_NAMED.get(act.closed)
    if named is not None:
        v = named[1](k)
        return v if isinstance(v, Ball) else Ball(v)
    coeffs = _sympy_poly_coeffs(act)
    if coeffs is not None:
        return _poly_ball(coeffs, k)
    return _ball_quad_hermite(act, k)


def _no_route(act: Activation) -> Any:
    from .ball import NotProven

    if act.expr is None:
        return NotProven(
            f"`activation` {act.name!r} is a Python callable: its Gaussian coefficients have no rigorous enclosure "
            "(give it as a SymPy expression in x to get proven values)"
        )
    return NotProven(f"`activation` {act.name!r}: no rigorous route for its Gaussian coefficients")


def _sympy_poly_coeffs(act: Activation) -> list[Any] | None:
    """Coefficients (constant first, exact ``Fraction`` or ball) of a polynomial expression; ``None`` if not one."""
    if act.expr is None:
        raise _no_route(act)
    from flint import ctx

    key = ("ball_poly", ctx.prec)
    if key not in act._cache:
        expr = act.expr
        out: list[Any] | None = None
        if expr.is_polynomial(_x()):
            out = []
            for c in reversed(sp.Poly(sp.expand(expr), _x()).all_coeffs()):
                if c.is_Rational:
                    out.append(Fraction(int(c.p), int(c.q)))
                else:
                    out.append(_ball_constant(c))
        act._cache[key] = out
    return act._cache[key]


def _ball_constant(c: Any) -> Any:
    """A variable-free SymPy expression as a ball (python-flint's precision)."""
    from .ball import Ball, NotProven

    f = _expression.compile_ball(c, _x())
    from flint import acb

    v = f(acb(0), False)
    if not v.is_finite() or not (v.imag == 0):
        raise NotProven(f"the constant {c} has no finite real ball enclosure")
    return Ball(v.real)


# rigorous quadrature: E f(G) = ∫_{−L}^{L} f φ (acb.integral, split at the kinks) + a proven tail bound
@dataclass(frozen=True)
class _Growth:
    """``|σ(x)| ≤ C |x|^m e^{a|x|}`` for every real ``|x| ≥ L0`` (``C``, ``a`` exact upper bounds, ``L0 ≥ 1``)."""

    C: Any
    m: int
    a: Any
    L0: Any


@dataclass(frozen=True)
class _Integrand:
    """What the rigorous route needs of ``σ``.

    ``f(z, analytic)`` is ``σ`` on ``acb`` balls (the ``acb.integral`` contract); ``growth``
    bounds ``|σ|`` beyond ``L0``; ``kinks`` are split points (any points are valid splits: the
    integrand itself detects non-analytic balls); ``parts(k)`` is ``(polynomial part, rest,
    rest's parity)`` for ``μ_k``: ``σ = p + r`` with ``E[p He_k]`` exact and ``r`` of proven parity
    ``s`` (``±1``, or 0 if unknown), so ``E[r He_k] = 0`` exactly when ``(−1)^k = −s``.
    """

    f: Callable[[Any, bool], Any]
    growth: _Growth
    kinks: tuple[Any, ...]
    parts: Callable[[int], tuple[list[Any], Callable[[Any, bool], Any] | None, int]]


def _upper(v: Any) -> Any:
    """An exact ``arb`` upper bound of ``|v|`` (``v`` an arb, acb or exact number)."""
    from flint import acb

    from .ball import Ball

    arb = _arb()
    if isinstance(v, Ball):
        v = v.v
    if isinstance(v, acb):
        if not (v.imag == 0):
            return arb.pos_inf()
        v = v.real
    if not isinstance(v, arb):
        v = Ball(v).v
    if not v.is_finite():
        return arb.pos_inf()
    return arb(abs(v).upper())


def _named_integrand(act: Activation) -> _Integrand | None:
    """``tanh``, ``sigmoid``, ``softplus`` (recognized by their mpmath evaluator, i.e. by what they compute)."""
    arb = _arb()
    one, zero = arb(1), arb(0)
    if act.mp is mpmath.tanh:
        return _Integrand(lambda z, a: z.tanh(), _Growth(one, 0, zero, one), (), lambda k: ([0], lambda z, a: z.tanh(), -1))
    if act.mp is _sigmoid_mp:

        def sig(z: Any, a: bool) -> Any:
            return 1 / (1 + (-z).exp())

        half = one / 2
        return _Integrand(sig, _Growth(one, 0, zero, one), (), lambda k: ([Fraction(1, 2)], lambda z, a: sig(z, a) - half, -1))
    if act.mp is _softplus_mp:

        def softplus(z: Any, a: bool) -> Any:
            return (1 + z.exp()).log(analytic=a)

        # |softplus(x)| ≤ log 2 + |x| ≤ 2|x| for |x| ≥ 1; softplus(x) − x/2 is even
        def rest(z: Any, a: bool) -> Any:
            return softplus(z, a) - z / 2

        return _Integrand(softplus, _Growth(arb(2), 1, zero, one), (), lambda k: ([0, Fraction(1, 2)], rest, 1))
    return None


def _expr_integrand(act: Activation) -> _Integrand:
    expr = act.expr
    if expr is None:
        raise _no_route(act)
    try:
        f = _expression.compile_ball(expr, _x())
    except TypeError as exc:
        from .ball import NotProven

        raise NotProven(f"`activation` {act.name!r}: {exc}") from None
    growth = _growth(expr)

    def parts(k: int) -> tuple[list[Any], Callable[[Any, bool], Any] | None, int]:
        from flint import ctx

        key = ("ball_split", k % 2, ctx.prec)  # irrational polynomial coefficients are balls at this precision
        if key not in act._cache:
            poly, rest = _parity_split(expr, k % 2)
            pc = _poly_coeffs(poly) if poly != 0 else [0]
            act._cache[key] = (pc, rest, _parity(rest))
        pc, rest, par = act._cache[key]
        if rest == 0:
            return pc, None, 0
        return pc, (f if rest == expr else _expression.compile_ball(rest, _x())), par

    arb = _arb()
    kinks = tuple(arb(float(k)) for k in act.kinks)  # floats are exact dyadic split points
    return _Integrand(f, growth, kinks, parts)


def _poly_coeffs(expr: Any) -> list[Any]:
    out: list[Any] = []
    for c in reversed(sp.Poly(sp.expand(expr), _x()).all_coeffs()):
        out.append(Fraction(int(c.p), int(c.q)) if c.is_Rational else _ball_constant(c))
    return out


def _integrand(act: Activation) -> _Integrand:
    key = ("ball_integrand",)
    if key not in act._cache:
        act._cache[key] = _named_integrand(act) or _expr_integrand(act)
    return act._cache[key]


def _growth(e: Any) -> _Growth:  # noqa: C901 - one rule per node class
    """A proven bound ``|e(x)| ≤ C |x|^m e^{a|x|}`` for ``|x| ≥ L0`` by structural recursion (or NotProven)."""
    from .ball import NotProven

    arb = _arb()
    one, zero = arb(1), arb(0)
    x = _x()
    if not e.has(x):
        return _Growth(_upper(_ball_constant(e)), 0, zero, one)
    if e == x:
        return _Growth(one, 1, zero, one)
    if isinstance(e, sp.Add | sp.Max | sp.Min | sp.Piecewise):
        # t^{m_i} e^{a_i t} ≤ t^m e^{a t} for t ≥ 1: the sum of the bounds (|max|, |min| ≤ Σ|args|; a Piecewise
        # takes one of its branch values at each x)
        terms = [c.expr for c in e.args] if isinstance(e, sp.Piecewise) else list(e.args)
        gs = [_growth(t) for t in terms]
        return _Growth(
            sum((g.C for g in gs), zero),
            max(g.m for g in gs),
            max((g.a for g in gs), key=_key),
            max((g.L0 for g in gs), key=_key),
        )
    if isinstance(e, sp.Mul):
        gs = [_growth(t) for t in e.args]
        c, a = one, zero
        for g in gs:
            c, a = c * g.C, a + g.a
        return _Growth(_upper(c), sum(g.m for g in gs), _upper(a), max((g.L0 for g in gs), key=_key))
    if isinstance(e, sp.Pow):
        b, n = e.args
        if n.has(x) or not n.is_Rational:
            raise NotProven(f"no growth bound for {e} (a variable or irrational exponent)")
        if n.is_Integer and n >= 0:
            g = _growth(b)
            k = int(n)
            return _Growth(_upper(g.C**k), g.m * k, _upper(g.a * k), g.L0)
        lb = _lower(b)
        if lb is None or not (lb >= 0):
            raise NotProven(f"no growth bound for {e} (the base is not provably positive)")
        if n < 0:
            if not (lb > 0):
                raise NotProven(f"no growth bound for {e} (the base is not bounded away from 0)")
            return _Growth(_upper(lb ** _ball_constant(n)), 0, zero, one)
        g = _growth(b)
        nb = _ball_constant(n).v
        m = -((-int(n.p) * g.m) // int(n.q))  # ⌈n m⌉, exactly
        return _Growth(_upper(g.C**nb), m, _upper(g.a * nb), g.L0)  # t^{nm} ≤ t^{⌈nm⌉}, t ≥ 1
    if isinstance(e, sp.tanh | sp.erf | sp.sin | sp.cos | sp.sign):
        return _Growth(one, 0, zero, one)
    if isinstance(e, sp.atan):
        return _Growth(arb(2), 0, zero, one)
    if isinstance(e, sp.Heaviside):
        h0 = [_upper(_ball_constant(e.args[1]))] if len(e.args) > 1 else []
        return _Growth(one + sum(h0, zero), 0, zero, one)
    if isinstance(e, sp.Abs):
        return _growth(e.args[0])
    if isinstance(e, sp.exp | sp.sinh | sp.cosh):
        (u,) = e.args
        g = _growth(u)
        if g.m == 0 and g.a == 0:  # bounded argument: |e^u| ≤ e^C
            return _Growth(_upper(g.C.exp()), 0, zero, g.L0)
        if g.m == 1 and g.a == 0:  # |u| ≤ C t: |e^u| ≤ e^{C t}
            return _Growth(one, 0, g.C, g.L0)
        if isinstance(e, sp.exp) and u.is_polynomial(x):
            L = _negative_beyond(u)
            if L is not None:  # u ≤ 0 for |x| ≥ L: e^u ≤ 1
                return _Growth(one, 0, zero, max(L, g.L0, key=_key))
        raise NotProven(f"no growth bound for {e} (its argument grows faster than linearly)")
    if isinstance(e, sp.log):
        (u,) = e.args
        lb = _lower(u)
        if lb is None or not (lb > 0):
            raise NotProven(f"no growth bound for {e} (the argument is not bounded away from 0)")
        g = _growth(u)
        # lb ≤ u ≤ C t^m e^{a t}: |log u| ≤ |log lb| + |log C| + (m + a) t for t ≥ 1 (log t ≤ t)
        c = abs(lb.log()) + abs(g.C.log()) + g.m + g.a
        return _Growth(_upper(c), 1, zero, g.L0)
    raise NotProven(f"no growth bound for {type(e).__name__}")


def _key(v: Any) -> Any:
    """Sort key of an exact ``arb`` (the growth constants are exact upper bounds)."""
    return Fraction(_exact(v))


def _exact(v: Any) -> Fraction:
    man, exp = v.mid().man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def _negative_beyond(u: Any) -> Any:
    """``L ≥ 1`` with ``u(x) ≤ 0`` for ``|x| ≥ L`` (``u`` a polynomial eventually negative both ways), or None."""
    coeffs = _poly_coeffs(u)
    while len(coeffs) > 1 and coeffs[-1] == 0:
        coeffs.pop()
    d = len(coeffs) - 1
    if d < 1:
        return None
    from .ball import Ball

    lead = Ball(coeffs[-1]).v
    if not (lead < 0) or d % 2:
        return None
    s = _arb()(0)
    for c in coeffs[:-1]:
        s = s + abs(Ball(c).v)
    # |Σ_{j<d} c_j x^j| ≤ S |x|^{d−1} ≤ |lead| |x|^d when |x| ≥ max(1, S/|lead|)
    return max(_arb()(1), _upper(s / abs(lead)), key=_key)


def _lower(e: Any) -> Any:
    """An ``arb`` lower bound of ``e(x)`` valid for every real ``x`` (None if none is proven)."""
    arb = _arb()
    x = _x()
    if not e.has(x):
        try:
            v = _ball_constant(e).v
        except Exception:  # noqa: BLE001 - no bound, no proof
            return None
        return arb(v.lower())
    if isinstance(e, sp.exp | sp.Abs | sp.Heaviside):
        return arb(0)
    if isinstance(e, sp.cosh):
        return arb(1)
    if isinstance(e, sp.Pow):
        b, n = e.args
        if n.is_Integer and int(n) > 0 and int(n) % 2 == 0:
            lb = _lower(b)
            return arb(lb.lower() ** int(n)) if lb is not None and lb >= 0 else arb(0)
        lb = _lower(b)
        if lb is not None and lb > 0 and n.is_Rational and n > 0:
            return arb((lb ** _ball_constant(n).v).lower())
        return None
    if isinstance(e, sp.Add):
        lbs = [_lower(t) for t in e.args]
        if any(v is None for v in lbs):
            return None
        return arb(sum(lbs, arb(0)).lower())
    if isinstance(e, sp.Mul):
        lbs = [_lower(t) for t in e.args]
        if any(v is None or not (v >= 0) for v in lbs):
            return None
        out = arb(1)
        for v in lbs:
            out = out * v
        return arb(out.lower())
    if isinstance(e, sp.Max):
        lbs = [v for v in (_lower(t) for t in e.args) if v is not None]
        return max(lbs, key=_key) if lbs else None
    return None


def _he_abs_sum(k: int) -> int:
    """``Σ_j |He_k[j]|``: ``|He_k(t)| ≤`` this ``· t^k`` for ``t ≥ 1``."""
    return sum(abs(c) for c in _he_coeffs(k))


def _tail(growth: _Growth, power: int, k: int, L: Any) -> Any:
    """Upper bound of ``∫_{|x|>L} |σ(x)|^power |He_k(x)| φ(x) dx`` (an ``arb``; +inf when the bound does not apply).

    For ``t ≥ L ≥ L0``: ``|σ|^p |He_k| ≤ D t^j e^{b t}`` with ``D = C^p Σ|He_k[i]|``, ``j = p m + k``,
    ``b = p a``; with ``t = L + u``, ``(1 + u/L)^j ≤ e^{j u/L}`` and ``t² ≥ L² + 2 L u``, so one side is
    at most ``D L^j e^{bL − L²/2} / (√(2π) (L − b − j/L))`` when ``L − b − j/L > 0``.
    """
    arb = _arb()
    D = growth.C**power * _he_abs_sum(k)
    j = power * growth.m + k
    b = growth.a * power
    gap = L - b - arb(j) / L
    if not (L >= growth.L0) or not (gap > 0):
        return arb.pos_inf()
    one_side = D * L**j * (b * L - L * L / 2).exp() / ((2 * arb.pi()).sqrt() * gap)
    return _upper(2 * one_side)


_EVAL_LIMIT = 60_000
"""Integrand evaluations allowed per ``acb.integral`` call (oscillating integrands give up: NotProven)."""


def _gauss_ball(integ: _Integrand, g: Callable[[Any, bool], Any], power: int, k: int, parity: int) -> Any:
    """``E[g(G) He_k(G)]`` (``power=1``) or ``E[g(G)²]`` (``power=2``, ``k=0``) as a real ball, proven.

    ``g``'s growth is bounded by ``integ.growth`` (``g = σ`` or a part of it that is bounded the same
    way); ``parity`` ``±1`` of the whole integrand allows integrating over ``[0, L]`` only.
    """
    from flint import acb, ctx

    from .ball import Ball, NotProven

    arb = _arb()
    prec = ctx.prec
    eps = arb(2) ** (-(prec + 10))
    L = None
    start = max(int(float(_exact(integ.growth.L0))) + 1, int((2 * (prec + 10) * 0.6931) ** 0.5) + 1)
    start = max(start, int(float(_exact(integ.growth.a))) * power + 2)
    for cand in range(start, start + 400, 2):
        t = _tail(integ.growth, power, k, arb(cand))
        if t < eps:
            L, tail = arb(cand), t
            break
    if L is None:
        raise NotProven("no Gaussian tail bound below the working precision (the activation grows too fast)")
    he = _he_coeffs(k)

    def he_at(z: Any) -> Any:
        out = acb(0)
        for c in reversed(he):
            out = out * z + c
        return out

    def integrand(z: Any, a: bool) -> Any:
        v = g(z, a)
        v = v * v if power == 2 else v * he_at(z)
        return v * (-(z * z) / 2).exp()

    lo = arb(0) if parity else -L
    inner = {_exact(p): p for p in integ.kinks if lo < p and p < L}
    pts = [lo, *(inner[q] for q in sorted(inner) if q != _exact(lo)), L]
    total = acb(0)
    for a0, b0 in zip(pts, pts[1:], strict=False):
        try:
            total += acb.integral(integrand, a0, b0, eval_limit=_EVAL_LIMIT)
        except (ValueError, ArithmeticError) as exc:
            raise NotProven(f"rigorous quadrature failed: {exc}") from None
    if parity:  # an even integrand: twice the integral over [0, L]; the tail bound covers both sides
        total = 2 * total
    if not total.is_finite():
        raise NotProven("rigorous quadrature did not converge (a non-analytic or non-real integrand)")
    if not (total.imag.contains(0)):
        raise NotProven("the activation is not real-valued on the real line")
    value = total.real / (2 * arb.pi()).sqrt()
    return Ball(value + arb(0, tail))


def _ball_quad_hermite(act: Activation, k: int) -> Any:
    from .ball import Ball

    integ = _integrand(act)
    pc, rest, par = integ.parts(k)
    exact = _poly_mean(_poly_mul(pc, _he_coeffs(k)))
    if rest is None or par == -((-1) ** k):  # r He_k is odd: its mean is exactly 0
        return Ball(exact)
    # r = σ − p: |r| ≤ |σ| + |p|; the growth of σ plus that of the polynomial part
    grow = _add_poly_growth(integ.growth, pc)
    sub = _Integrand(integ.f, grow, integ.kinks, integ.parts)
    symmetric = par != 0  # r He_k is even: twice the half-line integral
    return Ball(exact) + _gauss_ball(sub, rest, 1, k, 1 if symmetric else 0)


def _square_even(act: Activation) -> bool:
    """Whether ``σ²`` is provably even (``σ`` of proven parity)."""
    if act.mp is mpmath.tanh:
        return True
    if act.expr is None or isinstance(act.__dict__.get("_expr"), _Deferred):
        return False
    return _parity(act.expr) != 0


def _add_poly_growth(g: _Growth, pc: list[Any]) -> _Growth:
    """The growth bound of ``σ − p`` from that of ``σ`` and the polynomial ``p``."""
    from .ball import Ball

    s = _arb()(0)
    for c in pc:
        s = s + abs(Ball(c).v)
    if s == 0:
        return g
    # |p(t)| ≤ (Σ|p_i|) t^{deg} for t ≥ 1
    return _Growth(_upper(g.C + s), max(g.m, len(pc) - 1), g.a, g.L0)


def _ball_quad_coefficients(act: Activation) -> tuple[Any, Any, Any]:
    mu0 = act.ball_hermite(0)
    mu1 = act.ball_hermite(1)
    integ = _integrand(act)
    second = _gauss_ball(integ, integ.f, 2, 0, 1 if _square_even(act) else 0)
    return mu0, mu1, second - mu0 * mu0 - mu1 * mu1


def coefficients_float(act: Activation) -> tuple[float, float, float]:
    """``(μ₀, μ₁, μ_⋆²)`` as floats (computed once at 25 digits and cached)."""
    key = ("float",)
    with MPMATH_LOCK:
        if key in act._cache:
            return act._cache[key]
        with mpmath.workdps(25):
            c = act.coefficients()
            act._cache[key] = (float(c.mu0), float(c.mu1), float(c.mustar2))
    return act._cache[key]


__all__ = ["NAMES", "Activation", "Coefficients", "coefficients_float", "from_callable", "from_expression", "get_activation"]
