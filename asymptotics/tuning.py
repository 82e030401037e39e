r"""``lam=opt``: any quantity at the optimal penalty, certified and as vectorized float64 curves.

Every model whose quantity set has ``optimal_lambda`` (ridge, rf, and the models that add it)
accepts ``lam="opt"`` (or ``"optimal"``, any case) wherever a quantity takes ``lam``:
``get_model("rf").quantity("risk").certified(psi1=2, psi2=1, lam="opt")``,
:func:`asymptotics.sweep`, :func:`asymptotics.curves.curve` and the command line
(``asymptotics eval rf risk psi1=2 psi2=1 lam=opt``,
``asymptotics curve rf risk N_over_n=0.1:10:60 psi2=2 lam=opt --plot tuned.png``).
Nothing here is model specific: the registry (:func:`asymptotics.models._registry.register`)
wraps each quantity's callables with :func:`accept_opt`.  A model of
:func:`asymptotics.define_model` with an ``optimal_lambda`` quantity works the same way: its
optimizers take ``lam`` as optional (they do not depend on it).  Where ``lam=opt`` is accepted, a
``lam`` that is no number is refused as "``lam`` must be a real number ≥ 0 or ``opt``".

Certified path
--------------
``λ*`` is the model's own ``optimal_lambda`` at the same parameters (minus ``lam``); the
quantity is then evaluated at ``λ*`` and the :class:`~asymptotics.result.Result` records
``lam="opt"`` and ``lam_star`` (the located value, also in ``extra["lambda_star"]``).
The located ``λ*`` of recent calls is reused by calls at the same parameters asking for no
more digits (``bias``, ``variance``, ``kappa`` at ``lam=opt`` share one search).

*The risk* is insensitive to an error ``δ`` of ``λ*`` to first order (``R'(λ*) = 0``):
``risk`` at ``lam=opt`` is the model's ``optimal_risk`` (the same digits; it locates ``λ*``
with 5 extra digits).

*Any other quantity* ``q`` (bias, variance, κ, ...) inherits the error of ``λ*`` linearly:
with ``λ̂ = λ*(1 + ρ)``, ``q(λ̂) = q(λ*)(1 + E ρ + O(ρ²))`` where ``E = |d log q / d log λ|`` is
the elasticity at ``λ*``.  ``optimal_lambda(dps=D)`` gives ``|ρ| ≤ 5·10^{−D}`` (its value
rounded to ``D`` digits; the located bracket is ``10^{−D−2}`` wide), so
``D = dps + 5 + ⌈log₁₀ max(E, 1)⌉`` keeps ``E|ρ| ≤ 5·10^{−dps−5}``, far below the last of
the ``dps`` digits.  ``E`` is measured first by a central difference of ``q`` (15 digits,
relative step ``10^{−4}``) at ``λ*`` located to 15 digits; ``λ* = 0`` (ridgeless optimal) is
exact and needs no guard.  The digits are a precision-ladder estimate (``proven=False``):
``λ*`` itself is not proven.

Float64 curves of the tuned risk
--------------------------------
:func:`tuned_risk_curve` minimizes the model's float64 ``risk`` curve in ``u = log λ`` at all
points at once:

1. **Scan**: ``λ = 0`` and ``λ = 10^{k/2}``, ``k = −40, …, 24`` (one vectorized call).  A
   minimum at ``λ = 0`` gives ``λ* = 0`` (the ridgeless estimator; as the certified optimizer,
   which decides it from ``R'(0⁺) ≥ 0``); a minimum at the top ``10^{12}`` is status 3 (the
   optimum lies beyond the scan, as the certified optimizer's ``ConvergenceError``).
2. **Golden section** on the scan's bracket ``[u_{k−1}, u_{k+1}]`` (width ``ln 10``), one new
   point per iteration for every point, until the bracket is ``W = 10^{−6}`` wide.
3. **Certificate** of the value.  The reported value is the smallest evaluated one, at ``û``.
   For a risk unimodal in ``u`` the minimizer ``u*`` lies in the final bracket, so
   ``|û − u*| ≤ W`` and ``R(û) − R(u*) ≤ ½ R_uu W²`` (``R_uu`` the second derivative in
   ``u``, measured by a second difference with step ``10^{−3}`` at ``û``).  Rounding errors
   ``η`` of the float64 risk can make the section discard the side holding ``u*`` only where
   the two interior values agree to ``2η``; the discarded side then lies at most ``≈ 3.3 η R``
   below the kept values (quadratic model, golden ratios).  Status 0 requires
   ``½ |R_uu| W² ≤ 10^{−8} R``; then the tuned value's relative error is at most the float64
   risk's own error ``η`` at ``û`` plus ``3.3 η + 10^{−8}``: for the built-in risk curves
   (measured ``η ≲ 10^{−12}`` away from their status-3 regions) far inside the six-digit
   promise.  A point whose scan neighbours or section points are not status 0 gets status 3
   and NaN.

The tuned **value** is insensitive to the located ``λ*`` but ``λ*`` itself is not (it is known
to ``≈ √(η/R_uu)``): float64 curves of other quantities at ``lam=opt`` are therefore not
offered; :func:`asymptotics.curves.curve` and :func:`asymptotics.sweep` evaluate them on the
certified path (15 digits).

References: Dobriban & Wager (2018), arXiv 1507.03003 (ridge's ``λ*``); Mei & Montanari (2019),
arXiv 1908.05355 (random features: the tuned risk decreases in ``N/n``).
"""

