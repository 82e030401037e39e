"""Every model's SymPy ``system()`` agrees with its certified numbers (issue 14, item 2).

For every registered model and every form of its ``system()`` (the ``form=`` values of the
model module's ``FORMS``, ``general=False/True`` for ridge, the one system of ``mp``), at a few
drawn parameter points: the certified quantities of the same model (κ from ``kappa``, ``m``
from ``stieltjes``, σ(t) from ``trajectory``...) are substituted for the system's unknowns and
the equations ``lhs = rhs`` are evaluated with SymPy at ``dps + 10`` digits; they must agree to
``10^(3 − dps)`` relative.  Where a system also states closed-form outputs (risk, bias, ...),
those are compared with the certified outputs the same way.

The map from a system's symbols to certified quantities is model-specific: :data:`CASES` holds
one function per (model, form).  A form whose equations cannot be evaluated from the system
alone (opaque symbols, undefined functions) is listed in :data:`NOT_CHECKABLE` with the reason;
a (model, form) in neither table fails, so a new model or form cannot go unchecked.
"""

from __future__ import annotations

import inspect
import random
import sys
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import pytest
import sympy as sp

from asymptotics.models import REGISTRY
from asymptotics.symbolic import symbols as S

DPS = 30
WORK = DPS + 10

Check = tuple[str, Any, Any]  # (label, lhs, rhs): SymPy expressions or certified numbers


# ----------------------------------------------------------------------------- evaluation
def _number(v: Any) -> sp.Expr:
    if isinstance(v, bool):
        raise TypeError(v)
    if isinstance(v, int):
        return sp.Integer(v)
    if isinstance(v, Fraction):
        return sp.Rational(v.numerator, v.denominator)
    if isinstance(v, str):
        return sp.Rational(v) if "/" in v else sp.Float(v, WORK)
    v = mpmath.mpmathify(v)
    if isinstance(v, mpmath.mpc):
        return sp.Float(v.real, WORK) + sp.I * sp.Float(v.imag, WORK)
    return sp.Float(v, WORK)


def _replace(expr: sp.Expr, values: dict[str, Any]) -> sp.Expr:
    nodes = (
        set(expr.atoms(sp.Derivative))
        | set(expr.atoms(sp.core.function.AppliedUndef))
        | set(expr.atoms(sp.Indexed))
        | set(expr.free_symbols)
    )
    table = {n: _number(values[str(n)]) for n in nodes if str(n) in values}
    return expr.xreplace(table)


def _value(expr: Any, values: dict[str, Any]) -> Any:
    """``expr`` (SymPy, with the symbols named in ``values``) as an mpmath number at ``WORK`` digits."""
    if not isinstance(expr, sp.Basic):
        return mpmath.mpmathify(expr)
    e = _replace(expr, values).doit()  # integer bounds first: sums expand to indexed terms
    e = _replace(e, values).doit()
    left = {str(s) for s in e.free_symbols}
    assert not left, f"symbols without a value: {sorted(left)} in {expr}"
    v = sp.N(e, WORK)
    with mpmath.workdps(WORK):
        re, im = (mpmath.mpf(str(sp.N(part, WORK))) for part in (sp.re(v), sp.im(v)))
        return re if im == 0 else mpmath.mpc(re, im)


def _equations(system: Any, aux: dict[sp.Basic, sp.Expr] | None = None) -> list[Check]:
    out = []
    for k, eq in enumerate(system.equations):
        lhs, rhs = eq.lhs, eq.rhs
        if aux:
            lhs, rhs = lhs.subs(aux), rhs.subs(aux)
        out.append((f"{system.name} equation {k}", lhs, rhs))
    return out


def _size(expr: Any, values: dict[str, Any]) -> Any:
    """Sum of the absolute values of the top-level terms of ``expr`` (the scale of ``expr = 0``)."""
    terms = expr.args if isinstance(expr, sp.Add) else (expr,)
    return mpmath.fsum(abs(_value(t, values)) for t in terms)


def _agree(label: str, lhs: Any, rhs: Any, values: dict[str, Any], point: dict[str, Any]) -> None:
    with mpmath.workdps(WORK):
        a, b = _value(lhs, values), _value(rhs, values)
        scale = max(_size(lhs, values), _size(rhs, values))
        gap = abs(a - b)
        assert gap <= mpmath.mpf(10) ** (3 - DPS) * scale, (
            f"{label} at {point}: lhs {mpmath.nstr(a, 15)}, rhs {mpmath.nstr(b, 15)}, "
            f"relative residual {mpmath.nstr(gap / scale if scale else gap, 3)}"
        )


def _v(result: Any) -> Any:
    return result.value


