r"""Thresholds and labels for figures: where a curve has a peak, an edge or a jump, and what its axes are called.

A :class:`Threshold` is a zero set ``fn(**params) = 0`` in a model's parameters: the interpolation
threshold of ridge regression (``γ = 1``), of random features (``ψ₁ = ψ₂``, i.e. ``N = n``) and of
the neural tangent model (``Nd = n``), the Marchenko–Pastur support edges ``σ²(1 ± √γ)²``, the
kernel multiple-descent levels ``n = B(d, ℓ)`` and the staircase jumps at integer exponents.
:func:`asymptotics.plotting.plot_curve` draws them as dashed reference lines, :func:`asymptotics.curves.curve`
inserts them into its dense theory grid (so a peak or an edge is resolved exactly), and two-parameter
maps overlay them as contours.

:func:`axis_label` and :func:`quantity_label` give matplotlib mathtext labels, generated from the
SymPy symbols of :mod:`asymptotics.symbolic.symbols` and the LaTeX labels of each model's
:meth:`~asymptotics.models._registry.ModelSpec.system`, with a short word ("penalty", "N/d").
A model defined with :mod:`asymptotics.model_api` gets plain-text labels from its parameter names
and docs, and no thresholds.

Nothing here imports matplotlib; SymPy is imported on the first label.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ParameterError
from .models import get_model

__all__ = ["Threshold", "axis_label", "locate_thresholds", "param_symbol", "quantity_label", "thresholds"]


@dataclass(frozen=True)
class Threshold:
    r"""A threshold of a model: the zero set ``fn(**{p: array for p in params}) = 0``.

    Attributes
    ----------
    label : str
        Matplotlib mathtext label, e.g. ``r"$\gamma = 1$ (interpolation)"``.
    params : tuple of str
        The model parameters ``fn`` takes (keyword arguments, float arrays that broadcast; a text
        parameter such as krr's ``domain`` is passed as given).
    fn : callable
        ``fn(**params) -> numpy.ndarray``, negative on one side of the threshold and positive on the
        other (so a sign change locates it).
    """

    label: str
    params: tuple[str, ...]
    fn: Callable[..., np.ndarray]
    describe: Callable[..., str] | None = None
    """Optional ``describe(**fixed) -> str``: the label with the fixed parameters' numbers filled in
    (krr's ``n = 1 + d = 21``); :func:`locate_thresholds` uses it, falling back to ``label``."""

    def __call__(self, **values: Any) -> np.ndarray:
        return np.asarray(self.fn(**values), dtype=float)

    def label_at(self, **fixed: Any) -> str:
        """The label at fixed values of the other parameters (``label`` when there is nothing to fill in)."""
        if self.describe is None:
            return self.label
        try:
            return self.describe(**fixed)
        except (ArithmeticError, TypeError, ValueError, ParameterError):
            return self.label


# ----------------------------------------------------------------------------- symbols → mathtext
def _mathtext(latex: str) -> str:
    """SymPy LaTeX → what matplotlib's mathtext renders (no ``\\text``, ``\\operatorname``, ``\\left``)."""
    s = re.sub(r"\\(?:text|operatorname|mathrm)\{([^{}]*)\}", r"\\mathrm{\1}", latex)
    s = s.replace(r"\left", "").replace(r"\right", "")
    return s


@functools.cache
def _sym(name: str) -> str:
    """Mathtext (without ``$``) of the shared SymPy symbol ``name`` of :mod:`asymptotics.symbolic.symbols`."""
    import sympy

    from .symbolic import symbols as S

    return _mathtext(sympy.latex(getattr(S, name)))


@functools.cache
def _system_labels(model: str) -> dict[str, str]:
    """The LaTeX labels of the model's SymPy system (``{"risk": "R", "bias": r"\\mathcal{B}"}``), as mathtext."""
    try:
        labels = dict(get_model(model).system().labels)
    except Exception:  # a user model's system may be anything; labels are a courtesy
        return {}
    return {k: _mathtext(v) for k, v in labels.items() if isinstance(v, str)}


def _shared(param: str) -> str | None:
    from .symbolic import symbols as S

    return _sym(param) if param in S.__all__ and param not in ("i", "s", "w", "b", "K", "p") else None


# short words per parameter: (word before the symbol, or an equation after it); model-specific first
_WORDS: dict[tuple[str | None, str], str] = {
    (None, "gamma"): "{s} = p/n",
    (None, "psi1"): "{s} = N/d",
    (None, "psi2"): "{s} = n/d",
    (None, "lam"): "penalty {s}",
    (None, "r2"): "signal energy {s}",
    (None, "sigma2"): "noise variance {s}",
    (None, "tau2"): "noise variance {s}",
    (None, "F1sq"): "linear target energy {s}",
    (None, "Fstar2"): "nonlinear target energy {s}",
    (None, "x"): "{s}",
    (None, "z"): "{s}",
    ("ridge", "tau2"): "misspecification energy {s}",
    ("mp", "sigma2"): "entry variance {s}",
    ("mp", "x"): "eigenvalue {s}",
    ("rf", "lam"): r"penalty {s} ($(N\lambda/d)\|a\|^2$)",
    ("krr", "lam"): "penalty {s} (unnormalized)",
    ("nt", "lam"): "kernel ridge {s}",
}
# parameters without a shared SymPy symbol: mathtext written here once
_PLAIN: dict[tuple[str | None, str], str] = {
    (None, "N_over_n"): r"$N/n = \psi_1/\psi_2$",
    (None, "k"): "moment order $k$",
    (None, "n"): "samples $n$",
    (None, "d"): "dimension $d$",
    (None, "alpha"): r"$\alpha = n/B(d,\ell)$",
    (None, "level"): r"degree $\ell$",
    ("krr", "exponent"): r"$\kappa = \log n/\log d$",
    ("rf", "kappa1"): r"$\kappa_1 = \log N/\log d$ (features)",
    ("rf", "kappa2"): r"$\kappa_2 = \log n/\log d$ (samples)",
    ("nt", "kappa1"): r"$\kappa_1 = \log N/\log d$ (neurons; $Nd$ parameters)",
    ("nt", "kappa2"): r"$\kappa_2 = \log n/\log d$ (samples)",
    (None, "alpha1"): r"$\alpha_1 = N/B(d,\ell)$",
    (None, "alpha2"): r"$\alpha_2 = n/B(d,\ell)$",
    ("nt", "exponent"): r"$\kappa = \log N/\log d$ (rf, nt) or $\log n/\log d$ (kernel)",
    ("lnn", "depth"): "depth $N$",
    ("lnn", "init"): r"initial singular value $\sigma(0)$",
    ("lnn", "s"): "target singular value $s$",
    ("lnn", "frac"): r"learned fraction $\sigma/s$",
    ("lnn", "t"): "time $t$",
    ("lnn", "sigma"): r"singular value $\sigma$",
    ("lnn", "grad"): r"gradient $\langle\nabla\ell, uv^T\rangle$",
}

# labels that depend on another parameter's value: (model, parameter, value of `method`)
_PLAIN_BY_METHOD: dict[tuple[str, str, str], str] = {
    ("nt", "exponent", "rf"): r"$\kappa = \log N/\log d$ (random features, $n = \infty$)",
    ("nt", "exponent", "nt"): r"$\kappa = \log N/\log d$ (neurons, $n = \infty$)",
    ("nt", "exponent", "kernel"): r"$\kappa = \log n/\log d$ (samples)",
}

# the bare symbol of parameters without a shared SymPy symbol (titles: "$N/n = 2$")
_SYMBOL_ONLY: dict[tuple[str | None, str], str] = {
    (None, "N_over_n"): "N/n",
    (None, "k"): "k",
    (None, "n"): "n",
    (None, "d"): "d",
    (None, "alpha"): r"\alpha",
    (None, "level"): r"\ell",
    (None, "alpha1"): r"\alpha_1",
    (None, "alpha2"): r"\alpha_2",
    (None, "kappa1"): r"\kappa_1",
    (None, "kappa2"): r"\kappa_2",
    (None, "exponent"): r"\kappa",
    ("lnn", "depth"): "N",
    ("lnn", "init"): r"\sigma(0)",
    ("lnn", "s"): "s",
    ("lnn", "frac"): r"\sigma/s",
    ("lnn", "t"): "t",
    ("lnn", "sigma"): r"\sigma",
}


def param_symbol(model: str, param: str) -> str | None:
    r"""The mathtext symbol of a parameter without ``$`` (``r"\lambda"``), or ``None`` where it has none.

    Parameters
    ----------
    model : str
        Registry name (aliases accepted).
    param : str
        A parameter of the model.

    Returns
    -------
    str or None
        ``None`` for text parameters (``activation``, ``kernel``) and for models defined outside
        the package.

    Examples
    --------
    >>> param_symbol("ridge", "sigma2")
    '\\sigma^{2}'
    """
    name = get_model(model).name
    if not _builtin(name):
        return None
    own = _lookup(_SYMBOL_ONLY, name, param)
    return own if own is not None else _shared(param)


def _lookup(table: Mapping[tuple[str | None, str], str], model: str, name: str) -> str | None:
    return table.get((model, name), table.get((None, name)))


def _plain(text: str) -> str:
    """Plain text that mathtext leaves alone (a ``$`` would start math)."""
    return text.replace("$", r"\$")


def _builtin(model: str) -> bool:
    from .models._registry import BUILTIN_MODELS

    return model in BUILTIN_MODELS


def axis_label(model: str, param: str, params: Mapping[str, Any] | None = None) -> str:
    r"""Matplotlib mathtext label of a model parameter, e.g. ``r"$\psi_{1} = N/d$"``.

    Parameters
    ----------
    model : str
        Registry name (aliases accepted).
    param : str
        One of the model's parameters (or a quantity argument such as ``x``, ``z``, ``k``).
    params : mapping, optional
        The other (fixed) parameters of the figure; where the meaning of ``param`` depends on one
        of them (nt ``staircase``: ``exponent`` is ``log N/log d`` for ``method=rf|nt``, ``log n/log d``
        for ``method=kernel``), the label is the one for that value (the default when not given).

    Returns
    -------
    str
        The symbol of :mod:`asymptotics.symbolic.symbols` in mathtext with a short word; for a
        model defined outside the package, the parameter's name and doc as plain text.

    Examples
    --------
    >>> axis_label("ridge", "gamma")
    '$\\gamma = p/n$'
    >>> axis_label("rf", "psi1")
    '$\\psi_{1} = N/d$'
    >>> axis_label("nt", "exponent", {"method": "kernel"})
    '$\\kappa = \\log n/\\log d$ (samples)'
    """
    spec = get_model(model)
    name = spec.name
    if _builtin(name):
        if params is not None and name == "nt" and param == "exponent":
            method = str(params.get("method", spec.default("method") or "")).strip().lower()
            own = _PLAIN_BY_METHOD.get((name, param, method))
            if own is not None:
                return own
        plain = _lookup(_PLAIN, name, param)
        if plain is not None:
            return plain
        sym = _shared(param)
        word = _lookup(_WORDS, name, param)
        if sym is not None:
            if word is None:
                return f"${sym}$"
            if word.startswith("{s}"):  # an equation: all of it in math
                return "$" + word.format(s=sym) + "$"
            return word.format(s=f"${sym}$")
    p = spec.params.get(param)
    if p is None or p.kind not in ("real", "int", "complex") or _builtin(name):
        return _plain(param)  # a text parameter (activation, kernel, ...) is never an axis
    doc = p.doc.split(",")[0].strip() if p.doc else ""
    return _plain(f"{param} ({doc})" if doc and len(doc) <= 40 else param)


# quantity words and symbols: the symbol from the model's system labels when it has one
_Q_WORDS: dict[str, str] = {
    "risk": "test error",
    "bias": "bias",
    "variance": "variance",
    "train_error": "training error",
    "kappa": "effective regularization",
    "density": "density",
    "cdf": "CDF",
    "stieltjes": "Stieltjes transform",
    "companion": "companion transform",
    "moment": "moment",
    "edges": "support edges",
    "chi": "",
    "risk_asymptotic": r"test error ($d\to\infty$)",
    "staircase": "limiting test error",
    "phase": "limiting test error",
    "eigenvalue": "kernel eigenvalue",
    "multiplicity": "multiplicity",
    "xi": "Taylor coefficient",
    "self_ridge": "self-induced ridge",
    "effective_ridge": "effective ridge",
    "optimal_lambda": "optimal penalty",
    "optimal_risk": "optimal test error",
    "time_to_learn": "time to learn",
    "time_asymptotic": "time to learn (small init)",
    "trajectory": "singular value",
    "singular_value_rate": "rate",
    "mu0": "",
    "mu1": "",
    "mustar": "",
}
_Q_SYMBOLS: dict[tuple[str | None, str], str] = {
    (None, "cdf"): "F(x)",
    (None, "stieltjes"): "m(z)",
    (None, "moment"): r"\int x^k\,d\mu",
    (None, "edges"): "a, b",
    ("krr", "staircase"): r"F^2_{>\lfloor\kappa\rfloor}",
    ("nt", "staircase"): r"F^2_{>\lfloor\kappa\rfloor}",
    ("rf", "staircase"): r"F^2_{>\lfloor\min(\kappa_1,\kappa_2)\rfloor}",
    ("nt", "phase"): r"F^2_{>\lfloor\min(\kappa_1+1,\kappa_2)\rfloor}",
    ("rf", "risk_asymptotic"): "R",
    ("krr", "risk_asymptotic"): "R",
    (None, "eigenvalue"): r"\mu_{d,\ell}",
    (None, "multiplicity"): r"B(d,\ell)",
    (None, "xi"): r"h^{(\ell)}(0)/\ell!",
    (None, "mu0"): r"\mu_0",
    (None, "mu1"): r"\mu_1",
    (None, "mustar"): r"\mu_\star",
    (None, "optimal_lambda"): r"\lambda^\star",
    (None, "optimal_risk"): r"R(\lambda^\star)",
    (None, "time_to_learn"): "t^\\ast",
    (None, "time_asymptotic"): "t^\\ast",
    (None, "trajectory"): r"\sigma(t)",
    (None, "singular_value_rate"): r"d\sigma/dt",
    ("nt", "self_ridge"): r"\lambda_{\rm self}",
    ("nt", "effective_ridge"): r"\lambda'",
}


def _q_symbol(model: str, quantity: str) -> str | None:
    fixed = _lookup(_Q_SYMBOLS, model, quantity)
    if fixed is not None:
        return fixed
    labels = _system_labels(model)
    if model in ("rf", "nt") and quantity in ("bias", "variance") and {"B", "V"} <= set(labels):
        if quantity == "bias":
            return _sym("F1sq") + " " + labels["B"]
        return f"({_sym('tau2')} + {_sym('Fstar2')})\\," + labels["V"]
    if quantity in labels:
        return labels[quantity]
    if quantity in ("kappa", "chi"):
        return _sym(quantity)
    return None


def quantity_label(model: str, quantity: str, params: Mapping[str, Any] | None = None) -> str:
    r"""Matplotlib mathtext label of a quantity, e.g. ``"test error $R$"``.

    Parameters
    ----------
    model : str
        Registry name (aliases accepted).
    quantity : str
        One of the model's quantities.
    params : mapping, optional
        The figure's fixed parameters, where the symbol depends on one of them (nt ``staircase``:
        ``F^2_{>\lfloor\kappa\rfloor+1}`` for ``method=nt``, the default).

    Returns
    -------
    str
        A short word and the quantity's symbol from the model's SymPy system (``R``,
        ``\mathcal{B}``, ``\rho(x)``...); for a model defined outside the package, its doc as plain text.

    Examples
    --------
    >>> quantity_label("ridge", "risk")
    'test error $R$'
    >>> quantity_label("rf", "bias")
    'bias $F^{2}_{1} \\mathcal{B}$'
    """
    spec = get_model(model)
    name = spec.name
    q = spec.quantity(quantity)
    if _builtin(name):
        sym = _q_symbol(name, q.name)
        if params is not None and name == "nt" and q.name == "staircase":
            method = str(params.get("method", spec.default("method") or "")).strip().lower()
            sym = r"F^2_{>\lfloor\kappa\rfloor+1}" if method == "nt" else sym
        word = _Q_WORDS.get(q.name)
        if sym is not None and word is not None:
            return f"{word} ${sym}$".strip()
        if word:
            return word
    doc = q.doc.strip()
    return _plain(f"{q.name} ({doc})" if doc and len(doc) <= 50 else q.name)


# ----------------------------------------------------------------------------- thresholds per model
_PEAKED = ("risk", "bias", "variance", "train_error", "kappa", "chi")


def _ridge(quantity: str | None) -> list[Threshold]:
    if quantity is not None and quantity not in _PEAKED:
        return []
    g = _sym("gamma")
    return [Threshold(f"${g} = 1$ (interpolation, $p = n$)", ("gamma",), lambda gamma: np.asarray(gamma, dtype=float) - 1.0)]


def _mp(quantity: str | None) -> list[Threshold]:
    from .backend import NP
    from .models.marchenko_pastur import _edges_b

    g, s2 = _sym("gamma"), _sym("sigma2")
    out = [Threshold(f"${g} = 1$ ($p = n$)", ("gamma",), lambda gamma: np.asarray(gamma, dtype=float) - 1.0)]
    if quantity is None or quantity in ("density", "cdf"):

        def edge(j: int) -> Callable[..., np.ndarray]:
            def fn(x: Any, gamma: Any, sigma2: Any = 1.0) -> np.ndarray:
                x, gamma, sigma2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, gamma, sigma2)))
                return x - _edges_b(NP, gamma, sigma2)[j]

            return fn

        out += [
            Threshold(f"lower edge ${s2}(1 - \\sqrt{{{g}}})^2$", ("x", "gamma", "sigma2"), edge(0)),
            Threshold(f"upper edge ${s2}(1 + \\sqrt{{{g}}})^2$", ("x", "gamma", "sigma2"), edge(1)),
        ]
    return out