from __future__ import annotations

import functools
import inspect
import math
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np

from .errors import ConvergenceError, ParameterError
from .result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK, Result
from .solve.optimize import exact_penalty

if TYPE_CHECKING:
    from .models._registry import ModelSpec, QuantitySpec

__all__ = ["OPT_WORDS", "accept_opt", "is_opt", "tunable", "tuned_certified", "tuned_risk_curve"]

OPT_WORDS = ("opt", "optimal")
"""Values of ``lam`` (any case, surrounding spaces ignored) that ask for the optimal penalty."""

SCAN = tuple(range(-40, 25))
"""Exponents ``k`` of the float64 scan ``λ = 10^{k/2}`` (``10^{-20}`` to ``10^{12}``)."""

WIDTH = 1e-6
"""Final width of the golden-section bracket in ``u = log λ``."""

GAP = 1e-8
"""Largest accepted ``½ |R_uu| W²`` relative to ``R`` (status 0)."""

CURV_STEP = 1e-3
"""Step in ``u`` of the second difference that measures ``R_uu``."""

GUARD = 5
"""Extra digits of ``λ*`` beyond the requested ones (plus the elasticity's decades)."""

_GOLD = (math.sqrt(5) - 1) / 2


def is_opt(value: object) -> bool:
    """Whether ``value`` asks for the optimal penalty (``"opt"``/``"optimal"``, any case)."""
    return isinstance(value, str) and value.strip().lower() in OPT_WORDS


def family(spec: ModelSpec, q: QuantitySpec) -> str:
    """The suffix that pairs ``q`` with its optimizer: ``"_asymptotic"`` for krr's ``risk_asymptotic``
    (tuned by ``optimal_lambda_asymptotic``), ``""`` otherwise (``optimal_lambda``).  The longest
    ``s`` with ``q.name`` ending in ``s`` and ``optimal_lambda{s}`` a quantity of the model."""
    found = [s for s in _suffixes(spec) if q.name.endswith(s)]
    return max(found, key=len, default="")


def _suffixes(spec: ModelSpec) -> list[str]:
    return [k[len("optimal_lambda") :] for k in spec.quantities if k.startswith("optimal_lambda")]


def tunable(spec: ModelSpec, q: QuantitySpec) -> bool:
    """Whether quantity ``q`` of model ``spec`` accepts ``lam=opt``: the model has ``optimal_lambda``
    (of ``q``'s :func:`family`) and ``q`` takes ``lam`` (a quantity that ignores ``lam``, listing it
    as optional, does not)."""
    return (
        f"optimal_lambda{family(spec, q)}" in spec.quantities
        and "lam" in q.params
        and "lam" not in q.optional
        and not q.name.startswith(("optimal_lambda", "optimal_risk"))
    )


def _accepting_models() -> str:
    from .models._registry import REGISTRY

    names = sorted(name for name, m in REGISTRY.items() if _suffixes(m))
    return ", ".join(names) or "none"


