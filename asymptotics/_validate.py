"""Input validation and exact parsing of numeric parameters.

Parameters are stored exactly, as :class:`fractions.Fraction`, so that a value typed
as ``"0.001"`` reaches the multiprecision solver as the decimal 1/1000 and not as the
nearest binary double (a binary float would limit a 50-digit answer to ~16 digits).
Python floats are read through their shortest ``repr`` (``1e-3`` means 1/1000).
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Union

import mpmath

from .errors import ParameterError

RealLike = Union[int, float, str, Fraction, Decimal, "mpmath.mpf", Any]

_INF_WORDS = {"inf", "+inf", "infinity", "+infinity", "oo"}


MAX_EXPONENT = 10_000
"""Parameters are exact fractions; decimal exponents beyond ±MAX_EXPONENT are refused (they would make
exact arithmetic and printing arbitrarily slow).  The same bound holds for every input type: strings,
ints, Fractions, Decimals, mpmath and SymPy numbers, numpy scalars, and both parts of a complex number.
It is checked on the input's stored exponent or bit length *before* any arithmetic."""

_MAX_BITS = int(MAX_EXPONENT * 3.3219280948873626) + 64
"""Largest numerator or denominator bit length of a parameter (10**MAX_EXPONENT has 33220 bits)."""

_MAX_TEXT = 2 * MAX_EXPONENT + 100
"""Longest parameter text (a 1e±MAX_EXPONENT number written out in full, or a fraction ``p/q`` of such)."""

_LOG10_2 = 0.30102999566398120


def describe(value: Any, limit: int = 80) -> str:
    """Short text of any value for an error message; never fails and never prints a huge number.

    Integers and fractions beyond ~900 digits are described by their size ("an integer with
    about 5001 digits"; Python refuses to print ints beyond 4300 digits); texts are cut at
    ``limit`` characters.
    """
    try:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            n = int(value)
            if n.bit_length() > 3000:
                return f"an integer with about {int(n.bit_length() * _LOG10_2) + 1} digits"
        if isinstance(value, Fraction):
            bits = max(value.numerator.bit_length(), value.denominator.bit_length())
            if bits > 3000:
                return f"a fraction with about {int(bits * _LOG10_2) + 1} digits"
        if isinstance(value, str):
            text = repr(value) if len(value) <= limit else repr(value[: limit - 30]) + f"... ({len(value)} characters)"
            return text
        text = " ".join(str(value).split())  # one line (numpy arrays print on several)
    except Exception:  # noqa: BLE001 - a message must never fail (str() of a huge int inside a list, ...)
        return f"a {type(value).__name__} too large to print"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _too_big(name: str, value: Any) -> ParameterError:
    return ParameterError(
        f"`{name}` = {describe(value)} is beyond the supported magnitudes 1e-{MAX_EXPONENT} to 1e{MAX_EXPONENT} "
        f"(or a fraction with more than {MAX_EXPONENT} digits)."
    )


def _sized_bits(name: str, value: Any, num_bits: int, den_bits: int) -> None:
    """Refuse a number whose exact fraction has a numerator or denominator beyond ``_MAX_BITS`` bits."""
    if max(num_bits, den_bits) > _MAX_BITS:
        raise _too_big(name, value)


def _sized(name: str, f: Fraction, shown: Any) -> Fraction:
    _sized_bits(name, shown, f.numerator.bit_length(), f.denominator.bit_length())
    return f


def _binary_fraction(name: str, value: Any, sign: int, man: int, exp: int) -> Fraction:
    """``(-1)**sign * man * 2**exp`` exactly, after checking its size on ``man`` and ``exp`` alone."""
    man, exp = int(man), int(exp)
    if not man:
        return Fraction(0)
    _sized_bits(name, value, man.bit_length() + max(exp, 0), max(-exp, 0))
    f = Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
    return -f if sign else f


