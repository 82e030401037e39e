r"""NNGP and NTK kernels of deep fully connected networks, and the first-layer NT kernel.

Text forms (``kernel=`` of ``krr``; see docs/models/krr.md, 'Deep kernels and the NT kernel'):

* ``nngp:ACTIVATION,L`` — the Gaussian-process kernel of a network with ``L`` hidden layers;
* ``ntk:ACTIVATION,L`` — its neural tangent kernel;
* ``nt:ACTIVATION`` — ``h(s) = s·E[σ'(u)σ'(v)]`` (unit variances, correlation ``s``): the kernel of the
  neural tangent model's first layer;
* optional ``sw2=W`` (``σ_w² ∈ [1e-4, 1e4]``, default 1) and ``sb2=B`` (``σ_b² ∈ [0, 1e4]``, default 0) for ``nngp``/``ntk``,
  exact rationals, e.g. ``ntk:relu,3,sw2=2,sb2=1/10``; ``1 ≤ L ≤ 20``.

The recursion (inputs on the sphere of radius ``√d``, cosine ``s = ⟨x, x'⟩/d``; Jacot, Gabriel & Hongler
2018, arXiv 1806.07572; Arora et al. 2019, arXiv 1904.11955, eqs. (3)–(5), with their ``c_σ`` written as
``σ_w²`` and a bias ``σ_b²`` in every layer after the first):

.. math::
    \Sigma^{(0)}(s) = s,\quad q_0 = 1,\quad
    \Sigma^{(l)} = \sigma_w^2\,\mathbb E[\sigma(u)\sigma(v)] + \sigma_b^2,\quad
    \dot\Sigma^{(l)} = \sigma_w^2\,\mathbb E[\sigma'(u)\sigma'(v)],\quad
    \Theta^{(0)} = s,\quad \Theta^{(l)} = \Sigma^{(l)} + \Theta^{(l-1)}\dot\Sigma^{(l)},

``(u, v)`` centred Gaussian with variances ``q_{l−1}`` and covariance ``Σ^{(l−1)}(s)``,
``q_l = Σ^{(l)}(1)``; ``nngp`` is ``Σ^{(L)}``, ``ntk`` is ``Θ^{(L)}``.  With ``σ_w² = 1, σ_b² = 0`` and
``L = 1`` these are ``relu_nngp`` and ``relu_ntk`` (returned as those very kernels, renamed).

ReLU: the arc-cosine kernels of Cho & Saul (2009) at any variance (1-homogeneity):
``E[relu(u)relu(v)] = q κ₁(ρ)``, ``E[relu'(u)relu'(v)] = κ₀(ρ)``, ``ρ = Σ/q``,
``κ₁(ρ) = (√(1−ρ²) + (π − arccos ρ)ρ)/(2π)``, ``κ₀(ρ) = (π − arccos ρ)/(2π)``, ``q_l = σ_w²q_{l−1}/2 + σ_b²``.

Any activation: the dual activation ``E[σ(u)σ(v)] = Σ_k a_k(q)² ρ^k/k!`` with
``a_k(q) = E σ(√q G) He_k(G)`` and, by Stein's lemma, ``E[σ'(u)σ'(v)] = Σ_k a_{k+1}(q)² ρ^k/(q k!)``.

Taylor coefficients ``ξ_k = h^{(k)}(0)/k!`` are computed exactly (to the working precision) by
truncated power-series composition: each layer expands its dual activation around ``ρ₀ = Σ^{(l−1)}(0)/q``
(ReLU: closed-form series of ``(1 − ρ²)^{−1/2}``, ``κ₀``, ``κ₁``) and composes it with the previous layer's
series minus its constant, so the coefficients up to order ``K`` need only orders ``≤ K``.  All ``ξ_k ≥ 0``
(compositions and products of series with non-negative coefficients) and ``Σ ξ_k = h(1)``.
The same code runs on python-flint balls (:meth:`DeepKernel.ball_xi`), so ``xi``, ``risk_asymptotic``
and ``staircase`` are proven for ReLU at every depth and for other activations at ``L = 1`` and ``nt``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from ._lazy import sympy as sp
from .errors import ParameterError
from .kernels import Kernel, _budget_checker, _s_var

MAX_DEPTH = 20
"""Largest depth ``L`` accepted in ``nngp:ACT,L`` / ``ntk:ACT,L``."""
SCALE_MIN, SCALE_MAX = Fraction(1, 10**4), Fraction(10**4)
"""Range of ``sw2`` (``[SCALE_MIN, SCALE_MAX]``) and of ``sb2`` (``[0, SCALE_MAX]``)."""

KINDS = ("nngp", "ntk", "nt")
GUARD_BITS = 30
"""Extra bits of the series composition (the coefficients are returned rounded to the working precision)."""
EXPLICIT_DEPTH = 3
"""Up to this depth a ReLU kernel carries its explicit SymPy expression (deeper: a named function of ``s``)."""


@dataclass(frozen=True)
class DeepSpec:
    """A parsed ``nngp:ACT,L`` / ``ntk:ACT,L`` / ``nt:ACT`` text (exact rational scalings)."""

    kind: str
    activation: str
    depth: int
    sw2: Fraction = Fraction(1)
    sb2: Fraction = Fraction(0)

    @property
    def name(self) -> str:
        if self.kind == "nt":
            return f"nt:{self.activation}"
        out = f"{self.kind}:{self.activation},{self.depth}"
        if self.sw2 != 1:
            out += f",sw2={self.sw2}"
        if self.sb2 != 0:
            out += f",sb2={self.sb2}"
        return out

    @property
    def relu(self) -> bool:
        return self.activation == "relu"


def _fraction(raw: str, key: str, text: str) -> Fraction:
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise ParameterError(f"`kernel` {raw[:60]!r}: {key}= needs an exact number (decimal or p/q); got {text!r}.") from None


def parse(raw: str) -> DeepSpec:
    """Parse ``nngp:ACT,L[,sw2=W][,sb2=B]``, ``ntk:...`` or ``nt:ACT`` (ParameterError naming ``kernel``)."""
    from .activations import get_activation

    key, _, arg = raw.strip().partition(":")
    kind = key.strip().lower()
    usage = (
        "nngp:ACTIVATION,L or ntk:ACTIVATION,L (1 <= L <= 20, optional sw2=W in [1e-4, 1e4], sb2=B in [0, 1e4]) "
        "or nt:ACTIVATION, "
        "e.g. ntk:relu,3 or nngp:tanh,2,sw2=2"
    )
    parts = [p.strip() for p in arg.split(",")]
    scal: dict[str, Fraction] = {}
    while parts and "=" in parts[-1] and not parts[-1].startswith("="):
        k, _, v = parts.pop().partition("=")
        k = k.strip().lower()
        if k not in ("sw2", "sb2") or k in scal:
            raise ParameterError(f"`kernel` {raw[:60]!r}: unknown or repeated option {k!r}; valid: sw2=, sb2=. Form: {usage}.")
        scal[k] = _fraction(raw, k, v)
    depth = 1
    if kind != "nt":
        if len(parts) < 2:
            raise ParameterError(f"`kernel` {raw[:60]!r}: missing depth L. Form: {usage}.")
        try:
            depth = int(parts.pop())
        except ValueError:
            raise ParameterError(f"`kernel` {raw[:60]!r}: the depth L must be an integer in [1, {MAX_DEPTH}].") from None
        if not 1 <= depth <= MAX_DEPTH:
            raise ParameterError(f"`kernel` {raw[:60]!r}: the depth L must be an integer in [1, {MAX_DEPTH}]; got {depth}.")
    elif scal:
        raise ParameterError(f"`kernel` {raw[:60]!r}: nt:ACTIVATION takes no sw2=/sb2= options.")
    text = ",".join(parts).strip()
    if not text:
        raise ParameterError(f"`kernel` {raw[:60]!r}: missing activation. Form: {usage}.")
    try:
        act = get_activation(text)
    except ParameterError as exc:
        raise ParameterError(f"`kernel` {raw[:60]!r}: {exc}") from None
    sw2, sb2 = scal.get("sw2", Fraction(1)), scal.get("sb2", Fraction(0))
    # the variances grow or shrink like (sw2/2)^L through the layers: the range keeps every layer's variance
    # (and the float64 path's values) far inside float64 for L <= 20, and the quadratures' cost bounded
    if not SCALE_MIN <= sw2 <= SCALE_MAX:
        raise ParameterError(f"`kernel` {raw[:60]!r}: sw2 (sigma_w^2) must be in [1e-4, 1e4]; got {float(sw2):.6g}.")
    if not 0 <= sb2 <= SCALE_MAX:
        raise ParameterError(f"`kernel` {raw[:60]!r}: sb2 (sigma_b^2) must be in [0, 1e4]; got {float(sb2):.6g}.")
    return DeepSpec(kind, act.name, depth, sw2, sb2)


# ----------------------------------------------------------------------------- number backends
class _MPOps:
    """mpmath numbers (current precision)."""

    @staticmethod
    def num(x: Fraction | int) -> Any:
        x = Fraction(x)
        return mpmath.mpf(x.numerator) / x.denominator

    @staticmethod
    def pi() -> Any:
        return +mpmath.pi

    sqrt = staticmethod(mpmath.sqrt)
    acos = staticmethod(mpmath.acos)


class _BallOps:
    """python-flint balls (:class:`~asymptotics.ball.Ball`), at ``flint.ctx.prec``."""

    @staticmethod
    def num(x: Fraction | int) -> Any:
        from .ball import AB

        return AB.num(Fraction(x))

    @staticmethod
    def pi() -> Any:
        from flint import arb

        from .ball import Ball

        return Ball(arb.pi())

    @staticmethod
    def sqrt(x: Any) -> Any:
        from .ball import Ball

        return Ball(x.v.sqrt())

    @staticmethod
    def acos(x: Any) -> Any:
        from .ball import Ball

        return Ball(x.v.acos())


def _mul(a: list[Any], b: list[Any], top: int) -> list[Any]:
    """Product of two truncated power series (orders ``0..top``)."""
    return [sum((a[i] * b[n - i] for i in range(n + 1)), a[0] * 0) for n in range(top + 1)]


def _compose(f: list[Any], delta: list[Any], top: int) -> list[Any]:
    """``Σ_j f_j δ^j`` truncated at order ``top`` (``δ_0 = 0``), by Horner's rule."""
    out = [f[top]] + [f[0] * 0] * top
    for j in range(top - 1, -1, -1):
        out = _mul(out, delta, top)
        out[0] = out[0] + f[j]
    return out


