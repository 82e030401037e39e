"""Result objects: a value with its parameters, precision and certificate."""

from __future__ import annotations

import math
import operator
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
from mpmath import libmp

from .precision import serialized
from .references import Source


@serialized
def format_real(x: Any, dps: int) -> str:
    """Decimal string of ``x`` with ``dps`` significant digits; ``inf``/``-inf``/``nan``."""
    with mpmath.mp.workdps(dps + 5):  # mpf(x) rounds to the *current* precision
        x = mpmath.mpf(x)
    if mpmath.isinf(x):
        return "inf" if x > 0 else "-inf"
    if mpmath.isnan(x):
        return "nan"
    if x == 0:
        return "0"
    return mpmath.nstr(x, dps, strip_zeros=False, min_fixed=-5, max_fixed=dps + 1)


@serialized
def format_complex(z: Any, dps: int) -> str:
    """``re+imj`` form parsable by Python's ``complex()``."""
    with mpmath.mp.workdps(dps + 5):  # every operation on z must keep its precision
        z = mpmath.mpc(z)
        re_, im_ = z.real, z.imag
        im_abs = abs(im_)
    re_s = format_real(re_, dps)
    im_s = format_real(im_abs, dps)
    sign = "-" if im_ < 0 else "+"
    return f"{re_s}{sign}{im_s}j"


def format_value(v: Any, dps: int) -> Any:
    if isinstance(v, tuple | list):
        return [format_value(x, dps) for x in v]
    if isinstance(v, mpmath.mpc):
        return format_complex(v, dps)
    return format_real(v, dps)


# ----------------------------------------------------------------------------- a Result is a number
# Arithmetic works at the Result's digits plus these guard digits (or the operands' own, if more).
_GUARD_DIGITS = 10
_REPR_LIMIT = 160  # repr(Result) shortens the parameters beyond this many characters
_OP_SYMBOL = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _dyadic(x: Any) -> Fraction:
    """The exact rational value of a finite ``mpf`` (a dyadic number)."""
    sign, man, exp, _bc = x._mpf_
    q = Fraction(man << exp) if exp >= 0 else Fraction(man, 1 << -exp)
    return -q if sign else q


def _key(x: Any) -> int | float | Fraction:
    """An exact Python number equal to the real ``x`` (a float only for ±inf and nan), so that
    comparisons and hashes follow Python's numeric tower exactly."""
    if isinstance(x, int | Fraction):
        return x
    if isinstance(x, float):
        return Fraction(x) if math.isfinite(x) else x
    return _dyadic(x) if mpmath.isfinite(x) else float(x)


def _operand(x: Any) -> Any:
    """``x`` as a number Result arithmetic takes (int, float, complex, Fraction, mpf, mpc, or an object
    with ``_mpf_``/``_mpc_`` such as ``mpmath.pi``); ``None`` when it is not one."""
    if isinstance(x, Result):
        return x._number()
    if isinstance(x, np.generic):
        if isinstance(x, np.bool_ | np.integer):
            return int(x)
        if isinstance(x, np.floating):
            return float(x)
        return complex(x) if isinstance(x, np.complexfloating) else None
    if isinstance(x, int | float | complex | Fraction | mpmath.mpf | mpmath.mpc):
        return x
    if isinstance(x, Decimal):
        return Fraction(x) if x.is_finite() else float(x)
    if hasattr(x, "_mpf_") or hasattr(x, "_mpc_"):
        return x
    return None


def _bits(x: Any) -> int:
    """Binary digits an operand carries (an mpf's mantissa length, 53 for a float, 0 when exact)."""
    if isinstance(x, Result):
        return libmp.dps_to_prec(x.dps + _GUARD_DIGITS)
    if isinstance(x, mpmath.mpf):
        return x._mpf_[3]
    if isinstance(x, mpmath.mpc):
        return max(x.real._mpf_[3], x.imag._mpf_[3])
    return 53 if isinstance(x, float | complex | np.floating | np.complexfloating) else 0


@serialized
def _evaluate(fn: Callable[..., Any], prec: int, *args: Any) -> Any:
    """``fn(*args)`` on mpmath numbers at ``prec`` bits; the caller's mpmath state is left as it was."""
    with mpmath.mp.workprec(prec):
        return fn(*(mpmath.mpmathify(a) for a in args))


def _rational(x: Any) -> Fraction:
    if isinstance(x, mpmath.mpc):
        raise TypeError("can't take floor or mod of a complex number")
    return _dyadic(x)


