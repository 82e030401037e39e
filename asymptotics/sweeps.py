"""Sweeps from Python: a quantity over arrays of parameters, as a pandas DataFrame or an xarray DataArray.

:func:`sweep` broadcasts any number of array parameters together (numpy rules) and returns one
row per point; :func:`grid` takes 1-D arrays and returns their outer product as a labelled
``xarray.DataArray`` (one dimension per array), the input of :func:`asymptotics.maps.plot_map`.

Both use the model's vectorized float64 ``curve`` function in one call (the default), or the
certified solver point by point with ``dps=N`` (a tqdm progress bar on stderr).  Status codes
are those of :mod:`asymptotics.curves`: 0 ok, 1 +inf, 2 outside the domain (NaN), 3 not
converged (NaN).  pandas and xarray are imported only when called (extra ``data``).

A DataFrame from :func:`sweep` over a grid converts to xarray with
``df.set_index(df.attrs["swept"]).to_xarray()``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import mpmath
import numpy as np

from ._validate import check_int, describe, to_fraction
from .curves import MAX_POINTS, NUMERIC_KINDS, _float_value, _kind, load_simulator, pack_certified
from .errors import ConvergenceError, ParameterError
from .models import get_model
from .models._registry import ModelSpec, QuantitySpec
from .precision import DEFAULT_DPS, check_dps, serialized
from .result import STATUS_DOMAIN, STATUS_INFINITE, STATUS_NOT_CONVERGED, STATUS_OK
from .tuning import float64_tunable, is_opt, refuse_mc

if TYPE_CHECKING:
    import pandas
    import xarray

ParamValue: TypeAlias = "str | int | float | complex | np.ndarray | Any"
"""A parameter of :func:`sweep`: a scalar (text read exactly, ``int``, ``float``, ``Fraction``,
``mpf``) or an array-like of numbers."""

__all__ = ["grid", "sweep"]


# ----------------------------------------------------------------------------- optional imports
def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ParameterError('sweep needs pandas: pip install "asymptotics[data]".') from None
    return pandas


def _xarray() -> Any:
    try:
        import xarray
    except ImportError:
        raise ParameterError('grid needs xarray: pip install "asymptotics[data]".') from None
    return xarray


# ----------------------------------------------------------------------------- request
@dataclass
class _Request:
    """A validated sweep: the swept arrays (broadcast to ``shape``, flattened in C order) and the fixed values."""

    model: ModelSpec
    q: QuantitySpec
    order: list[str]
    shape: tuple[int, ...]
    flat: dict[str, np.ndarray]
    fixed: dict[str, Any]
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = int(np.prod(self.shape, dtype=np.int64))

    def point(self, i: int) -> dict[str, Any]:
        """Parameters of point ``i`` for ``q.certified``: Python numbers (floats read by their ``repr``)."""
        return {**{k: v[i].item() for k, v in self.flat.items()}, **self.fixed}


def _is_array(value: Any) -> bool:
    if isinstance(value, str | bytes):
        return False
    if isinstance(value, np.ndarray):
        return True
    try:
        return bool(np.ndim(value) > 0)
    except (TypeError, ValueError, OverflowError):  # a ragged list: an array, refused by _as_array
        return True


def _valid(model: ModelSpec, name: str) -> str:
    """`` (valid: <the parameter's documented range>)`` for error messages, or nothing."""
    spec = model.params.get(name)
    return f" (valid: {spec.doc})" if spec is not None and spec.doc else ""


def _as_array(model: ModelSpec, name: str, value: Any) -> np.ndarray:
    kind = _kind(model, name)
    if kind not in NUMERIC_KINDS:
        example = f", e.g. {name}={model.default(name)!r}" if model.default(name) else ""
        raise ParameterError(f"`{name}` ({kind}) cannot be swept: give one value (a string){example}.")
    dtype = complex if kind == "complex" else float
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):  # text, ragged lists, ints beyond float64 (10**400)
        want = "complex numbers" if kind == "complex" else "real numbers"
        valid = _valid(model, name).replace(" (valid:", ";")
        raise ParameterError(
            f"`{name}` must be an array of {want} (rectangular, within float64 range{valid or ')'}; got {describe(value)}."
        ) from None
    if arr.size == 0:
        raise ParameterError(f"`{name}` is an empty array; give at least one value.")
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ParameterError(
            f"`{name}` has {int(bad.sum())} NaN/inf entr{'y' if bad.sum() == 1 else 'ies'} (first at index "
            f"{where if len(where) > 1 else where[0]}); swept values must be finite."
        )
    if kind == "int":
        if np.any(arr != np.round(arr)):
            raise ParameterError(f"`{name}` must be an array of integers{_valid(model, name)}; got {describe(value)}.")
        big = np.abs(arr) >= 2.0**63  # astype(int64) would wrap (with a RuntimeWarning)
        if big.any():
            first = arr[tuple(np.argwhere(big)[0])]
            raise ParameterError(
                f"`{name}` must be an array of integers within int64 range{_valid(model, name)}; got {float(first):g}."
            )
        arr = arr.astype(np.int64)
    return arr