def relu_dual_series(rho0: Any, top: int, ops: Any = _MPOps) -> tuple[list[Any], list[Any]]:
    r"""Taylor coefficients in ``δ`` of ``κ₁(ρ₀ + δ)`` and ``κ₀(ρ₀ + δ)`` up to order ``top`` (``|ρ₀| < 1``).

    ``κ₀' = (1 − ρ²)^{−1/2}/(2π)`` and ``κ₁' = κ₀``; the series ``w = u^{−1/2}`` of ``u = 1 − (ρ₀ + δ)²``
    follows from ``u w' = −½ u' w``: ``w_n = Σ_{k=1,2} (k/2 − n) u_k w_{n−k}/(n u_0)``.
    """
    pi = ops.pi()
    u = [1 - rho0 * rho0, -2 * rho0, rho0 * 0 - 1]
    w = [1 / ops.sqrt(u[0])]
    for n in range(1, top + 1):
        acc = rho0 * 0
        for k in (1, 2):
            if k <= n:
                acc = acc + (ops.num(Fraction(k, 2)) - n) * u[k] * w[n - k]
        w.append(acc / (n * u[0]))
    theta = ops.acos(rho0)
    k0 = [(pi - theta) / (2 * pi)] + [w[n - 1] / (2 * pi * n) for n in range(1, top + 1)]
    k1 = [(ops.sqrt(u[0]) + (pi - theta) * rho0) / (2 * pi)] + [k0[n - 1] / n for n in range(1, top + 1)]
    return k1, k0