def refuse(spec: ModelSpec, q: QuantitySpec) -> ParameterError:
    """The error for ``lam=opt`` where it is not accepted (names ``lam`` and the models that accept it)."""
    if "lam" in q.optional:
        why = f"{spec.name} {q.name} does not depend on lam"
    else:
        why = f"{spec.name} has no optimal_lambda{family(spec, q)} for {q.name}"
    return ParameterError(
        f"`lam`=opt (the optimal penalty) is not accepted here: {why}; give a number ≥ 0. "
        f"Models with lam=opt: {_accepting_models()}."
    )


def _lam_of(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """``lam`` of a call and, when positional arguments are given, all arguments by name."""
    if not args:
        return kwargs.get("lam"), None
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        return kwargs.get("lam"), None
    named = dict(bound.arguments)
    for name, p in inspect.signature(fn).parameters.items():  # **kwargs collected under their own names
        if p.kind is p.VAR_KEYWORD and name in named:
            named.update(named.pop(name))
    return named.get("lam"), named


def accept_opt(fn: Callable[..., Any], spec: ModelSpec, q: QuantitySpec, kind: str) -> Callable[..., Any]:
    """Wrap a quantity's ``certified`` (``kind="certified"``) or float64 ``curve`` callable so that
    ``lam="opt"`` evaluates it at the optimal penalty; other calls pass through unchanged."""
    if getattr(fn, "__accepts_opt__", False):
        return fn
    name = spec.name

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lam, named = _lam_of(fn, args, kwargs)
        if not is_opt(lam):
            try:
                return fn(*args, **kwargs)
            except ParameterError as exc:
                raise _with_opt(exc, spec, q) from None
        from .models import get_model

        model = get_model(name)
        params = dict(named if named is not None else kwargs)
        if not tunable(model, q):
            raise refuse(model, q)
        if kind == "certified":
            return tuned_certified(model, q, params)
        return tuned_curve(model, q, params)

    wrapper.__accepts_opt__ = True  # type: ignore[attr-defined]
    wrapper.__serialized__ = False  # type: ignore[attr-defined]  # functools.wraps copied fn's flag: the registry serializes
    return wrapper


NOT_A_NUMBER = "`lam` must be a real number"


def _with_opt(exc: ParameterError, spec: ModelSpec, q: QuantitySpec) -> ParameterError:
    """``exc`` itself, or, for a ``lam`` that is no number where ``lam=opt`` is accepted, the one-line
    refusal that names both forms: ``"`lam` must be a real number ≥ 0 or `opt` ...; got 'optimum'."``"""
    msg = str(exc)
    if not msg.startswith(NOT_A_NUMBER) or not tunable(spec, q):
        return exc
    got = msg.partition("; got ")[2] or "something else."
    return ParameterError(f"{NOT_A_NUMBER} ≥ 0 or `opt` (the optimal penalty); got {got}")


def refuse_mc(lam: object) -> None:
    """Refuse a Monte Carlo overlay at ``lam=opt`` (the simulators take a number), as ``curve --mc`` does."""
    if is_opt(lam):
        raise ParameterError("`lam`=opt with mc: the simulators take a number for lam; give lam=VALUE (e.g. eval's lam_star).")


# ----------------------------------------------------------------------------- certified
_LOCATED: dict[tuple[Any, ...], tuple[int, Any]] = {}
"""Recent ``λ*`` by (optimizer callable, its arguments): ``(dps, value)``; a call asking for at most
``dps`` digits reuses it (``bias``, ``variance``, ``kappa`` at ``lam=opt`` share one ``λ*``)."""

_LOCATED_MAX = 64
_LOCATED_LOCK = threading.Lock()
_PLAIN = (str, int, float, Fraction, mpmath.mpf, type(None))


def _exact_key(v: Any) -> object:
    return v._mpf_ if isinstance(v, mpmath.mpf) else repr(v)  # exact: mpf's text depends on the working precision


def _locate(model: ModelSpec, base: dict[str, Any], dps: int, suffix: str = "") -> Any:
    """``optimal_lambda{suffix}`` at ``base`` (its own parameters only: ``lam`` is not one) to ``dps`` digits."""
    opt = model.quantities[f"optimal_lambda{suffix}"]
    args = {k: v for k, v in base.items() if k in opt.params}
    key = None
    if all(isinstance(v, _PLAIN) and not isinstance(v, bool) for v in args.values()):
        key = (opt.certified, tuple(sorted((k, type(v).__name__, _exact_key(v)) for k, v in args.items())))
        with _LOCATED_LOCK:
            hit = _LOCATED.get(key)
        if hit is not None and hit[0] >= dps:
            return hit[1]
    value = opt.certified(**args, dps=dps).value
    if key is not None:
        with _LOCATED_LOCK:
            while len(_LOCATED) >= _LOCATED_MAX:
                _LOCATED.pop(next(iter(_LOCATED)))
            _LOCATED[key] = (dps, value)
    return value


def _elasticity(q: QuantitySpec, base: dict[str, Any], lam: Any) -> float:
    """``|d log q / d log λ|`` at ``λ`` (central difference, relative step 1e-4, 15 digits); 0 where ``q`` = 0."""
    with mpmath.workdps(30):
        h = mpmath.mpf("1e-4")
        lo, hi = lam * (1 - h), lam * (1 + h)
        vals = [q.certified(**base, lam=exact_penalty(+x), dps=15).value for x in (lo, lam, hi)]
        if not all(isinstance(v, mpmath.mpf) and mpmath.isfinite(v) for v in vals) or vals[1] == 0:
            return 0.0 if vals[1] == 0 else math.inf
        return float(abs((vals[2] - vals[0]) / (2 * h * vals[1])))


def tuned_certified(model: ModelSpec, q: QuantitySpec, params: dict[str, Any]) -> Result:
    """``q`` at ``λ* = optimal_lambda(params)``, to ``dps`` digits (module docstring: the guard digits).

    Parameters
    ----------
    model : ModelSpec
        The registered model (has ``optimal_lambda``).
    q : QuantitySpec
        The quantity (takes ``lam``).
    params : dict
        The call's arguments by name, ``lam`` being ``"opt"``; ``dps`` among them (default
        :data:`~asymptotics.precision.DEFAULT_DPS`).

    Returns
    -------
    Result
        ``params`` with ``lam="opt"`` and ``lam_star``; ``extra["lambda_star"]``; ``proven=False``
        except for a risk whose ``optimal_risk`` is proven (isotropic ridge: exact ``λ*``).
    """
    from .precision import DEFAULT_DPS, check_dps

    dps = check_dps(params.pop("dps", DEFAULT_DPS))
    params.pop("lam", None)
    base = params
    suffix = family(model, q)
    if q.name == f"risk{suffix}" and f"optimal_risk{suffix}" in model.quantities:
        opt = model.quantities[f"optimal_risk{suffix}"]
        res = opt.certified(**{k: v for k, v in base.items() if k in opt.params}, dps=dps)
        star = res.extra.get("lambda_star")
        return _relabel(res, q.name, star, dps, proven=res.proven, enclosure=res.enclosure)
    lam15 = _locate(model, base, 15, suffix)
    if lam15 == mpmath.inf:
        raise ParameterError(
            f"`lam`=opt: the optimal penalty of {model.name} is +inf at these parameters (the null estimator); "
            f"{q.name} is not evaluated there; give a number for lam."
        )
    if lam15 == 0:
        lam: Any = mpmath.mpf(0)
    else:
        e = _elasticity(q, base, lam15)
        if not math.isfinite(e):
            raise ConvergenceError(f"{model.name} {q.name} at lam=opt: the quantity is not finite near lam* = {lam15}")
        lam = _locate(model, base, dps + GUARD + max(0, math.ceil(math.log10(max(e, 1.0)))), suffix)
    res = q.certified(**base, lam=exact_penalty(lam), dps=dps)
    return _relabel(res, q.name, lam, dps, proven=False, enclosure=None)


def _relabel(res: Result, quantity: str, lam: Any, dps: int, *, proven: bool, enclosure: Any) -> Result:
    with mpmath.workdps(dps):
        shown = "+inf" if lam == mpmath.inf else "0" if lam == 0 else mpmath.nstr(+lam, dps) if lam is not None else "?"
        lam_value = +lam if lam is not None else None
    params: dict[str, str] = {}
    for k, v in res.params.items():  # lam keeps its place (appended where the result has none)
        if k == "lam":
            params.update(lam="opt", lam_star=shown)
        elif k != "lam_star":
            params[k] = v
    params.setdefault("lam", "opt")
    params.setdefault("lam_star", shown)
    extra = {**res.extra, "lambda_star": lam_value}
    return Result(
        res.value,
        res.model,
        quantity,
        params,
        dps,
        res.residual,
        res.error_estimate,
        res.branch,
        res.source,
        extra,
        enclosure=enclosure,
        proven=proven,
    )


# ----------------------------------------------------------------------------- float64
def float64_tunable(q: QuantitySpec) -> bool:
    """Whether a float64 curve of ``q`` at ``lam=opt`` is offered (the risk only: module docstring)."""
    return q.name == "risk" or q.name.startswith("risk_")


def tuned_curve(model: ModelSpec, q: QuantitySpec, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The float64 curve of ``q`` at ``lam=opt`` (``q`` must be the risk, see :func:`float64_tunable`)."""
    if not float64_tunable(q) or q.curve is None:
        raise ParameterError(
            f"`lam`=opt: a float64 curve is offered for the tuned risk only ({model.name} {q.name} at lam* inherits "
            "the error of lam* itself); use the certified path (dps=N, --dps N)."
        )
    params.pop("lam", None)
    values, status, _ = tuned_risk_curve(q.curve, params)
    return values, status


def _flatten(params: dict[str, Any]) -> tuple[tuple[int, ...], dict[str, Any], dict[str, Any]]:
    """Broadcast the numeric array arguments: ``(shape, {name: flat array}, {name: scalar or text})``."""
    arrays: dict[str, np.ndarray] = {}
    scalars: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, str) or v is None or np.ndim(v) == 0:
            scalars[k] = v.item() if isinstance(v, np.ndarray | np.generic) else v
        else:
            arrays[k] = np.asarray(v)
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in arrays.items())
        raise ParameterError(f"the array arguments do not broadcast to one shape: {shapes}.") from None
    flat = {k: np.broadcast_to(a, shape).reshape(-1) for k, a in arrays.items()}
    return shape, flat, scalars


def tuned_risk_curve(
    risk_curve: Callable[..., tuple[Any, Any]], params: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``min_{λ ≥ 0} R(λ)`` at every point of a broadcast parameter set, in float64.

    Parameters
    ----------
    risk_curve : callable
        The model's float64 risk curve ``risk_curve(lam=..., **params) -> (values, status)``.
    params : dict
        The other parameters (arrays broadcast; numbers; text), without ``lam``.

    Returns
    -------
    values, status, lam_star : numpy.ndarray
        The tuned risk (NaN where status ≥ 2), the status codes (0 ok, 2 domain, 3 not
        converged: the certificate of the module docstring fails) and the located ``λ*``
        (``0`` for the ridgeless optimum; NaN where status ≠ 0).
    """
    shape, flat, scalars = _flatten(params)
    m = int(np.prod(shape, dtype=np.int64)) if shape else 1

    def risk(lam: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """R at ``lam`` (shape (len(idx), j)) for the points ``idx``: values with NaN where status ≠ 0, 1."""
        j = lam.shape[1]
        args = {k: np.repeat(a[idx], j) if shape else np.full(idx.size * j, a) for k, a in flat.items()}
        v, s = risk_curve(lam=lam.reshape(-1), **args, **scalars)
        v = np.broadcast_to(np.asarray(v, dtype=float), (idx.size * j,)).reshape(idx.size, j)
        s = np.broadcast_to(np.asarray(s, dtype=int), (idx.size * j,)).reshape(idx.size, j)
        return np.where((s == STATUS_OK) | (s == STATUS_INFINITE), v, np.nan), s

    idx = np.arange(m)
    lam_grid = np.concatenate([[0.0], 10.0 ** (np.asarray(SCAN, dtype=float) / 2)])
    with np.errstate(all="ignore"):
        vals, st = risk(np.broadcast_to(lam_grid, (m, lam_grid.size)), idx)
    out = np.full(m, np.nan)
    status = np.full(m, STATUS_NOT_CONVERGED)
    lam_star = np.full(m, np.nan)
    status[np.all(st == STATUS_DOMAIN, axis=1)] = STATUS_DOMAIN
    valid = ~np.isnan(vals)
    has = valid.any(axis=1) & (status != STATUS_DOMAIN)
    best = np.where(has, np.nanargmin(np.where(valid, vals, np.inf), axis=1), -1)
    top = lam_grid.size - 1
    # ridgeless optimum: the minimum sits at λ = 0 (or at the lowest λ with R(0) equal to it)
    zero = has & ((best == 0) | ((best == 1) & valid[:, 0] & (vals[:, 0] <= vals[:, 1])))
    out[zero], status[zero], lam_star[zero] = vals[zero, 0], STATUS_OK, 0.0
    # the minimizer below 10^-20 (R(0) a little larger): the value changes by O(R'(0)·10^-20)
    low = has & ~zero & (best == 1) & valid[:, 0] & valid[:, 2]
    low &= np.abs(vals[:, 0] - vals[:, 1]) <= GAP * np.abs(vals[:, 1])
    out[low], status[low], lam_star[low] = vals[low, 1], STATUS_OK, lam_grid[1]
    inner = has & ~zero & ~low & (best >= 2) & (best < top)
    rows = np.flatnonzero(inner)
    if rows.size:
        b = best[rows]
        ok = valid[rows, b - 1] & valid[rows, b + 1] & np.isfinite(vals[rows, b])
        rows, b = rows[ok], b[ok]
    if rows.size:
        v, s, lam = _golden(risk, rows, np.log(lam_grid[b - 1]), np.log(lam_grid[b + 1]), vals[rows, b], np.log(lam_grid[b]))
        out[rows], status[rows], lam_star[rows] = v, s, lam
    out = np.where(status == STATUS_OK, out, np.nan)
    lam_star = np.where(status == STATUS_OK, lam_star, np.nan)
    status = np.where((status == STATUS_OK) & np.isinf(out), STATUS_INFINITE, status)
    return out.reshape(shape), status.reshape(shape), lam_star.reshape(shape)


def _golden(
    risk: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    rows: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    v_best: np.ndarray,
    u_best: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Golden section in ``u = log λ`` on ``[a, b]`` for all ``rows`` at once; the certificate of the
    module docstring.  Returns (value, status, λ*) per row."""

    def f(u: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return risk(np.exp(u)[:, None], rows)[0][:, 0]

    c, d = b - _GOLD * (b - a), a + _GOLD * (b - a)
    fc, fd = f(c), f(d)
    bad = np.isnan(fc) | np.isnan(fd)
    n_iter = int(math.ceil(math.log(WIDTH / float(np.max(b - a))) / math.log(_GOLD))) + 1
    for _ in range(n_iter):
        left = fc < fd  # keep [a, d]
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        d_new = np.where(left, c, a + _GOLD * (b - a))
        c_new = np.where(left, b - _GOLD * (b - a), d)
        fd_old = fd
        fd = np.where(left, fc, np.nan)
        fc = np.where(left, np.nan, fd_old)
        u = np.where(left, c_new, d_new)
        fu = f(u)
        fc = np.where(left, fu, fc)
        fd = np.where(left, fd, fu)
        c, d = c_new, d_new
        bad |= np.isnan(fu)
    cand_u = np.stack([u_best, c, d], axis=1)
    cand_v = np.stack([v_best, fc, fd], axis=1)
    k = np.nanargmin(np.where(np.isnan(cand_v), np.inf, cand_v), axis=1)
    pick = np.arange(rows.size)
    u_hat, v_hat = cand_u[pick, k], cand_v[pick, k]
    fp, fm = f(u_hat + CURV_STEP), f(u_hat - CURV_STEP)
    r_uu = (fp - 2 * v_hat + fm) / CURV_STEP**2
    width = np.maximum(b - a, np.abs(u_hat - (a + b) / 2) + (b - a) / 2)
    gap = 0.5 * np.abs(r_uu) * width**2
    ok = ~bad & np.isfinite(v_hat) & np.isfinite(r_uu) & (gap <= GAP * np.abs(v_hat))
    return v_hat, np.where(ok, STATUS_OK, STATUS_NOT_CONVERGED), np.exp(u_hat)