def to_fraction(name: str, value: Any, *, allow_inf: bool = False) -> Fraction | float:
    """Convert ``value`` to an exact :class:`Fraction` (or ``math.inf`` if allowed).

    Raises :class:`ParameterError` naming ``name`` for NaN, an unparsable string,
    a complex number, an infinity that is not allowed, or a number beyond
    1e±``MAX_EXPONENT`` (checked before any arithmetic, for every input type).
    """
    if isinstance(value, bool):
        raise ParameterError(f"`{name}` must be a real number; got the boolean {value!r}.")
    try:
        if isinstance(value, Fraction):
            return _sized(name, value, value)
        if isinstance(value, int):
            _sized_bits(name, value, value.bit_length(), 0)
            return Fraction(value)
        if isinstance(value, str):
            return _from_text(name, value, allow_inf)
        if isinstance(value, float):
            if math.isnan(value):
                raise ParameterError(f"`{name}` must be a number; got NaN.")
            if math.isinf(value):
                if value > 0:
                    return _inf(name, allow_inf, value)
                raise ParameterError(f"`{name}` must be finite; got {value!r}.")
            return Fraction(float.__repr__(value))  # shortest repr, also for numpy.float64
        if isinstance(value, Decimal):
            if value.is_nan():
                raise ParameterError(f"`{name}` must be a number; got NaN.")
            if value.is_infinite():
                if value > 0:
                    return _inf(name, allow_inf, value)
                raise ParameterError(f"`{name}` must be finite; got {value!r}.")
            if value != 0 and (abs(value.adjusted()) > MAX_EXPONENT or len(value.as_tuple().digits) > _MAX_TEXT):
                raise _too_big(name, value)
            return _sized(name, Fraction(value), value)
        if isinstance(value, mpmath.mpf):
            if mpmath.isnan(value):
                raise ParameterError(f"`{name}` must be a number; got NaN.")
            if mpmath.isinf(value):
                if value > 0:
                    return _inf(name, allow_inf, value)
                raise ParameterError(f"`{name}` must be finite; got {value!r}.")
            sign, man, exp, _bc = value._mpf_  # exact; mpf(value) would round to the global precision
            return _binary_fraction(name, value, sign, man, exp)
        if isinstance(value, complex | mpmath.mpc) or (
            isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real)
        ):
            raise ParameterError(f"`{name}` must be real; got the complex value {describe(value)}.")
        # sympy Rational/Integer/Float, numpy scalars, anything with numerator/denominator
        if hasattr(value, "is_real") and getattr(value, "is_Number", False):  # sympy
            if value.is_Rational:
                p, q = int(value.p), int(value.q)
                _sized_bits(name, value, p.bit_length(), q.bit_length())
                return Fraction(p, q)
            if value.is_infinite:
                return _inf(name, allow_inf, value) if value > 0 else _neg_inf(name, value)
            if value.is_real is False:
                raise ParameterError(f"`{name}` must be real; got {describe(value)}.")
            mpf_tuple = getattr(value, "_mpf_", None)  # sympy Float: its exact binary value, never str()
            if isinstance(mpf_tuple, tuple) and len(mpf_tuple) == 4:
                if mpf_tuple[1] == 0 and mpf_tuple[2] != 0:  # nan/inf special values
                    raise ParameterError(f"`{name}` must be a finite number; got {describe(value)}.")
                return _binary_fraction(name, value, mpf_tuple[0], mpf_tuple[1], mpf_tuple[2])
            raise TypeError
        if isinstance(value, numbers.Integral):
            k = int(value)
            _sized_bits(name, value, k.bit_length(), 0)
            return Fraction(k)
        if isinstance(value, numbers.Real):
            if _is_wide_numpy_float(value):  # numpy longdouble: its own shortest repr, not a rounded double
                import numpy as np

                if np.isnan(value):
                    raise ParameterError(f"`{name}` must be a number; got NaN.")
                if np.isinf(value):
                    return _inf(name, allow_inf, value) if value > 0 else _neg_inf(name, value)
                return _from_text(name, np.format_float_scientific(value, unique=True), allow_inf)
            return to_fraction(name, float(value), allow_inf=allow_inf)
    except ParameterError:
        raise
    except (ValueError, TypeError, ArithmeticError):
        pass
    raise ParameterError(f"`{name}` must be a real number; got {describe(value)}.")


