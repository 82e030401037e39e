r"""Ball arithmetic: the third backend of the one-definition formulas, and the proof driver.

A *ball* is a midpoint and a radius that enclose the exact value of a computation: every
operation of FLINT's Arb (python-flint's :class:`flint.arb` and :class:`flint.acb`) rounds
outwards, so a formula evaluated on balls that contain its exact inputs returns a ball that
contains its exact output.  When that ball is narrower than the requested digits, the digits
are *proven*, not estimated (the precision ladder of :mod:`asymptotics.precision` compares two
evaluations and can be fooled when both lose the same digits; a ball cannot).

Contents
--------
* :class:`Ball` — a thin wrapper of ``arb``/``acb`` whose comparisons are three-valued: a
  comparison that the balls decide returns a ``bool``; one they cannot decide (the balls
  overlap) returns :data:`UNDECIDED`.  ``AB.where(UNDECIDED, a, b)`` returns the union of both
  branches (rigorous either way), and ``bool(UNDECIDED)`` raises :class:`Undecided` (a formula
  must not branch with ``if`` on a ball).
* :data:`AB` — the :class:`~asymptotics.backend.Backend` on balls at the working precision
  (:func:`workprec`), so every formula of :mod:`asymptotics.formulas` and of the models runs
  on balls unchanged.
* :func:`prove` — runs a ball evaluation at increasing precision until the enclosure proves
  ``dps`` digits (the printed value is within one unit of its last digit of every point of the
  ball, and the ball is narrower than ``10**-dps`` relative); raises :class:`NotProven`
  otherwise.
* :func:`root_by_sign_change` — proves a simple root of a scalar equation near an approximate
  root (existence by a sign change at two thin balls, continuity on the ball between them).
* :class:`Enclosure` — the proven bounds as outward-rounded decimal strings.

Precision: python-flint keeps its working precision in the process-global ``flint.ctx.prec``;
:func:`workprec` sets and restores it, and every caller holds
:data:`~asymptotics.precision.MPMATH_LOCK` (the certified entry points are ``serialized``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
from flint import acb, arb, ctx, fmpq, fmpz
from mpmath.libmp import from_man_exp

from .backend import Backend
from .errors import ConvergenceError

__all__ = [
    "AB",
    "UNDECIDED",
    "Ball",
    "Enclosure",
    "NotProven",
    "Undecided",
    "ball",
    "point",
    "digits_proven",
    "enclosure",
    "prove",
    "root_by_sign_change",
    "strict_inputs",
    "track_undecided",
    "to_mpmath",
    "workprec",
]

BITS_PER_DIGIT = math.log2(10)


class NotProven(ConvergenceError):
    """A ball evaluation did not prove the requested digits (the caller falls back to the ladder)."""


class Undecided(NotProven):
    """A branch condition on balls is undecided and the formula used it in an ``if``."""


_events = threading.local()


class UndecidedEvents:
    """Counts, in a block, the undecided comparisons used in an ``if`` (``bool``) and by ``AB.where``.

    A proof of code the package did not write (a user model's formulas) cannot rely on the
    ``Undecided`` exception reaching it: ``try: ... except Exception:`` inside the formula
    swallows it.  :func:`track_undecided` counts every occurrence, caught or not, so the caller can
    refuse the proof afterwards; and a root proof counts undecided selections on its bracket (a
    ``where`` that switches inside the bracket may be a jump: continuity is then not proven).
    """

    __slots__ = ("bools", "wheres")

    def __init__(self) -> None:
        self.bools = 0
        self.wheres = 0


@contextmanager
def track_undecided() -> Iterator[UndecidedEvents]:
    """Count undecided ``bool``/``where`` events in a block (nested blocks each see their own)."""
    stack = getattr(_events, "stack", None)
    if stack is None:
        stack = _events.stack = []
    ev = UndecidedEvents()
    stack.append(ev)
    try:
        yield ev
    finally:
        stack.pop()


def _note(kind: str) -> None:
    for ev in getattr(_events, "stack", ()):
        setattr(ev, kind, getattr(ev, kind) + 1)


class _UndecidedType:
    """The third truth value of a comparison of overlapping balls."""

    __slots__ = ()

    def __bool__(self) -> bool:
        _note("bools")
        raise Undecided("a comparison of balls is undecided (the balls overlap); more precision may decide it")

    def __repr__(self) -> str:
        return "UNDECIDED"


UNDECIDED: Any = _UndecidedType()
"""Result of a comparison that the balls do not decide."""


def _tri(yes: bool, no: bool) -> Any:
    return True if yes else (False if no else UNDECIDED)


def _mpf_to_arb(x: Any) -> arb:
    if mpmath.isnan(x):
        return arb.nan()
    if mpmath.isinf(x):
        return arb.pos_inf() if x > 0 else arb.neg_inf()
    sign, man, exp, _bc = x._mpf_  # not x.man_exp: mpmath's man_exp drops the sign (mpf(-1).man_exp == (1, 0))
    return arb((fmpz(-int(man) if sign else int(man)), fmpz(int(exp))))


_strict = threading.local()


@contextmanager
def strict_inputs() -> Iterator[None]:
    """A block in which an ``mpf``/``mpc`` operand of a ball operation raises :class:`NotProven`.

    Outside it an mpmath number is taken as the exact binary number it is (right for points
    the proof chooses itself, e.g. the ends of a bracket).  Inside it — while a formula that
    the package did not write runs on :data:`AB`, such as a user model's — an mpmath number
    can only be a constant rounded at the working precision (``mpmath.pi``, ``mpf("0.1")``),
    whose error the ball would not carry.  Python floats stay exact: the ``MP`` path uses the
    same binary double, so the ball encloses the very function the ladder evaluates.
    """
    saved = getattr(_strict, "on", False)
    _strict.on = True
    try:
        yield
    finally:
        _strict.on = saved


def _raw(x: Any) -> Any:
    """Any exact number, or a ball, as an ``arb``/``acb`` (exact numbers exactly when dyadic)."""
    if isinstance(x, Ball):
        return x.v
    if isinstance(x, arb | acb):
        return x
    if isinstance(x, bool):
        return arb(int(x))
    if isinstance(x, int):
        return arb(fmpz(x))
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return arb(fmpz(x.numerator))
        return arb(fmpq(x.numerator, x.denominator))
    if isinstance(x, float):
        if math.isnan(x):
            return arb.nan()
        if math.isinf(x):
            return arb.pos_inf() if x > 0 else arb.neg_inf()
        return arb(x)  # a float is an exact dyadic number
    if isinstance(x, complex):
        return acb(_raw(x.real), _raw(x.imag))
    if isinstance(x, mpmath.mpf | mpmath.mpc):
        if getattr(_strict, "on", False):
            raise NotProven(
                "an mpmath number entered a ball computation (a rounded constant such as mpmath.pi "
                "or mpf('0.1')): its error is unknown, so nothing is proven"
            )
        if isinstance(x, mpmath.mpf):
            return _mpf_to_arb(x)
        return acb(_mpf_to_arb(x.real), _mpf_to_arb(x.imag))
    if isinstance(x, fmpz | fmpq):
        return arb(x)
    raise TypeError(f"cannot make a ball of {type(x).__name__}")


def _integer_exponent(o: Any) -> int | None:
    """``o`` as an ``int`` when it is an exact integer (``int``, integral ``float``/``Fraction``/exact ball)."""
    if isinstance(o, bool):
        return int(o)
    if isinstance(o, int):
        return o
    if isinstance(o, float) and o.is_integer() and abs(o) < 2**63:
        return int(o)
    if isinstance(o, Fraction) and o.denominator == 1:
        return int(o)
    if isinstance(o, fmpz):
        return int(o)
    return None


def _ipow(v: Any, n: int) -> Any:
    """``v**n`` for an integer ``n``, rigorous on a real ball that contains 0.

    python-flint's ``arb ** int`` goes through ``exp(n log v)`` and returns NaN for a ball that
    contains 0 or negative numbers (``arb(0, 1)**2`` is NaN), although ``x**n`` is continuous
    there.  On such a ball the power is taken at the two (exact) endpoints and joined: ``x**n``
    is monotone on each side of 0, so the hull of the endpoint values (and of 0 for an even
    ``n`` when the ball straddles 0) contains every ``x**n`` of the ball.  A negative ``n``
    divides 1 by the positive power (a ball containing 0 gives an infinite or NaN ball).
    """
    if n == 0:
        return arb(1) if isinstance(v, arb) else acb(1)
    if n < 0:
        return _raw(1) / _ipow(v, -n)
    if isinstance(v, acb) or v.is_exact() or (v > 0) or not v.is_finite():
        out = v**n
        if isinstance(v, arb) and v.is_finite() and out.is_nan() and not v.is_nan():
            pass  # a negative ball: fall through to the endpoint rule
        else:
            return out
    if v < 0 and n % 2 == 0:
        return (-v) ** n
    lo, hi = v.lower(), v.upper()
    out = (lo**n).union(hi**n)
    if n % 2 == 0 and lo < 0 < hi:
        out = out.union(arb(0))
    return out


class Ball:
    """An ``arb`` (real) or ``acb`` (complex) ball with three-valued comparisons.

    Arithmetic with ``int``, ``Fraction``, ``float`` (exact dyadic) and other balls returns a
    ball; a comparison returns ``True``/``False`` where the balls decide it and
    :data:`UNDECIDED` where they overlap.
    """

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v if isinstance(v, arb | acb) else _raw(v)

    # arithmetic -------------------------------------------------------------------------
    def __add__(self, o: Any) -> Ball:
        return Ball(self.v + _raw(o))

    def __radd__(self, o: Any) -> Ball:
        return Ball(_raw(o) + self.v)

    def __sub__(self, o: Any) -> Ball:
        return Ball(self.v - _raw(o))

    def __rsub__(self, o: Any) -> Ball:
        return Ball(_raw(o) - self.v)

    def __mul__(self, o: Any) -> Ball:
        return Ball(self.v * _raw(o))

    def __rmul__(self, o: Any) -> Ball:
        return Ball(_raw(o) * self.v)

    def __truediv__(self, o: Any) -> Ball:
        return Ball(self.v / _raw(o))

    def __rtruediv__(self, o: Any) -> Ball:
        return Ball(_raw(o) / self.v)

    def __pow__(self, o: Any) -> Ball:
        n = _integer_exponent(o)
        if n is not None:
            return Ball(_ipow(self.v, n))
        return Ball(self.v ** _raw(o))  # real base < 0: NaN (the real power is undefined there)

    def __rpow__(self, o: Any) -> Ball:
        # NB: ``Fraction(1, 3) ** ball`` never gets here with the Fraction: Python's
        # ``Fraction.__pow__`` turns an unknown exponent into ``float(base) ** exponent``, so the
        # base arrives rounded to a double.  Write ``AB.num(base) ** ball`` (a ball base).
        return Ball(_raw(o) ** self.v)

    def __neg__(self) -> Ball:
        return Ball(-self.v)

    def __pos__(self) -> Ball:
        return self

    def __abs__(self) -> Ball:
        return Ball(abs(self.v))

    # comparisons (three-valued) ---------------------------------------------------------
    def __lt__(self, o: Any) -> Any:
        a, b = self.v, _raw(o)
        return _tri(a < b, a >= b)

    def __le__(self, o: Any) -> Any:
        a, b = self.v, _raw(o)
        return _tri(a <= b, a > b)

    def __gt__(self, o: Any) -> Any:
        a, b = self.v, _raw(o)
        return _tri(a > b, a <= b)

    def __ge__(self, o: Any) -> Any:
        a, b = self.v, _raw(o)
        return _tri(a >= b, a < b)

    def __eq__(self, o: Any) -> Any:  # type: ignore[override]
        a, b = self.v, _raw(o)
        return _tri(a == b, a != b)

    def __ne__(self, o: Any) -> Any:  # type: ignore[override]
        a, b = self.v, _raw(o)
        return _tri(a != b, a == b)

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        raise TypeError("a ball has no truth value; compare it (three-valued) and select with AB.where")

    # access -----------------------------------------------------------------------------
    @property
    def real(self) -> Ball:
        return Ball(self.v.real) if isinstance(self.v, acb) else self

    @property
    def imag(self) -> Ball:
        return Ball(self.v.imag) if isinstance(self.v, acb) else Ball(arb(0))

    def mid(self) -> Any:
        """The midpoint as an mpmath number (exact conversion of the binary midpoint)."""
        return to_mpmath(self)

    def __repr__(self) -> str:
        return f"Ball({self.v.str(15)})"


def point(x: Any) -> Ball:
    """An exact ball of a point the proof chooses itself (an ``mpf`` bracket end, a Newton
    iterate): taken exactly also inside :func:`strict_inputs`, which refuses only the rounded
    constants of a formula."""
    if isinstance(x, mpmath.mpf):
        return Ball(_mpf_to_arb(x))
    return ball(x)


def ball(x: Any) -> Ball:
    """``x`` (exact number, ``mpf``/``mpc``, ``arb``/``acb``) as a :class:`Ball` at the working precision."""
    return x if isinstance(x, Ball) else Ball(_raw(x))


def _inf_sign(a: arb) -> int:
    """``±1`` when ``a`` is an exact infinity (Arb: an infinite midpoint with a finite radius,
    e.g. ``+inf + [1 ± 0.5]``), else 0 (finite balls, NaN, and ``[± inf]``)."""
    if a.is_nan() or a.is_finite():
        return 0
    m = a.mid()
    if m.is_finite() or not a.rad().is_finite():
        return 0
    return 1 if m > 0 else -1


def _arb_to_mpf(a: arb) -> Any:
    if a.is_nan():
        return mpmath.nan
    if not a.is_finite():
        sign = _inf_sign(a)
        if sign:
            return mpmath.inf if sign > 0 else -mpmath.inf
        return mpmath.nan
    man, exp = a.mid().man_exp()
    return mpmath.mp.make_mpf(from_man_exp(int(man), int(exp)))  # exact, whatever mpmath's precision


def to_mpmath(x: Any) -> Any:
    """The midpoint of a ball as ``mpf``/``mpc`` (exact: mpmath keeps the full mantissa)."""
    v = _raw(x)
    if isinstance(v, acb):
        return mpmath.mpc(_arb_to_mpf(v.real), _arb_to_mpf(v.imag))
    return _arb_to_mpf(v)


# the backend --------------------------------------------------------------------------


def _fn(name: str) -> Callable[[Any], Ball]:
    def f(x: Any) -> Ball:
        v = _raw(x)
        return Ball(getattr(v, name)())

    f.__name__ = name
    return f


def _real_domain(name: str, lower: int) -> Callable[[Any], Ball]:
    """``sqrt``/``log``/``log1p``: the real function on a real ball (NaN outside the domain)."""

    def f(x: Any) -> Ball:
        v = _raw(x)
        if isinstance(v, arb) and v < lower:
            return Ball(arb.nan())
        if name != "sqrt" and isinstance(v, arb) and v.is_exact() and v == lower:
            return Ball(arb.neg_inf())  # log(0) = log1p(-1) = -inf, as on MP and NP (Arb: NaN)
        return Ball(getattr(v, name)())

    f.__name__ = name
    return f


def _hypot(a: Any, b: Any) -> Ball:
    x, y = _raw(a), _raw(b)
    s = _ipow(x, 2) + _ipow(y, 2)  # x**2 of a ball containing 0 is a hull [0, u] (lower end -u·2^-30 or so)
    if isinstance(s, arb) and s.is_finite() and not (s > 0):
        return Ball(arb(0).union(s.upper().sqrt()))  # the exact sum of squares is >= 0: sqrt in [0, sqrt(upper)]
    return Ball(s.sqrt())


def _div(a: Any, b: Any) -> Ball:
    x, y = _raw(a), _raw(b)
    if isinstance(y, arb) and y == 0:  # exact zero: IEEE semantics
        if isinstance(x, arb) and x > 0:
            return Ball(arb.pos_inf())
        if isinstance(x, arb) and x < 0:
            return Ball(arb.neg_inf())
        return Ball(arb.nan())
    return Ball(x / y)


def _union(a: Any, b: Any) -> Ball:
    x, y = _raw(a), _raw(b)
    if isinstance(x, acb) or isinstance(y, acb):
        x, y = acb(x), acb(y)
        return Ball(acb(x.real.union(y.real), x.imag.union(y.imag)))
    return Ball(x.union(y))


def _where(cond: Any, a: Any, b: Any) -> Any:
    if cond is UNDECIDED:
        _note("wheres")
        return _union(a, b)
    if cond is True or cond is False:
        return a if cond else b
    return a if bool(cond) else b


def _lor(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    if a is UNDECIDED or b is UNDECIDED:
        return UNDECIDED
    return bool(a) or bool(b)


def _land(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    if a is UNDECIDED or b is UNDECIDED:
        return UNDECIDED
    return bool(a) and bool(b)


def _lnot(a: Any) -> Any:
    return UNDECIDED if a is UNDECIDED else (not a)


def _finite(v: Any) -> bool:
    return bool(v.is_finite()) if isinstance(v, arb) else bool(v.real.is_finite() and v.imag.is_finite())


def _isfinite(x: Any) -> Any:
    v = _raw(x)
    if _finite(v):
        return True
    return False if _isinf_exact(v) else UNDECIDED


def _isinf_exact(v: Any) -> bool:
    parts = [v] if isinstance(v, arb) else [v.real, v.imag]
    return any(_inf_sign(p) != 0 for p in parts) and all(p.is_finite() or _inf_sign(p) != 0 for p in parts)


def _isinf(x: Any) -> Any:
    v = _raw(x)
    if _finite(v):
        return False
    return True if _isinf_exact(v) else UNDECIDED


def _isnan(x: Any) -> Any:
    v = _raw(x)
    return False if (_finite(v) or _isinf_exact(v)) else UNDECIDED


def _all(c: Any) -> bool:
    if isinstance(c, list | tuple):
        return all(_all(x) for x in c)
    return bool(c)


def _any(c: Any) -> bool:
    if isinstance(c, list | tuple):
        return any(_any(x) for x in c)
    return bool(c)


def _fsum(terms: Iterable[Any]) -> Ball:
    total: Any = arb(0)
    for t in terms:
        total = total + _raw(t)
    return Ball(total)


def _sum(terms: Any, axis: int = -1) -> Ball:
    return _fsum(terms)


def _num(x: Any) -> Ball:
    return Ball(_raw(x))


AB = Backend(
    name="ball",
    sqrt=_real_domain("sqrt", 0),
    log=_real_domain("log", 0),
    exp=_fn("exp"),
    log1p=_real_domain("log1p", -1),
    expm1=_fn("expm1"),
    atan=_fn("atan"),
    hypot=_hypot,
    abs=lambda x: Ball(abs(_raw(x))),
    div=_div,
    where=_where,
    lor=_lor,
    land=_land,
    lnot=_lnot,
    isfinite=_isfinite,
    isinf=_isinf,
    isnan=_isnan,
    all=_all,
    any=_any,
    fsum=_fsum,
    sum=_sum,
    num=_num,
    inf=Ball(arb.pos_inf()),
    nan=Ball(arb.nan()),
    pi=lambda: Ball(arb.pi()),
    sin=_fn("sin"),
    cos=_fn("cos"),
    sinh=_fn("sinh"),
    cosh=_fn("cosh"),
    asin=lambda x: Ball(arb.nan()) if isinstance(_raw(x), arb) and (abs(_raw(x)) > 1) else Ball(_raw(x).asin()),
    atan2=lambda y, x: Ball(arb.atan2(_raw(y), _raw(x))),
    erf=_fn("erf"),
    erfc=_fn("erfc"),
    gamma=_fn("gamma"),
    lgamma=_fn("lgamma"),
)
"""Balls (python-flint ``arb``/``acb``) at the working precision of :func:`workprec`.

Undecided branch conditions select the union of both branches; ``all``/``any`` and ``bool``
of an undecided condition raise :class:`Undecided`."""


@contextmanager
def workprec(bits: int) -> Iterator[None]:
    """Set python-flint's working precision to ``bits`` (and mpmath's to match) for a block."""
    saved = ctx.prec
    try:
        ctx.prec = int(bits)
        with mpmath.mp.workprec(int(bits)):
            yield
    finally:
        ctx.prec = saved


# enclosures and the digit check ---------------------------------------------------------


def _exact_fraction(a: arb) -> Fraction:
    man, exp = a.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


@dataclass(frozen=True)
class Enclosure:
    """Proven bounds ``lo ≤ exact ≤ hi`` as decimal strings, rounded outwards.

    For a complex value ``lo``/``hi`` are the corners of a rectangle (``re+imj`` strings:
    ``lo = min re + (min im) j``).  ``mid`` and ``rad`` describe the same ball (midpoint to
    ``dps + 5`` digits and an upper bound of the radius, 3 digits; for a complex ball the
    radius bounds both parts).
    """

    lo: str
    hi: str
    mid: str
    rad: str

    def to_dict(self) -> dict[str, str]:
        return {"lo": self.lo, "hi": self.hi, "mid": self.mid, "rad": self.rad}

    def __str__(self) -> str:
        return f"[{self.lo}, {self.hi}]"


def enclosure(x: Any, dps: int) -> Enclosure | tuple[Enclosure, ...]:
    """The :class:`Enclosure` of a ball (a tuple for a tuple of balls), bounds to about ``dps + 5`` digits.

    The decimal ball comes from Arb (``arb.mid_rad_10exp``: integers ``m, r, e`` with the ball
    inside ``[(m − r)·10^e, (m + r)·10^e]``), so ``lo``/``hi`` are outward-rounded decimals."""
    if isinstance(x, tuple | list):
        return tuple(enclosure(y, dps) for y in x)  # type: ignore[misc]
    v = _raw(x)
    digits = dps + 5
    if isinstance(v, acb):
        re_, im_ = _part_texts(v.real, digits), _part_texts(v.imag, digits)
        rad = re_[3] if _rad_key(re_[3]) >= _rad_key(im_[3]) else im_[3]
        return Enclosure(_complex_text(re_[0], im_[0]), _complex_text(re_[1], im_[1]), _complex_text(re_[2], im_[2]), rad)
    return Enclosure(*_part_texts(v, digits))


def _rad_key(text: str) -> Fraction | float:
    return math.inf if text == "inf" else Fraction(text)


def _decimal_ball(a: arb, digits: int) -> tuple[int, int, int]:
    """Integers ``(m, r, e)`` with the finite ball ``a`` inside ``[(m − r)·10^e, (m + r)·10^e]``."""
    m, r, e = a.mid_rad_10exp(digits)
    return int(m), int(r), int(e)


def _part_texts(a: arb, digits: int) -> tuple[str, str, str, str]:
    """``(lo, hi, mid, rad)`` texts of a real ball."""
    if a.is_nan():
        return "-inf", "inf", "nan", "inf"
    if not a.is_finite():
        sign = _inf_sign(a)
        if sign:
            t = "inf" if sign > 0 else "-inf"
            return t, t, t, "0"
        return "-inf", "inf", "nan", "inf"
    m, r, e = _decimal_ball(a, digits)
    return _place(m - r, e), _place(m + r, e), _place(m, e), _rad_up(r, e)


def _place(n: int, e: int) -> str:
    """The exact decimal ``n·10^e`` as text (positional near 1, else with an exponent)."""
    if n == 0:
        return "0"
    neg = n < 0
    digits = str(-n if neg else n)
    text = digits.rstrip("0")
    e += len(digits) - len(text)
    first = e + len(text) - 1  # decimal exponent of the first digit
    if -5 <= first <= len(text) + 5:
        point = first + 1
        if point <= 0:
            body = "0." + "0" * (-point) + text
        elif point >= len(text):
            body = text + "0" * (point - len(text))
        else:
            body = text[:point] + "." + text[point:]
    else:
        body = text[0] + ("." + text[1:] if len(text) > 1 else "") + f"e{first}"
    return ("-" if neg else "") + body


def _rad_up(r: int, e: int) -> str:
    """``r·10^e`` rounded up to 3 significant digits."""
    if r == 0:
        return "0"
    n = len(str(r))
    if n > 3:
        q, rem = divmod(r, 10 ** (n - 3))
        r, e = q + (1 if rem else 0), e + n - 3
    return _place(r, e)


def _complex_text(re_: str, im_: str) -> str:
    if im_.startswith("-"):
        return f"{re_}{im_}j"
    return f"{re_}+{im_}j"


def _printed_int(text: str) -> tuple[int, int] | None:
    """``(n, e)`` with the decimal text equal to ``n·10^e`` (``e`` the position of its last digit)."""
    t = text.strip()
    neg = t.startswith("-")
    t = t.lstrip("+-")
    mant, _, exp = t.partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0") or "0"
    try:
        n = int(digits)
        e = (int(exp) if exp else 0) - len(frac)
    except ValueError:
        return None
    return (-n if neg else n), e


def digits_proven(x: Any, value: Any, dps: int) -> bool:
    """Whether ``value`` printed to ``dps`` digits is proven by the ball ``x``.

    True when every point of the ball lies within one unit of the last printed digit of the
    printed value, and the ball's width is below ``10**-dps`` relative to it.  An exact zero
    or an exact infinity is proven when the ball is that point.  Complex values are checked
    part by part; tuples element by element.
    """
    from .result import format_real  # local: result imports precision, which imports nothing of ours

    if isinstance(x, tuple | list):
        return len(x) == len(value) and all(digits_proven(a, b, dps) for a, b in zip(x, value, strict=True))
    v = _raw(x)
    if isinstance(v, acb):
        val = mpmath.mpc(value)
        return digits_proven(Ball(v.real), val.real, dps) and digits_proven(Ball(v.imag), val.imag, dps)
    if v.is_nan():
        return False
    if not v.is_finite():
        return _isinf_exact(v) and mpmath.isinf(value) and ((v > 0) == (value > 0))
    if v.rad() == 0 and v.mid() == 0:
        return value == 0
    text = format_real(value, dps)
    printed = _printed_int(text)
    if printed is None or printed[0] == 0:
        return False
    pn, pe = printed  # the printed value is pn·10^pe exactly; the unit of its last printed digit is 10^pe
    # (a (dps+1)-digit integer prints as '…0.': read literally, its unit is 1, and that is what is proven)
    m, r, e = _decimal_ball(v, dps + 10)  # the ball lies in [(m − r)·10^e, (m + r)·10^e]
    base = min(e, pe)
    scale_ball, scale_p = 10 ** (e - base), 10 ** (pe - base)
    lo, hi, p, unit = (m - r) * scale_ball, (m + r) * scale_ball, pn * scale_p, scale_p
    if max(hi - p, p - lo) <= unit and (hi - lo) * 10**dps <= abs(p):
        return True
    # the decimal ball is a little wider than the binary one: decide a borderline case exactly
    p_exact = Fraction(pn) * Fraction(10) ** pe
    mid, rad = _exact_fraction(v.mid()), _exact_fraction(arb(v.rad()))
    lo_f, hi_f = mid - rad, mid + rad
    if max(abs(hi_f - p_exact), abs(p_exact - lo_f)) > Fraction(10) ** pe:
        return False
    return (hi_f - lo_f) <= abs(p_exact) * Fraction(10) ** (-dps)


# the proof driver -------------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    """A proven value: the ball(s), the value rounded to ``dps`` digits, and the precision used."""

    balls: Any
    value: Any
    residual: Any
    bits: int


def _rel_width_bits(x: Any) -> float:
    """Correct bits of the worst component (``-inf`` for a useless ball)."""
    if isinstance(x, tuple | list):
        return min((_rel_width_bits(y) for y in x), default=math.inf)
    v = _raw(x)
    parts = [v] if isinstance(v, arb) else [v.real, v.imag]
    out = math.inf
    for p in parts:
        if _inf_sign(p):
            continue
        if p.is_nan() or not p.is_finite():
            return -math.inf
        if p.rad() == 0:
            continue
        out = min(out, max(float(p.rel_accuracy_bits()), -1e6))  # a ball around 0: Arb says -2^63
    return out


def prove(
    evaluate: Callable[[], Any],
    dps: int,
    *,
    what: str,
    round_value: Callable[[Any, int], Any],
    guard_bits: int = 40,
    max_tries: int = 3,
    max_bits: int = 40_000,
) -> Proof:
    """Evaluate on balls until ``dps`` digits are proven.

    ``evaluate()`` runs at the current working precision (python-flint's and mpmath's, set by
    this function) and returns ``(value, residual)`` like the ladder's evaluations: ``value`` a
    ball or a tuple of balls, ``residual`` anything (``None``, or the equation's residual).  The first
    try works at ``dps`` digits plus ``guard_bits``; a ball that is too wide is retried with
    the bits it lost added back (twice at most), a :class:`NotProven` raised by ``evaluate``
    (an undecided branch, a failed root proof) with doubled guard bits.

    Returns
    -------
    Proof
        The balls, the value rounded to ``dps`` digits (mpmath numbers) and the precision.

    Raises
    ------
    NotProven
        No precision up to ``max_bits`` proved the digits.
    """
    need = int(math.ceil(dps * BITS_PER_DIGIT))
    bits = max(need + guard_bits, 128)  # low dps: a few more bits cost nothing and close proofs near edges
    last = "no evaluation"
    for _ in range(max_tries):
        if bits > max_bits:
            break
        try:
            with workprec(bits):
                balls, residual = evaluate()
                value = round_value(_mids(balls), dps)
                if digits_proven(balls, value, dps):
                    return Proof(balls, value, residual, bits)
                acc = _rel_width_bits(balls)
        except NotProven as e:
            last = str(e)
            bits = bits + max(guard_bits, bits // 2)
            continue
        except (ZeroDivisionError, ValueError, ArithmeticError) as e:
            last = f"{type(e).__name__}: {e}"
            bits = bits + max(guard_bits, bits // 2)
            continue
        last = f"the enclosure has {acc:.0f} correct bits at {bits} bits of working precision"
        if acc == math.inf:  # exact balls that do not prove the printed value: more bits cannot help
            break
        if acc == -math.inf or acc < 0:  # not even the sign: double the precision
            bits = bits + max(guard_bits, bits)
        else:
            bits = bits + max(guard_bits, int(need + 20 - acc) + 20)
    raise NotProven(f"{what}: {dps} digits not proven ({last})")


def relative_radius(x: Any) -> Any:
    """Upper bound of ``radius / |midpoint|`` (the worst component), as an mpmath number; 0 for exact balls."""
    if isinstance(x, tuple | list):
        return max((relative_radius(y) for y in x), default=mpmath.mpf(0))
    v = _raw(x)
    parts = [v] if isinstance(v, arb) else [v.real, v.imag]
    worst = mpmath.mpf(0)
    for p in parts:
        if p.rad() == 0 or _inf_sign(p):
            continue
        if not p.is_finite():
            return mpmath.inf
        m = abs(p.mid())
        r = _arb_to_mpf(arb(p.rad()))
        worst = max(worst, mpmath.inf if m == 0 else r / _arb_to_mpf(m))
    return worst


def upper_abs(x: Any) -> Any:
    """An upper bound of ``|x|`` as an mpmath number (``x`` a ball, or already a number)."""
    if isinstance(x, Ball | arb | acb):
        v = _raw(x)
        a = abs(v)
        return _arb_to_mpf(a.upper() if isinstance(a, arb) else arb(a.mid()) + arb(a.rad()))
    return x


def _mids(x: Any) -> Any:
    if isinstance(x, tuple | list):
        return type(x)(_mids(y) for y in x)
    return to_mpmath(x)


# fixed points -------------------------------------------------------------------------------


def root_by_sign_change(f: Callable[[Ball], Any], x0: Any, *, rel: Any = None, increasing: bool | None = None) -> Ball:
    r"""Prove a root of a real continuous ``f`` near ``x0`` and return a ball that contains it.

    ``f`` maps a ball to a ball (a formula run on :data:`AB`).  With ``a = x0(1 − δ)``, ``b =
    x0(1 + δ)`` (``δ = rel``; absolute ``δ`` when ``x0 = 0``; by default ``2^{-(prec − 8)}``,
    then ``2^8``, ``2^16`` and ``2^24`` times wider while the signs are undecided),
    the proof checks that ``f(a)`` and ``f(b)`` have strictly opposite signs (evaluated on
    thin balls) and that ``f`` is finite on the whole ball ``[a, b]`` (so continuous there, for
    the elementary formulas used here): by the intermediate value theorem a root lies in
    ``[a, b]``.  With ``increasing=True`` (``False``) the signs must be ``−, +`` (``+, −``).

    *Uniqueness* is not proven here: the caller states why the equation has one root on its
    branch (a strictly monotone function, say) and documents the argument.  *Continuity* is
    the caller's too: a finite enclosure on the hull does not rule out a jump (a ``where``
    whose condition is undecided on the hull returns the finite union of both branches), so
    ``f`` must be continuous on the hull by construction (no branch switch of a
    discontinuous selection inside it); a pole makes ``f`` infinite there and is refused.

    Raises
    ------
    NotProven
        No sign change, or ``f`` not finite on the ball.
    """
    x0 = to_mpmath(x0) if isinstance(x0, Ball) else x0
    prec = ctx.prec
    c = point(x0).v
    # default bracket: 2^-(prec-8) relative, widened by 2^8 up to three times when the signs at
    # its ends are not decided (h cancels near its root: its value there is below its rounding)
    rels = [rel] if rel is not None else [Fraction(1, 2 ** max(prec - 8 - 8 * k, 8)) for k in range(4)]
    last: NotProven | None = None
    for r in rels:
        try:
            return _sign_change(f, c, r, increasing)
        except NotProven as e:
            last = e
    assert last is not None
    raise last


def _sign_change(f: Callable[[Ball], Any], c: Any, rel: Any, increasing: bool | None) -> Ball:
    if c == 0:
        a, b = _raw(-rel), _raw(rel)
    else:
        d = abs(c) * _raw(rel)
        a, b = c - d, c + d
    fa, fb = f(Ball(a)), f(Ball(b))
    sa, sb = _sign(fa), _sign(fb)
    if sa == 0 and (fa == 0) is True:
        return Ball(a)
    if sb == 0 and (fb == 0) is True:
        return Ball(b)
    ok = sa * sb < 0 and (increasing is None or (sa < 0) == increasing)
    if not ok:
        raise NotProven(f"no proven sign change of the fixed-point function around {mpmath.nstr(to_mpmath(c), 8)}")
    hull = a.union(b)
    fh = f(Ball(hull))
    if not _finite(_raw(fh)):
        raise NotProven("the fixed-point function is not finite on the root's bracket")
    return Ball(hull)


def _sign(x: Any) -> int:
    v = _raw(x)
    if v > 0:
        return 1
    if v < 0:
        return -1
    return 0
