"""Result objects: a value with its parameters, precision and certificate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

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


@dataclass(frozen=True)
class Result:
    """A certified value.

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

    def __float__(self) -> float:
        return float(self.value)

    def __str__(self) -> str:
        v = format_value(self.value, self.dps)
        return f"[{', '.join(v)}]" if isinstance(v, list) else v

    def __complex__(self) -> complex:
        return complex(self.value)

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