def _is_wide_numpy_float(value: Any) -> bool:
    if type(value).__module__ != "numpy":
        return False
    import numpy as np

    return isinstance(value, np.floating) and np.finfo(value.dtype).nmant > 52


_FRACTION_RE = re.compile(r"^([+-]?\d+)/([+-]?\d+)$")


def _from_text(name: str, value: str, allow_inf: bool) -> Fraction | float:
    """A decimal (``"1e-3"``), ``"p/q"`` or an infinity word, size-checked before conversion."""
    if len(value) > _MAX_TEXT:
        raise _too_big(name, value)
    text = value.strip()
    if text.lower() in _INF_WORDS:
        return _inf(name, allow_inf, value)
    if text.lower() in {"-inf", "-infinity", "-oo"}:
        raise ParameterError(f"`{name}` must be finite; got {value!r}.")
    try:
        dec = Decimal(text)
    except (InvalidOperation, ValueError):
        dec = None
    if dec is not None:
        if dec.is_nan():
            raise ParameterError(f"`{name}` must be a number; got NaN.")
        if dec.is_infinite():
            return _inf(name, allow_inf, value) if dec > 0 else _neg_inf(name, value)
        if dec != 0 and abs(dec.adjusted()) > MAX_EXPONENT:
            raise _too_big(name, value)
        return _sized(name, Fraction(dec), value)
    m = _FRACTION_RE.match(text.replace(" ", ""))
    if m:  # via Decimal: int(str) refuses more than 4300 digits, Decimal does not
        return _sized(name, Fraction(int(Decimal(m.group(1))), int(Decimal(m.group(2)))), value)
    raise ValueError


def _inf(name: str, allow: bool, value: Any) -> float:
    if allow:
        return math.inf
    raise ParameterError(f"`{name}` must be finite; got {value!r}.")


def _neg_inf(name: str, value: Any) -> float:
    raise ParameterError(f"`{name}` must be finite; got {value!r}.")


def check_real(
    name: str,
    value: Any,
    *,
    low: Fraction | int | None = None,
    high: Fraction | int | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_inf: bool = False,
) -> Fraction | float:
    """Parse ``value`` exactly and check ``low (<|<=) value (<|<=) high``."""
    x = to_fraction(name, value, allow_inf=allow_inf)
    ok = True
    if low is not None:
        ok &= x > low if low_open else x >= low
    if high is not None:
        ok &= x < high if high_open else x <= high
    if not ok:
        raise ParameterError(f"`{name}` must be {_range_text(low, high, low_open, high_open, allow_inf)}; got {_show(value)}.")
    return x


def _range_text(low: Any, high: Any, low_open: bool, high_open: bool, allow_inf: bool) -> str:
    fin = "" if allow_inf else " and finite"
    if low is not None and high is not None:
        lb = "(" if low_open else "["
        rb = ")" if high_open else "]"
        return f"in {lb}{low}, {high}{rb}"
    if low is not None:
        return f"{'>' if low_open else '≥'} {low}{fin}"
    if high is not None:
        return f"{'<' if high_open else '≤'} {high}{fin}"
    return "a real number"