def _rf(quantity: str | None) -> list[Threshold]:
    if quantity == "staircase":  # polynomial scaling: the N = n line and the steps at integer min(kappa1, kappa2)
        def low(kappa1: Any, kappa2: Any) -> np.ndarray:
            return np.minimum(np.asarray(kappa1, dtype=float), np.asarray(kappa2, dtype=float))

        return [
            Threshold(r"$\kappa_1 = \kappa_2$ ($N = n$)", ("kappa1", "kappa2"),
                      lambda kappa1, kappa2: np.asarray(kappa1, dtype=float) - np.asarray(kappa2, dtype=float)),
            # one zero set for every step: sin(pi m) vanishes exactly at the integers m (and changes sign there)
            Threshold(r"$\min(\kappa_1, \kappa_2) \in \{1, 2, \ldots\}$ (steps)", ("kappa1", "kappa2"),
                      lambda kappa1, kappa2: np.sin(np.pi * low(kappa1, kappa2))),
        ]
    if quantity == "risk_asymptotic":  # the per-level problem's interpolation peak N = n
        return [
            Threshold(r"$\alpha_1 = \alpha_2$ ($N = n$)", ("alpha1", "alpha2"),
                      lambda alpha1, alpha2: np.asarray(alpha1, dtype=float) - np.asarray(alpha2, dtype=float)),
        ]
    if quantity is not None and quantity not in _PEAKED:
        return []
    p1, p2 = _sym("psi1"), _sym("psi2")
    return [
        Threshold(
            f"${p1} = {p2}$ (interpolation, $N = n$)",
            ("psi1", "psi2"),
            lambda psi1, psi2: np.asarray(psi1, dtype=float) - np.asarray(psi2, dtype=float),
        ),
        Threshold("$N/n = 1$ (interpolation)", ("N_over_n",), lambda N_over_n: np.asarray(N_over_n, dtype=float) - 1.0),
    ]


