"""Numeric backends: one formula, written once, evaluated on several number types.

A model's closed forms and fixed-point maps are written as ordinary Python functions of a
backend ``B`` and numbers of that backend::

    def kappa_isotropic(B, c, lam):          # the ridge effective regularization
        root = B.hypot(c, 2 * B.sqrt(lam))
        return B.where(c >= 0, (c + root) / 2, 2 * lam / (root - c))

and run unchanged on

* :data:`MP` — mpmath scalars at the *current* working precision (the certified path:
  :func:`~asymptotics.precision.certify` calls the formula at two precisions), and
* :data:`NP` — float64 numpy arrays, elementwise (the vectorized curves).

Arithmetic operators (``+ - * / **``, comparisons) are the number type's own; everything
else (elementary functions, selection, summation, conversion of exact inputs) goes through
the backend.  The backend is the only place where the two paths differ, so a formula cannot
drift between them.

Design for ball arithmetic (a later issue adds python-flint's ``arb``): a ball backend
provides the same attributes; its comparisons are three-valued (a ball straddling 0 is
neither ``< 0`` nor ``>= 0``), so ``where`` on a ball raises
:class:`~asymptotics.errors.ConvergenceError` when the condition is undecided (more precision
decides it), and formulas must select branches only through :meth:`Backend.where` (never an
``if`` on a number of the backend, except on the exact inputs).  :meth:`Backend.num` turns an
exact input (a ``Fraction`` or an int) into a number of the backend — for a ball, an exact
or tightly enclosed ball — so a formula never mixes floats into exact data.

Selecting with ``where`` evaluates both branches (numpy semantics); write branches that are
harmless (finite or NaN, never an exception) where they are not selected.  On ``MP`` a division
``a / b`` by zero raises ``ZeroDivisionError`` (mpmath) even in the branch not selected; write
``B.div(a, b)`` where ``b`` can be 0 (IEEE semantics on every backend: ``±inf``, or NaN for
``0/0``), or guard the denominator (``a / B.where(b == 0, 1, b)``).  Numpy warnings are the
caller's business (``np.errstate``).

Real and complex numbers: on a *real* argument ``sqrt``, ``log`` and ``log1p`` are real
functions on every backend (NaN outside their domain, as numpy), so a formula cannot turn
complex on ``MP`` where it is NaN on ``NP``; a complex argument (``mpc``, ``complex128``) gets
the principal branch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

__all__ = ["MP", "NP", "Backend"]


@dataclass(frozen=True)
class Backend:
    """The primitives a formula may use beyond arithmetic operators.

    Attributes
    ----------
    name : str
        ``"mp"`` (mpmath scalars) or ``"np"`` (float64 arrays).
    sqrt, log, exp, log1p, expm1, atan, hypot, abs : callable
        Elementary functions (``log1p``/``expm1`` accurate near 0); on a real argument outside
        the domain of ``sqrt``/``log``/``log1p`` the result is NaN on every backend.
    div : callable
        ``div(a, b)``: ``a / b``, with IEEE semantics where ``b == 0`` (``±inf``, NaN for
        ``0/0``) instead of mpmath's ``ZeroDivisionError``.
    where : callable
        ``where(cond, a, b)``: ``a`` where ``cond`` holds, else ``b`` (scalar: a Python
        ``if``; arrays: :func:`numpy.where`).
    lor, land, lnot : callable
        Logical or/and/not of conditions.
    isfinite, isinf, isnan : callable
        Classification.
    all, any : callable
        Reduce a condition to one ``bool``.
    fsum : callable
        ``fsum(terms)`` of an iterable of numbers (mpmath: one correctly rounded sum).
    sum : callable
        ``sum(array, axis)``: sum of a stacked array along ``axis`` (mpmath: ``fsum`` of a
        sequence, the axis is ignored).
    num : callable
        Exact input (``Fraction``, ``int``, ``float`` infinity) → number of the backend at its
        precision (mpmath: correctly rounded at the current precision; numpy: ``float64``).
    inf, nan : number
        Constants.
    pi : callable
        ``pi()``: π at the backend's precision (a ball on the ball backend).
    sin, cos, sinh, cosh, asin, erf, erfc, gamma, lgamma : callable
        Special functions (numpy: :mod:`scipy.special` for ``erf``/``erfc``/``gamma``/``lgamma``;
        real ``asin`` is NaN outside ``[-1, 1]``).
    atan2 : callable
        ``atan2(y, x)``.
    """

    name: str
    sqrt: Callable[[Any], Any]
    log: Callable[[Any], Any]
    exp: Callable[[Any], Any]
    log1p: Callable[[Any], Any]
    expm1: Callable[[Any], Any]
    atan: Callable[[Any], Any]
    hypot: Callable[[Any, Any], Any]
    abs: Callable[[Any], Any]
    div: Callable[[Any, Any], Any]
    where: Callable[[Any, Any, Any], Any]
    lor: Callable[[Any, Any], Any]
    land: Callable[[Any, Any], Any]
    lnot: Callable[[Any], Any]
    isfinite: Callable[[Any], Any]
    isinf: Callable[[Any], Any]
    isnan: Callable[[Any], Any]
    all: Callable[[Any], bool]
    any: Callable[[Any], bool]
    fsum: Callable[[Iterable[Any]], Any]
    sum: Callable[..., Any]
    num: Callable[[Any], Any]
    inf: Any
    nan: Any
    pi: Callable[[], Any] | None = None
    sin: Callable[[Any], Any] | None = None
    cos: Callable[[Any], Any] | None = None
    sinh: Callable[[Any], Any] | None = None
    cosh: Callable[[Any], Any] | None = None
    asin: Callable[[Any], Any] | None = None
    atan2: Callable[[Any, Any], Any] | None = None
    erf: Callable[[Any], Any] | None = None
    erfc: Callable[[Any], Any] | None = None
    gamma: Callable[[Any], Any] | None = None
    lgamma: Callable[[Any], Any] | None = None

    def __repr__(self) -> str:
        return f"Backend({self.name!r})"


def _mp_num(x: Any) -> Any:
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return mpmath.mpf(x.numerator)
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def _mp_hypot(a: Any, b: Any) -> Any:
    return mpmath.hypot(a, b)


def _is_complex(x: Any) -> bool:
    return isinstance(x, mpmath.mpc | complex)


def _mp_sqrt(x: Any) -> Any:
    return mpmath.nan if not _is_complex(x) and x < 0 else mpmath.sqrt(x)


def _mp_log(x: Any) -> Any:
    return mpmath.nan if not _is_complex(x) and x < 0 else mpmath.log(x)


def _mp_log1p(x: Any) -> Any:
    return mpmath.nan if not _is_complex(x) and x < -1 else mpmath.log1p(x)


def _mp_div(a: Any, b: Any) -> Any:
    if b != 0:
        return a / b
    if _is_complex(a) or _is_complex(b):
        return mpmath.mpc(mpmath.nan, mpmath.nan) if a == 0 else mpmath.mpc(mpmath.inf, mpmath.nan)
    if a == 0 or mpmath.isnan(a):
        return mpmath.nan
    return mpmath.inf if a > 0 else -mpmath.inf


MP = Backend(
    name="mp",
    sqrt=_mp_sqrt,
    log=_mp_log,
    exp=mpmath.exp,
    log1p=_mp_log1p,
    expm1=mpmath.expm1,
    atan=mpmath.atan,
    hypot=_mp_hypot,
    abs=abs,
    div=_mp_div,
    where=lambda c, a, b: a if c else b,
    lor=lambda a, b: bool(a) or bool(b),
    land=lambda a, b: bool(a) and bool(b),
    lnot=lambda a: not a,
    isfinite=lambda x: bool(mpmath.isfinite(x)),
    isinf=lambda x: bool(mpmath.isinf(x)),
    isnan=lambda x: bool(mpmath.isnan(x)),
    all=bool,
    any=bool,
    fsum=mpmath.fsum,
    sum=lambda terms, axis=-1: mpmath.fsum(terms),
    num=_mp_num,
    inf=mpmath.inf,
    nan=mpmath.nan,
    pi=lambda: +mpmath.pi,
    sin=mpmath.sin,
    cos=mpmath.cos,
    sinh=mpmath.sinh,
    cosh=mpmath.cosh,
    asin=lambda x: mpmath.nan if not _is_complex(x) and abs(x) > 1 else mpmath.asin(x),
    atan2=mpmath.atan2,
    erf=mpmath.erf,
    erfc=mpmath.erfc,
    gamma=mpmath.gamma,
    lgamma=mpmath.loggamma,
)
"""mpmath scalars at the current working precision (the certified path)."""


def _np_num(x: Any) -> Any:
    return np.asarray(float(x), dtype=float) if isinstance(x, Fraction | int) else np.asarray(x, dtype=float)


def _special() -> Any:
    import scipy.special  # lazy: `import asymptotics` loads no SciPy

    return scipy.special


NP = Backend(
    name="np",
    sqrt=np.sqrt,
    log=np.log,
    exp=np.exp,
    log1p=np.log1p,
    expm1=np.expm1,
    atan=np.arctan,
    hypot=np.hypot,
    abs=np.abs,
    div=np.true_divide,
    where=np.where,
    lor=np.logical_or,
    land=np.logical_and,
    lnot=np.logical_not,
    isfinite=np.isfinite,
    isinf=np.isinf,
    isnan=np.isnan,
    all=lambda a: bool(np.all(a)),
    any=lambda a: bool(np.any(a)),
    fsum=lambda terms: np.sum(np.stack(list(terms)), axis=0),
    sum=lambda a, axis=-1: np.sum(a, axis=axis),
    num=_np_num,
    inf=np.inf,
    nan=np.nan,
    pi=lambda: np.pi,
    sin=np.sin,
    cos=np.cos,
    sinh=np.sinh,
    cosh=np.cosh,
    asin=np.arcsin,
    atan2=np.arctan2,
    erf=lambda x: _special().erf(x),
    erfc=lambda x: _special().erfc(x),
    gamma=lambda x: _special().gamma(x),
    lgamma=lambda x: _special().gammaln(x),
)
"""float64 numpy arrays, elementwise (the vectorized curves)."""