def _prepare(model_name: str, quantity: str, params: Mapping[str, Any], *, outer: bool) -> _Request:
    model = get_model(model_name)
    q = model.quantity(quantity)
    model.check_names(q, list(params))
    arrays: dict[str, np.ndarray] = {}
    fixed: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if _is_array(value):
            arrays[name] = _as_array(model, name, value)
        else:
            fixed[name] = value
    if outer:  # grid: every array is 1-D and becomes its own axis
        for k, (name, arr) in enumerate(arrays.items()):
            if arr.ndim != 1:
                raise ParameterError(f"grid takes 1-D arrays; `{name}` has shape {arr.shape} (use sweep to broadcast).")
            shape = [1] * len(arrays)
            shape[k] = arr.size
            arrays[name] = arr.reshape(shape)
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"`{k}` {a.shape}" for k, a in arrays.items())
        raise ParameterError(f"the array parameters do not broadcast together (numpy rules): {shapes}.") from None
    size = int(np.prod(shape, dtype=np.int64))
    if size > MAX_POINTS:
        raise ParameterError(f"the sweep has {size} points (shape {shape}); at most {MAX_POINTS} are allowed.")
    flat = {k: np.broadcast_to(a, shape).ravel() for k, a in arrays.items()}
    return _Request(model, q, list(params), tuple(shape), flat, fixed)


# ----------------------------------------------------------------------------- evaluation
@dataclass
class _Values:
    values: np.ndarray  # (size,) or (size, width)
    status: np.ndarray  # (size,) int
    how: str
    dps: int | None = None
    texts: list[list[str]] | None = None  # certified: dps-digit strings, one per component
    proven: np.ndarray | None = None


def _evaluate(req: _Request, dps: int | None, progress: bool | None) -> _Values:
    if dps is not None or req.q.curve is None or (is_opt(req.fixed.get("lam")) and not float64_tunable(req.q)):
        return _certified(req, dps if dps is not None else DEFAULT_DPS, progress)
    return _float64(req)