def _staircase_steps(levels: range) -> list[Threshold]:
    def step(ell: int) -> Callable[..., np.ndarray]:
        return lambda exponent: np.asarray(exponent, dtype=float) - ell

    return [Threshold(rf"$\kappa = {ell}$", ("exponent",), step(ell)) for ell in levels]


def _nt(quantity: str | None) -> list[Threshold]:
    if quantity == "staircase":
        return _staircase_steps(range(1, 7))
    if quantity == "phase":  # polynomial scaling: the Nd = n line and the steps at integer min(kappa1 + 1, kappa2)
        def low(kappa1: Any, kappa2: Any) -> np.ndarray:
            return np.minimum(np.asarray(kappa1, dtype=float) + 1, np.asarray(kappa2, dtype=float))

        return [
            Threshold(r"$\kappa_2 = \kappa_1 + 1$ ($Nd = n$)", ("kappa1", "kappa2"),
                      lambda kappa1, kappa2: np.asarray(kappa1, dtype=float) + 1 - np.asarray(kappa2, dtype=float)),
            Threshold(r"$\min(\kappa_1 + 1, \kappa_2) \in \{1, 2, \ldots\}$ (steps)", ("kappa1", "kappa2"),
                      lambda kappa1, kappa2: np.sin(np.pi * low(kappa1, kappa2))),
        ]
    if quantity is not None and quantity not in _PEAKED:
        return []

    def fn(psi1: Any, psi2: Any, d: Any) -> np.ndarray:
        psi1, psi2, d = (np.asarray(v, dtype=float) for v in (psi1, psi2, d))
        with np.errstate(over="ignore", invalid="ignore"):
            return np.log(psi1 * d) - np.log(psi2)  # Nd/n = psi1 d/psi2 = 1; log: psi1 = inf is far away

    return [Threshold("$Nd = n$ (NT interpolation)", ("psi1", "psi2", "d"), fn)]