def _floordiv(a: Any, b: Any) -> Any:
    if mpmath.isfinite(a) and mpmath.isfinite(b) and b != 0:
        return mpmath.mpf(_rational(a) // _rational(b))  # exact, then rounded to the working precision
    return mpmath.mpf(float(a) // float(b))  # inf, nan, division by zero: as floats do


def _mod(a: Any, b: Any) -> Any:
    if mpmath.isfinite(a) and mpmath.isfinite(b) and b != 0:
        q = _rational(a) % _rational(b)  # exact; the sign of b, as Python's %
        return mpmath.mpf(q.numerator) / q.denominator
    return mpmath.mpf(float(a) % float(b))


def _divmod(a: Any, b: Any) -> tuple[Any, Any]:
    return _floordiv(a, b), _mod(a, b)


def _arithmetic(fn: Callable[..., Any], name: str, reflected: bool = False) -> Callable[..., Any]:
    def method(self: Result, other: Any) -> Any:
        y = _operand(other)
        if y is None:
            return NotImplemented
        x = self._number()
        prec = max(_bits(self), _bits(other), _bits(y))
        return _evaluate(fn, prec, y, x) if reflected else _evaluate(fn, prec, x, y)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``{name}``: an mpmath number at the Result's digits plus guard digits (see :class:`Result`)."
    return method


def _unary(fn: Callable[[Any], Any], name: str) -> Callable[..., Any]:
    def method(self: Result) -> Any:
        return _evaluate(fn, _bits(self), self._number())

    method.__name__ = method.__qualname__ = name
    return method


def _parts(v: Any, prec: int) -> tuple[bool, int | float | Fraction, int | float | Fraction]:
    """``(is_complex_type, re, im)`` with exact real and imaginary parts; mpmath constants are
    evaluated at ``prec`` bits."""
    if isinstance(v, int | float | Fraction | mpmath.mpf):
        return False, _key(v), 0
    if isinstance(v, complex | mpmath.mpc):
        return True, _key(v.real), _key(v.imag)
    return _parts(_evaluate(operator.pos, prec, v), prec)


def _equal(x: Any, y: Any, prec: int) -> bool:
    return _parts(x, prec)[1:] == _parts(y, prec)[1:]


def _comparison(name: str) -> Callable[..., Any]:
    op = getattr(operator, name)

    def method(self: Result, other: Any) -> Any:
        if isinstance(self, VectorResult) or isinstance(other, VectorResult):
            raise TypeError(f"'{_OP_SYMBOL[name]}' is not defined for a vector quantity ({self._label()})")
        y = _operand(other)
        if y is None:
            return NotImplemented
        prec = max(_bits(self), _bits(other), _bits(y))
        cx, x_re, _ = _parts(self._number(), prec)
        cy, y_re, _ = _parts(y, prec)
        if cx or cy:
            raise TypeError(f"'{_OP_SYMBOL[name]}' is not supported for complex values ({self._label()})")
        return op(x_re, y_re)

    method.__name__ = method.__qualname__ = f"__{name}__"
    return method


def _latex_number(text: str) -> str:
    """A decimal string of :func:`format_value` in LaTeX (``1.5e-7`` → ``1.5 \\times 10^{-7}``)."""
    if text in ("inf", "-inf", "nan"):
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}[text]
    if text.endswith("j"):  # re±imj
        cut = max(text.rfind("+", 1), text.rfind("-", 1))
        while cut > 0 and text[cut - 1] in "eE":
            cut = max(text.rfind("+", 1, cut - 1), text.rfind("-", 1, cut - 1))
        return f"{_latex_number(text[:cut])} {text[cut]} {_latex_number(text[cut + 1:-1])}\\,i"
    mant, _, exp = text.partition("e")
    return f"{mant} \\times 10^{{{int(exp)}}}" if exp else mant


_LATEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}
_GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa mu nu xi pi rho sigma tau phi chi psi omega".split()
)


def _latex_text(text: str) -> str:
    """``text`` safe inside ``\\text{...}`` (LaTeX specials escaped; ``<``/``>`` leave the text as ``\\lt``/``\\gt``,
    so that no markup reaches a notebook's renderer)."""
    out = "".join(_LATEX_SPECIAL.get(c, c) for c in text)
    return out.replace("<", r"}\lt\text{").replace(">", r"}\gt\text{")


_NUMBER = re.compile(r"[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?(?:/[0-9]+)?(?:[-+][0-9.]+(?:[eE][-+]?[0-9]+)?j)?j?")


def _latex_param(name: str, value: str) -> str:
    """``\\gamma = 2``: the parameter's symbol from :mod:`asymptotics.symbolic.symbols` where it has one."""
    from ._lazy import sympy as sp
    from .symbolic import symbols

    if name in symbols.__all__ and getattr(getattr(symbols, name), "is_Symbol", False):
        symbol = sp.latex(getattr(symbols, name))
    else:
        symbol = f"\\{name}" if name in _GREEK else f"\\mathrm{{{_latex_text(name)}}}"
    shown = value if _NUMBER.fullmatch(value) else f"\\text{{{_latex_text(value)}}}"
    return f"{symbol} = {shown}"


# ----------------------------------------------------------------------------- format(r, spec) on the exact value
_FORMAT_SPEC = re.compile(
    r"(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+ ])?(?P<z>z)?(?P<alt>#)?(?P<zero>0)?(?P<width>\d+)?"
    r"(?P<group>[,_])?(?:\.(?P<prec>\d+))?(?P<type>[eEfFgGn%])?\Z",
    re.S,
)
_MAX_FORMAT_EXPONENT = 1 << 20
"""Binary exponents beyond this (values past about 1e±315000) are formatted through ``float``."""