def _float64(req: _Request) -> _Values:
    """One call of the model's vectorized curve (one per value of each swept integer parameter)."""
    assert req.q.curve is not None
    kwargs = {k: _float_value(req.model, k, v) for k, v in req.fixed.items()}
    ints = [k for k in req.flat if _kind(req.model, k) == "int"]  # curves take integers (d, level) as scalars
    floats = [k for k in req.flat if k not in ints]
    values: np.ndarray | None = None
    status = np.full(req.size, STATUS_DOMAIN, dtype=int)
    keys = np.stack([req.flat[k] for k in ints], axis=1) if ints else np.zeros((req.size, 0), dtype=np.int64)
    for combo in np.unique(keys, axis=0) if ints else [np.zeros(0)]:
        sel = np.all(keys == combo, axis=1) if ints else np.ones(req.size, dtype=bool)
        args = {**kwargs, **{k: int(c) for k, c in zip(ints, combo, strict=True)}, **{k: req.flat[k][sel] for k in floats}}
        v, s = req.q.curve(**args)
        n_sel = int(sel.sum())
        v = np.asarray(v)
        v = np.broadcast_to(v, (n_sel, *v.shape[1:])) if v.ndim and v.shape[0] == n_sel else np.broadcast_to(v, (n_sel,))
        if values is None:
            values = np.full((req.size, *v.shape[1:]), np.nan, dtype=v.dtype if np.iscomplexobj(v) else float)
        elif np.iscomplexobj(v) and not np.iscomplexobj(values):
            values = values.astype(complex)
        values[sel] = v
        status[sel] = np.broadcast_to(np.asarray(s, dtype=int), (n_sel,))
    assert values is not None
    if status.size and np.all(status == STATUS_DOMAIN):
        req.q.certified(**req.point(0), dps=15)  # names the parameter outside its domain
        raise ParameterError(f"every point of the sweep lies outside the domain of {req.model.name} {req.q.name}.")
    if np.iscomplexobj(values) and not np.any(values.imag[~np.isnan(values.imag)]):
        values = values.real  # e.g. the Stieltjes transform on the real axis
    return _Values(values, status, "float64")


@serialized  # formats with mpmath.workdps: the global precision
def _certified(req: _Request, dps: int, progress: bool | None) -> _Values:
    from tqdm import tqdm

    raw: list[Any] = []
    status: list[int] = []
    proven: list[bool] = []
    first_error: ParameterError | None = None
    bar = tqdm(
        range(req.size),
        desc=f"{req.model.name} {req.q.name} (dps={dps})",
        unit="pt",
        file=sys.stderr,
        disable=None if progress is None else not progress,
        leave=False,
    )
    for i in bar:
        p = req.point(i)
        try:
            r = req.q.certified(**p, dps=dps)
        except ParameterError as exc:
            first_error = first_error or exc
            raw.append(None)
            status.append(STATUS_DOMAIN)
            proven.append(False)
            continue
        except ConvergenceError as exc:
            where = ", ".join(f"{k}={p[k]!r}" for k in req.flat)
            bar.write(f"asymptotics: warning: {where}: {str(exc).splitlines()[0]}", file=sys.stderr)
            raw.append(None)
            status.append(STATUS_NOT_CONVERGED)
            proven.append(False)
            continue
        v = r.value
        raw.append(v)
        parts = v if isinstance(v, tuple | list) else (v,)
        status.append(STATUS_INFINITE if any(mpmath.isinf(x) for x in parts) else STATUS_OK)
        proven.append(bool(r.proven))
    bar.close()
    if first_error is not None and all(s == STATUS_DOMAIN for s in status):
        raise first_error
    values, texts = pack_certified(raw, dps)
    return _Values(values, np.asarray(status, dtype=int), "certified", dps, texts, np.asarray(proven, dtype=bool))