_KRR_LEVELS = range(1, 9)


def _krr(quantity: str | None) -> list[Threshold]:
    if quantity == "staircase":
        return _staircase_steps(range(1, 7))
    if quantity is not None and quantity not in ("risk", "bias", "variance", "train_error", "kappa"):
        return []
    from .kernels import multiplicity

    def level(ell: int) -> Callable[..., np.ndarray]:
        def fn(n: Any, d: Any, domain: Any = "sphere") -> np.ndarray:
            n, d = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(d, dtype=float))
            count = np.full(d.shape, np.nan)
            flat = count.reshape(-1)
            for i, di in enumerate(d.reshape(-1)):
                if np.isfinite(di) and di >= 2 and float(di).is_integer():
                    di = int(di)
                    if domain != "hypercube" or ell <= di:  # hypercube levels end at ℓ = d
                        flat[i] = float(sum(multiplicity(di, k, domain) for k in range(ell + 1)))
            return n - count

        return fn

    def label(ell: int) -> str:
        return "$n = B(d,0) + B(d,1)$" if ell == 1 else rf"$n = B(d,0) + \cdots + B(d,{ell})$"

    def describe(ell: int) -> Callable[..., str]:
        def text(d: Any = None, domain: Any = "sphere", **_: Any) -> str:
            di = float(d)
            if not (math.isfinite(di) and di.is_integer() and di >= 2):
                return label(ell)
            count = sum(multiplicity(int(di), k, domain) for k in range(ell + 1))
            if ell == 1:
                return f"$n = 1 + d = {count}$ (levels $\\ell \\leq 1$)"
            return f"$n = {count}$ (levels $\\ell \\leq {ell}$)"

        return text

    out = [Threshold(label(ell), ("n", "d", "domain"), level(ell), describe(ell)) for ell in _KRR_LEVELS]
    out.append(Threshold(r"$\alpha = 1$ ($n = B(d,\ell)$)", ("alpha",), lambda alpha: np.asarray(alpha, dtype=float) - 1.0))
    return out