def _digits(n: int) -> str:
    """``str(n)`` of a non-negative int of any length (Python refuses ``str`` beyond 4300 digits; Decimal does not)."""
    return str(n) if n.bit_length() < 14_000 else str(Decimal(n))


def _pow10(e: int) -> Fraction:
    return Fraction(10**e) if e >= 0 else Fraction(1, 10**-e)


def _scientific(q: Fraction, p: int) -> tuple[str, int]:
    """``(digits, e)``: ``q > 0`` rounded half-to-even to ``p + 1`` significant digits, ``q ≈ 0.digits × 10**(e+1)``."""
    e = int((q.numerator.bit_length() - q.denominator.bit_length()) * 0.30102999566398120)
    while _pow10(e) > q:
        e -= 1
    while _pow10(e + 1) <= q:
        e += 1
    n = round(q / _pow10(e - p))
    if n == 10 ** (p + 1):  # rounding carried into a new digit
        n, e = 10**p, e + 1
    return _digits(n), e


def _grouped(digits: str, sep: str, min_width: int) -> str:
    """``digits`` with ``sep`` every three digits from the right, left-padded with zeros (and separators) to
    at least ``min_width`` characters, never starting with a separator (Python's rule for ``format(x, "012,f")``)."""
    out: list[str] = []
    count, i = 0, len(digits) - 1
    while i >= 0 or len(out) < min_width:
        if count == 3:
            out.append(sep)
            count = 0
        out.append(digits[i] if i >= 0 else "0")
        i -= 1
        count += 1
    return "".join(reversed(out))


def _number_parts(q: Fraction, m: re.Match[str]) -> tuple[bool, str, str]:
    """``(negative, integer part, rest)`` of the exact ``q`` under the presentation type and precision of ``m``
    (``e``/``f``/``g``/``%``/``n`` and upper case, as :func:`format` does for a float)."""
    kind = m["type"]
    p = 6 if m["prec"] is None else int(m["prec"])
    alt = bool(m["alt"])
    negative, a = q < 0, abs(q)
    if kind in "%fF":
        if kind == "%":
            a *= 100
        if a == 0:
            whole = "0" * (p + 1)
        else:
            whole = _digits(round(a * _pow10(p))).rjust(p + 1, "0")
        ip, fp = whole[: len(whole) - p], whole[len(whole) - p :]
        rest = ("." + fp if p or alt else "") + ("%" if kind == "%" else "")
        return negative and (not m["z"] or whole.strip("0") != ""), ip, rest
    if a == 0:
        d, e = "0" * (max(p, 1) if kind in "gGn" else p + 1), 0
    else:
        d, e = _scientific(a, (max(p, 1) - 1) if kind in "gGn" else p)
    echar = "E" if kind in "EG" else "e"
    if kind in "gGn":
        P = max(p, 1)
        if a == 0 or -4 <= e < P:
            ip, fp = (d[: e + 1], d[e + 1 :]) if e >= 0 else ("0", "0" * (-e - 1) + d)
            expo = ""
        else:
            ip, fp, expo = d[0], d[1:], f"{echar}{'-' if e < 0 else '+'}{abs(e):02d}"
        if not alt:
            fp = fp.rstrip("0")
        rest = ("." + fp if fp or alt else "") + expo
    else:
        ip = d[0]
        rest = ("." + d[1:] if p or alt else "") + f"{echar}{'-' if e < 0 else '+'}{abs(e):02d}"
    return negative and (not m["z"] or d.strip("0") != ""), ip, rest