def _monte_carlo(
    req: _Request, reps: int, seed: int, n: int | None, progress: bool | None
) -> tuple[np.ndarray, np.ndarray]:
    """MC mean and SE per point: one simulator call per combination of the swept parameters other than the MC axis."""
    simulator = load_simulator(req.model.name)
    fixed_text = {k: v if isinstance(v, str) else _text(v) for k, v in req.fixed.items()}
    candidates = list(req.flat) or [k for k in req.order if _kind(req.model, k) in NUMERIC_KINDS][:1]
    if not candidates:
        raise ParameterError(f"Monte Carlo for {req.model.name} {req.q.name} needs a numeric parameter to sweep.")
    show = sys.stderr.isatty() if progress is None else bool(progress)
    mean = np.full(req.size, np.nan)
    se = np.full(req.size, np.nan)
    last: Exception | None = None
    for axis in candidates:  # the first axis the simulator accepts
        values = req.flat[axis] if axis in req.flat else np.asarray([_float_value(req.model, axis, req.fixed[axis])])
        rest = [k for k in req.flat if k != axis]
        base = {k: t for k, t in fixed_text.items() if k != axis}
        keys = np.stack([req.flat[k] for k in rest], axis=1) if rest else np.zeros((req.size, 0))
        try:
            for combo in np.unique(keys, axis=0) if rest else [np.zeros(0)]:
                sel = np.all(keys == combo, axis=1) if rest else np.ones(req.size, dtype=bool)
                others = {k: _text(c.item()) for k, c in zip(rest, combo, strict=True)}
                m, s = simulator(
                    req.model.name, req.q.name, axis, np.array(values[sel]), {**base, **others},
                    reps=reps, seed=seed, n=n, progress=show,
                )  # fmt: skip
                mean[sel], se[sel] = np.asarray(m, dtype=float), np.asarray(s, dtype=float)
        except NotImplementedError as exc:
            last = exc
            continue
        return mean, se
    raise ParameterError(f"Monte Carlo for {req.model.name} {req.q.name}: {last}")