_BUILDERS: dict[str, Callable[[str | None], list[Threshold]]] = {
    "ridge": _ridge,
    "mp": _mp,
    "rf": _rf,
    "nt": _nt,
    "krr": _krr,
    "lnn": lambda quantity: [],
}


def thresholds(model: str, quantity: str | None = None) -> list[Threshold]:
    r"""The thresholds of ``model`` (those relevant to ``quantity`` when given).

    Parameters
    ----------
    model : str
        Registry name (aliases accepted).
    quantity : str, optional
        A quantity of the model; ``None`` gives every threshold of the model.

    Returns
    -------
    list of Threshold
        ridge: ``γ = 1``; mp: ``γ = 1`` and, for ``density``/``cdf``, the edges
        ``x = σ²(1 ± √γ)²``; rf: ``ψ₁ = ψ₂`` and ``N/n = 1`` (``α₁ = α₂`` for ``risk_asymptotic``;
        ``κ₁ = κ₂`` and the integer ``min(κ₁, κ₂)`` for ``staircase``); nt: ``Nd = n`` (needs ``d``), the
        integer exponents for ``staircase``, and ``κ₂ = κ₁ + 1`` and the integer ``min(κ₁ + 1, κ₂)`` for
        ``phase``; krr: ``n = B(d, 0) + … + B(d, ℓ)`` (ℓ = 1..8, the
        number of eigenfunctions of degree ≤ ℓ, from the domain's own multiplicity: ``C(d, k)`` on
        the hypercube), where ridgeless regression on those levels interpolates (the multiple-descent
        peaks, shifted by the implicit ridge of the higher levels), ``α = 1``, and the integer
        exponents for ``staircase``; lnn and models defined outside the package: none.

    Raises
    ------
    ParameterError
        Unknown model or quantity.

    Examples
    --------
    >>> [t.label for t in thresholds("ridge", "risk")]
    ['$\\gamma = 1$ (interpolation, $p = n$)']
    >>> float(thresholds("ridge")[0].fn(gamma=1.0))
    0.0
    """
    spec = get_model(model)
    q = None if quantity is None else spec.quantity(quantity).name
    build = _BUILDERS.get(spec.name) if _builtin(spec.name) else None
    return [] if build is None else build(q)