def _pad(text: str, sign: str, ip: str | None, rest: str, m: re.Match[str], numeric: bool = True) -> str:
    """Fill, alignment, width and grouping of ``format`` applied to ``sign + ip + rest``."""
    fill = m["fill"] or ("0" if m["zero"] else " ")
    align = m["align"] or ("=" if m["zero"] else ">")
    width = int(m["width"] or 0)
    if m["group"] and ip is not None:
        zero_pad = numeric and align == "=" and fill == "0"
        ip = _grouped(ip, m["group"], width - len(sign) - len(rest) if zero_pad else 0)
    body = sign + ip + rest if ip is not None else text
    pad = width - len(body)
    if pad <= 0:
        return body
    if align == "<":
        return body + fill * pad
    if align == "^":
        return fill * (pad // 2) + body + fill * (pad - pad // 2)
    if align == "=":
        return sign + fill * pad + ip + rest
    return fill * pad + body


def _sign_text(negative: bool, m: re.Match[str]) -> str:
    return "-" if negative else {"+": "+", " ": " "}.get(m["sign"] or "", "")


def _format_exact(x: Any, spec: str) -> str | None:
    """``format(x, spec)`` of the exact binary value of an ``mpf``/``mpc`` for the presentation types
    ``e E f F g G n %`` (any precision, any exponent); ``None`` where :func:`format` of the float
    (or complex) is exact and is used instead: no presentation type, inf/nan, exponents beyond
    about 1e±315000.  An invalid spec raises :class:`ValueError` as for a float."""
    is_complex = isinstance(x, mpmath.mpc)
    format(0j if is_complex else 0.0, spec)  # Python's own check of the spec (ValueError with its message)
    m = _FORMAT_SPEC.match(spec)
    if m is None or not m["type"]:
        return None
    parts = (x.real, x.imag) if is_complex else (x,)
    if not all(mpmath.isfinite(v) and abs(v._mpf_[2]) < _MAX_FORMAT_EXPONENT for v in parts):
        return None
    if m["type"] == "n" and m["group"]:
        raise ValueError("Cannot specify ',' with 'n'.")
    if not is_complex:
        negative, ip, rest = _number_parts(_dyadic(x), m)
        return _pad("", _sign_text(negative, m), ip, rest, m)
    texts = []
    for k, v in enumerate(parts):
        negative, ip, rest = _number_parts(_dyadic(v), m)
        sign = "-" if negative else ("+" if k else _sign_text(False, m))
        texts.append(sign + (_grouped(ip, m["group"], 0) if m["group"] else ip) + rest)
    return _pad(texts[0] + texts[1] + "j", "", None, "", m, numeric=False)


def _float_exact(x: Any) -> bool:
    """Whether ``float``/``complex`` of an mpf/mpc keeps a finite value finite and a nonzero one nonzero."""
    for v in (x.real, x.imag) if isinstance(x, mpmath.mpc) else (x,):
        if mpmath.isfinite(v) and v != 0 and float(v) in (0.0, math.inf, -math.inf):
            return False
    return True


def _format_number(x: Any, spec: str) -> str:
    """``format`` of one real or complex number: the exact value for ``e f g n %`` specs, the float otherwise."""
    if isinstance(x, mpmath.mpf | mpmath.mpc):
        text = _format_exact(x, spec)
        if text is None and not _float_exact(x):  # no presentation type, beyond float range: like "g"
            text = _format_exact(x, spec + "g")
        if text is not None:
            return text
    return format(complex(x) if isinstance(x, mpmath.mpc | complex) else float(x), spec)


def _truncate(x: Any) -> int:
    """``int(x)`` of a real mpf, with float's errors: :class:`OverflowError` at ±inf, :class:`ValueError` at nan."""
    if mpmath.isinf(x):
        raise OverflowError("cannot convert infinity to integer")
    if mpmath.isnan(x):
        raise ValueError("cannot convert NaN to integer")
    return int(x)


class _Hashed:
    """A precomputed hash: ``hash((_Hashed(hash(a)), ...)) == hash((a, ...))`` for any hash value, where
    ``hash(int)`` would reduce hashes beyond ``2**61 - 1`` (a complex number's)."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value

    def __hash__(self) -> int:
        return self.value


def _hash_of(k: Any) -> int:
    return sys.hash_info.nan if isinstance(k, float) and math.isnan(k) else hash(k)


def _scalar_hash(x: Any) -> int:
    """The hash of a number (exact parts; nan hashes to a constant, so a Result's hash is stable)."""
    _, re_, im_ = _parts(x, 53)
    width = sys.hash_info.width
    h = (_hash_of(re_) + sys.hash_info.imag * _hash_of(im_)) % (1 << width)  # Python's complex hash
    h = h - (1 << width) if h >= 1 << (width - 1) else h
    return -2 if h == -1 else h


@dataclass(frozen=True, eq=False)
class Result:
    """A certified value that behaves like the number it holds.

    Attributes
    ----------
    value:
        ``mpf`` (or ``mpc``, or a tuple for vector quantities such as edges), rounded to
        ``dps`` significant digits; ``mpf('+inf')`` where the limit is infinite.
    model, quantity:
        Registry names (``"mp"``, ``"ridge"``; ``"risk"``, ``"stieltjes"``...).
    params:
        The parameters as exact decimal/fraction strings.
    dps:
        Requested significant digits.
    residual:
        Residual of the defining equation at the returned solution (``None`` for a
        closed form with no equation to satisfy).
    error_estimate:
        Difference between two evaluations on the precision ladder (relative scale).
    branch:
        The branch rule that selected the root, in words.
    source:
        Where the formula comes from.
    enclosure:
        Proven bounds (:class:`~asymptotics.ball.Enclosure`: ``lo``, ``hi`` as decimal strings
        rounded outwards, ``mid``, ``rad``; a tuple of them for a vector quantity) when
        ``proven``; ``None`` otherwise.
    proven:
        ``True`` when ball arithmetic proved every printed digit: the printed value is within one
        unit of its last digit of the exact value and the enclosure is narrower than
        ``10**-dps`` relative.  ``False`` means the value is the precision ladder's estimate
        (two precisions agree to ``dps`` digits), not a proof.

    Notes
    -----
    **A Result is a number.**  It takes part in arithmetic and comparisons with ``int``,
    ``float``, ``complex``, :class:`~fractions.Fraction`, :class:`~decimal.Decimal`, numpy
    scalars, mpmath numbers and constants, and other Results:

    - ``r + x``, ``x + r``, ``r - x``, ``r * x``, ``r / x``, ``r ** x``, ``-r``, ``abs(r)`` (and,
      for real values, ``//``, ``%``, ``divmod``) return a plain mpmath number (``mpf``, or
      ``mpc`` for a complex value), computed at the Result's ``dps`` plus 10 guard digits (or more
      when an mpf operand carries more bits) inside a local precision, so the caller's mpmath
      precision never changes.  A float operand is taken exactly (as mpmath does: ``r + 0.1``
      is an ``mpf``).  The parameters, digits and certificate stay with ``r`` and are not
      carried by the result of an operation: that is a plain number, so a further operation
      on it (``(2 * r) - 1``) is mpmath's arithmetic at mpmath's current precision; chain
      operations inside ``mpmath.workdps(r.dps)`` to keep every digit.
    - Two exceptions follow from the left operand's own rules: ``mpf + r`` is mpmath's
      arithmetic at mpmath's current precision (mpmath reads ``r`` through ``r._mpf_``), and a
      numpy scalar or array on the left (``np.float64(1) + r``, ``array * r``) computes in
      float64 through ``np.asarray(r)``.  ``sum(results)`` therefore adds the later terms at
      mpmath's current precision; ``mpmath.fsum(results)`` does the same explicitly.
    - ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` compare the exact values (no rounding: a
      30-digit and a 15-digit Result of the same quantity differ).  Ordering a complex value
      raises :class:`TypeError`, as for ``complex``.  ``hash(r)`` is the hash of the exact
      value, so a Result equal to a Python number hashes like it.
    - ``float(r)``, ``complex(r)``, ``int(r)`` (truncation; :class:`OverflowError` at ±inf, as for a
      float), ``round(r)`` (an int) and ``round(r, n)`` (a float; the exact
      :class:`~fractions.Fraction`, as ``round(Fraction, n)`` gives, where the rounded value lies
      beyond float range), ``math.floor``/``ceil``/``trunc`` (exact), ``bool(r)``,
      ``mpmath.mpf(r)`` (rounded to mpmath's current precision) and ``mpmath.mpmathify(r)``
      (the value as it is), ``np.asarray(r)`` (a 0-d float64 array, complex128 for a complex value).
    - ``format(r, spec)`` with a presentation type ``e``, ``f``, ``g``, ``n``, ``%`` (or upper case)
      formats the *exact* value, with Python's rules for a float (fill, alignment, sign, ``z``,
      ``#``, width, grouping, precision; rounding half to even): ``format(r, ".25g")`` shows 25
      of a 30-digit Result's digits and a finite ``1e400`` prints as ``1.000e+400``, not ``inf``.
      Digits beyond ``r.dps`` are those of the stored binary value (as for a float) and carry no
      meaning.  An empty spec gives ``str(r)``; a spec without a presentation type (``">12"``)
      applies to ``float(r)``, as before (to the exact value with type ``g`` beyond float range).
      A complex value follows ``format(complex, spec)``.
    - A vector quantity (``mp.edges``) is a :class:`VectorResult`: it behaves like a tuple
      (``len``, iteration, indexing give mpmath numbers; ``==`` with a tuple), ``np.asarray`` gives
      a 1-d array, and arithmetic raises :class:`TypeError`.
    - ``str(r)`` is the value with ``dps`` digits; ``repr(r)`` one line with the quantity, the
      parameters, the digits and whether they are proven; in notebooks ``_repr_html_`` shows a
      table with the certificate and ``_repr_latex_`` the value in LaTeX.

    Examples
    --------
    >>> import math
    >>> import mpmath
    >>> import numpy as np
    >>> from asymptotics import get_model
    >>> risk = get_model("ridge").quantities["risk"]
    >>> r = risk.certified(gamma=2, lam="0.1", dps=30)
    >>> r
    Result(ridge.risk(gamma=2, lam=0.1, r2=1, sigma2=1) = 1.22770701169831370887349837881, dps=30, proven)
    >>> print(r)
    1.22770701169831370887349837881
    >>> type(r + 1).__name__, mpmath.mp.dps  # a plain mpf; mpmath's precision is untouched
    ('mpf', 15)
    >>> with mpmath.workdps(30):  # further mpf arithmetic runs at mpmath's precision
    ...     print(2 * r - 1)
    1.45541402339662741774699675763
    >>> float(r), format(r, ".6g"), round(r, 3)
    (1.2277070116983138, '1.22771', 1.228)
    >>> r > 1, r == r.value, math.isclose(r, 1.2277070117)
    (True, True, True)
    >>> np.asarray([r, risk.certified(gamma=2, lam="0.2", dps=30)])
    array([1.22770701, 1.08630621])
    >>> lo, hi = get_model("mp").quantities["edges"].certified(gamma="0.25", dps=20)
    >>> print(lo, hi)
    0.25 2.25
    """

    value: Any
    model: str
    quantity: str
    params: dict[str, str]
    dps: int
    residual: Any = None
    error_estimate: Any = None
    branch: str | None = None
    source: Source | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    enclosure: Any = None
    proven: bool = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Result:
        # a tuple value makes a VectorResult (a sequence); the dataclass __init__ fills the fields
        if cls in (Result, VectorResult) and (args or "value" in kwargs):
            value = args[0] if args else kwargs["value"]
            cls = VectorResult if isinstance(value, tuple | list) else Result
        return object.__new__(cls)

    # ----------------------------------------------------------------- the number
    def _label(self) -> str:
        return f"{self.model}.{self.quantity}"

    def _number(self) -> Any:
        """The value as an exact ``mpf``/``mpc``; :class:`TypeError` for a vector quantity."""
        v = self.value
        if isinstance(v, mpmath.mpf | mpmath.mpc):
            return v
        if isinstance(v, tuple | list):
            raise TypeError(
                f"{self._label()} is a vector quantity ({len(v)} values): index it (r[0]) or use r.value; "
                "arithmetic on the whole vector is not defined"
            )
        if isinstance(v, bool | int):
            return mpmath.mp.make_mpf(libmp.from_int(int(v)))
        if isinstance(v, float | complex):
            return mpmath.mpf(v) if isinstance(v, float) else mpmath.mpc(v)  # exact: 53 bits fit
        return _evaluate(operator.pos, libmp.dps_to_prec(self.dps + _GUARD_DIGITS), v)

    def _real(self, what: str) -> Any:
        x = self._number()
        if isinstance(x, mpmath.mpc):
            raise TypeError(f"{what} of a complex value ({self._label()}); use complex(r) or r.value.real")
        return x

    @property
    def _mpf_(self) -> tuple[int, int, int, int]:
        """mpmath's raw form of a real value: ``mpmath.mpf(r)``, ``mpmath.mpmathify(r)`` and every
        mpmath function accept a Result through it (``AttributeError`` for a complex or vector value,
        so that mpmath looks for ``_mpc_``)."""
        v = self.value
        if isinstance(v, tuple | list | mpmath.mpc | complex):
            raise AttributeError("_mpf_")
        return self._number()._mpf_

    @property
    def _mpc_(self) -> tuple[Any, Any]:
        """mpmath's raw form of a complex value (``AttributeError`` for a real or vector value)."""
        if not isinstance(self.value, mpmath.mpc | complex):
            raise AttributeError("_mpc_")
        return self._number()._mpc_

    def __float__(self) -> float:
        return float(self._real("float()"))

    def __complex__(self) -> complex:
        return complex(self._number())

    def __int__(self) -> int:
        return _truncate(self._real("int()"))

    def __trunc__(self) -> int:
        return _truncate(self._real("trunc()"))

    def __floor__(self) -> int:
        return math.floor(_key(self._real("floor()")))

    def __ceil__(self) -> int:
        return math.ceil(_key(self._real("ceil()")))

    def __round__(self, ndigits: int | None = None) -> int | float | Fraction:
        """``round(r)``: the nearest int (half to even); ``round(r, n)``: the float nearest to the exact value
        rounded half-to-even to ``n`` decimals, or that exact :class:`~fractions.Fraction` (as
        ``round(Fraction, n)``) where it lies beyond float range (``|r|`` above about 1.8e308)."""
        k = _key(self._real("round()"))
        if isinstance(k, float):  # inf, nan: as floats do
            return round(k, ndigits)
        if ndigits is None:
            return round(k)
        q = round(k, ndigits)
        try:
            return float(q)
        except OverflowError:
            return q

    def __bool__(self) -> bool:
        return bool(self._number())

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        return _format_number(self._number(), spec)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """A 0-d float64 array (complex128 for a complex value; 1-d for a vector quantity)."""
        if copy is False:
            raise ValueError("a Result cannot be viewed as an array without a copy; use np.asarray(r)")
        values = self.value if isinstance(self.value, tuple | list) else (self._number(),)
        data = [complex(x) if isinstance(x, mpmath.mpc | complex) else float(x) for x in values]
        out = np.asarray(data if isinstance(self.value, tuple | list) else data[0])
        return out if dtype is None else out.astype(dtype)

    def __eq__(self, other: object) -> bool:
        if isinstance(self, VectorResult) or isinstance(other, VectorResult):
            if not (isinstance(self, VectorResult) and isinstance(other, tuple | list | VectorResult)):
                return NotImplemented if not isinstance(other, Result) else False
            mine, theirs = list(self), list(other)
            prec = libmp.dps_to_prec(self.dps + _GUARD_DIGITS)
            return len(mine) == len(theirs) and all(
                (y := _operand(b)) is not None and _equal(a, y, prec) for a, b in zip(mine, theirs, strict=True)
            )
        y = _operand(other)
        if y is None:
            return NotImplemented
        return _equal(self._number(), y, max(_bits(self), _bits(other), _bits(y)))

    def __ne__(self, other: object) -> bool:
        same = self.__eq__(other)
        return same if same is NotImplemented else not same

    def __hash__(self) -> int:
        if isinstance(self.value, tuple | list):
            return hash(tuple(_Hashed(_scalar_hash(_operand(x))) for x in self.value))
        return _scalar_hash(self._number())

    __lt__ = _comparison("lt")
    __le__ = _comparison("le")
    __gt__ = _comparison("gt")
    __ge__ = _comparison("ge")

    __add__ = _arithmetic(operator.add, "__add__")
    __radd__ = _arithmetic(operator.add, "__radd__", reflected=True)
    __sub__ = _arithmetic(operator.sub, "__sub__")
    __rsub__ = _arithmetic(operator.sub, "__rsub__", reflected=True)
    __mul__ = _arithmetic(operator.mul, "__mul__")
    __rmul__ = _arithmetic(operator.mul, "__rmul__", reflected=True)
    __truediv__ = _arithmetic(operator.truediv, "__truediv__")
    __rtruediv__ = _arithmetic(operator.truediv, "__rtruediv__", reflected=True)
    __pow__ = _arithmetic(operator.pow, "__pow__")
    __rpow__ = _arithmetic(operator.pow, "__rpow__", reflected=True)
    __floordiv__ = _arithmetic(_floordiv, "__floordiv__")
    __rfloordiv__ = _arithmetic(_floordiv, "__rfloordiv__", reflected=True)
    __mod__ = _arithmetic(_mod, "__mod__")
    __rmod__ = _arithmetic(_mod, "__rmod__", reflected=True)
    __divmod__ = _arithmetic(_divmod, "__divmod__")
    __rdivmod__ = _arithmetic(_divmod, "__rdivmod__", reflected=True)
    __neg__ = _unary(operator.neg, "__neg__")
    __pos__ = _unary(operator.pos, "__pos__")
    __abs__ = _unary(abs, "__abs__")

    # ----------------------------------------------------------------- display
    def __str__(self) -> str:
        v = format_value(self.value, self.dps)
        return f"[{', '.join(v)}]" if isinstance(v, list) else v

    def __repr__(self) -> str:
        """``Result(ridge.risk(gamma=2, lam=0.1, ...) = 1.2277..., dps=30, proven)`` on one line; the
        parameters are shortened beyond about 160 characters."""
        tail = f" = {self}, dps={self.dps}, {'proven' if self.proven else 'estimate'})"
        head = f"Result({self._label()}("
        items = [f"{k}={' '.join(str(v).split())}" for k, v in self.params.items()]
        room = _REPR_LIMIT - len(head) - len(tail) - 1
        shown = ", ".join(items)
        if len(shown) > room:
            while items and len(", ".join([*items, "..."])) > room:
                items.pop()
            shown = ", ".join([*items, "..."])
        return f"{head}{shown}){tail}"

    def _repr_latex_(self) -> str:
        """The value in LaTeX, with the parameters' symbols (for notebooks)."""
        v = format_value(self.value, self.dps)
        value = rf"\left({', '.join(_latex_number(t) for t in v)}\right)" if isinstance(v, list) else _latex_number(v)
        items = [_latex_param(k, str(p)) for k, p in self.params.items()]
        params = r",\ ".join(items if len(items) <= 12 else [*items[:12], r"\ldots"])
        status = "proven" if self.proven else "estimate"
        return (
            rf"$\mathrm{{{_latex_text(self.quantity)}}}\left({params}\right) = {value}"
            rf"\quad [\text{{{_latex_text(self.model)}}},\ \text{{dps}}={self.dps},\ \text{{{status}}}]$"
        )

    def _repr_html_(self) -> str:
        """A small table: value, digits, certificate, parameters, branch, source (all text escaped)."""
        from html import escape

        if self.proven and self.enclosure is not None:
            encl = self.enclosure if isinstance(self.enclosure, tuple | list) else (self.enclosure,)
            certificate = "proven; enclosure " + ", ".join(str(e) for e in encl)
        else:
            certificate = "estimate (precision ladder)"
            if self.error_estimate is not None:
                certificate += f"; error estimate {mpmath.nstr(self.error_estimate, 3)}"
        rows = [
            ("value", f"<code>{escape(str(self))}</code>"),
            ("digits", escape(str(self.dps))),
            ("certificate", escape(certificate)),
            ("parameters", escape(", ".join(f"{k} = {v}" for k, v in self.params.items()))),
        ]
        rows += [(name, escape(str(x))) for name, x in (("branch", self.branch), ("source", self.source)) if x]
        body = "".join(f'<tr><th style="text-align:left">{k}</th><td style="text-align:left">{v}</td></tr>' for k, v in rows)
        return f"<table><caption>{escape(self._label())}</caption>{body}</table>"

    @serialized
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (numbers as decimal strings with ``dps`` digits)."""
        d: dict[str, Any] = {
            "model": self.model,
            "quantity": self.quantity,
            "params": dict(self.params),
            "dps": self.dps,
            "value": format_value(self.value, self.dps),
        }
        if isinstance(self.value, mpmath.mpc):
            with mpmath.mp.workdps(self.dps + 5):
                re_, im_ = self.value.real, self.value.imag
            d["real"] = format_real(re_, self.dps)
            d["imag"] = format_real(im_, self.dps)
        d["residual"] = None if self.residual is None else mpmath.nstr(self.residual, 5)
        d["error_estimate"] = None if self.error_estimate is None else mpmath.nstr(self.error_estimate, 5)
        d["branch"] = self.branch
        d["source"] = None if self.source is None else str(self.source)
        d["proven"] = bool(self.proven)
        if self.enclosure is None:
            d["enclosure"] = None
        elif isinstance(self.enclosure, tuple | list):
            d["enclosure"] = [e.to_dict() for e in self.enclosure]
        else:
            d["enclosure"] = self.enclosure.to_dict()
        for k, v in self.extra.items():
            d[k] = format_value(v, self.dps) if isinstance(v, mpmath.mpf | mpmath.mpc) else v
        return d


class VectorResult(Result):
    """A :class:`Result` whose value is a tuple (e.g. ``mp.edges``): a read-only sequence of mpmath
    numbers.  ``len``, iteration, indexing and unpacking work as on the tuple ``r.value``; ``==``
    compares with a tuple element by element; ``np.asarray(r)`` is a 1-d array; arithmetic raises
    :class:`TypeError` (index the vector first).

    Examples
    --------
    >>> from asymptotics import get_model
    >>> edges = get_model("mp").quantities["edges"].certified(gamma="0.25", dps=20)
    >>> len(edges), float(edges[1]), edges == (0.25, 2.25)
    (2, 2.25, True)
    """

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.value)

    def __getitem__(self, index: int | slice) -> Any:
        return tuple(self.value[index]) if isinstance(index, slice) else self.value[index]

    def __bool__(self) -> bool:
        return len(self.value) > 0

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        return "[" + ", ".join(_format_number(_operand(x), spec) for x in self.value) + "]"

    __hash__ = Result.__hash__


# status codes of float64 curves (documented in CurveResult)
STATUS_OK = 0
STATUS_INFINITE = 1
STATUS_DOMAIN = 2
STATUS_NOT_CONVERGED = 3


def checked_status(values: Any, status: Any) -> tuple[Any, Any]:
    """Final guard of every float64 curve: a NaN value never carries status 0 (it becomes 3, "not
    converged: use the certified path"), and an infinite one gets status 1."""
    v, st = np.asarray(values), np.array(status, copy=True)
    nan = np.isnan(v.real) | np.isnan(v.imag) if np.iscomplexobj(v) else np.isnan(v)
    inf = ~nan & ~np.isfinite(v)
    st = np.where(nan & (st == STATUS_OK), STATUS_NOT_CONVERGED, st)
    st = np.where(inf & (st == STATUS_OK), STATUS_INFINITE, st)
    return v, st


@dataclass(frozen=True)
class CurveResult:
    """A float64 curve ``quantity(axis)`` at fixed other parameters.

    ``status`` per point: 0 ok; 1 the exact value is +inf (e.g. ridgeless risk at
    γ = 1), stored as ``inf``; 2 outside the domain (value NaN); 3 the iteration did not
    converge (value NaN).  A NaN never comes without a non-zero status.

    ``x``, ``values``, ``status`` (and ``mc_mean``, ``mc_se``) are the table: the requested
    ``NUM`` points.  The dense theory for figures is separate: ``theory_x``, ``theory_values``,
    ``theory_status`` hold a float64 evaluation on several hundred points over the same range
    (log-spaced when ``log``), with the table's points and the exact threshold locations of
    :mod:`asymptotics.thresholds` inserted; ``None`` when the quantity has no float64 curve.
    ``mc_hist`` is ``(edges, heights)`` of a Monte Carlo histogram drawn behind the theory
    (``mp density``: the simulated eigenvalues pooled over replicates, structural zeros left
    out, heights normalized like the continuous density, i.e. by the total number of
    eigenvalues ``p`` per replicate), or ``None``.
    """

    model: str
    quantity: str
    axis: str
    x: np.ndarray
    values: np.ndarray
    status: np.ndarray
    params: dict[str, str]
    mc_mean: np.ndarray | None = None
    mc_se: np.ndarray | None = None
    mc_reps: int | None = None
    theory_x: np.ndarray | None = None
    theory_values: np.ndarray | None = None
    theory_status: np.ndarray | None = None
    mc_hist: tuple[np.ndarray, np.ndarray] | None = None
    log: bool = False