def _show(value: Any) -> str:
    return describe(value)


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Check that ``value`` is an integer (an int or an integral string) within range.

    Integers beyond 1e``MAX_EXPONENT`` are refused like any other parameter, and the message
    never prints a huge integer in full.
    """
    if isinstance(value, bool):
        raise ParameterError(f"`{name}` must be an integer; got {value!r}.")
    try:
        if isinstance(value, numbers.Integral):
            k = int(value)
            _sized_bits(name, value, k.bit_length(), 0)
        else:
            f = to_fraction(name, value)
            if f.denominator != 1:
                raise ValueError
            k = int(f)
    except (ParameterError, ValueError, TypeError) as exc:
        if isinstance(exc, ParameterError) and "beyond the supported" in str(exc):
            raise
        raise ParameterError(f"`{name}` must be an integer; got {_show(value)}.") from None
    if (low is not None and k < low) or (high is not None and k > high):
        rng = f"≥ {low}" if high is None else (f"≤ {high}" if low is None else f"in [{low}, {high}]")
        raise ParameterError(f"`{name}` must be an integer {rng}; got {_show(k)}.")
    return k


_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"  # one way to match each text: linear time
_COMPLEX_RE = re.compile(
    rf"^\s*\(?\s*(?:(?P<re>{_NUM})?\s*(?:(?P<sign>[+-])\s*(?P<im>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)?\s*\*?\s*[jJiI])?|(?P<imonly>{_NUM})\s*\*?\s*[jJiI]|(?P<unit>[+-]?)[jJiI])\s*\)?\s*$"
)


def to_complex_fractions(name: str, value: Any) -> tuple[Fraction, Fraction]:
    """Parse a complex number exactly into ``(real, imag)`` fractions.

    Accepts Python complex numbers, mpmath ``mpc``, reals, and strings such as
    ``"1+0.5j"``, ``"-2-1e-3j"``, ``"0.5j"``, ``"3"`` (``i`` works for ``j``).
    """
    if isinstance(value, complex | mpmath.mpc) or (
        isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real) and hasattr(value, "imag")
    ):  # also numpy complex64/clongdouble; each part goes through the same size checks
        return (to_fraction(name, value.real), to_fraction(name, value.imag))  # type: ignore[return-value]
    if isinstance(value, str):
        if len(value) > 2 * _MAX_TEXT:
            raise _too_big(name, value)
        text = value.strip().replace(" ", "")
        mt = _COMPLEX_RE.match(text)
        if mt and text:
            if mt.group("imonly") is not None:
                return Fraction(0), _real_part(name, mt.group("imonly"))
            if mt.group("unit") is not None:
                return Fraction(0), Fraction(-1 if mt.group("unit") == "-" else 1)
            re_part = _real_part(name, mt.group("re")) if mt.group("re") else Fraction(0)
            if mt.group("sign") is None:
                if mt.group("re") is None:
                    raise ParameterError(f"`{name}` must be a complex number like '1+0.5j'; got {_show(value)}.")
                return re_part, Fraction(0)
            im = _real_part(name, mt.group("im")) if mt.group("im") else Fraction(1)
            return re_part, (im if mt.group("sign") == "+" else -im)
        raise ParameterError(f"`{name}` must be a complex number like '1+0.5j'; got {_show(value)}.")
    x = to_fraction(name, value)
    return x, Fraction(0)  # type: ignore[return-value]


def _real_part(name: str, text: str) -> Fraction:
    """One part of a complex string, with the size checks of :func:`to_fraction`."""
    return to_fraction(name, text)  # type: ignore[return-value]


def to_mpf(x: Fraction | float) -> mpmath.mpf:
    """Exact fraction → mpf, correctly rounded at the *current* mpmath precision."""
    if isinstance(x, float):  # only ±inf reaches here
        return mpmath.mpf(x)
    if x.denominator == 1:
        return mpmath.mpf(x.numerator)
    return mpmath.mpf(x.numerator) / x.denominator


def exact_str(f: Any) -> str:
    """Exact text of a parsed parameter: a terminating decimal, ``p/q``, or ``inf``."""
    return _exact_str(f)


def _int_text(n: int) -> str:
    """Decimal text of any int (parameters reach 1e10000 digits; ``str(int)`` stops at 4300).

    Goes through :class:`~decimal.Decimal` instead of lifting ``sys.set_int_max_str_digits``,
    which is process-wide and would race with other threads.
    """
    if n.bit_length() < 14_000:
        return str(n)
    return format(Decimal(n), "f")


def _exact_str(f: Any) -> str:
    if isinstance(f, tuple):
        re_, im_ = f
        if im_ == 0:
            return _exact_str(re_)
        return f"{_exact_str(re_)}{'+' if im_ >= 0 else '-'}{_exact_str(abs(im_))}j"
    if not isinstance(f, Fraction):
        return "inf" if f == math.inf else str(f)
    if f.denominator == 1:
        plain = _int_text(f.numerator)
        mant = plain.lstrip("-").rstrip("0")
        zeros = len(plain.lstrip("-")) - len(mant)
        if zeros > 8:  # 1e300, not 301 digits (still exact)
            sign = "-" if f < 0 else ""
            return f"{sign}{mant[0]}{'.' + mant[1:] if len(mant) > 1 else ''}e{zeros + len(mant) - 1}"
        return plain
    d = f.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return f"{_int_text(f.numerator)}/{_int_text(f.denominator)}"
    digits = max(twos, fives)
    scaled = f * 10**digits  # an integer
    sign = "-" if scaled < 0 else ""
    text = _int_text(abs(int(scaled))).rjust(digits + 1, "0")
    plain = f"{sign}{text[:-digits]}.{text[-digits:]}"
    # the same exact value in scientific notation (1e-60, not 60 zeros) when that is shorter
    mant = _int_text(abs(int(scaled)))
    exp10 = len(mant) - 1 - digits
    mant = mant.rstrip("0") or "0"
    sci = f"{sign}{mant[0]}{'.' + mant[1:] if len(mant) > 1 else ''}e{exp10}"
    return sci if len(sci) + 4 < len(plain) else plain


def shown_params(**kw: Any) -> dict[str, str]:
    """Parameters as exact strings, for results and error reports."""
    return {k: exact_str(v) for k, v in kw.items()}


def check_known(kw: dict[str, Any], valid: tuple[str, ...]) -> None:
    """Reject keyword arguments outside ``valid`` (functions that accept and ignore a model's other parameters)."""
    unknown = sorted(set(kw) - set(valid))
    if unknown:
        from ._suggest import close_matches

        hints = [f"`{u}`: did you mean `{m[0]}`?" for u in unknown if (m := close_matches(u, valid))]
        hint = f" ({'; '.join(hints)})" if hints else ""
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}{hint}; valid: {', '.join(valid)}.")