def locate_thresholds(
    model: str, quantity: str | None, axis: str, lo: float, hi: float, params: Mapping[str, Any] | None = None
) -> list[tuple[float, str]]:
    """Where the thresholds cross the segment ``axis ∈ [lo, hi]`` at fixed other parameters.

    Parameters
    ----------
    model, quantity : str
        As for :func:`thresholds`.
    axis : str
        The swept parameter.
    lo, hi : float
        The axis range (either order; ``lo = hi`` gives no crossings).
    params : mapping, optional
        The other parameters (numbers or strings, e.g. ``{"psi2": "2", "lam": "1e-3"}``); a parameter
        missing here takes the model's numeric default, and a threshold that needs one without
        a numeric value is left out.

    Returns
    -------
    list of (float, str)
        ``(x, label)`` sorted by ``x``, each threshold crossing inside ``[lo, hi]``, located to
        float64 accuracy (exact where the threshold is linear in the axis).

    Examples
    --------
    >>> [x for x, _ in locate_thresholds("mp", "density", "x", 0.0, 4.0, {"gamma": "0.25"})]  # σ²(1 ± √γ)²
    [0.25, 2.25]
    >>> locate_thresholds("rf", "risk", "psi1", 0.1, 10, {"psi2": "2"})[0][0]
    2.0
    """
    from ._validate import to_fraction

    spec = get_model(model)
    lo, hi = sorted((float(lo), float(hi)))
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo == hi:
        return []
    given = dict(params or {})
    out: list[tuple[float, str]] = []
    for t in thresholds(model, quantity):
        if axis not in t.params:
            continue
        kwargs: dict[str, Any] = {}
        for p in t.params:
            if p == axis:
                continue
            raw = given.get(p, spec.default(p))
            if raw is None:
                break
            try:
                value = to_fraction(p, raw, allow_inf=True)
                kwargs[p] = float(value)
            except (ParameterError, TypeError, OverflowError):
                if p == "domain":
                    kwargs[p] = str(raw).strip().lower()
                    continue
                break
        else:
            zeros = _zeros(t, axis, lo, hi, kwargs)
            if zeros:
                text = t.label_at(**kwargs)
                out += [(x, text) for x in zeros]
    return sorted(out)