def _points(seed: int, draw: Callable[[random.Random], dict[str, Any]], k: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [draw(rng) for _ in range(k)]


def _dec(rng: random.Random, lo: float, hi: float, digits: int = 4) -> str:
    return f"{rng.uniform(lo, hi):.{digits}f}"


# ----------------------------------------------------------------------------- mp
def _mp(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    from asymptotics.models import marchenko_pastur as mpl

    g, s2, z = pt["gamma"], pt["sigma2"], pt["z"]
    m = _v(mpl.stieltjes(z, g, s2, dps=DPS))
    a, b = _v(mpl.edges(g, s2, dps=DPS))
    x = (a + b) / 2
    values = {str(S.m): m, str(S.z): z, str(S.gamma): g, str(S.sigma2): s2, "a": a, "b": b, str(S.x): x}
    q = system.quantities
    checks = [
        *_equations(system),
        ("mp edge a", q["a"], a),
        ("mp edge b", q["b"], b),
        ("mp density", q["density"], _v(mpl.density(mpmath.nstr(x, WORK), g, s2, dps=DPS))),
        ("mp companion", q["companion"], _v(mpl.companion(z, g, s2, dps=DPS))),
    ]
    return checks, values


def _mp_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {"gamma": _dec(r, 0.1, 3), "sigma2": _dec(r, 0.5, 2), "z": "-" + _dec(r, 0.05, 4)}

    return _points(1, draw)

def _dmp(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """Two blocks: the Sum over i = 1..K is expanded with the block values, then every symbol is numeric."""
    from asymptotics.models import deformed_mp as dmp

    g, z, blocks = pt["gamma"], pt["z"], pt["blocks"]
    spec = "blocks:" + ",".join(f"{t}/{w}" for t, w in blocks)
    mt = _v(dmp.companion(z, g, spec, dps=DPS))
    s_, w_ = sp.IndexedBase("s"), sp.IndexedBase("w")
    (K,) = [p for p in system.parameters if str(p) == "K"]
    sub = {K: len(blocks)}
    for i, (t, w) in enumerate(blocks, 1):
        sub[s_[i]], sub[w_[i]] = sp.Rational(t), sp.Rational(w)

    def expand(e: Any) -> Any:
        return e.subs(K, len(blocks)).doit().subs(sub)

    with mpmath.workdps(WORK):  # the decimal inputs to working precision, not to mpmath's default 15 digits
        values = {"mtilde": mt, "z": mpmath.mpf(z), "gamma": mpmath.mpf(g)}
    eq = system.equations[0]
    return [
        ("dmp equation", expand(eq.lhs), expand(eq.rhs)),
        ("dmp stieltjes", expand(system.quantities["stieltjes"]), _v(dmp.stieltjes(z, g, spec, dps=DPS))),
    ], values


def _dmp_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        blocks = [(_dec(r, 0.2, 2), "1/2"), (_dec(r, 2, 8), "1/2")]
        return {"gamma": _dec(r, 0.1, 3), "z": "-" + _dec(r, 0.05, 4), "blocks": blocks}

    return _points(1, draw)



# ----------------------------------------------------------------------------- learning_curve
def _lc(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """Two modes: the Sums over i = 1..M expanded with the mode values; per-mode quantities at i = 1 and 2."""
    from asymptotics.models import learning_curve as lcm

    n, lam, s2, modes = pt["n"], pt["lam"], pt["sigma2"], pt["modes"]
    spec = "modes:" + ",".join(f"{e}/{d}/{b}" for e, d, b in modes)
    kw = {"n": n, "lam": lam, "sigma2": s2, "spectrum": spec, "dps": DPS}
    values: dict[str, Any] = {"n": n, "delta": lam, "sigma^2": s2, "M": len(modes), "kappa": _v(lcm.kappa(**kw))}
    for i, (e, d, b) in enumerate(modes, 1):
        values[f"\\eta[{i}]"], values[f"d[{i}]"], values[f"b[{i}]"] = e, d, b
    values["E_0"] = _v(lcm.overfitting_coefficient(**kw))
    values["E"] = _v(lcm.test_error(**kw))
    q = system.quantities
    idx = sp.Idx("i")
    checks = [
        *_equations(system),
        *[(f"learning_curve {k}", q[k], _v(getattr(lcm, k)(**kw))) for k in ("overfitting_coefficient", "bias", "variance")],
        *[(f"learning_curve {k}", q[k], _v(getattr(lcm, k)(**kw))) for k in ("test_error", "train_error")],
        ("learning_curve learnability", q["learnability"].subs(idx, 1), _v(lcm.learnability(**kw, mode=1))),
        ("learning_curve mode_error", q["mode_error"].subs(idx, 2), _v(lcm.mode_error(**kw, mode=2))),
    ]
    return checks, values


def _lc_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        modes = [(_dec(r, 1, 3), r.randint(1, 5), _dec(r, 0.2, 2)), (_dec(r, 0.01, 0.5), r.randint(5, 50), _dec(r, 0, 1))]
        return {"n": _dec(r, 2, 40), "lam": _dec(r, 0.001, 1), "sigma2": _dec(r, 0, 1), "modes": modes}

    return _points(4, draw)


# ----------------------------------------------------------------------------- ridge
def _ridge_outputs(system: Any, kw: dict[str, Any]) -> list[Check]:
    from asymptotics.models import ridge

    q = system.quantities
    return [
        (f"{system.name} {name}", q[name], _v(getattr(ridge, name)(**kw, dps=DPS)))
        for name in ("risk", "bias", "variance", "train_error")
    ]


def _ridge(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    from asymptotics.models import ridge

    kw = dict(gamma=pt["gamma"], lam=pt["lam"], r2=pt["r2"], sigma2=pt["sigma2"])
    values = {
        str(S.kappa): _v(ridge.kappa(**kw, dps=DPS)),
        str(S.lam): pt["lam"],
        str(S.gamma): pt["gamma"],
        str(S.r2): pt["r2"],
        str(S.sigma2): pt["sigma2"],
        "R": _v(ridge.risk(**kw, dps=DPS)),
    }
    return [*_equations(system), *_ridge_outputs(system, kw)], values


def _ridge_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {"gamma": _dec(r, 0.2, 3), "lam": _dec(r, 0.01, 2), "r2": _dec(r, 0.5, 2), "sigma2": _dec(r, 0.1, 1)}

    return _points(2, draw)


def _ridge_general(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    from asymptotics.models import ridge

    s, w, b = pt["blocks"]
    spectrum = ridge.Spectrum.from_blocks(s, w, b)
    kw = dict(gamma=pt["gamma"], lam=pt["lam"], sigma2=pt["sigma2"], spectrum=spectrum)
    values: dict[str, Any] = {
        str(S.kappa): _v(ridge.kappa(**kw, dps=DPS)),
        str(S.lam): pt["lam"],
        str(S.gamma): pt["gamma"],
        str(S.sigma2): pt["sigma2"],
        str(S.K): len(s),
        "R": _v(ridge.risk(**kw, dps=DPS)),
    }
    for j in range(len(s)):
        values.update({f"s[{j + 1}]": s[j], f"w[{j + 1}]": w[j], f"b[{j + 1}]": b[j]})
    return [*_equations(system), *_ridge_outputs(system, kw)], values


def _ridge_general_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        s = [_dec(r, 0.1, 5) for _ in range(3)]
        w = ["1/4", "1/4", "1/2"]
        b = [_dec(r, 0, 1) for _ in range(3)]
        return {"gamma": _dec(r, 0.2, 3), "lam": _dec(r, 0.01, 1), "sigma2": _dec(r, 0.1, 1), "blocks": (s, w, b)}

    return _points(3, draw)


# ----------------------------------------------------------------------------- gcm
def _gcm(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    from asymptotics.models import gcm

    s, t, b, w = pt["blocks"]
    spectrum = "blocks:" + ",".join(f"{a}/{c}/{d}/{e}" for a, c, d, e in zip(s, t, b, w, strict=True))
    kw = dict(gamma=pt["gamma"], lam=pt["lam"], sigma2=pt["sigma2"], spectrum=spectrum)
    values: dict[str, Any] = {
        str(S.kappa): _v(gcm.kappa(**kw, dps=DPS)),
        str(S.lam): pt["lam"],
        str(S.gamma): pt["gamma"],
        str(S.sigma2): pt["sigma2"],
        str(S.tau2): 0,
        "tau_test^2": 0,
        str(S.K): len(s),
    }
    for j in range(len(s)):
        values.update({f"s[{j + 1}]": s[j], f"t[{j + 1}]": t[j], f"w[{j + 1}]": w[j], f"b[{j + 1}]": b[j]})
    q = system.quantities
    names = ("risk", "bias", "variance", "train_error")
    outputs = [(f"gcm {name}", q[name], _v(getattr(gcm, name)(**kw, dps=DPS))) for name in names]
    return [*_equations(system), *outputs], values


def _gcm_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        s = [_dec(r, 0.1, 5) for _ in range(3)]
        t = [_dec(r, 0, 5) for _ in range(3)]
        b = [_dec(r, 0, 1) for _ in range(3)]
        w = ["0.25", "0.25", "0.5"]
        return {"gamma": _dec(r, 0.2, 3), "lam": _dec(r, 0.01, 1), "sigma2": _dec(r, 0.1, 1), "blocks": (s, t, b, w)}

    return _points(3, draw)


# ----------------------------------------------------------------------------- krr
def _krr_de(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    from asymptotics.models import krr

    # a polynomial kernel of degree L has exactly the levels 0..L: the finite sum of the system is exact
    d, n, lam, kernel, L, F, s2 = pt["d"], pt["n"], pt["lam"], pt["kernel"], pt["L"], pt["F"], pt["sigma2"]
    kw = dict(d=d, n=n, kernel=kernel, lam=lam, F=F, sigma2=s2)
    values: dict[str, Any] = {
        "kappa": _v(krr.kappa(**kw, dps=DPS)),
        "lambda": lam,
        "n": n,
        "sigma^2": s2,
        "L": L,
        "d": d,
    }
    energies = F.split(",") + ["0"] * (L + 1)
    for ell in range(L + 1):
        values[f"\\mu[{ell}]"] = _v(krr.eigenvalue(d=d, level=ell, kernel=kernel, dps=DPS))
        values[f"B[{ell}]"] = _v(krr.multiplicity(d=d, level=ell, dps=DPS))
        values[f"F^2[{ell}]"] = energies[ell]
    q = system.quantities
    values["E"] = _value(q["E"], values)
    return [*_equations(system), ("krr risk", q["risk"], _v(krr.risk(**kw, dps=DPS)))], values


def _krr_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {
            "d": r.choice([4, 7, 12]),
            "n": r.choice([10, 50, 300]),
            "lam": _dec(r, 0.01, 1),
            "kernel": "1 + s + s**2/2",
            "L": 2,
            "F": "0.5," + _dec(r, 0, 1),
            "sigma2": _dec(r, 0, 0.5),
        }

    return _points(4, draw)


def _krr_level(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """n = αB(d, ℓ), d → ∞: ξ_k from the system's h^{(k)}(0)/k! (h the kernel's expression) against ``xi``;
    κ from the certified isotropic ``ridge.kappa`` at the system's (γ, λ_eff); R against ``risk_asymptotic``."""
    from asymptotics.kernels import get_kernel
    from asymptotics.models import krr, ridge

    alpha, ell, kernel, lam, F, s2 = pt["alpha"], pt["level"], pt["kernel"], pt["lam"], pt["F"], pt["sigma2"]
    energies = F.split(",")
    ker = get_kernel(kernel)
    h = sp.Lambda(sp.Symbol("s"), ker.expr.subs(next(iter(ker.expr.free_symbols)), sp.Symbol("s")))
    q = {key: expr.replace(sp.Function("h"), h) for key, expr in system.quantities.items()}
    values: dict[str, Any] = {"alpha": alpha, "lambda": lam, "sigma^2": s2, "ell": ell, "L": len(energies) - 1}
    for j, f2 in enumerate(energies):
        values[f"F^2[{j}]"] = f2
    checks: list[Check] = []
    k = next(iter(system.quantities["kappa_gt"].atoms(sp.Idx)))
    for j in range(ell + 1):
        xi_j = q["xi"].subs(k, j)
        values[f"\\xi[{j}]"] = _value(xi_j, values)
        checks.append((f"krr level xi_{j}", xi_j, _v(krr.xi(level=j, kernel=kernel, dps=DPS))))
    # each definition in order, under the name of the symbol the later ones use (γ prints as \gamma, is named gamma)
    for key, name in (
        ("gamma", "gamma"),
        ("kappa_gt", r"\kappa_{>\ell}"),
        ("F_gt", r"F^2_{>\ell}"),
        ("lam_eff", r"\lambda_{\rm eff}"),
    ):
        values[name] = _value(q[key], values)
    with mpmath.workdps(WORK):
        gamma, lam_eff = (mpmath.nstr(values[key], WORK) for key in ("gamma", r"\lambda_{\rm eff}"))
    values["kappa"] = _v(ridge.kappa(gamma=gamma, lam=lam_eff, dps=DPS))
    kw = dict(alpha=alpha, level=ell, kernel=kernel, lam=lam, F=F, sigma2=s2)
    checks += [
        *_equations(system),
        ("krr level kappa closed form", q["kappa_iso"], values["kappa"]),
        ("krr level risk", q["risk"], _v(krr.risk_asymptotic(**kw, dps=DPS))),
    ]
    return checks, values


def _krr_level_points() -> list[dict[str, Any]]:
    # kernels with ξ_k > 0 at every k ≤ ℓ (the system's generic case: every lower level learned)
    def draw(r: random.Random) -> dict[str, Any]:
        return {
            "alpha": _dec(r, 0.2, 4),
            "level": r.choice([1, 2, 3]),
            "kernel": r.choice(["exp", "exp(s/2)", "1 + s + s**2/2 + s**3/6 + s**4"]),
            "lam": _dec(r, 0, 1),
            "F": ",".join(_dec(r, 0, 1) for _ in range(5)),
            "sigma2": _dec(r, 0, 0.5),
        }

    return _points(10, draw)


def _check_all(system: Any, at: Callable[..., Any], pt: dict[str, Any]) -> None:
    checks, values = at(system, pt)
    for label, lhs, rhs in checks:
        _agree(label, lhs, rhs, values, pt)


def _krr_level_edit(key: str, edit: Callable[[sp.Expr], sp.Expr]) -> Callable[[Any, Any], Any]:
    def perturb(system: Any, monkeypatch: Any) -> Any:
        import dataclasses

        return dataclasses.replace(system, quantities={**system.quantities, key: edit(system.quantities[key])})

    return perturb


def _krr_level_certified_off(system: Any, monkeypatch: Any) -> Any:
    from types import SimpleNamespace

    from asymptotics.models import krr

    exact = krr.risk_asymptotic

    def off(*a: Any, **kw: Any) -> Any:
        with mpmath.workdps(WORK):
            return SimpleNamespace(value=exact(*a, **kw).value * (1 + mpmath.mpf(10) ** -25))

    monkeypatch.setattr(krr, "risk_asymptotic", off)
    return system


def _upper(expr: sp.Expr, shift: int) -> sp.Expr:
    """``expr``'s (one) sum with its upper bound moved by ``shift``: one term dropped or added."""
    (node,) = expr.atoms(sp.Sum)
    ((var, lo, hi),) = node.limits
    return expr.xreplace({node: sp.Sum(node.function, (var, lo, hi + shift))})


@pytest.mark.parametrize(
    "perturb",
    [
        _krr_level_certified_off,  # the certified risk off by 1e-25 relative
        _krr_level_edit("F_gt", lambda e: _upper(e, -1)),  # F²_{>ℓ} without the last energy
        _krr_level_edit("kappa_gt", lambda e: _upper(e, -1)),  # κ_{>ℓ} keeps ξ_ℓ in the tail
        _krr_level_edit("xi", lambda e: e / (next(iter(e.atoms(sp.Idx))) + 1)),  # 1/(k+1)! in place of 1/k!
    ],
    ids=["certified risk", "F_gt", "kappa_gt", "xi"],
)
def test_krr_level_check_has_teeth(perturb, monkeypatch):
    """The krr level check passes as is and fails when one definition or one certified value is changed."""
    system = REGISTRY["krr"].system(form="level")
    pt = _krr_level_points()[0]
    _check_all(system, _krr_level, pt)
    bad = perturb(system, monkeypatch)
    with pytest.raises(AssertionError, match="relative residual"):
        _check_all(bad, _krr_level, pt)


# ----------------------------------------------------------------------------- rf
def _rf_values(pt: dict[str, Any]) -> dict[str, Any]:
    from asymptotics.models import random_features as rf

    kw = dict(psi1=pt["psi1"], psi2=pt["psi2"], lam=pt["lam"], activation=pt["activation"])
    mu1, mus = _v(rf.mu1(pt["activation"], dps=DPS)), _v(rf.mustar(pt["activation"], dps=DPS))
    with mpmath.workdps(WORK):
        return {
            "p": -_v(rf.chi(**kw, dps=DPS)),
            str(S.psi1): pt["psi1"],
            str(S.psi2): pt["psi2"],
            str(S.zeta): mu1 / mus,
            str(S.lam_bar): mpmath.mpf(pt["lam"]) / mus**2,
        }


def _rf_scalar(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    return _equations(system), _rf_values(pt)


def _rf_general(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    from asymptotics.models import random_features as rf

    values = _rf_values(pt)
    scalar = REGISTRY["rf"].system(form="scalar").quantities  # ν₁, ν₂ from χ = −p (the scalar reduction)
    values[str(S.nu1)] = _value(scalar["nu1"], values)
    values[str(S.nu2)] = _value(scalar["nu2"], values)
    q = system.quantities
    values[str(S.xi)] = _value(q["xi"], values)
    with mpmath.workdps(WORK):
        values[str(S.chi)] = -values["p"]
    values.update({str(S.F1sq): 1, str(S.Fstar2): pt["Fstar2"], str(S.tau2): pt["tau2"]})
    e = {r"\mathcal{E}_0": q["E0"], r"\mathcal{E}_1": q["E1"], r"\mathcal{E}_2": q["E2"]}
    for name, expr in e.items():
        values[name] = _value(expr, values)
    values[r"\mathcal{B}"] = _value(q["B"], values)
    values[r"\mathcal{V}"] = _value(q["V"], values)
    kw = dict(psi1=pt["psi1"], psi2=pt["psi2"], lam=pt["lam"], activation=pt["activation"], Fstar2=pt["Fstar2"], tau2=pt["tau2"])
    values["R"] = _v(rf.risk(**kw, dps=DPS))
    checks = [
        *_equations(system),
        ("rf chi = nu1 nu2", q["chi"], values[str(S.chi)]),
        ("rf risk", q["risk"], values["R"]),
        ("rf train_error", q["train_error"], _v(rf.train_error(**kw, dps=DPS))),
    ]
    return checks, values


def _rf_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {
            "psi1": _dec(r, 0.3, 4),
            "psi2": _dec(r, 0.3, 4),
            "lam": _dec(r, 0.01, 1),
            "activation": r.choice(["relu", "tanh"]),
            "Fstar2": _dec(r, 0, 0.5),
            "tau2": _dec(r, 0, 0.5),
        }

    return _points(5, draw, 2)


def _define(system: Any, values: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Evaluate the system's own definitions in order: the value of quantity ``key`` under its label's name."""
    q = system.quantities
    for key in keys:
        values[system.labels[key]] = _value(q[key], values)


def _rf_limit_kw(pt: dict[str, Any], **over: Any) -> dict[str, Any]:
    kw = dict(psi1=pt["psi1"], psi2=pt["psi2"], lam=pt["lam"], activation=pt["activation"])
    kw.update(over)
    return kw


def _rf_ridgeless(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """λ = 0: χ₀ in closed form, 𝓔's at χ₀; 𝓑₀ against ``bias`` (F₁² = 1), 𝓥₀ against ``variance`` (τ² = 1)."""
    from asymptotics.models import random_features as rf

    pt = dict(pt, lam="0")
    values = _rf_values(pt)
    values[str(S.psi)] = min(Fraction(pt["psi1"]), Fraction(pt["psi2"]))
    _define(system, values, ("chi0", "E0_chi0", "E1_chi0", "E2_chi0"))
    q = system.quantities
    kw = _rf_limit_kw(pt)
    checks = [
        ("rf ridgeless chi0", q["chi0"], _v(rf.chi(**kw, dps=DPS))),
        ("rf ridgeless B0", q["B0"], _v(rf.bias(**kw, dps=DPS))),
        ("rf ridgeless V0", q["V0"], _v(rf.variance(**kw, tau2=1, dps=DPS))),
    ]
    if Fraction(pt["psi1"]) < Fraction(pt["psi2"]):
        checks.append(("rf ridgeless V0 (psi1 < psi2)", q["V0_under"], q["V0"]))
    return checks, values


def _rf_kernel_limit(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """ψ₁ = ∞: λ', δ, m_δ(−λ'), m_δ'(−λ') from the system; 𝓑∞, 𝓥∞ against ``bias``/``variance`` at psi1=inf."""
    from asymptotics.models import random_features as rf

    pt = dict(pt, psi1="inf")
    values = _rf_values(dict(pt, psi1="1"))  # ζ, λ̄ (the coefficients do not depend on ψ₁)
    _define(system, values, ("lam_prime", "delta", "m", "dm"))
    q = system.quantities
    kw = _rf_limit_kw(pt)
    checks = [
        ("rf kernel_limit B_inf", q["B_inf"], _v(rf.bias(**kw, dps=DPS))),
        ("rf kernel_limit V_inf", q["V_inf"], _v(rf.variance(**kw, tau2=1, dps=DPS))),
    ]
    return checks, values


def _rf_data_limit(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """ψ₂ = ∞: the functions m_ψ₁, m_ψ₁', I, J of the system as Lambdas; 𝓑 against ``bias`` at psi2=inf."""
    from asymptotics.models import random_features as rf

    pt = dict(pt, psi2="inf")
    values = _rf_values(dict(pt, psi2="1"))
    _define(system, values, ("kappa_bar",))
    q, lab = system.quantities, system.labels
    z, c = sp.Symbol("z"), sp.Symbol("c")
    m = sp.Lambda(z, q["m_z"])
    dm = sp.Lambda(z, q["dm_z"].subs(sp.Symbol(lab["m_z"]), q["m_z"]))
    funcs = {sp.Function(r"m_{\psi_1}"): m, sp.Function(r"m_{\psi_1}'"): dm}
    I_, J_ = (sp.Lambda(c, q[k].replace(lambda e: e.func in funcs, lambda e: funcs[e.func](*e.args))) for k in ("I", "J"))
    bias = q["B_data"].replace(sp.Function("I"), I_).replace(sp.Function("J"), J_)
    kw = _rf_limit_kw(pt)
    checks = [
        ("rf data_limit B", bias, _v(rf.bias(**kw, dps=DPS))),
        ("rf data_limit V", q["V_data"], _v(rf.variance(**kw, tau2=1, dps=DPS))),
    ]
    return checks, values


# ----------------------------------------------------------------------------- nt
def _nt(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    from asymptotics.models import neural_tangent as nt
    from asymptotics.models import random_features as rf

    act = pt["activation"]
    kw = dict(psi2=pt["psi2"], lam=pt["lam"], activation=act, Fstar2=pt["Fstar2"], tau2=pt["tau2"])
    mu1 = _v(rf.mu1(act, dps=DPS))
    with mpmath.workdps(WORK):
        # nt.kappa is in the block units of the NTK equivalent: κ = μ₁²κ' with κ' the system's unknown
        kappa = _v(nt.kappa(**kw, dps=DPS)) / mu1**2
    values = {
        str(S.kappa): kappa,
        str(S.psi2): pt["psi2"],
        str(S.lam): pt["lam"],
        "mu_1": mu1,
        r"\lambda_{\rm self}": _v(nt.self_ridge(act, dps=DPS)),
        str(S.F1sq): 1,
        str(S.Fstar2): pt["Fstar2"],
        str(S.tau2): pt["tau2"],
    }
    q = system.quantities
    lam_prime = {sp.Symbol(r"\lambda'"): q["lam_prime"]}
    values[r"\mathcal{B}"] = _value(q["B"], values)
    values[r"\mathcal{V}"] = _value(q["V"], values)
    values["R"] = _v(nt.risk(**kw, dps=DPS))
    checks = [
        *_equations(system, lam_prime),
        ("nt bias", q["B"], _v(nt.bias(**kw, dps=DPS))),  # F1sq = 1: 𝓑 itself
        ("nt risk", q["risk"], values["R"]),
        ("nt train_error", q["train_error"].subs(lam_prime), _v(nt.train_error(**kw, dps=DPS))),
    ]
    return checks, values


def _nt_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {
            "psi2": _dec(r, 0.3, 4),
            "lam": _dec(r, 0.01, 1),
            "activation": r.choice(["relu", "tanh"]),
            "Fstar2": _dec(r, 0, 0.5),
            "tau2": _dec(r, 0, 0.5),
        }

    return _points(6, draw, 2)


def _integrals_by_quadrature(expr: sp.Expr, values: dict[str, Any]) -> sp.Expr:
    """``expr`` with each definite ``Integral`` replaced by its value (tanh–sinh quadrature at ``WORK`` digits)."""

    def number(node: sp.Integral) -> sp.Expr:
        ((var, lo, hi),) = node.limits
        f = sp.lambdify(var, _replace(node.function, values), "mpmath")
        with mpmath.workdps(WORK):
            a, b = _value(lo, values), _value(hi, values)
            # ρ(ω) = √((b − ω)(ω − a))/…: rounding next to the edges can leave a 1e-60 imaginary part
            return sp.Float(mpmath.quad(lambda w: mpmath.re(f(w)), [a, b]), WORK)

    return expr.replace(lambda e: isinstance(e, sp.Integral), number)


def _nt_ntk(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """Two-layer NTK: the block sums T₁, T₂, A as the system's Marchenko–Pastur integrals of its 2×2 blocks."""
    from asymptotics.models import neural_tangent as nt
    from asymptotics.models import random_features as rf

    act = pt["activation"]
    kw = dict(psi2=pt["psi2"], lam=pt["lam"], activation=act, Fstar2=pt["Fstar2"], tau2=pt["tau2"])
    kw.update(layers="both", psi1=pt["psi1"])
    values: dict[str, Any] = {
        str(S.kappa): _v(nt.kappa(**kw, dps=DPS)),  # block units: the system's κ
        str(S.psi1): pt["psi1"],
        str(S.psi2): pt["psi2"],
        str(S.lam): pt["lam"],
        "mu_1": _v(rf.mu1(act, dps=DPS)),
        r"\mu_{\star}": _v(rf.mustar(act, dps=DPS)),
        r"\lambda_{\rm self}": _v(nt.self_ridge(act, dps=DPS)),
        str(S.F1sq): 1,
        str(S.Fstar2): pt["Fstar2"],
        str(S.tau2): pt["tau2"],
    }
    q, lab = system.quantities, system.labels
    per_block = {sp.Symbol(lab[k]): q[k] for k in ("rho", "t1", "t2", "a_block")}
    sums = {k: q[k].subs(per_block) for k in ("T1", "T2", "A")}
    for key, name in (("T1", "T_1"), ("T2", "T_2"), ("A", "A")):
        values[name] = _value(_integrals_by_quadrature(sums[key], values), values)
    values["D"] = _value(q["D"], values)
    values[r"\mathcal{B}"] = _value(q["B"], values)
    values[r"\mathcal{V}"] = _value(q["V"], values)
    checks = [
        *_equations(system),
        ("ntk bias", q["B"], _v(nt.bias(**dict(kw, Fstar2=0, tau2=0), dps=DPS))),
        ("ntk risk", q["risk"], _v(nt.risk(**kw, dps=DPS))),
    ]
    return checks, values


def _nt_ntk_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {
            "psi1": r.choice([_dec(r, 0.2, 0.9), _dec(r, 1.2, 4)]),
            "psi2": _dec(r, 0.3, 4),
            "lam": _dec(r, 0.01, 1),
            "activation": r.choice(["relu", "tanh"]),
            "Fstar2": _dec(r, 0, 0.5),
            "tau2": _dec(r, 0, 0.5),
        }

    return _points(9, draw, 2)


# ----------------------------------------------------------------------------- lnn
def _lnn_rate(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """``end_to_end`` on 1×1 matrices (they commute: the sum is N(σ²)^{(N−1)/N}g) and ``singular_value``."""
    from asymptotics.models import linear_networks as lnn

    N, sigma, g = pt["depth"], pt["sigma"], pt["grad"]
    rate = _v(lnn.singular_value_rate(depth=N, sigma=sigma, grad=g, dps=DPS))
    with mpmath.workdps(WORK):
        sq = mpmath.mpf(sigma) ** 2
    values = {
        "N": N,
        # end_to_end, W scalar
        "WW^{\\top}": sq,
        "W^{\\top}W": sq,
        "\\nabla\\ell(W)": g,
        "\\dot W": rate,
        # singular_value
        "Derivative(sigma_r(t), t)": rate,
        "sigma_r(t)": sigma,
        r"\langle\nabla\ell(W),u_rv_r^{\top}\rangle": g,
    }
    checks = _equations(system)
    q = system.quantities
    if "lambda_ab" in q:  # the preconditioner's closed form and diagonal against its defining sum
        values.update({"sigma_a": pt["sigma"], "sigma_b": pt["sigma_b"]})
        checks.append(("lnn lambda_ab closed form", q["lambda_ab"], q["lambda_ab_closed"]))
        sa, sb = sp.Symbol("sigma_a", positive=True), sp.Symbol("sigma_b", positive=True)
        checks.append(("lnn lambda_aa", q["lambda_ab"].subs(sb, sa), q["lambda_aa"]))
    return checks, values


def _lnn_rate_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {"depth": r.choice([1, 2, 3, 5, 8]), "sigma": _dec(r, 0.05, 3), "sigma_b": _dec(r, 3.5, 5), "grad": _dec(r, -2, 2)}

    return _points(7, draw)


def _derivative(f: Callable[[Any], Any], t: Any, h: Any) -> Any:
    """``f'(t)`` by a Richardson-extrapolated central difference (error O(h⁴))."""
    d1 = (f(t + h) - f(t - h)) / (2 * h)
    d2 = (f(t + h / 2) - f(t - h / 2)) / h
    return (4 * d2 - d1) / 3


def _lnn_aligned(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """σ(t) from ``trajectory``; σ'(t) by differencing certified ``trajectory`` values at 60 digits."""
    from asymptotics.models import linear_networks as lnn

    N, init, s, t, frac = pt["depth"], pt["init"], pt["s"], pt["t"], pt["frac"]

    def sigma(u: Any) -> Any:
        return lnn.trajectory(depth=N, init=init, s=s, t=mpmath.nstr(u, 70), dps=60).value

    with mpmath.workdps(70):
        slope = _derivative(sigma, mpmath.mpf(t), mpmath.mpf(10) ** -12)
    values: dict[str, Any] = {
        "N": N,
        "s": s,
        "t": t,
        "sigma(t)": _v(lnn.trajectory(depth=N, init=init, s=s, t=t, dps=DPS)),
        "Derivative(sigma(t), t)": slope,
        "sigma_0": init,
        "x_0": Fraction(init) / Fraction(s),
        "x_1": frac,
    }
    q = system.quantities
    x, a = sp.Symbol("x", positive=True), sp.Symbol("a", positive=True)
    F = sp.Lambda(x, q["F"].subs(a, q["a"]))
    T = q["T"].replace(sp.Function("F"), F)
    checks = [
        *_equations(system),
        ("lnn T", T, _v(lnn.time_to_learn(depth=N, init=init, s=s, frac=frac, dps=DPS))),
        ("lnn sigma N=1", q["sigma_N1"], _v(lnn.trajectory(depth=1, init=init, s=s, t=t, dps=DPS))),
        ("lnn sigma N=2", q["sigma_N2"], _v(lnn.trajectory(depth=2, init=init, s=s, t=t, dps=DPS))),
        ("lnn T small init", q["T_small_init"], _v(lnn.time_asymptotic(depth=N, init=init, s=s, frac=frac, dps=DPS))),
    ]
    return checks, values


def _lnn_aligned_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        s = _dec(r, 0.5, 2)
        return {
            "depth": r.choice([3, 4, 6, 11]),
            "s": s,
            "init": f"{float(s) * 10 ** r.uniform(-4, -0.5):.4e}",
            "t": _dec(r, 0.05, 3),
            "frac": _dec(r, 0.6, 0.95),
        }

    return _points(8, draw)


# ----------------------------------------------------------------------------- onestep
def _onestep(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    import mpmath

    from asymptotics.models import onestep
    from asymptotics.solve.roots import MP

    kw = dict(psi1=pt["psi1"], psi2=pt["psi2"], lam=pt["lam"], activation="tanh", F1sq=pt["F1sq"], Fstar2="0.2",
              tau2="0.1", eta=pt["eta"], psi_step=pt["psi_step"])
    pr = onestep.OneStepParams(**kw)
    with mpmath.workdps(DPS + 10):
        out, _ = onestep._evaluate(pr)
        c = pr.activation.coefficients()
        mu1, ms = c.mu1, mpmath.sqrt(c.mustar2)
        psi1 = mpmath.mpf(pt["psi1"])
        m0 = 1 / onestep.mp_inverse(MP, ms**2 / mu1**2, psi1)[0]
        mk = 1 / onestep.mp_inverse(MP, (ms**2 + out["kappa"]) / mu1**2, psi1)[0]
    values: dict[str, Any] = {
        "kappa": out["kappa"], "m_0": m0, r"m_{\kappa}": mk, "psi_1": pt["psi1"], "psi_2": pt["psi2"], "lambda": pt["lam"],
        "mu_1": mu1, r"\mu_{\star}": ms, "F_1^2": pt["F1sq"], r"F_{\star}^{2}": "0.2", "tau^2": "0.1", "eta": pt["eta"],
        "psi_0": pt["psi_step"], r"R_{\mathrm{RF}}": out["rf_risk"],
    }
    q = system.quantities
    names = ("risk", "improvement", "alignment")
    outputs = [(f"onestep {name}", q[name], _v(getattr(onestep, name)(**kw, dps=DPS))) for name in names]
    return [*_equations(system), *outputs], values


def _onestep_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {"psi1": _dec(r, 0.3, 3), "psi2": _dec(r, 0.3, 3), "lam": _dec(r, 0.01, 1), "F1sq": _dec(r, 0.5, 2),
                "eta": _dec(r, 0, 4), "psi_step": _dec(r, 0.3, 3)}

    return _points(5, draw)


# ----------------------------------------------------------------------------- committee
def _committee(system: Any, pt: dict[str, Any]) -> tuple[list[Check], dict[str, Any]]:
    """K = M = 1, erf: R'(t), Q'(t) by differencing certified overlaps at 60 digits against the ODEs' right-hand
    sides, whose I_2/I_3/I_4/J_2 values are the arcsine integrals at the certified covariance."""
    from asymptotics.backend import MP
    from asymptotics.models import committee as cm

    kw = {"lr": pt["lr"], "noise": pt["noise"], "r0": pt["r0"], "q0": pt["q0"]}
    t = pt["t"]

    def overlap(fn: Any) -> Callable[[Any], Any]:
        return lambda u: fn(1, 1, t=mpmath.nstr(u, 70), dps=60, **kw).value

    with mpmath.workdps(70):
        dR = _derivative(overlap(cm.R), mpmath.mpf(t), mpmath.mpf(10) ** -12)
        dQ = _derivative(overlap(cm.Q), mpmath.mpf(t), mpmath.mpf(10) ** -12)
    R, Q = _v(cm.R(1, 1, t=t, dps=DPS, **kw)), _v(cm.Q(1, 1, t=t, dps=DPS, **kw))
    values: dict[str, Any] = {
        "Derivative(R_{in}(t), t)": dR, "Derivative(Q_{ik}(t), t)": dQ, "i": 1, "k": 1, "n": 2, "L": 2,
        r"\eta": pt["lr"], r"\sigma^2": pt["noise"], "s(1)": -1, "s(2)": 1,
    }
    with mpmath.workdps(WORK):
        C = [[mpmath.mpf(Q), mpmath.mpf(R)], [mpmath.mpf(R), mpmath.mpf(1)]]
        r2 = range(2)
        for a in r2:
            for b in r2:
                values[f"I_2({a + 1}, {b + 1})"] = cm.i2(MP, C[a][a], C[b][b], C[a][b])
                values[f"J_2({a + 1}, {b + 1})"] = cm.j2(MP, C[a][a], C[b][b], C[a][b])
                for c in r2:
                    values[f"I_3({a + 1}, {b + 1}, {c + 1})"] = cm.i3(MP, C[a][a], C[b][b], C[c][c], C[a][b], C[a][c], C[b][c])
                    for e in r2:
                        values[f"I_4({a + 1}, {b + 1}, {c + 1}, {e + 1})"] = cm.i4(
                            MP, C[a][a], C[b][b], C[c][c], C[e][e], C[a][b], C[a][c], C[a][e], C[b][c], C[b][e], C[c][e]
                        )
    # the closed forms at (a, b, c, d) = (student, teacher, student, teacher)
    values.update({"C_aa": Q, "C_bb": 1, "C_cc": Q, "C_dd": 1, "C_ab": R, "C_ac": Q, "C_ad": R, "C_bc": R, "C_bd": 1, "C_cd": R})
    q = system.quantities
    checks: list[Check] = [
        *_equations(system),
        ("committee eg", q["eg"], _v(cm.eg(1, 1, t=t, dps=DPS, **kw))),
        ("committee I2", q["I2_erf"], values["I_2(1, 2)"]),
        ("committee I3", q["I3_erf"], values["I_3(1, 2, 1)"]),
        ("committee I4", q["I4_erf"], values["I_4(1, 2, 1, 2)"]),
        ("committee J2", q["J2_erf"], values["J_2(1, 2)"]),
    ]
    return checks, values


def _committee_points() -> list[dict[str, Any]]:
    def draw(r: random.Random) -> dict[str, Any]:
        return {"lr": _dec(r, 0.2, 1.2), "noise": _dec(r, 0, 0.3), "t": _dec(r, 0.1, 1), "r0": _dec(r, 0.05, 0.4),
                "q0": _dec(r, 0.25, 0.6)}

    return _points(19, draw)


# ----------------------------------------------------------------------------- tables
CASES: dict[tuple[str, str], tuple[Callable[..., Any], Callable[[], list[dict[str, Any]]]]] = {
    ("mp", ""): (_mp, _mp_points),
    ("dmp", ""): (_dmp, _dmp_points),
    ("gcm", ""): (_gcm, _gcm_points),
    ("onestep", ""): (_onestep, _onestep_points),
    ("committee", ""): (_committee, _committee_points),
    ("learning_curve", ""): (_lc, _lc_points),
    ("ridge", "general=False"): (_ridge, _ridge_points),
    ("ridge", "general=True"): (_ridge_general, _ridge_general_points),
    ("krr", "form=de"): (_krr_de, _krr_points),
    ("krr", "form=level"): (_krr_level, _krr_level_points),
    ("rf", "form=general"): (_rf_general, _rf_points),
    ("rf", "form=scalar"): (_rf_scalar, _rf_points),
    ("rf", "form=ridgeless"): (_rf_ridgeless, _rf_points),
    ("rf", "form=kernel_limit"): (_rf_kernel_limit, _rf_points),
    ("rf", "form=data_limit"): (_rf_data_limit, _rf_points),
    ("nt", "form=nt"): (_nt, _nt_points),
    ("nt", "form=ntk"): (_nt_ntk, _nt_ntk_points),
    ("lnn", "form=end_to_end"): (_lnn_rate, _lnn_rate_points),
    ("lnn", "form=singular_value"): (_lnn_rate, _lnn_rate_points),
    ("lnn", "form=aligned"): (_lnn_aligned, _lnn_aligned_points),
}
"""(model, form) → (checks at a point, the drawn points)."""

NOT_CHECKABLE: dict[tuple[str, str], str] = {}


def _forms(name: str, spec: Any) -> list[tuple[str, dict[str, Any]]]:
    sig = inspect.signature(spec.system)
    if "general" in sig.parameters:
        return [(f"general={g}", {"general": g}) for g in (False, True)]
    if "form" in sig.parameters:
        forms = sys.modules[spec.system.__module__].FORMS
        return [(f"form={f}", {"form": f}) for f in forms]
    assert not sig.parameters, f"{name}.system{sig}: teach _forms about this signature"
    return [("", {})]


def _all_forms() -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, key, kw) for name, spec in sorted(REGISTRY.items()) for key, kw in _forms(name, spec)]


@pytest.mark.parametrize("name, key, kw", _all_forms(), ids=lambda v: v if isinstance(v, str) else "")
def test_system_residuals_vanish_at_certified_solution(name, key, kw):
    if (name, key) in NOT_CHECKABLE:
        pytest.skip(NOT_CHECKABLE[name, key])
    assert (name, key) in CASES, f"{name} {key}: add the symbol → certified-quantity map to CASES (or NOT_CHECKABLE)"
    system = REGISTRY[name].system(**kw)
    at, points = CASES[name, key]
    for pt in points():
        checks, values = at(system, pt)
        assert checks
        for label, lhs, rhs in checks:
            _agree(label, lhs, rhs, values, pt)
