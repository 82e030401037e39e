"""The public API is typed: no parameter is a bare ``Any``, and the aliases admit what the parser accepts.

A bare ``Any`` (or a union that contains ``Any``, which is the same thing to a type checker) tells
a reader nothing.  The parameters of the public functions use the aliases of
:mod:`asymptotics._types` (``Real``, ``Complex``, ``ActivationLike``, ...), and the second half of
this file checks that every type those aliases name really is accepted at run time.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import inspect
import pathlib
import subprocess
import sys
import types
import typing
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import asymptotics
from asymptotics import _types
from asymptotics.models._registry import REGISTRY

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODEL_MODULES = [
    "marchenko_pastur",
    "ridge",
    "random_features",
    "krr",
    "neural_tangent",
    "linear_networks",
    "deformed_mp",
    "learning_curve",
    "gcm",
    "onestep",
    "committee",
]


class _Lenient(dict):  # type: ignore[type-arg]
    """Names that exist only under ``if TYPE_CHECKING:`` evaluate to a placeholder class (never to ``Any``)."""

    def __init__(self, namespace: dict[str, object]) -> None:
        super().__init__()
        self.namespace = namespace

    def __missing__(self, key: str) -> object:
        if key in self.namespace or hasattr(builtins, key) or key.startswith("__"):
            raise KeyError(key)
        return _Placeholder(key, (), {})


class _Placeholder(type):
    """A class standing for a name imported only under ``TYPE_CHECKING`` (``pandas.DataFrame`` works too)."""

    def __getattr__(cls, attr: str) -> object:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Placeholder(f"{cls.__name__}.{attr}", (), {})

    def __or__(cls, other: object) -> object:
        return typing.Union[cls, other]  # noqa: UP007 - operands may be placeholders

    def __ror__(cls, other: object) -> object:
        return typing.Union[other, cls]  # noqa: UP007


def _evaluate(annotation: object, fn: object) -> object:
    if not isinstance(annotation, str):
        return annotation
    namespace = getattr(inspect.unwrap(fn), "__globals__", {})  # type: ignore[arg-type]
    return eval(annotation, namespace, _Lenient(namespace))  # noqa: S307 - our own annotations


def _is_bare_any(t: object) -> bool:
    """``Any`` itself, ``Any | None``, ``Union[int, Any]``: anything a type checker reads as ``Any``."""
    if t is typing.Any:
        return True
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        return any(_is_bare_any(a) for a in typing.get_args(t))
    return False


def _offenders(fn: object, label: str) -> list[str]:
    out = []
    for p in inspect.signature(fn).parameters.values():  # type: ignore[arg-type]
        if p.name in ("self", "cls"):
            continue
        if p.annotation is inspect.Parameter.empty:
            out.append(f"{label}({p.name}): no annotation")
        elif _is_bare_any(_evaluate(p.annotation, fn)):
            out.append(f"{label}({p.name}): {p.annotation}")
    return out


def _public_functions() -> dict[str, object]:
    found: dict[str, object] = {}
    for name in asymptotics.__all__:
        obj = getattr(asymptotics, name)
        if inspect.isfunction(obj):
            found[f"asymptotics.{name}"] = obj
    for stem in MODEL_MODULES:
        module = importlib.import_module(f"asymptotics.models.{stem}")
        for name, obj in vars(module).items():
            # quantities (made by a factory, so their __module__ is this module) and curve_values
            if inspect.isfunction(obj) and not name.startswith("_") and (name in ("curve_values",) or _is_quantity(obj)):
                found[f"{stem}.{name}"] = obj
    for model in REGISTRY.values():
        for q in model.quantities.values():
            found[f"{model.name} {q.name}"] = q.certified
    return found


def _is_quantity(fn: object) -> bool:
    return any(q.certified is fn for m in REGISTRY.values() for q in m.quantities.values())


def test_evaluation_of_annotations_catches_any():
    # the checker itself: a bare Any, an Optional Any and a union with Any are caught; Callable[..., Any] is not
    def f(a: typing.Any, b: typing.Any | None, c: typing.Union[int, typing.Any], d: typing.Callable[..., typing.Any], e):  # noqa: UP007
        return a

    assert [o.split(":")[0] for o in _offenders(f, "f")] == ["f(a)", "f(b)", "f(c)", "f(e)"]


def test_public_parameters_are_typed_without_bare_any():
    functions = _public_functions()
    assert len(functions) > 60  # every model's quantities, the float64 curves and the package-level functions
    offenders = [o for label, fn in sorted(functions.items()) for o in _offenders(fn, label)]
    assert offenders == [], "\n".join(offenders)


def test_aliases_are_runtime_types():
    for name in ("Real", "Complex", "IntLike", "Energies"):
        alias = getattr(_types, name)
        assert isinstance(alias, types.UnionType), name
        assert not _is_bare_any(alias), name
    for name in ("ActivationLike", "KernelLike"):
        assert not _is_bare_any(getattr(_types, name)), name


def _two() -> list[object]:
    import sympy

    return ["2", 2, 2.0, Fraction(2), Decimal(2), mpmath.mpf(2), np.float64(2), np.float32(2), np.int64(2), sympy.Integer(2)]


def test_every_real_type_is_accepted_by_a_quantity():
    # ridgeless isotropic ridge at gamma = 2, r2 = 1, sigma2 = 0: r2 (1 - 1/gamma) + sigma2/(gamma - 1) = 1/2
    from asymptotics.models import ridge

    for two in _two():
        assert isinstance(two, _types.Real), type(two)
        r = ridge.risk(two, lam=0, r2=1, sigma2=0, dps=15)
        assert r.value == mpmath.mpf(1) / 2, type(two)


def test_every_complex_type_is_accepted_by_the_stieltjes_transform():
    # m(z) of Marchenko-Pastur at gamma = 1, sigma2 = 1, z = -1: root of z m^2 + z m + 1 = 0 (gamma = 1), m = (sqrt(5) - 1)/2
    from asymptotics.models import marchenko_pastur as mp_model

    with mpmath.workdps(40):
        expected = (mpmath.sqrt(5) - 1) / 2
    for z in ("-1", -1, complex(-1, 0), mpmath.mpc(-1, 0), np.complex128(-1), Fraction(-1)):
        assert isinstance(z, _types.Complex), type(z)
        value = mp_model.stieltjes(z, 1, dps=20).value
        with mpmath.workdps(40):
            assert abs(value / expected - 1) < mpmath.mpf(10) ** -18, (type(z), value)


def test_py_typed_markers():
    for package in ("asymptotics", "validation"):
        assert (ROOT / package / "py.typed").is_file(), package


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (optional: pip install mypy)")
def test_mypy_reads_the_type_aliases():
    # a user's script type-checks against the annotations: good calls pass, a wrong type is reported
    code = (
        "from fractions import Fraction\n"
        "from asymptotics._types import Real\n"
        "def f(x: Real) -> None: ...\n"
        "f('1/3'); f(1); f(0.5); f(Fraction(1, 3))\n"
        "f([1.0])\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent", "--no-incremental", "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "<string>:5" in errors[0], out.stdout