def _zeros(t: Threshold, axis: str, lo: float, hi: float, kwargs: dict[str, Any]) -> list[float]:
    """Zeros of ``t`` along ``axis`` in ``[lo, hi]``: sign changes on a fine grid, refined by bisection."""
    log = lo > 0 and hi / lo > 50
    grid = np.geomspace(lo, hi, 4001) if log else np.linspace(lo, hi, 4001)

    def f(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.broadcast_to(t(**{axis: x, **kwargs}), np.shape(x)).astype(float)

    y = f(grid)
    found = list(grid[y == 0])
    idx = np.nonzero(np.isfinite(y[:-1]) & np.isfinite(y[1:]) & (np.sign(y[:-1]) * np.sign(y[1:]) < 0))[0]
    a, b, ya = grid[idx], grid[idx + 1], y[idx]
    for _ in range(80):
        m = 0.5 * (a + b)
        ym = f(m)
        left = np.sign(ym) == np.sign(ya)
        a, ya = np.where(left, m, a), np.where(left, ym, ya)
        b = np.where(left, b, m)
        if np.all(b - a <= 4 * np.finfo(float).eps * np.maximum(np.abs(a), np.abs(b))):
            break
    ends = np.where(np.abs(f(a)) <= np.abs(f(b)), a, b)
    for x in ends:  # snap to a short decimal where the threshold vanishes there exactly (γ = 1, not 0.9999999999999998)
        short = float(f"{x:.12g}")
        found.append(short if f(np.array([short]))[0] == 0 else float(x))
    return sorted({float(x) for x in found if lo <= x <= hi})