def _text(v: Any) -> str:
    """A number as the text handed to the simulators (``repr`` of floats: read exactly as typed)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, complex):
        return f"{v.real!r}{v.imag:+}j"
    return repr(v) if isinstance(v, float) else str(v)


def _column(model: ModelSpec, name: str, value: Any, exact: bool = False) -> Any:
    """A fixed parameter's column value: a number for numeric kinds, the text otherwise.

    ``exact`` (the certified path, which never rounds the fixed values to float64): a value
    that float64 cannot hold (``"1e400"`` overflows, ``"1e-400"`` underflows to 0) keeps its
    exact text (:func:`_text`) instead of raising or printing a wrong number.
    """
    kind = _kind(model, name)
    if kind not in NUMERIC_KINDS:
        return value if isinstance(value, str) else describe(value)
    if not exact:
        return _float_value(model, name, value)
    keep = value if isinstance(value, str) else _text(value)
    try:
        number = _float_value(model, name, value)
        if kind == "real" and number == 0 and to_fraction(name, value, allow_inf=True) != 0:
            return keep  # underflow
    except ParameterError:  # beyond float64
        return keep
    return number


# ----------------------------------------------------------------------------- public API
def sweep(
    model: str,
    quantity: str,
    /,
    *,
    dps: int | None = None,
    mc: int | None = None,
    mc_n: int | None = None,
    mc_seed: int | None = None,
    progress: bool | None = None,
    **params: ParamValue,
) -> pandas.DataFrame:
    """Evaluate ``quantity`` over arrays of parameters: one DataFrame row per point.

    Array-like parameters are broadcast together with numpy's rules (``psi1=x, psi2=2`` is a
    curve; ``gamma=g[:, None], lam=l[None, :]`` a grid); the rows follow the broadcast shape
    in C order.  Scalars are fixed.

    Parameters
    ----------
    model : str
        Registry name of the model (``"mp"``, ``"ridge"``, ``"rf"``, ...; aliases accepted).
    quantity : str
        Name of the quantity (see ``get_model(model).quantities``).
    dps : int, optional
        Certified values with ``dps`` significant digits at every point (``q.certified``,
        a tqdm progress bar on stderr).  Default: the model's vectorized float64 curve in
        one call, or certified values at the default precision where the quantity has none.
    mc : int, optional
        Monte Carlo replicates per point (needs the ``validation`` package): adds the
        columns ``mc_mean`` and ``mc_se``.  The simulator runs along the first swept
        parameter it accepts as an axis, once per combination of the other swept
        parameters, each time with ``mc_seed``; a row therefore equals the point of
        ``asymptotics curve ... --mc REPS --seed SEED`` over that axis.
    mc_n : int, optional
        Monte Carlo size (``asymptotics curve --n``; default: the simulator's).
    mc_seed : int, optional
        Monte Carlo root seed (``asymptotics curve --seed``; default 0).
    progress : bool, optional
        Progress bars: ``None`` (default) shows them when stderr is a terminal, ``False``
        never, ``True`` always.
    **params : str, int, float, Fraction, mpf or array-like
        The model's parameters.  Text is read exactly (``"0.001"`` is 1/1000); floats
        through their shortest ``repr``.  Arrays must hold finite numbers; non-numeric
        parameters (``activation``, ``spectrum``, ``kernel``...) take one value only.

    Notes
    -----
    **Model parameters always win.**  A keyword that names a parameter of the quantity is
    that parameter, even where it is also the name of one of sweep's options: krr's sample
    size ``n`` (``sweep("krr", "risk", d=10, n=[40, 80], lam=0.1)``), or a user model's
    ``mc``, ``mc_n``, ``mc_seed`` or ``progress`` (that option then keeps its default; it
    cannot be set for such a model, and the parameter's column comes after those given
    as ``**params``).  A model parameter named ``dps`` is refused (``ParameterError``):
    the certified solver itself takes ``dps``.  ``n=`` and ``seed=`` for a model without
    such a parameter are the Monte Carlo size and seed, the names of earlier versions.

    On the certified path (``dps=N``) the fixed values are never rounded to float64: a fixed
    column holds the float where float64 represents the value (finite and, unless it is 0,
    nonzero) and otherwise its exact text (``lam="1e400"`` → ``"1e400"``).

    Returns
    -------
    pandas.DataFrame
        A column per parameter given (swept and fixed), then ``value`` (``value_0``,
        ``value_1``, ... for vector quantities; complex dtype for complex values), on the
        certified path ``value_text`` (the ``dps``-digit strings) and ``proven`` (bool),
        then ``status`` (0 ok, 1 +inf, 2 outside the domain, 3 not converged) and with
        ``mc``: ``mc_mean``, ``mc_se``.  ``df.attrs`` holds ``model``, ``quantity``,
        ``how`` (``"float64"`` or ``"certified"``), ``dps``, ``fixed`` (name → value
        text), ``swept`` (the swept names), ``shape`` (the broadcast shape), ``mc``,
        ``mc_seed`` and ``mc_n`` (also as ``seed`` and ``n``, their earlier names).

    Raises
    ------
    ParameterError
        Unknown or missing names, NaN/inf, non-numeric, ragged or out-of-range (float64;
        int64 for integer parameters) arrays, shapes that do not broadcast, more than
        ``MAX_POINTS`` points, or every point outside the domain.

    Examples
    --------
    >>> import numpy as np
    >>> from asymptotics.sweeps import sweep
    >>> df = sweep("ridge", "risk", gamma=[0.5, 2.0], lam=0)
    >>> df[["gamma", "lam", "value", "status"]].round(6).to_dict("list")
    {'gamma': [0.5, 2.0], 'lam': [0.0, 0.0], 'value': [1.0, 1.5], 'status': [0, 0]}
    >>> sweep("ridge", "risk", gamma=[0.5, 1, 2], lam=[[0], [0.1]]).shape[0]
    6
    """
    params = dict(params)
    opts = _options(model, quantity, params, dps=dps, mc=mc, mc_n=mc_n, mc_seed=mc_seed, progress=progress)
    dps, mc, progress = opts["dps"], opts["mc"], opts["progress"]
    if dps is not None:
        dps = check_dps(dps)
    if mc is not None:
        mc = check_int("mc", mc, low=1)
    seed = check_int("mc_seed", 0 if opts["mc_seed"] is None else opts["mc_seed"])
    n = None if opts["mc_n"] is None else check_int("mc_n", opts["mc_n"], low=1)
    pd = _pandas()
    req = _prepare(model, quantity, params, outer=False)
    if mc is not None:
        refuse_mc(req.fixed.get("lam"))  # lam=opt: the simulators take a number (asymptotics.tuning)
        load_simulator(req.model.name)  # fail early, before the theory is computed
    res = _evaluate(req, dps, progress)
    cols: dict[str, Any] = {}
    exact = res.how == "certified"
    for name in req.order:
        cols[name] = req.flat[name] if name in req.flat else _column(req.model, name, req.fixed[name], exact)
    _value_columns(cols, res)
    if mc is not None:
        cols["mc_mean"], cols["mc_se"] = _monte_carlo(req, mc, seed, n, progress)
    df = pd.DataFrame(cols, index=pd.RangeIndex(req.size))
    df.attrs.update(
        model=req.model.name,
        quantity=req.q.name,
        how=res.how,
        dps=res.dps,
        fixed={k: v if isinstance(v, str) else _text(v) for k, v in req.fixed.items()},
        swept=list(req.flat),
        shape=req.shape,
        mc=mc,
        mc_seed=seed,
        mc_n=n,
        seed=seed,
        n=n,
    )
    return df


_OPTIONS = ("dps", "mc", "mc_n", "mc_seed", "progress")
"""sweep's own keyword options; a parameter of the quantity with one of these names takes the keyword."""
_OLD_NAMES = {"n": "mc_n", "seed": "mc_seed"}
"""Earlier names of the Monte Carlo options, read as such for a quantity without a parameter of that name."""


def _options(model: str, quantity: str, params: dict[str, Any], **given: Any) -> dict[str, Any]:
    """Split sweep's/grid's options from the model's parameters: model parameters always win.

    A given option whose name is a parameter of the quantity moves into ``params`` (and the
    option keeps its default, ``None``); ``n``/``seed`` in ``params`` that the quantity does
    not take become ``mc_n``/``mc_seed``.  Mutates ``params``; returns the options.
    """
    spec = get_model(model)
    taken = set(spec.quantity(quantity).params)
    if "dps" in taken:
        raise ParameterError(
            f"{spec.name} {quantity} has a parameter named `dps`, the name of the certified precision; rename the parameter."
        )
    opts = dict(given)
    for name in _OPTIONS:
        if name in opts and name in taken:
            value = opts.pop(name)
            if value is not None:
                params[name] = value
    for old, new in _OLD_NAMES.items():
        if old in params and old not in taken and new in given:
            value = params.pop(old)
            if opts.get(new) is not None:
                raise ParameterError(f"`{old}` is the earlier name of `{new}`; give `{new}` only.")
            opts[new] = value
    return {name: opts.get(name) for name in given}


def _value_columns(cols: dict[str, Any], res: _Values) -> None:
    vals = res.values
    width = 1 if vals.ndim == 1 else vals.shape[1]
    names = ["value"] if width == 1 else [f"value_{j}" for j in range(width)]
    for j, name in enumerate(names):
        cols[name] = vals if width == 1 else vals[:, j]
    if res.texts is not None and res.proven is not None:
        for j, name in enumerate(names):
            cols[name.replace("value", "value_text")] = [t[j] for t in res.texts]
        cols["proven"] = res.proven
    cols["status"] = res.status


def grid(
    model: str,
    quantity: str,
    /,
    *,
    dps: int | None = None,
    progress: bool | None = None,
    **params: ParamValue,
) -> xarray.DataArray:
    """Evaluate ``quantity`` on the outer product of 1-D parameter arrays, as a labelled DataArray.

    Every 1-D array-like parameter becomes a dimension, in keyword order; scalars are fixed
    and kept as scalar coordinates.  This is the input of :func:`asymptotics.maps.plot_map`.

    Parameters
    ----------
    model : str
        Registry name of the model.
    quantity : str
        Name of the quantity.
    dps : int, optional
        Certified values with ``dps`` digits at every point (see :func:`sweep`).
    progress : bool, optional
        Progress bar on the certified path (``None``: when stderr is a terminal).
    **params : str, int, float, Fraction, mpf or 1-D array-like
        The model's parameters (see :func:`sweep`; a parameter named ``progress`` takes
        that keyword, and on the certified path a fixed value beyond float64 stays text).

    Returns
    -------
    xarray.DataArray
        Named after the quantity, with one dimension per array (plus ``component`` for
        vector quantities) and its values as the coordinate; the status codes as the
        non-index coordinate ``status`` (same dims; certified also ``proven`` and
        ``value_text``); the fixed parameters as scalar coordinates.  ``attrs``: ``model``,
        ``quantity``, ``how``, ``dps`` (0 on the float64 path), ``fixed`` (text such as
        ``"lam=0.001 activation=relu"``) and ``long_name`` (a mathtext label); each axis
        coordinate has a ``long_name`` too.  All attributes are netCDF-safe.

    Raises
    ------
    ParameterError
        As :func:`sweep`, and for an array parameter that is not 1-D.

    Examples
    --------
    >>> import numpy as np
    >>> from asymptotics.sweeps import grid
    >>> da = grid("ridge", "risk", gamma=[0.5, 2.0], lam=[0.0, 0.1, 1.0])
    >>> da.dims, da.shape
    (('gamma', 'lam'), (2, 3))
    >>> float(da.sel(gamma=2.0, lam=0.0))  # ridgeless, gamma = 2: r2 (1 - 1/gamma) + sigma2/(gamma - 1)
    1.5
    """
    params = dict(params)
    opts = _options(model, quantity, params, dps=dps, progress=progress)
    dps, progress = opts["dps"], opts["progress"]
    if dps is not None:
        dps = check_dps(dps)
    xr = _xarray()
    req = _prepare(model, quantity, params, outer=True)
    res = _evaluate(req, dps, progress)
    dims = list(req.flat)
    shape = tuple(req.shape[k] for k in range(len(dims)))  # a 0-d grid (no arrays) has shape ()
    vals = res.values
    width = 1 if vals.ndim == 1 else vals.shape[1]
    vdims = dims + (["component"] if width > 1 else [])
    data = vals.reshape(shape + ((width,) if width > 1 else ()))
    coords: dict[str, Any] = {d: np.asarray(req.flat[d]).reshape(shape)[_axis_index(k, len(dims))] for k, d in enumerate(dims)}
    coords["status"] = (dims, res.status.reshape(shape))
    if res.proven is not None and res.texts is not None:
        coords["proven"] = (dims, res.proven.reshape(shape))
        texts = np.array([t if width > 1 else t[0] for t in res.texts], dtype=object)
        coords["value_text"] = (vdims, texts.reshape(data.shape))
    for name, value in req.fixed.items():
        coords[name] = _column(req.model, name, value, res.how == "certified")
    labels = _labels(req.model.name, req.q.name, dims)
    da = xr.DataArray(data, dims=vdims, coords=coords, name=req.q.name)
    for d in dims:
        da[d].attrs["long_name"] = labels[d]
    da.attrs.update(
        model=req.model.name,
        quantity=req.q.name,
        how=res.how,
        dps=int(res.dps or 0),
        fixed=" ".join(f"{k}={v if isinstance(v, str) else _text(v)}" for k, v in req.fixed.items()),
        long_name=labels[""],
    )
    return da


def _axis_index(k: int, ndim: int) -> tuple[Any, ...]:
    """Index that picks axis ``k`` of an ``ndim``-d array (zeros elsewhere)."""
    return tuple(slice(None) if j == k else 0 for j in range(ndim))


def _labels(model: str, quantity: str, params: list[str]) -> dict[str, str]:
    """mathtext labels of the quantity (key ``""``) and of the parameters, from :mod:`asymptotics.thresholds`."""
    out = {"": quantity, **{p: p for p in params}}
    try:
        from . import thresholds as th
    except ImportError:  # pragma: no cover - the labels module is part of the package
        return out
    label: Callable[..., str]
    for key, label, args in [("", th.quantity_label, (model, quantity))] + [(p, th.axis_label, (model, p)) for p in params]:
        try:
            out[key] = label(*args)
        except (KeyError, ValueError, ParameterError):
            pass
    return out