# ----------------------------------------------------------------------------- the kernel object
@dataclass(frozen=True, eq=False)
class DeepKernel(Kernel):
    """A deep NNGP/NTK or NT kernel: :class:`~asymptotics.kernels.Kernel` whose Taylor coefficients and
    ``h(1)`` come from the layer recursion (module docstring), not from SymPy.

    Finite-``d`` eigenvalues and ``E h²`` on the sphere use :func:`_sphere_levels` with ``h`` in Arb (ReLU:
    the closed-form pointwise recursion, :func:`_relu_arb`); other activations have no pointwise evaluator
    yet (ParameterError).  Proofs of finite-``d`` quantities stop at once (:meth:`ball_levels_blocker`) except
    for ``nt:relu``.
    """

    spec: DeepSpec | None = None
    arb_h: Callable[[Any], Any] | None = None
    """``h`` on python-flint ``arb`` numbers (ReLU: :func:`_relu_arb`), for the finite-``d`` quadrature."""

    @property
    def is_polynomial(self) -> bool:
        return False

    def degree(self) -> int | None:
        return None

    def parity_part(self, ell: int) -> tuple[Any, Any]:
        return None, None

    # -- finite-d eigenvalues (sphere) -------------------------------------------------
    def eigenvalue(self, d: int, ell: int, domain: Any = "sphere") -> tuple[Any, Any]:
        """``(μ_{d,ℓ}, error)``: closed form (``nt:relu``), else tanh–sinh quadrature in variables where the
        integrand is analytic (:func:`_sphere_levels`; the hypercube uses its exact Kravchuk sums)."""
        from .kernels import get_domain

        dom = get_domain(domain)
        if dom.name != "sphere" or self.closed is not None:
            return super().eigenvalue(d, ell, domain)
        need = mpmath.mp.prec
        key = ("fh", d, ell)
        cached = self._cache.get(key)
        if cached is None or cached[0] < need:
            h = self.arb_h if self.arb_h is not None else self.mp  # (no pointwise h: its ParameterError)
            for k, (value, err) in enumerate(_sphere_levels(h, d, _block_top(ell), self.name)):
                old = self._cache.get(("fh", d, k))
                if old is None or old[0] < need:
                    self._cache[("fh", d, k)] = (need, value, err)
            cached = self._cache[key]
        return +cached[1], cached[2]

    def second_moment(self, d: int, domain: Any = "sphere") -> Any:
        """``E h(s)²``: on the sphere the quadrature of :func:`_sphere_levels` applied to ``h²`` (its level 0),
        cached per ``d`` and precision; elsewhere as for any kernel."""
        from .kernels import get_domain

        if get_domain(domain).name != "sphere" or self.arb_h is None:
            return super().second_moment(d, domain)
        key = ("h2fh", d)
        cached = self._cache.get(key)
        if cached is None or cached[0] < mpmath.mp.prec:
            h = self.arb_h
            value, _ = _sphere_levels(lambda s: h(s) ** 2, d, 0, self.name)[0]
            self._cache[key] = cached = (mpmath.mp.prec, value)
        return +cached[1]

    def ball_levels_blocker(self, d: int, domain: Any = "sphere") -> str | None:
        """The reason a proof of finite-``d`` quantities stops at once: deep NNGP/NTK kernels have no ball route
        for their eigenvalues (``nt:relu`` has one: closed-form eigenvalues, ``E h²`` by rigorous integration)."""
        if self.ball_closed is None:
            return f"kernel {self.name!r}: finite-d eigenvalues of deep kernels have no ball route yet"
        if self.ball_h is None:
            return f"kernel {self.name!r}: E h(s)^2 has no ball route yet"
        return None

    def ball_eigenvalue(self, d: int, ell: int, domain: Any = "sphere") -> Any:
        """Closed form on balls (``nt:relu``); otherwise NotProven at once (no rigorous route for composed
        arc-cosines yet: integrating their SymPy expression on balls would only run into the budget)."""
        from .ball import NotProven

        if self.ball_closed is not None:
            return super().ball_eigenvalue(d, ell, domain)
        raise NotProven(f"kernel {self.name!r}: finite-d eigenvalues of deep kernels have no ball route yet")

    def ball_second_moment(self, d: int, domain: Any = "sphere") -> Any:
        """``E h(s)²`` on balls: ``nt:relu`` by rigorous integration of ``h²`` (``h = relu_ntk − relu_nngp`` on
        ``acb`` balls, :func:`~asymptotics.kernels._ball_sphere_mean`); NotProven for the others."""
        from .ball import NotProven

        if self.ball_h is not None:
            return super().ball_second_moment(d, domain)
        raise NotProven(f"kernel {self.name!r}: E h(s)^2 of deep kernels has no ball route yet")

    # -- exact coefficients -----------------------------------------------------------
    def _activation(self) -> Any:
        from .activations import get_activation

        assert self.spec is not None
        return get_activation(self.spec.activation)

    def _hermite(self, q: Any, k: int, ops: Any, layer: int) -> Any:
        """``a_k(q) = E σ(√q G) He_k(G)`` (first layer: ``q = 1``, the activation's own coefficients)."""
        act = self._activation()
        if layer == 1:
            if ops is _BallOps:
                return act.ball_hermite(k)
            return act.hermite(k)[0]
        if ops is _BallOps:
            from .ball import NotProven

            raise NotProven(f"kernel {self.name!r}: Hermite coefficients at variance q != 1 have no ball route")
        from .activations import _parity

        key = ("aq", layer, k, mpmath.mp.prec)
        if key not in self._cache:
            parity = _parity(act.expr) if act.expr is not None else 0
            if (parity == -1 and k % 2 == 0) or (parity == 1 and k % 2 == 1):
                self._cache[key] = mpmath.mpf(0)
            else:
                self._cache[key] = _gauss_scaled(act, q, lambda x: _he(k, x), self.name)
        return self._cache[key]

    def _second_moments(self, q: Any, ops: Any, layer: int) -> tuple[Any, Any]:
        """``(E σ(√q G)², E σ'(√q G)²)``."""
        assert self.spec is not None
        if self.spec.relu:
            return q / 2, ops.num(Fraction(1, 2))
        act = self._activation()
        der = act.derivative() if self.spec.kind != "nngp" else None
        if layer == 1:
            if ops is _BallOps:
                c = act.ball_coefficients()
                cd = der.ball_coefficients() if der is not None else None
            else:
                c = act.coefficients()
                cd = der.coefficients() if der is not None else None
            e2 = c[0] ** 2 + c[1] ** 2 + c[2] if ops is _BallOps else c.mu0**2 + c.mu1**2 + c.mustar2
            if cd is None:
                return e2, None
            ed2 = cd[0] ** 2 + cd[1] ** 2 + cd[2] if ops is _BallOps else cd.mu0**2 + cd.mu1**2 + cd.mustar2
            return e2, ed2
        if ops is _BallOps:
            from .ball import NotProven

            raise NotProven(f"kernel {self.name!r}: Gaussian moments at variance q != 1 have no ball route")
        e2 = _gauss_scaled(act, q, None, self.name, square=True)
        ed2 = _gauss_scaled(der, q, None, self.name, square=True) if der is not None else None
        return e2, ed2

    def _series(self, top: int, ops: Any) -> tuple[list[Any], Any]:
        """``([ξ_0..ξ_top], h(1))`` at the backend's current precision (module docstring)."""
        spec = self.spec
        assert spec is not None
        zero = ops.num(0)
        one = ops.num(1)
        sw2, sb2 = ops.num(spec.sw2), ops.num(spec.sb2)
        if spec.kind == "nt":  # h(s) = s·E[σ'(u)σ'(v)] at unit variance: ξ_k = a_k²/(k−1)!
            if spec.relu:
                _, k0 = relu_dual_series(zero, top, ops)
                xi = [zero] + k0[:top]
            else:
                xi = [zero] + [self._hermite(one, k, ops, 1) ** 2 / math.factorial(k - 1) for k in range(1, top + 1)]
            return xi, self._second_moments(one, ops, 1)[1]
        sig = [zero, one] + [zero] * (top - 1)
        sig = sig[: top + 1]
        theta = list(sig)
        q, theta1 = one, one
        for layer in range(1, spec.depth + 1):
            rho0 = sig[0] / q
            delta = [zero] + [c / q for c in sig[1:]]
            if spec.relu:
                k1, k0 = relu_dual_series(rho0, top, ops)
                f = [q * c for c in k1]
                g = k0
            else:
                if ops is _BallOps and layer > 1:
                    from .ball import NotProven

                    raise NotProven(f"kernel {self.name!r}: layers beyond the first of a non-relu activation have no ball route")
                if not _is_zero(sig[0]):
                    raise ParameterError(
                        f"`kernel` {self.name!r}: beyond the first layer, an activation other than relu needs "
                        "Sigma(0) = 0 (E sigma(G) = 0, e.g. an odd activation, and sb2=0); not available yet."
                    )
                a = [self._hermite(q, k, ops, layer) for k in range(top + 2)]
                f = [a[k] ** 2 / math.factorial(k) for k in range(top + 1)]
                g = [a[k + 1] ** 2 / (q * math.factorial(k)) for k in range(top + 1)]
            new = [sw2 * c for c in _compose(f, delta, top)]
            new[0] = new[0] + sb2
            e2, ed2 = self._second_moments(q, ops, layer)
            if spec.kind == "ntk":
                dot = [sw2 * c for c in _compose(g, delta, top)]
                prod = _mul(theta, dot, top)
                theta = [x + y for x, y in zip(new, prod, strict=True)]
                q_new = sw2 * e2 + sb2
                theta1 = q_new + theta1 * sw2 * ed2
                q = q_new
            else:
                q = sw2 * e2 + sb2
            sig = new
        return (theta, theta1) if spec.kind == "ntk" else (sig, q)

    def _mp_series(self, top: int) -> tuple[list[Any], Any]:
        top = max(8, -(-top // 8) * 8)  # levels in blocks of 8 (the low orders do not depend on top)
        prec = mpmath.mp.prec
        key = ("series", prec)
        cached = self._cache.get(key)
        if cached is None or len(cached[0]) <= top:
            with mpmath.workprec(prec + GUARD_BITS):
                cached = self._budgeted_series(top, _MPOps)
            self._cache[key] = cached
        return cached

    def _budgeted_series(self, top: int, ops: Any) -> tuple[list[Any], Any]:
        """:meth:`_series` with every Gaussian quadrature of all layers under ONE request budget
        (:func:`asymptotics.kernels.quadrature_budget`), and a correlation that reaches 1 within the working
        precision (a bias far above the weights' variance, deep) as a named error, never a ZeroDivisionError."""
        from .kernels import quadrature_budget

        try:
            with quadrature_budget():
                return self._series(top, ops)
        except ZeroDivisionError:
            raise ParameterError(
                f"`kernel` {self.name!r}: the layers' correlation reaches 1 within the working precision "
                "(sb2 far above sw2 at this depth: the kernel is constant to every digit); use fewer layers or a smaller sb2."
            ) from None

    def xi(self, ell: int) -> Any:
        """``ξ_ℓ = h^{(ℓ)}(0)/ℓ!`` at the current precision (power-series composition, module docstring)."""
        return +self._mp_series(ell)[0][ell]

    def h1(self) -> Any:
        """``h(1) = Σ_k ξ_k``: ``q_L`` (NNGP), ``Θ^{(L)}(1)`` (NTK), ``E σ'(G)²`` (NT)."""
        return +self._mp_series(0)[1]

    def _ball_series(self, top: int) -> tuple[list[Any], Any]:
        from flint import ctx

        from .ball import workprec

        top = max(8, -(-top // 8) * 8)
        key = ("ball_series", ctx.prec)
        cached = self._cache.get(key)
        if cached is None or len(cached[0]) <= top:
            prec = ctx.prec
            with workprec(prec + GUARD_BITS):
                cached = self._budgeted_series(top, _BallOps)
            self._cache[key] = cached
        return cached

    def ball_xi(self, ell: int) -> Any:
        """``ξ_ℓ`` as a proven ball (the same composition on python-flint balls)."""
        return self._ball_series(ell)[0][ell]

    def ball_h1(self) -> Any:
        """``h(1)`` as a proven ball."""
        return self._ball_series(0)[1]


LEVEL_BLOCK = 32
"""Levels computed together by one set of quadrature nodes (:func:`_sphere_levels`): the first request
computes ``0..31``, a later one beyond the cached levels ``0..32·2^j − 1`` (doubling, so a spectrum of ``L``
levels costs about twice its last block instead of ``L/32`` blocks)."""
END_T1 = mpmath.mpf(1) / 2
"""The end pieces are ``s = ±(1 − t²)``, ``0 ≤ t ≤ END_T1``; the middle is ``|s| ≤ 1 − END_T1²``."""
FIX_GUARD = 32
"""Guard bits of the fixed-point Gegenbauer sums of :func:`_sphere_levels` (beyond the working precision)."""
_RULE: list[Any] = []


def _block_top(ell: int) -> int:
    """The last level of the block that holds ``ℓ`` (``32·2^j − 1``, see :data:`LEVEL_BLOCK`)."""
    top = LEVEL_BLOCK - 1
    while top < ell:
        top = 2 * top + 1
    return top


def _fixed(x: Any, bits: int) -> int:
    """``⌊m·2^{e+bits}⌋`` for the midpoint ``m·2^e`` of a python-flint ``arb`` (fixed point with ``bits`` fraction bits)."""
    m, e = x.mid().man_exp()
    m, shift = int(m), int(e) + bits
    return m << shift if shift >= 0 else m >> -shift


def _sphere_levels(h: Callable[[Any], Any], d: int, top: int, name: str) -> list[tuple[Any, Any]]:
    r"""``(μ_{d,ℓ}, error)`` for ``ℓ = 0..top``: ``E[h(s)Q_ℓ(s)]`` over the cosine law of ``S^{d−1}``.

    ``h`` acts on python-flint ``arb`` numbers at ``flint.ctx.prec`` (its midpoint is used).  Three pieces,
    each analytic in its variable for the composed arc-cosine kernels (singular only at ``s = ±1``, where
    ``√(1 − ρ²)`` and ``arccos ρ`` become analytic in ``t``, ``s = ±(1 − t²)``): the middle ``|s| ≤ 3/4`` with
    the weight ``(1 − s²)^{(d−3)/2}``, and the ends with ``ds = 2t dt``, ``1 − s² = t²(2 − t²)``.  mpmath's
    tanh–sinh rule (its nodes and error estimate, degrees raised until every level meets the working
    precision), with a vector integrand as in :meth:`~asymptotics.kernels.Kernel._funk_hecke_levels` but three
    pieces instead of ten; ``top·log₁₀(d)/2 + 10`` extra digits cover the cancellation of the high levels,
    and a value below 10× its error is read as 0, as in :meth:`Kernel._funk_hecke_levels`.

    The hot loop runs in C or on whole arrays: ``h`` and the weights at each node in Arb (python-flint), then
    ``Σ_i w_i h(s_i) Q_ℓ(s_i)`` for all levels at once by the recurrence
    ``Q_ℓ = ((2ℓ + d − 4)s Q_{ℓ−1} − (ℓ − 1)Q_{ℓ−2})/(ℓ + d − 3)`` on numpy arrays of Python integers in
    fixed point (``|Q_ℓ| ≤ 1`` on ``[−1, 1]``; :data:`FIX_GUARD` bits beyond the working precision absorb the
    roundings of the recurrence and of the sum).
    """
    from flint import arb
    from mpmath.calculus.quadrature import TanhSinh
    from mpmath.libmp import to_fixed

    from .ball import workprec

    if not _RULE:
        _RULE.append(TanhSinh(mpmath.mp))
    rule = _RULE[0]
    extra = int(top * math.log10(max(d, 2)) / 2) + 10
    check = _budget_checker(name, d)
    out: list[tuple[Any, Any]] = []
    with mpmath.workdps(mpmath.mp.dps + extra):
        prec = mpmath.mp.prec
        eps = mpmath.ldexp(1, -prec + 4)
        mpmath.mp.prec += 20
        bits = mpmath.mp.prec + FIX_GUARD
        one = 1 << bits
        half_e = Fraction(d - 3, 2)
        c = 1 - END_T1 * END_T1

        def levels_sum(s_fix: list[int], hw_fix: list[int]) -> list[int]:
            """``Σ_i hw_i Q_ℓ(s_i)`` for ``ℓ = 0..top`` (all fixed point at ``bits``)."""
            sv = np.array(s_fix, dtype=object)
            hv = np.array(hw_fix, dtype=object)
            sums = [int(hv.sum())]
            if top >= 1:
                sums.append(int(np.dot(hv, sv)) >> bits)
            q_prev, q = one, sv
            for k in range(2, top + 1):
                q_prev, q = q, ((2 * k + d - 4) * ((sv * q) >> bits) - (k - 1) * q_prev) // (k + d - 3)
                sums.append(int(np.dot(hv, q)) >> bits)
            return sums

        with workprec(bits):
            expo = arb(half_e.numerator) / half_e.denominator
            scale = arb(2) ** (-bits)

            def node_mid(x: Any, w: Any) -> tuple[int, int]:
                xa = arb(to_fixed(x._mpf_, bits)) * scale
                wa = arb(to_fixed(w._mpf_, bits)) * scale
                s = xa
                return _fixed(s, bits), _fixed(h(s) * (1 - s * s) ** expo * wa, bits)

            def node_end(sign: int) -> Callable[[Any, Any], tuple[int, int]]:
                def g(x: Any, w: Any) -> tuple[int, int]:
                    t = arb(to_fixed(x._mpf_, bits)) * scale
                    wa = arb(to_fixed(w._mpf_, bits)) * scale
                    s = sign * (1 - t * t)
                    weight = 2 * t ** (d - 2) * (2 - t * t) ** expo
                    return _fixed(s, bits), _fixed(h(s) * weight * wa, bits)

                return g

            total = [mpmath.mpf(0)] * (top + 1)
            total_err = [mpmath.mpf(0)] * (top + 1)
            want = range(top + 1)
            for f, a, b in ((node_mid, -c, c), (node_end(1), mpmath.mpf(0), END_T1), (node_end(-1), mpmath.mpf(0), END_T1)):
                results: list[list[Any]] = []
                errs = [mpmath.mpf(1)] * (top + 1)
                for degree in range(1, rule.guess_degree(prec) + 1):
                    step_h = mpmath.mpf(2) ** (-degree)
                    s_fix, hw_fix = [], []
                    for i, (x, w) in enumerate(rule.get_nodes(a, b, degree, prec)):
                        if i % 64 == 0:
                            check()
                        sx, hx = f(x, w)
                        s_fix.append(sx)
                        hw_fix.append(hx)
                    check()
                    acc = [mpmath.mpf((v, -bits)) for v in levels_sum(s_fix, hw_fix)]
                    prev = results[-1] if results else None
                    results.append([step_h * (prev[k] / (2 * step_h) + acc[k]) if prev else step_h * acc[k] for k in want])
                    if degree > 1:  # the levels in turn, stopping at the first one not yet converged
                        done = True
                        for k in want:
                            errs[k] = rule.estimate_error([res[k] for res in results], prec, eps)
                            if errs[k] > eps:
                                done = False
                                break
                        if done:
                            break
                else:  # never converged: every level's own estimate at the last degree
                    errs = [rule.estimate_error([res[k] for res in results], prec, eps) for k in want]
                for k in want:
                    total[k] += results[-1][k]
                    total_err[k] += errs[k]
        nu = mpmath.mpf(d - 2) / 2
        den = mpmath.sqrt(mpmath.pi) * mpmath.gamma(nu + mpmath.mpf(1) / 2) / mpmath.gamma(nu + 1)
        for k in range(top + 1):
            value, err = total[k] / den, total_err[k] / den
            out.append((mpmath.mpf(0) if abs(value) <= 10 * err else value, err))
    return out


def _is_zero(x: Any) -> bool:
    return bool(x == 0)


def _he(k: int, x: Any) -> Any:
    """``He_k(x)`` (probabilists' Hermite) by the recurrence ``He_{k+1} = x He_k − k He_{k−1}``."""
    a, b = x * 0 + 1, x
    if k == 0:
        return a
    for j in range(1, k):
        a, b = b, x * b - j * a
    return b


def _gauss_scaled(act: Any, q: Any, weight: Callable[[Any], Any] | None, name: str, square: bool = False) -> Any:
    """``E[σ(√q G) w(G)]`` (or ``E σ(√q G)²``) by tanh–sinh quadrature split at the scaled kinks."""
    r = mpmath.sqrt(q)
    pts = [-mpmath.inf, *sorted({mpmath.mpf(k) / r for k in act.kinks}), mpmath.inf]
    check = _budget_checker(name, 0)
    check()

    def f(x: Any) -> Any:
        v = act.mp(r * x)
        v = v * v if square else v * weight(x)  # type: ignore[misc]
        return v * mpmath.exp(-x * x / 2)

    with mpmath.workdps(mpmath.mp.dps + 10):
        try:
            v = mpmath.quad(f, pts)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ParameterError(f"`kernel` {name!r}: the activation could not be integrated: {exc}") from None
        out = v / mpmath.sqrt(2 * mpmath.pi)
    if isinstance(out, mpmath.mpc):
        out = out.real
    return +out


# ----------------------------------------------------------------------------- pointwise evaluation (ReLU)
def _relu_pointwise(spec: DeepSpec, lib: Any) -> Callable[[Any], Any]:
    """``h(s)`` by the arc-cosine recursion, on mpmath numbers (``lib = mpmath``) or numpy arrays (``lib = np``)."""
    sw2, sb2 = float(spec.sw2), float(spec.sb2)
    if lib is mpmath:
        sw2 = mpmath.mpf(spec.sw2.numerator) / spec.sw2.denominator
        sb2 = mpmath.mpf(spec.sb2.numerator) / spec.sb2.denominator

    def clamp(x: Any) -> Any:
        if lib is mpmath:
            return min(max(x, mpmath.mpf(-1)), mpmath.mpf(1))
        return np.clip(x, -1.0, 1.0)

    def h(s: Any) -> Any:
        pi = lib.pi
        if spec.kind == "nt":
            return s * (pi - lib.arccos(clamp(s)) if lib is np else pi - mpmath.acos(clamp(s))) / (2 * pi)
        acos = np.arccos if lib is np else mpmath.acos
        sig, theta, q = s, s, s * 0 + 1
        ang_in = acos(clamp(s))
        for i in range(spec.depth):
            ang = pi - ang_in
            k1 = (lib.sin(ang_in) + ang * lib.cos(ang_in)) / (2 * pi)
            new = sw2 * q * k1 + sb2
            theta = new + theta * sw2 * ang / (2 * pi)
            q_next = sw2 * q / 2 + sb2
            if i + 1 < spec.depth:  # 1 − ρ without cancellation near ρ = 1 (see _relu_mp)
                half = (2 * pi * lib.sin(ang_in / 2) ** 2 - lib.sin(ang_in) + ang_in * lib.cos(ang_in)) / (2 * pi)
                u = sw2 * q * half / q_next
                u = np.clip(u, 0.0, 2.0) if lib is np else min(max(u, 0 * u), 2 + 0 * u)
                ang_in = 2 * lib.arcsin(lib.sqrt(u / 2)) if lib is np else 2 * mpmath.asin(mpmath.sqrt(u / 2))
            sig, q = new, q_next
        return theta if spec.kind == "ntk" else sig

    return h


def _relu_mp(spec: DeepSpec) -> Callable[[Any], Any]:
    """``h(s)`` by the arc-cosine recursion on mpmath numbers: the constants (``π``, ``1/(2π)``, the exact
    variances ``q_l``) are made once per precision, and the last value is kept, because the Funk–Hecke
    quadrature asks for ``h`` at each node twice (once per parity)."""
    consts: dict[int, tuple[Any, ...]] = {}
    qs, q = [], Fraction(1)
    for _ in range(spec.depth):
        qs.append(q)
        q = spec.sw2 * q / 2 + spec.sb2
    last: list[Any] = [None, None, None]

    def h(s: Any) -> Any:
        prec = mpmath.mp.prec
        if last[0] == prec and last[1] is not None and s == last[1] and type(s) is type(last[1]):
            return last[2]
        if prec not in consts:
            pi = +mpmath.pi
            conv = _MPOps.num
            consts[prec] = (pi, 1 / (2 * pi), [conv(x) for x in qs], [1 / conv(x) for x in qs], conv(spec.sw2), conv(spec.sb2))
        pi, c, qm, qinv, sw2, sb2 = consts[prec]
        one = mpmath.mpf(1)
        theta = mpmath.acos(min(max(s, -one), one))
        if spec.kind == "nt":
            out = s * (pi - theta) * c
        else:
            sig = ntk = s
            for i, (q_l, qi) in enumerate(zip(qm, qinv, strict=True)):
                sin, cos = mpmath.sin(theta), mpmath.cos(theta)
                ang = pi - theta
                new = sw2 * q_l * (sin + ang * cos) * c + sb2
                if spec.kind == "ntk":
                    ntk = new + ntk * sw2 * ang * c
                sig = new
                if i + 1 < len(qm):  # the next angle from 1 − ρ = σ_w²q(½ − κ₁)/q_next, without cancellation near ρ = 1
                    half = 2 * pi * mpmath.sin(theta / 2) ** 2 - sin + theta * cos
                    u = min(max(sw2 * q_l * half * c * qinv[i + 1], 0 * one), 2 * one)
                    theta = 2 * mpmath.asin(mpmath.sqrt(u / 2))
            out = ntk if spec.kind == "ntk" else sig
        last[:] = [prec, s, out]
        return out

    return h


def _relu_arb(spec: DeepSpec) -> Callable[[Any], Any]:
    """``h(s)`` by the arc-cosine recursion of :func:`_relu_mp` on python-flint ``arb`` numbers at ``flint.ctx.prec``
    (Arb's transcendental functions in C; :func:`_sphere_levels` uses the midpoint).  The next angle's
    argument is re-centred on its midpoint and clamped to ``[0, 2]``, as :func:`_relu_mp` clamps it."""
    from flint import arb, ctx, fmpq

    consts: dict[int, tuple[Any, ...]] = {}
    qs, q = [], Fraction(1)
    for _ in range(spec.depth):
        qs.append(q)
        q = spec.sw2 * q / 2 + spec.sb2

    def num(x: Fraction) -> Any:
        return arb(fmpq(x.numerator, x.denominator))

    def h(s: Any) -> Any:
        prec = ctx.prec
        if prec not in consts:
            pi = arb.pi()
            consts[prec] = (pi, 1 / (2 * pi), [num(x) for x in qs], [num(1 / x) for x in qs], num(spec.sw2), num(spec.sb2))
        pi, c, qm, qinv, sw2, sb2 = consts[prec]
        one = arb(1)
        s = s.mid()
        s = one if s > 1 else -one if s < -1 else s
        theta = s.acos()
        if spec.kind == "nt":
            return s * (pi - theta) * c
        sig = ntk = s
        for i, (q_l, qi) in enumerate(zip(qm, qinv, strict=True)):
            sin, cos = theta.sin_cos()
            ang = pi - theta
            new = sw2 * q_l * (sin + ang * cos) * c + sb2
            if spec.kind == "ntk":
                ntk = new + ntk * sw2 * ang * c
            sig = new
            if i + 1 < len(qm):
                half = 2 * pi * (theta / 2).sin() ** 2 - sin + theta * cos
                u = (sw2 * q_l * half * c * qinv[i + 1]).mid()
                u = arb(0) if u < 0 else arb(2) if u > 2 else u
                theta = 2 * (u / 2).sqrt().asin()
        return ntk if spec.kind == "ntk" else sig

    return h


def _no_pointwise(name: str) -> Callable[[Any], Any]:
    def h(s: Any) -> Any:
        raise ParameterError(
            f"`kernel` {name!r}: finite-d eigenvalues of this kernel need h(s) pointwise, available for relu only "
            "(nngp:relu,L, ntk:relu,L, nt:relu); use xi, risk_asymptotic or staircase, which need only its Taylor coefficients."
        )

    return h


def _relu_expression(spec: DeepSpec) -> Any:
    """The composed arc-cosine kernel as an explicit SymPy expression in ``s`` (depth ≤ :data:`EXPLICIT_DEPTH`)."""
    s = _s_var()
    if spec.kind == "nt":
        return s * (sp.pi - sp.acos(s)) / (2 * sp.pi)
    sw2, sb2 = sp.Rational(spec.sw2.numerator, spec.sw2.denominator), sp.Rational(spec.sb2.numerator, spec.sb2.denominator)
    sig, theta, q = s, s, sp.Integer(1)
    for _ in range(spec.depth):
        rho = sig / q
        ang = sp.pi - sp.acos(rho)
        new = sw2 * q * (sp.sqrt(1 - rho**2) + ang * rho) / (2 * sp.pi) + sb2
        theta = new + theta * sw2 * ang / (2 * sp.pi)
        sig, q = new, sw2 * q / 2 + sb2
    return theta if spec.kind == "ntk" else sig


def deep_kernel(raw: str) -> Kernel:
    """The kernel named by ``nngp:ACT,L``, ``ntk:ACT,L`` or ``nt:ACT`` (see the module docstring)."""
    from . import kernels as K

    spec = parse(raw)
    name = spec.name
    if spec.relu and spec.depth == 1 and spec.sw2 == 1 and spec.sb2 == 0 and spec.kind != "nt":
        base = K.get_kernel("relu_nngp" if spec.kind == "nngp" else "relu_ntk")  # the same closed forms, every digit
        return dataclasses.replace(base, name=name, _cache={})
    if spec.relu:
        mp_h, np_h = _relu_mp(spec), _relu_pointwise(spec, np)
        if spec.kind == "nt" or spec.depth <= EXPLICIT_DEPTH:
            expr = _relu_expression(spec)
        else:
            expr = sp.Function(f"h_{spec.kind}_relu_{spec.depth}")(_s_var())
    else:
        mp_h = np_h = _no_pointwise(name)
        expr = sp.Function(f"h_{spec.kind}")(_s_var())
    if not spec.relu and spec.depth > 1:
        from .activations import _parity, get_activation

        act = get_activation(spec.activation)
        if spec.sb2 != 0 or act.expr is None or _parity(act.expr) != -1:
            raise ParameterError(
                f"`kernel` {name!r}: beyond one hidden layer, activations other than relu need Sigma(0) = 0 at every "
                "layer, i.e. an odd activation (tanh, erf, sin, ...) and sb2=0; not available yet for this one "
                "(use L=1, relu, or an odd activation)."
            )
    closed = ball_closed = ball_h = None
    if spec.relu and spec.kind == "nt":  # s·κ₀(s): the first-layer part of relu_ntk, closed form at every d
        closed, ball_closed, ball_h = K._relu_sk0_closed, K._relu_sk0_ball, _nt_relu_ball_h()
    # finite-d eigenvalues of deep kernels have no ball route yet (the composed arc-cosines are analytic in t near
    # s = 1 but not manifestly so): their proofs say NotProven, the precision ladder certifies them
    arb_h = _relu_arb(spec) if spec.relu else None
    return DeepKernel(name, expr, mp_h, np_h, closed, ball_closed=ball_closed, ball_h=ball_h, spec=spec, arb_h=arb_h)


def _nt_relu_ball_h() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``s·κ₀(s) = s(π − arccos s)/(2π)`` on ``acb`` balls as ``relu_ntk − relu_nngp`` (their ball evaluators,
    :func:`~asymptotics.kernels._relu_ball_h`, analytic where asked; ``h_end`` in ``t``, ``s = σ(1 − t²)``)."""
    from .kernels import _relu_ball_h

    ntk, ntk_end = _relu_ball_h(True)
    gp, gp_end = _relu_ball_h(False)

    def h(z: Any, a: bool) -> Any:
        return ntk(z, a) - gp(z, a)

    def h_end(t: Any, sign: int, a: bool) -> Any:
        return ntk_end(t, sign, a) - gp_end(t, sign, a)

    return h, h_end


__all__ = ["KINDS", "MAX_DEPTH", "DeepKernel", "DeepSpec", "deep_kernel", "parse", "relu_dual_series"]
