r"""Safe reading and evaluation of user expressions (``activation=`` text in ``x``, ``kernel=`` text in ``s``).

Text is **never** handed to Python or to :func:`sympy.sympify` (both run ``eval``).  It is
parsed by :func:`ast.parse` (``mode="eval"``, which only builds a syntax tree) and the tree is
walked against a whitelist; the SymPy expression is then built bottom-up from the accepted
nodes.  Accepted:

* numbers written in decimal or scientific notation, read exactly (``0.1`` is ``1/10``);
* the one variable of the grammar (``x`` for activations, ``s`` for kernels), the constants
  ``pi`` and ``E``;
* ``+ - * / **`` (``^`` also means ``**``, with the power's precedence: ``x^2-1`` is ``x**2 - 1``), unary ``-``/``+`` and
  parentheses;
* calls, with positional arguments only, to the functions of :data:`ACTIVATION_FUNCTIONS` or
  :data:`KERNEL_FUNCTIONS`.  ``Piecewise((expr, cond), ..., (expr, True))`` takes pairs whose
  conditions may compare (``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``, chained comparisons)
  and combine (``&``, ``|``, ``~``, ``and``, ``or``, ``not``); comparisons are accepted there
  and nowhere else.

Everything else (attribute access, subscripts, strings, lambdas, comprehensions, keyword or
starred arguments, other names such as ``__import__``, ``Integral``, ``Derivative``,
``DiracDelta`` or ``factorial``, ``I`` and infinities) is refused with a
:class:`~asymptotics.errors.ParameterError` naming the parameter, before anything is built.

Limits, checked before the work they protect (each a ``ParameterError``):

* text: at most :data:`MAX_TEXT` characters, :data:`MAX_NODES` syntax nodes, nesting depth
  :data:`MAX_DEPTH`;
* number literals: at most :data:`MAX_LITERAL_DIGITS` significant digits and a magnitude in
  ``[1e-MAX_LITERAL_EXPONENT, 1e+MAX_LITERAL_EXPONENT]`` (or 0);
* powers: an exponent that is a number is at most :data:`MAX_POWER` in absolute value when the
  base depends on the variable; a power of two numbers is folded only when the exact result
  has at most :data:`MAX_CONST_BITS` bits (so ``2**10**10`` is refused at once); every exact
  rational in the expression has at most ``MAX_CONST_BITS`` bits; the polynomial degree of
  every subexpression is at most :data:`MAX_DEGREE` (``(x+1)**100000`` is refused);
* constant subexpressions (no variable) must lie in ``2^±CONST_MAG_BITS`` (about
  ``1e±1233``) or be 0: ``exp(exp(exp(100)))`` is refused before SymPy tries to evaluate it;
* a SymPy object passed from Python is walked with the same rules (:func:`check_expr`), with
  :data:`MAX_SYMPY_NODES` tree nodes and the same allowed function classes.

Evaluation (:func:`compile_mp`) does not go through :func:`sympy.lambdify`: the tree is
compiled into mpmath calls that check magnitudes first, so that no value can make mpmath
(or GMP underneath it) build an astronomically large integer, which ends the process
(``gmp: overflow in mpz type``) or exhausts memory.  ``exp``, ``sinh``, ``cosh`` and real
powers of arguments beyond ``2^EXP_ARG_BITS`` (about ``1e4932``) and ``sin``, ``cos`` of such
arguments raise :class:`MagnitudeError` (an ``OverflowError`` and a ``ValueError``, which every
caller reports as a ``ParameterError``), except that ``exp`` of an argument below
``−2^(EXP_ARG_BITS + UNDERFLOW_MARGIN_BITS)`` is 0 (its true value is below
``2^(−2^16640)``; the margin keeps a product with any admissible large factor negligible);
``tanh``, ``erf`` and ``atan`` of such arguments are ``±1``/``±π/2`` to working precision.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from typing import Any

import mpmath
from mpmath import mpc, mpf

from ._lazy import sympy as sp
from .errors import ParameterError

MAX_TEXT = 1000
"""Characters in an expression text."""
MAX_NODES = 200
"""Syntax-tree nodes in an expression text."""
MAX_DEPTH = 30
"""Nesting depth of an expression text (syntax-tree levels)."""
MAX_SYMPY_NODES = 2000
"""Tree nodes of a SymPy expression (passed from Python, or built internally, e.g. ``σ'``)."""
MAX_LITERAL_DIGITS = 50
"""Significant digits of a number literal."""
MAX_LITERAL_EXPONENT = 50
"""A nonzero number literal lies in ``[1e-50, 1e50]`` in absolute value."""
MAX_POWER = 64
"""Largest absolute numeric exponent on a base that depends on the variable."""
MAX_DEGREE = 64
"""Largest polynomial degree (in the variable) of any subexpression."""
MAX_CONST_BITS = 4096
"""Largest numerator/denominator (bits) of an exact rational in an expression."""
CONST_MAG_BITS = 4096
"""Constant subexpressions must lie within ``2^±4096`` (or be 0)."""
EXP_ARG_BITS = 16384
"""``exp``/``sinh``/``cosh``/``sin``/``cos`` arguments up to ``2^16384`` in absolute value are evaluated."""
UNDERFLOW_MARGIN_BITS = 256
"""``exp(a)`` is read as 0 only for ``a < −2^(EXP_ARG_BITS + 256)``."""


class MagnitudeError(OverflowError, ValueError):
    """A value is too large to evaluate safely (an ``OverflowError`` and a ``ValueError``)."""


# ----------------------------------------------------------------------------- grammar
def _relu(a: sp.Expr) -> sp.Expr:
    return sp.Max(a, 0)


def _sympy_object(spec: Any) -> Any:
    """A SymPy class or function given as itself or by its name in the ``sympy`` namespace (resolved on use, so
    that the tables below do not import SymPy)."""
    return getattr(sp, spec) if isinstance(spec, str) else spec


@dataclass(frozen=True)
class _Fn:
    """A callable function of the grammar: how to build it, its argument counts and the SymPy classes it makes.

    ``build_spec`` and the entries of ``class_specs`` are SymPy objects or their names in ``sympy``.
    """

    build_spec: Callable[..., sp.Expr] | str
    min_args: int
    max_args: int
    class_specs: tuple[type | str, ...]

    @property
    def build(self) -> Callable[..., sp.Expr]:
        return _sympy_object(self.build_spec)

    @property
    def classes(self) -> tuple[type, ...]:
        return tuple(_sympy_object(c) for c in self.class_specs)


_MAX = _Fn("Max", 1, 16, ("Max",))
_MIN = _Fn("Min", 1, 16, ("Min",))
_ABS = _Fn("Abs", 1, 1, ("Abs",))
_ATAN = _Fn("atan", 1, 1, ("atan",))
_PIECEWISE = _Fn("Piecewise", 1, 16, ("Piecewise",))


def _one(f: Any) -> _Fn:
    return _Fn(f, 1, 1, (f,))


ACTIVATION_FUNCTIONS: dict[str, _Fn] = {
    "relu": _Fn(_relu, 1, 1, ("Max",)),
    "Max": _MAX,
    "max": _MAX,
    "Min": _MIN,
    "min": _MIN,
    "Abs": _ABS,
    "abs": _ABS,
    "sign": _one("sign"),
    "Heaviside": _Fn("Heaviside", 1, 2, ("Heaviside",)),
    "Piecewise": _PIECEWISE,
    "exp": _one("exp"),
    "log": _one("log"),
    "sqrt": _Fn("sqrt", 1, 1, ()),
    "tanh": _one("tanh"),
    "sinh": _one("sinh"),
    "cosh": _one("cosh"),
    "sin": _one("sin"),
    "cos": _one("cos"),
    "atan": _ATAN,
    "arctan": _ATAN,
    "erf": _one("erf"),
}
"""Functions an activation text may call (``relu(a)`` is ``Max(a, 0)``; ``sqrt`` is a power)."""

_ASIN = _Fn("asin", 1, 1, ("asin",))
_ACOS = _Fn("acos", 1, 1, ("acos",))
KERNEL_FUNCTIONS: dict[str, _Fn] = {
    "exp": _one("exp"),
    "log": _one("log"),
    "sqrt": _Fn("sqrt", 1, 1, ()),
    "acos": _ACOS,
    "arccos": _ACOS,
    "asin": _ASIN,
    "arcsin": _ASIN,
    "atan": _ATAN,
    "arctan": _ATAN,
    "sinh": _one("sinh"),
    "cosh": _one("cosh"),
    "tanh": _one("tanh"),
    "erf": _one("erf"),
}
"""Functions a kernel text may call (all analytic on the open interval, so the Funk–Hecke
quadrature's split points stay valid)."""

class _Constants(Mapping[str, Any]):
    """The named constants a text may use (``pi``, ``E``), as SymPy objects made on first use."""

    _NAMES = ("pi", "E")

    def __getitem__(self, key: str) -> Any:
        if key not in self._NAMES:
            raise KeyError(key)
        return getattr(sp, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._NAMES)

    def __len__(self) -> int:
        return len(self._NAMES)


CONSTANTS: Mapping[str, sp.Expr] = _Constants()
_NOT_REAL = {"I", "j", "oo", "zoo", "nan", "inf", "infinity", "Infinity", "NaN"}


@cache
def _tables() -> dict[str, Any]:
    """SymPy-valued tables, built on first use: relational operators and the always-allowed classes."""
    return {
        "_REL": {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq, ast.NotEq: sp.Ne},
        "_BASE_CLASSES": (sp.Add, sp.Mul, sp.Pow, sp.Symbol, sp.Rational, sp.Float, sp.Number),
        "_COND_CLASSES": (
            sp.core.relational.Relational,
            sp.And,
            sp.Or,
            sp.Not,
            sp.logic.boolalg.BooleanTrue,
            sp.logic.boolalg.BooleanFalse,
            sp.functions.elementary.piecewise.ExprCondPair,
        ),
        "_FUNCTIONS": {getattr(sp, name): fn for name, fn in _FUNCTION_NAMES.items()},
    }


def __getattr__(name: str) -> Any:  # the SymPy-valued tables under their former module-level names
    if name in ("_REL", "_BASE_CLASSES", "_COND_CLASSES", "_FUNCTIONS"):
        return _tables()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Grammar:
    """What one parameter accepts: its name, the variable, the callable functions.

    ``named`` describes the parameter's named choices for the "neither ... nor" message.
    """

    parameter: str
    variable: sp.Symbol
    functions: dict[str, _Fn]
    named: str = ""

    @cached_property
    def classes(self) -> tuple[type, ...]:
        """The SymPy classes an expression of this grammar may contain besides the base ones (built on first use)."""
        extra = {c for f in self.functions.values() for c in f.classes}
        if any(issubclass(c, (sp.Max, sp.Min)) for c in extra):
            extra |= {sp.Heaviside}  # d/dx Max = Heaviside (σ' of relu)
        if sp.Abs in extra:
            extra |= {sp.sign}  # d/dx Abs = sign
        if sp.Piecewise in extra:
            extra |= set(_tables()["_COND_CLASSES"])
        return tuple(sorted(extra, key=lambda c: c.__name__))

    def allowed(self) -> str:
        names = ", ".join(self.functions)
        return f"numbers, {self.variable.name}, pi, E, + - * / ** and parentheses, and the functions {names}"


# ----------------------------------------------------------------------------- text → SymPy
def _show(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


class _Refused(Exception):
    """Internal: reason why a text is refused (turned into a ParameterError by :func:`parse`)."""


def parse(text: str, grammar: Grammar) -> sp.Expr:
    """Parse ``text`` into a SymPy expression without evaluating any Python.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"x + 0.1*(x**2 - 1)/sqrt(2)"``.
    grammar : Grammar
        The parameter name, its variable and its allowed functions.

    Returns
    -------
    sympy.Expr
        The expression, checked with :func:`check_expr`.

    Raises
    ------
    ParameterError
        Anything outside the whitelist or the limits of the module docstring; the message
        names ``grammar.parameter``.

    Examples
    --------
    >>> import sympy as sp
    >>> from asymptotics.expression import ACTIVATION_FUNCTIONS, Grammar, parse
    >>> x = sp.Symbol("x", real=True)
    >>> parse("x + 0.1*(x**2 - 1)", Grammar("activation", x, ACTIVATION_FUNCTIONS)) == x + (x**2 - 1) / 10
    True
    """
    name = grammar.parameter
    if not isinstance(text, str):
        raise ParameterError(f"`{name}` must be text; got {type(text).__name__}.")
    if len(text) > MAX_TEXT:
        raise ParameterError(f"`{name}` is {len(text)} characters long; an expression may have at most {MAX_TEXT}.")
    lead = f"`{name}` {_show(text.strip())} is " + (f"neither {grammar.named} nor " if grammar.named else "not ")
    lead += f"an accepted expression in {grammar.variable.name}"
    # ``^`` means ``**`` with the power's precedence (``x^2-1`` is ``x**2 - 1``, never Python's XOR ``x^(2-1)``):
    # a token-level rewrite before parsing, as SymPy's ``convert_xor`` does (no string literals are accepted anyway).
    source = text.strip().replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        raise ParameterError(f"{lead}: it is not valid syntax; allowed: {grammar.allowed()}.") from None
    try:
        _check_tree(tree)
        expr = _Builder(source, grammar).build(tree.body)
    except _Refused as exc:
        raise ParameterError(f"{lead}: {exc}.") from None
    except RecursionError:
        raise ParameterError(f"{lead}: it is nested too deeply (at most {MAX_DEPTH} levels).") from None
    except ParameterError:
        raise
    except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:  # SymPy refusing a combination
        raise ParameterError(f"{lead}: {type(exc).__name__}: {str(exc)[:120]}.") from None
    if not isinstance(expr, sp.Expr):
        raise ParameterError(f"{lead}: it is a condition, not a number.")
    return check_expr(expr, grammar, text=text.strip())


_STRUCTURAL = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _check_tree(tree: ast.AST) -> None:
    """Node count and depth of the syntax tree, without recursion."""
    count = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _STRUCTURAL):
            continue
        count += 1
        if count > MAX_NODES:
            raise _Refused(f"it has more than {MAX_NODES} syntax elements")
        if depth > MAX_DEPTH:
            raise _Refused(f"it is nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _literal(source: str) -> sp.Rational:
    """An exact rational from the source text of a number literal, within the literal limits."""
    try:
        dec = Decimal(source)
    except (InvalidOperation, ValueError):
        raise _Refused(f"the number {source!r} cannot be read") from None
    if not dec.is_finite():
        raise _Refused(f"the number {source!r} is not finite")
    digits = "".join(map(str, dec.as_tuple().digits)).strip("0")
    if len(digits) > MAX_LITERAL_DIGITS:
        raise _Refused(f"the number {source[:20]}... has more than {MAX_LITERAL_DIGITS} significant digits")
    if dec != 0 and abs(dec.adjusted()) > MAX_LITERAL_EXPONENT:
        raise _Refused(
            f"the number {source[:30]} is outside the accepted magnitudes 1e-{MAX_LITERAL_EXPONENT} to 1e{MAX_LITERAL_EXPONENT}"
        )
    num, den = dec.as_integer_ratio()
    return sp.Rational(num, den)


def number(text: str, parameter: str) -> sp.Rational:
    """An exact rational from ``text``: a decimal/scientific literal or ``p/q``, with an optional sign.

    The literal limits of the module apply (digits, magnitude).  Used for the numbers inside
    ``kernel=exp:c`` and ``kernel=coef:a0,a1,...``.

    Parameters
    ----------
    text : str
        E.g. ``"0.25"``, ``"-1e-3"``, ``"1/3"``.
    parameter : str
        The parameter named in the error message.

    Returns
    -------
    sympy.Rational

    Raises
    ------
    ParameterError
        Not such a number, or beyond the limits.
    """
    raw = text.strip() if isinstance(text, str) else ""
    head = f"`{parameter}`: {_show(raw)} is not a number"
    if not raw or len(raw) > 2 * MAX_LITERAL_DIGITS + 20:
        raise ParameterError(f"{head} (write a decimal such as 0.25, 1e-3, or a fraction p/q).")
    sign = -1 if raw[0] == "-" else 1
    body = raw[1:] if raw[0] in "+-" else raw
    num, slash, den = body.partition("/")
    try:
        parts = [_literal(t.strip()) for t in ((num, den) if slash else (num,))]
    except _Refused as exc:
        raise ParameterError(f"{head}: {exc}.") from None
    if any(not t.strip() or t.strip()[0] in "+-" for t in ((num, den) if slash else (num,))):
        raise ParameterError(f"{head} (write a decimal such as 0.25, 1e-3, or a fraction p/q).")
    if slash and parts[1] == 0:
        raise ParameterError(f"{head}: it divides by zero.")
    return sign * (parts[0] / parts[1] if slash else parts[0])


def _bits(r: sp.Rational) -> int:
    return max(int(r.p).bit_length(), int(r.q).bit_length())


class _Builder:
    """Builds the SymPy expression bottom-up from an already size-checked syntax tree."""

    def __init__(self, text: str, grammar: Grammar) -> None:
        self.text = text
        self.g = grammar

    # numbers and constants are checked as they are made, before SymPy sees them in an operation
    def _number(self, r: sp.Expr) -> sp.Expr:
        if isinstance(r, sp.Rational) and _bits(r) > MAX_CONST_BITS:
            raise _Refused(f"a number in it exceeds {MAX_CONST_BITS} bits (about 1e{int(MAX_CONST_BITS * 0.30103)})")
        if not r.free_symbols and not r.is_Number and isinstance(r, sp.Expr):
            _check_constant(r, self.g)
        return r

    def build(self, node: ast.AST, cond: bool = False) -> Any:
        m = getattr(self, "_" + type(node).__name__, None)
        if m is None:
            raise _Refused(_describe(node))
        return m(node, cond)

    def _Constant(self, node: ast.Constant, cond: bool) -> Any:
        v = node.value
        if isinstance(v, bool):
            if not cond:
                raise _Refused(f"{v} is accepted only as a Piecewise condition")
            return sp.true if v else sp.false
        if isinstance(v, int):
            if len(str(abs(v))) > MAX_LITERAL_DIGITS:
                raise _Refused(f"an integer has more than {MAX_LITERAL_DIGITS} digits")
            return self._number(_literal(str(v)))
        if isinstance(v, float):
            src = ast.get_source_segment(self.text, node) or repr(v)
            return self._number(_literal(src.replace("_", "")))
        if isinstance(v, complex):
            raise _Refused("it must be a real function (complex numbers such as 1j are not accepted)")
        raise _Refused(_describe(node))

    def _Name(self, node: ast.Name, cond: bool) -> sp.Expr:
        n = node.id
        if n == self.g.variable.name:
            return self.g.variable
        if n in CONSTANTS:
            return CONSTANTS[n]
        if n in _NOT_REAL:
            raise _Refused(f"it must be a real and finite function, so {n!r} is not accepted")
        if n in self.g.functions:
            raise _Refused(f"{n!r} is a function: call it, e.g. {n}({self.g.variable.name})")
        raise _Refused(f"unknown name {n!r}; allowed: {self.g.allowed()}")

    def _UnaryOp(self, node: ast.UnaryOp, cond: bool) -> Any:
        if isinstance(node.op, ast.Not | ast.Invert):
            if not cond:
                raise _Refused("logical and bitwise operators are accepted only in Piecewise conditions")
            return sp.Not(self._condition(node.operand))
        a = self.build(node.operand)
        self._need_expr(a)
        if isinstance(node.op, ast.USub):
            return self._number(-a)
        return a  # UAdd

    def _need_expr(self, *items: Any) -> None:
        for a in items:
            if not isinstance(a, sp.Expr):
                raise _Refused("a condition is used as a number")

    def _BinOp(self, node: ast.BinOp, cond: bool) -> Any:
        op = node.op
        if isinstance(op, ast.BitAnd | ast.BitOr) and cond:
            a, b = self._condition(node.left), self._condition(node.right)
            return sp.And(a, b) if isinstance(op, ast.BitAnd) else sp.Or(a, b)
        if not isinstance(op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow | ast.BitXor):
            raise _Refused(f"the operator {type(op).__name__} is not accepted (only + - * / **)")
        a, b = self.build(node.left), self.build(node.right)
        self._need_expr(a, b)
        if isinstance(op, ast.Add):
            return self._number(a + b)
        if isinstance(op, ast.Sub):
            return self._number(a - b)
        if isinstance(op, ast.Mult):
            return self._number(a * b)
        if isinstance(op, ast.Div):
            if b == 0:
                raise _Refused("it divides by zero")
            return self._number(a / b)
        return self._number(self._pow(a, b))

    def _pow(self, base: sp.Expr, expo: sp.Expr) -> sp.Expr:
        if isinstance(expo, sp.Rational):
            if isinstance(base, sp.Rational):
                if expo.is_Integer:
                    if base == 0 and expo < 0:
                        raise _Refused("it divides by zero (0 to a negative power)")
                    if abs(int(expo)) * max(_bits(base), 1) > MAX_CONST_BITS and abs(base) != 1:
                        raise _Refused(f"the power {base}**{expo} exceeds {MAX_CONST_BITS} bits")
                elif abs(expo) > MAX_POWER or _bits(expo) > 32:
                    raise _Refused(f"the exponent {expo} is beyond the accepted ±{MAX_POWER}")
            elif abs(expo) > MAX_POWER or _bits(expo) > 32:
                raise _Refused(f"the exponent {expo} is beyond the accepted ±{MAX_POWER} (or too long a fraction)")
        return sp.Pow(base, expo)

    def _BoolOp(self, node: ast.BoolOp, cond: bool) -> Any:
        if not cond:
            raise _Refused("'and'/'or' are accepted only in Piecewise conditions")
        parts = [self._condition(v) for v in node.values]
        return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)

    def _Compare(self, node: ast.Compare, cond: bool) -> Any:
        if not cond:
            raise _Refused("comparisons are accepted only as Piecewise conditions, e.g. Piecewise((x, x > 0), (0, True))")
        terms = [self.build(node.left), *[self.build(c) for c in node.comparators]]
        self._need_expr(*terms)
        rels = []
        for op, a, b in zip(node.ops, terms[:-1], terms[1:], strict=True):
            rel = _tables()["_REL"].get(type(op))
            if rel is None:
                raise _Refused(f"the comparison {type(op).__name__} is not accepted")
            try:
                rels.append(rel(a, b))
            except TypeError:
                raise _Refused("a comparison of non-real values") from None
        return sp.And(*rels) if len(rels) > 1 else rels[0]

    def _condition(self, node: ast.AST) -> Any:
        c = self.build(node, cond=True)
        if isinstance(c, sp.Expr):
            raise _Refused("a Piecewise condition must be a comparison or True/False")
        return c

    def _Call(self, node: ast.Call, cond: bool) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise _Refused("only calls of the listed functions by name are accepted")
        fname = node.func.id
        fn = self.g.functions.get(fname)
        if fn is None:
            raise _Refused(f"the function {fname!r} is not accepted; allowed: {self.g.allowed()}")
        if node.keywords:
            raise _Refused(f"{fname}() takes positional arguments only")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _Refused(f"{fname}() takes no starred arguments")
        if not fn.min_args <= len(node.args) <= fn.max_args:
            want = str(fn.min_args) if fn.min_args == fn.max_args else f"{fn.min_args} to {fn.max_args}"
            raise _Refused(f"{fname}() takes {want} argument(s); got {len(node.args)}")
        if fn.build is sp.Piecewise:
            pairs = []
            for a in node.args:
                if not isinstance(a, ast.Tuple) or len(a.elts) != 2:
                    raise _Refused("Piecewise takes pairs (expression, condition)")
                value = self.build(a.elts[0])
                self._need_expr(value)
                pairs.append((value, self._condition(a.elts[1])))
            try:
                return self._number(sp.Piecewise(*pairs))
            except (TypeError, ValueError) as exc:
                raise _Refused(f"Piecewise: {exc}") from None
        args = [self.build(a) for a in node.args]
        self._need_expr(*args)
        try:
            return self._number(fn.build(*args))
        except (TypeError, ValueError) as exc:
            raise _Refused(f"{fname}(): {exc}") from None


def _describe(node: ast.AST) -> str:
    kinds = {
        "Attribute": "attribute access (a.b)",
        "Subscript": "subscripts (a[b])",
        "Lambda": "lambda",
        "ListComp": "comprehensions",
        "SetComp": "comprehensions",
        "DictComp": "comprehensions",
        "GeneratorExp": "comprehensions",
        "JoinedStr": "f-strings",
        "NamedExpr": "assignment expressions (:=)",
        "IfExp": "conditional expressions (use Piecewise)",
        "Tuple": "tuples (except as Piecewise pairs)",
    }
    what = kinds.get(type(node).__name__, type(node).__name__)
    if isinstance(node, ast.Constant):
        what = f"{type(node.value).__name__} literals"
    return f"{what} not accepted"


# ----------------------------------------------------------------------------- SymPy objects
def check_expr(expr: Any, grammar: Grammar, *, text: str | None = None) -> sp.Expr:
    """Check a SymPy expression against ``grammar`` and the limits, without evaluating it.

    Walks the tree iteratively: at most :data:`MAX_SYMPY_NODES` nodes, only the function
    classes of the grammar, numeric exponents within :data:`MAX_POWER`, exact rationals within
    :data:`MAX_CONST_BITS` bits, polynomial degree at most :data:`MAX_DEGREE`, and constant
    subexpressions within ``2^±CONST_MAG_BITS`` (checked by the guarded evaluator, never by
    SymPy).  Other symbols are left for the caller to report.

    Parameters
    ----------
    expr : sympy.Expr
        The expression.
    grammar : Grammar
        The parameter, its variable and its allowed functions.
    text : str, optional
        How to show the expression in messages (default ``str(expr)``, shortened).

    Returns
    -------
    sympy.Expr
        ``expr`` itself.

    Raises
    ------
    ParameterError
        A class, size or magnitude outside the limits.
    """
    name = grammar.parameter
    if not isinstance(expr, sp.Basic):
        raise ParameterError(f"`{name}` must be an expression in {grammar.variable.name}; got {type(expr).__name__}.")

    def shown() -> str:
        if text is not None:
            return _show(text)
        try:
            return _show(sp.sstr(expr)) if _small(expr) else "(a SymPy expression)"
        except Exception:  # noqa: BLE001 - printing is only for the message
            return "(a SymPy expression)"

    def refuse(reason: str) -> ParameterError:
        return ParameterError(f"`{name}` {shown()} is not accepted: {reason}.")

    allowed = _tables()["_BASE_CLASSES"] + grammar.classes
    var = grammar.variable
    order: list[sp.Basic] = []
    stack: list[tuple[sp.Basic, int]] = [(expr, 0)]
    while stack:
        node, depth = stack.pop()
        order.append(node)
        if len(order) > MAX_SYMPY_NODES:
            raise refuse(f"it has more than {MAX_SYMPY_NODES} nodes")
        if depth > 4 * MAX_DEPTH:
            raise refuse(f"it is nested more than {4 * MAX_DEPTH} levels deep")
        if isinstance(node, sp.NumberSymbol):
            if node not in (sp.pi, sp.E):
                raise refuse(f"the constant {node} is not accepted (only pi and E)")
            continue
        if node in (sp.I, sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise refuse("it must be a real and finite function (I, oo, zoo, nan are not accepted)")
        if not isinstance(node, allowed):
            raise refuse(
                f"{type(node).__name__} is not accepted; allowed: {grammar.allowed()}"
                + (" (and Piecewise conditions)" if sp.Piecewise in grammar.classes else "")
            )
        if isinstance(node, sp.Rational) and _bits(node) > MAX_CONST_BITS:
            raise refuse(f"a number in it exceeds {MAX_CONST_BITS} bits")
        if isinstance(node, sp.Float) and node != 0 and abs(int(node._mpf_[2]) + int(node._mpf_[3])) > CONST_MAG_BITS:
            raise refuse(f"a number in it is beyond 2^±{CONST_MAG_BITS}")
        if isinstance(node, sp.Pow):
            b, e = node.args
            if e.is_Number and (not b.is_Number or not e.is_Integer):
                if abs(e) > MAX_POWER or (e.is_Rational and _bits(e) > 32):
                    raise refuse(f"the exponent {e} is beyond the accepted ±{MAX_POWER}")
            elif e.is_Integer and b.is_Rational and abs(int(e)) * _bits(b) > MAX_CONST_BITS:
                raise refuse(f"the power of a number exceeds {MAX_CONST_BITS} bits")
        stack.extend((a, depth + 1) for a in node.args)
    # polynomial degree and constant magnitudes, children before parents
    degree: dict[int, int] = {}
    const: dict[int, bool] = {}
    for node in reversed(order):
        key = id(node)
        args = node.args
        is_var = isinstance(node, sp.Symbol) and node.name == var.name  # also a user's plain Symbol("x")
        is_const = not isinstance(node, sp.Symbol) and all(const[id(a)] for a in args)
        const[key] = is_const
        if is_var:
            deg = 1
        elif is_const or not isinstance(node, sp.Expr):
            deg = 0
        elif isinstance(node, sp.Add):
            deg = max(degree[id(a)] for a in args)
        elif isinstance(node, sp.Mul):
            deg = sum(degree[id(a)] for a in args)
        elif isinstance(node, sp.Pow) and args[1].is_Number:
            deg = int(abs(args[1]) * degree[id(args[0])] + 0.999)
        else:
            deg = 0  # a function of the variable: its arguments were bounded on their own
        if deg > MAX_DEGREE:
            raise refuse(f"its polynomial degree exceeds {MAX_DEGREE}")
        degree[key] = deg
    # maximal constant subtrees that are not plain numbers: their magnitude, by the guarded evaluator
    stack2: list[sp.Basic] = [expr]
    while stack2:
        node = stack2.pop()
        if const[id(node)]:
            if isinstance(node, sp.Expr) and not node.is_Number:
                try:
                    _check_constant(node, grammar)
                except _Refused as exc:
                    raise refuse(str(exc)) from None
            continue
        stack2.extend(node.args)
    return expr


def _small(expr: sp.Basic) -> bool:
    n = 0
    for _ in sp.preorder_traversal(expr):
        n += 1
        if n > 60:
            return False
    return True


def _check_constant(c: sp.Expr, grammar: Grammar) -> None:
    """A variable-free subexpression must lie within ``2^±CONST_MAG_BITS`` (or be 0)."""
    try:
        f = compile_mp(c, grammar.variable, strict=True)
        with mpmath.workdps(20):
            f(mpf(0))
    except MagnitudeError:
        raise _Refused(f"a constant in it is beyond 2^±{CONST_MAG_BITS} (about 1e±{int(CONST_MAG_BITS * 0.30103)})") from None
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return  # not a magnitude problem: the caller's own checks report it


# ----------------------------------------------------------------------------- guarded evaluation
def _mag(v: Any) -> float | int | None:
    """``⌈log2 |v|⌉`` (roughly) of an mpf/mpc, None for 0, inf and nan."""
    if isinstance(v, mpf):
        _, man, exp, bc = v._mpf_
        return exp + bc if man else None
    if isinstance(v, mpc):
        a, b = _mag(v.real), _mag(v.imag)
        if a is None:
            return b
        return a if b is None else max(a, b)
    return None


def _exp_guard(a: Any) -> Any:
    """``None`` if ``exp(a)`` may be computed; else 0 (deep underflow) or MagnitudeError."""
    re = a.real if isinstance(a, mpc) else a
    if isinstance(a, mpc):
        m_im = _mag(a.imag)
        if m_im is not None and m_im > EXP_ARG_BITS:
            raise MagnitudeError(f"the imaginary part of an exponent is beyond 2^{EXP_ARG_BITS}")
    m = _mag(re)
    if m is None or m <= EXP_ARG_BITS:
        return None
    if re < 0:
        if m > EXP_ARG_BITS + UNDERFLOW_MARGIN_BITS:
            return mpf(0)
        return None
    raise MagnitudeError(f"an exponent is beyond 2^{EXP_ARG_BITS} (about 1e4932): the value is too large to evaluate")


def _exp(a: Any) -> Any:
    g = _exp_guard(a)
    return mpmath.exp(a) if g is None else g


def _hyperbolic(f: Callable[[Any], Any], name: str) -> Callable[[Any], Any]:
    """``f`` (sinh, cosh, sin, cos) only for arguments up to ``2^EXP_ARG_BITS`` (its cost grows with their size)."""

    def h(a: Any) -> Any:
        m = _mag(a)
        if m is not None and m > EXP_ARG_BITS:
            raise MagnitudeError(f"{name} of an argument beyond 2^{EXP_ARG_BITS} (about 1e4932) cannot be evaluated")
        return f(a)

    return h


_TANH = _hyperbolic(mpmath.tanh, "tanh")


def _tanh(a: Any) -> Any:
    m = _mag(a)
    if isinstance(a, mpf) and m is not None and m > EXP_ARG_BITS:
        return mpf(1) if a > 0 else mpf(-1)
    return _TANH(a)


def _bounded(f: Callable[[Any], Any], name: str, complex_bits: int = 64) -> Callable[[Any], Any]:
    """Real arguments of any size (``f`` saturates); complex ones only up to ``2^complex_bits``."""

    def h(a: Any) -> Any:
        if isinstance(a, mpc):
            m = _mag(a)
            if m is not None and m > complex_bits:
                raise MagnitudeError(f"{name} of a complex value beyond 2^{complex_bits} cannot be evaluated")
        return f(a)

    return h


def _pow_general(b: Any, e: Any) -> Any:
    """``b**e`` for a non-integer or non-constant exponent, guarded like ``exp(e log b)``."""
    if isinstance(e, mpf) and mpmath.isint(e) and _mag(e) is not None and _mag(e) <= 20 and isinstance(b, mpf | mpc):
        return b ** int(e)
    if (isinstance(b, mpf) and b == 0) or _mag(b) is None:
        return mpmath.power(b, e)
    with mpmath.workprec(53):
        t = e * mpmath.log(b)
    g = _exp_guard(t)
    if g is not None:
        return g
    return mpmath.power(b, e)


_FUNCTION_NAMES: dict[str, Callable[..., Any]] = {
    "exp": _exp,
    "log": mpmath.log,
    "sinh": _hyperbolic(mpmath.sinh, "sinh"),
    "cosh": _hyperbolic(mpmath.cosh, "cosh"),
    "tanh": _tanh,
    "sin": _hyperbolic(mpmath.sin, "sin"),
    "cos": _hyperbolic(mpmath.cos, "cos"),
    "atan": _bounded(mpmath.atan, "atan"),
    "erf": _bounded(mpmath.erf, "erf"),
    "asin": _bounded(mpmath.asin, "asin", EXP_ARG_BITS),
    "acos": _bounded(mpmath.acos, "acos", EXP_ARG_BITS),
    "Abs": abs,
    "sign": mpmath.sign,
}
"""The guarded mpmath evaluator of each SymPy function (keyed by the SymPy class in ``_tables()["_FUNCTIONS"]``)."""


def _heaviside(a: Any, h0: Any) -> Any:
    if isinstance(a, mpc):
        raise TypeError("Heaviside of a complex value")
    if a > 0:
        return mpf(1)
    if a < 0:
        return mpf(0)
    if a == 0:
        return h0
    return mpmath.nan


def compile_mp(expr: sp.Basic, variable: sp.Symbol, *, strict: bool = False) -> Callable[[Any], Any]:
    """A guarded mpmath evaluator of ``expr`` (a function of ``variable``) at the current precision.

    Parameters
    ----------
    expr : sympy.Basic
        An expression checked by :func:`check_expr` (or built internally).
    variable : sympy.Symbol
        Its variable.
    strict : bool, optional
        Also refuse every intermediate value beyond ``2^±CONST_MAG_BITS`` (used for constants).

    Returns
    -------
    callable
        ``f(x)`` for an mpmath number (or anything :func:`mpmath.mpmathify` accepts).  It
        raises :class:`MagnitudeError` instead of building an astronomically large number
        (see the module docstring); otherwise it returns what mpmath returns (an ``mpc`` for a
        value that is not real, ``inf``/``nan`` where mpmath gives them).

    Examples
    --------
    >>> import mpmath, sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> f = compile_mp(sp.exp(sp.exp(sp.exp(x))), x)
    >>> with mpmath.workdps(15):
    ...     print(mpmath.nstr(f(mpmath.mpf(0)), 10))
    15.15426224
    >>> try:
    ...     f(mpmath.mpf(40))
    ... except MagnitudeError:
    ...     print("too large")
    too large
    """
    node_fn = _Compiler(variable, strict).compile(expr)

    def f(x: Any) -> Any:
        if not isinstance(x, mpf | mpc):
            x = mpmath.mpmathify(x)
        return node_fn(x)

    return f


class _Compiler:
    def __init__(self, variable: sp.Symbol, strict: bool) -> None:
        self.var = variable
        self.strict = strict

    def compile(self, node: sp.Basic) -> Callable[[Any], Any]:
        f = self._compile(node)
        if not self.strict:
            return f

        def checked(x: Any) -> Any:
            v = f(x)
            m = _mag(v)
            if m is not None and abs(m) > CONST_MAG_BITS:
                raise MagnitudeError(f"a value is beyond 2^±{CONST_MAG_BITS}")
            return v

        return checked

    def _const(self, make: Callable[[], Any]) -> Callable[[Any], Any]:
        cache: list[Any] = [None, None]

        def f(x: Any) -> Any:
            prec = mpmath.mp.prec
            if cache[0] != prec:
                cache[0], cache[1] = prec, make()
            return cache[1]

        return f

    def _compile(self, node: sp.Basic) -> Callable[[Any], Any]:  # noqa: C901 - one dispatch table
        if node == self.var:
            return lambda x: x
        if isinstance(node, sp.Rational):
            p, q = int(node.p), int(node.q)
            return self._const(lambda: mpf(p) / q if q != 1 else mpf(p))
        if isinstance(node, sp.Float):
            m = node._mpf_
            return self._const(lambda: mpf(m))
        if node == sp.pi:
            return self._const(lambda: +mpmath.pi)
        if node == sp.E:
            return self._const(lambda: +mpmath.e)
        if node is sp.true or node is sp.false:
            value = bool(node)
            return lambda x: value
        if isinstance(node, sp.Piecewise):
            pairs = [(self.compile(c.expr), self.compile(c.cond)) for c in node.args]

            def piecewise(x: Any) -> Any:
                for value, cond in pairs:
                    if cond(x):
                        return value(x)
                return mpmath.nan

            return piecewise
        args = [self.compile(a) for a in node.args]
        if isinstance(node, sp.Add):
            if len(args) == 2:
                a0, a1 = args
                return lambda x: a0(x) + a1(x)

            def add(x: Any) -> Any:
                s = args[0](x)
                for g in args[1:]:
                    s = s + g(x)
                return s

            return add
        if isinstance(node, sp.Mul):
            if len(args) == 2:
                a0, a1 = args
                return lambda x: a0(x) * a1(x)

            def mul(x: Any) -> Any:
                s = args[0](x)
                for g in args[1:]:
                    s = s * g(x)
                return s

            return mul
        if isinstance(node, sp.Pow):
            fb, fe = args
            e = node.args[1]
            if e.is_Integer:
                k = int(e)
                if abs(k) <= 1 << 20:
                    return lambda x: fb(x) ** k
            if e == sp.Rational(1, 2):
                return lambda x: mpmath.sqrt(fb(x))
            return lambda x: _pow_general(fb(x), fe(x))
        if isinstance(node, sp.Heaviside):
            fa = args[0]
            fh = args[1] if len(args) > 1 else self._const(lambda: mpf(1) / 2)
            return lambda x: _heaviside(fa(x), fh(x))
        if isinstance(node, sp.Max | sp.Min):
            pick = max if isinstance(node, sp.Max) else min
            return lambda x: pick(g(x) for g in args)
        if isinstance(node, sp.core.relational.Relational):
            fl, fr = args
            op = {"<": _lt, "<=": _le, ">": _gt, ">=": _ge, "==": _eq, "!=": _ne}[node.rel_op]
            return lambda x: op(fl(x), fr(x))
        if isinstance(node, sp.And):
            return lambda x: all(g(x) for g in args)
        if isinstance(node, sp.Or):
            return lambda x: any(g(x) for g in args)
        if isinstance(node, sp.Not):
            (g,) = args
            return lambda x: not g(x)
        fn = _tables()["_FUNCTIONS"].get(type(node))
        if fn is None:
            raise TypeError(f"cannot evaluate {type(node).__name__}")
        if len(args) != 1:
            raise TypeError(f"{type(node).__name__} with {len(args)} arguments")
        (g,) = args
        return lambda x: fn(g(x))


def _real(a: Any) -> Any:
    if isinstance(a, mpc):
        raise TypeError("a comparison of a complex value")
    return a


def _lt(a: Any, b: Any) -> bool:
    return bool(_real(a) < _real(b))


def _le(a: Any, b: Any) -> bool:
    return bool(_real(a) <= _real(b))


def _gt(a: Any, b: Any) -> bool:
    return bool(_real(a) > _real(b))


def _ge(a: Any, b: Any) -> bool:
    return bool(_real(a) >= _real(b))


def _eq(a: Any, b: Any) -> bool:
    return bool(a == b)


def _ne(a: Any, b: Any) -> bool:
    return bool(a != b)


def real_roots_numeric(f: Callable[[Any], Any], lo: float, hi: float, steps: int) -> list[float]:
    """Sign changes of ``f`` on a grid of ``[lo, hi]``, refined by bisection to float accuracy.

    Points where ``f`` cannot be evaluated (or is not real) are skipped.  Used to locate kinks
    of activations whose arguments SymPy should not be asked to solve.
    """
    out: list[float] = []
    with mpmath.workdps(20):
        xs = [mpf(lo) + (mpf(hi) - lo) * k / steps for k in range(steps + 1)]
        vals = [_sign_at(f, x) for x in xs]
        for i in range(steps):
            a, b, sa, sb = xs[i], xs[i + 1], vals[i], vals[i + 1]
            if sa is None or sb is None:
                continue
            if sa == 0:
                out.append(float(a))
                continue
            if sa * sb > 0:
                continue
            if sb == 0:
                continue  # found as the next left end
            for _ in range(60):
                mid = (a + b) / 2
                sm = _sign_at(f, mid)
                if sm is None or sm == 0:
                    a = b = mid
                    break
                if sm * sa < 0:
                    b = mid
                else:
                    a, sa = mid, sm
            out.append(float((a + b) / 2))
    return out


def _sign_at(f: Callable[[Any], Any], x: Any) -> int | None:
    try:
        v = f(x)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    if not isinstance(v, mpf) or not mpmath.isfinite(v):
        return None
    return (v > 0) - (v < 0)


# ----------------------------------------------------------------------------- ball evaluation
def compile_ball(expr: sp.Basic, variable: sp.Symbol) -> Callable[[Any, bool], Any]:
    """A python-flint ``acb`` evaluator of ``expr`` for rigorous integration (``acb.integral``).

    The same whitelist as :func:`compile_mp` (never ``eval``), compiled into ``acb`` operations at
    python-flint's working precision.  The returned ``f(z, analytic)`` follows the contract of
    ``acb.integral``: with ``analytic=False`` it returns a ball that contains ``expr(x)`` for every
    *real* point ``x`` of the ball ``z``; with ``analytic=True`` it returns a ball that contains an
    analytic function on all of ``z`` that agrees with ``expr`` on the real points of ``z``, or a
    non-finite ball where it cannot guarantee that.

    * ``Abs``, ``Max``, ``Min``, ``sign``, ``Heaviside`` and ``Piecewise`` are decided by the real
      part of their argument (real on real points, see below): a decided branch is analytic; an
      undecided one is non-finite when ``analytic`` is asked, else the union of the branches.
    * ``log``, ``sqrt`` and non-integer powers are evaluated only where the real part of their
      argument is provably positive (so that every subexpression is real at real points, and the
      principal branch is analytic there); elsewhere the value is non-finite.  ``atan`` needs
      ``|Im| < 1`` on its argument (its cuts start at ``±i``) when ``analytic`` is asked; ``asin``
      and ``acos`` need ``|Re| < 1`` proven (real there, and off their cuts).
    * ``exp``, ``sin``, ``cos``, ``sinh``, ``cosh``, ``erf`` are entire, ``tanh`` and integer powers
      meromorphic (a pole gives a non-finite ball).

    Parameters
    ----------
    expr : sympy.Basic
        An expression checked by :func:`check_expr` (or built internally).
    variable : sympy.Symbol
        Its variable.

    Returns
    -------
    callable
        ``f(z, analytic) -> acb``.

    Raises
    ------
    TypeError
        ``expr`` contains a node with no ball evaluator.
    """
    from flint import acb

    node_fn = _BallCompiler(variable).compile(expr)

    def f(z: Any, analytic: bool) -> Any:
        try:
            return node_fn(z, bool(analytic))
        except _NotAnalytic:
            return acb(_nan_arb(), _nan_arb())

    return f


class _NotAnalytic(Exception):
    """Internal: the ball evaluator cannot guarantee analyticity (or reality) on the ball."""


def _nan_arb() -> Any:
    from flint import arb

    return arb.nan()


def _tri_cmp(a: Any, b: Any, op: str) -> Any:
    """Three-valued comparison of real balls: True, False or None (undecided)."""
    yes = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[op]
    if yes:
        return True
    no = {"<": a >= b, "<=": a > b, ">": a <= b, ">=": a < b, "==": a != b, "!=": a == b}[op]
    return False if no else None


def _acb_union(vals: list[Any]) -> Any:
    from flint import acb

    re, im = vals[0].real, vals[0].imag
    for v in vals[1:]:
        re, im = re.union(v.real), im.union(v.imag)
    return acb(re, im)


class _BallCompiler:
    def __init__(self, variable: sp.Symbol) -> None:
        self.var = variable

    def compile(self, node: sp.Basic) -> Callable[[Any, bool], Any]:  # noqa: C901 - one dispatch table
        from flint import acb, arb

        if node == self.var:
            return lambda z, a: z
        if isinstance(node, sp.Rational):
            p, q = int(node.p), int(node.q)
            return lambda z, a: acb(arb(p) / q) if q != 1 else acb(p)
        if isinstance(node, sp.Float):
            m = mpf(node._mpf_)
            if not mpmath.isfinite(m):
                raise TypeError("a non-finite number")
            sign, man, exp, _bc = m._mpf_  # not m.man_exp: mpmath's man_exp drops the sign
            man = -man if sign else man
            from flint import fmpz

            value = arb((fmpz(int(man)), fmpz(int(exp))))  # exact binary value
            return lambda z, a: acb(value)
        if node == sp.pi:
            return lambda z, a: acb(arb.pi())
        if node == sp.E:
            return lambda z, a: acb(arb(1).exp())
        if node is sp.true or node is sp.false:
            value = bool(node)
            return lambda z, a: value
        if isinstance(node, sp.Piecewise):
            pairs = [(self.compile(c.expr), self.compile(c.cond)) for c in node.args]

            def piecewise(z: Any, a: bool) -> Any:
                seen: list[Any] = []
                for value, cond in pairs:
                    c = cond(z, a)
                    if c is False:
                        continue
                    if c is True:
                        return _acb_union([*seen, value(z, a)]) if seen else value(z, a)
                    if a:
                        raise _NotAnalytic
                    seen.append(value(z, a))
                raise _NotAnalytic  # some real point may satisfy no condition (undefined there)

            return piecewise
        args = [self.compile(a) for a in node.args]
        if isinstance(node, sp.Add):

            def add(z: Any, a: bool) -> Any:
                s = args[0](z, a)
                for g in args[1:]:
                    s = s + g(z, a)
                return s

            return add
        if isinstance(node, sp.Mul):

            def mul(z: Any, a: bool) -> Any:
                s = args[0](z, a)
                for g in args[1:]:
                    s = s * g(z, a)
                return s

            return mul
        if isinstance(node, sp.Pow):
            fb, fe = args
            e = node.args[1]
            if e.is_Integer:
                k = int(e)
                return lambda z, a: fb(z, a) ** k

            def power(z: Any, a: bool) -> Any:
                b = fb(z, a)
                if not (b.real > 0):
                    raise _NotAnalytic  # principal branch, real values: base provably positive
                if e == sp.Rational(1, 2):
                    return b.sqrt()
                return (fe(z, a) * b.log()).exp()

            return power
        if isinstance(node, sp.Heaviside):
            fa = args[0]
            fh = args[1] if len(args) > 1 else (lambda z, a: acb(arb(1) / 2))

            def heaviside(z: Any, a: bool) -> Any:
                r = fa(z, a).real
                if r > 0:
                    return acb(1)
                if r < 0:
                    return acb(0)
                if a:
                    raise _NotAnalytic
                return _acb_union([acb(0), acb(1), fh(z, a)])

            return heaviside
        if isinstance(node, sp.Max | sp.Min):
            is_max = isinstance(node, sp.Max)

            def pick(z: Any, a: bool) -> Any:
                vals = [g(z, a) for g in args]
                res = [v.real for v in vals]
                # candidates: the values not provably beaten by another one
                keep = [
                    i
                    for i in range(len(vals))
                    if not any((res[i] < res[j]) if is_max else (res[i] > res[j]) for j in range(len(vals)) if j != i)
                ]
                if len(keep) == 1:
                    return vals[keep[0]]
                if a:
                    raise _NotAnalytic
                return _acb_union([acb(res[i]) for i in keep])

            return pick
        if isinstance(node, sp.core.relational.Relational):
            fl, fr = args
            op = node.rel_op
            return lambda z, a: _tri_cmp(fl(z, a).real, fr(z, a).real, op)
        if isinstance(node, sp.And | sp.Or):
            is_and = isinstance(node, sp.And)

            def logic(z: Any, a: bool) -> Any:
                vals = [g(z, a) for g in args]
                if is_and:
                    return False if False in vals else (None if None in vals else True)
                return True if True in vals else (None if None in vals else False)

            return logic
        if isinstance(node, sp.Not):
            (g,) = args
            return lambda z, a: None if g(z, a) is None else not g(z, a)
        if len(args) != 1:
            raise TypeError(f"{type(node).__name__} with {len(args)} arguments")
        (g,) = args
        if isinstance(node, sp.Abs):

            def absolute(z: Any, a: bool) -> Any:
                v = g(z, a)
                r = v.real
                if r > 0:
                    return v
                if r < 0:
                    return -v
                if a:
                    raise _NotAnalytic
                return acb(abs(r))

            return absolute
        if isinstance(node, sp.sign):

            def sgn(z: Any, a: bool) -> Any:
                r = g(z, a).real
                if r > 0:
                    return acb(1)
                if r < 0:
                    return acb(-1)
                if a:
                    raise _NotAnalytic
                return acb(arb(0, 1))

            return sgn
        if isinstance(node, sp.log):

            def log(z: Any, a: bool) -> Any:
                v = g(z, a)
                if not (v.real > 0):
                    raise _NotAnalytic
                return v.log()

            return log
        if isinstance(node, sp.atan):

            def atan(z: Any, a: bool) -> Any:
                v = g(z, a)
                if a and not (abs(v.imag) < 1):
                    raise _NotAnalytic
                return v.atan()

            return atan
        if isinstance(node, sp.asin | sp.acos):
            method = "asin" if isinstance(node, sp.asin) else "acos"

            def arcsin_arccos(z: Any, a: bool) -> Any:
                v = g(z, a)
                # real on real points and analytic away from the cuts (-inf, -1], [1, inf): |Re| < 1 proven
                if not (v.real > -1 and v.real < 1):
                    raise _NotAnalytic
                return getattr(v, method)()

            return arcsin_arccos
        simple = {sp.exp: "exp", sp.sin: "sin", sp.cos: "cos", sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh", sp.erf: "erf"}
        name = simple.get(type(node))
        if name is None:
            raise TypeError(f"cannot evaluate {type(node).__name__} on balls")
        return lambda z, a: getattr(g(z, a), name)()


__all__ = [
    "ACTIVATION_FUNCTIONS",
    "CONSTANTS",
    "KERNEL_FUNCTIONS",
    "Grammar",
    "MagnitudeError",
    "check_expr",
    "compile_ball",
    "compile_mp",
    "number",
    "parse",
]