def float_arrays(dtype: Any = float, **named: Any) -> list[Any]:
    """Broadcast the float64 path's inputs: each ``name=value`` becomes an array of ``dtype``.

    A value that is not a number or an array of numbers (text such as ``"abc"`` or ``"1/3"``,
    ``None``, a complex number for a real parameter, an integer beyond float range), or shapes that
    do not broadcast, raise :class:`ParameterError` naming the parameter.  NaN and ±inf pass
    through: the curve functions mark them with a status code.
    """
    import numpy as np

    arrays = []
    for name, value in named.items():
        if value is None or isinstance(value, bool):
            raise ParameterError(f"`{name}` must be a number or an array of numbers; got {value!r}.")
        try:
            raw = np.asarray(value)
            if raw.dtype == object or raw.dtype.kind in "SUV":
                raw = np.asarray(value, dtype=dtype)  # numeric text such as "0.5" is accepted
            if raw.dtype.kind == "c" and np.dtype(dtype).kind != "c":
                raise TypeError
            if raw.dtype.kind not in "biufc":
                raise TypeError
            with np.errstate(over="ignore"):
                arr = raw.astype(dtype)
            if raw.dtype.itemsize > np.dtype(dtype).itemsize and np.any(np.isfinite(raw) & ~np.isfinite(arr)):
                raise OverflowError  # a finite longdouble beyond float64 range would become inf
            arrays.append(arr)
        except (TypeError, ValueError, OverflowError):
            kind = "a complex number" if np.dtype(dtype).kind == "c" else "a real number"
            shown = _show(value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise ParameterError(f"`{name}` must be {kind} or an array of them; got {shown}.") from None
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in zip(named, arrays, strict=True))
        raise ParameterError(f"the array arguments do not broadcast to one shape: {shapes}.") from None


def key_values(body: str, what: str = "spectrum", aliases: dict[str, str] | None = None) -> dict[str, str]:
    """``k=v,k=v,...`` of a text form (e.g. a spectrum's ``power_law:alpha=1,beta=2``), keys renamed by ``aliases``.

    A key given twice is a :class:`ParameterError` naming it; a malformed item raises ``ValueError`` (the caller
    reports the whole form)."""
    pairs = [(k.strip(), v.strip()) for k, v in (item.split("=", 1) for item in body.split(",") if item.strip())]
    keys = [(aliases or {}).get(k, k) for k, _ in pairs]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ParameterError(f"`{what}` gives `{repeated[0]}` more than once; each key at most once.")
    return dict(zip(keys, (v for _, v in pairs), strict=True))

