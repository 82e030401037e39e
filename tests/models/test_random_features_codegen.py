"""The generated 𝓔 code stays the SymPy system's, and rf/nt calls need neither SymPy nor scipy.special (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys

import mpmath
import sympy as sp

from asymptotics.models import _rf_codegen, _rf_generated
from asymptotics.models import random_features as rf
from asymptotics.symbolic import symbols as S


def test_generated_module_is_regenerated_identically():
    """``python -m asymptotics.models._rf_codegen`` would write exactly the checked-in file."""
    assert _rf_codegen.TARGET.read_text(encoding="utf-8") == _rf_codegen.source()


def test_generated_polynomials_equal_the_system_polynomials():
    """At exact rational points, ``e_polys`` (after ``χ = −tq``, ``ζ² = 1/t``) equals the system's ``𝓔`` exactly."""
    q = rf.system("general").quantities
    R = sp.Rational
    for qv, tv, p1, p2 in [(R(3, 7), R(5, 2), R(1, 3), R(4)), (R(2), R(1, 9), R(7), R(3, 5))]:
        at = {S.chi: -tv * qv, S.zeta: 1 / sp.sqrt(tv), S.psi1: p1, S.psi2: p2}
        want = [sp.nsimplify(q[k].subs(at)) for k in ("E0", "E1", "E2")]
        got = _rf_generated.e_polys(qv, tv, p1, p2)
        assert [sp.simplify(g - w) for g, w in zip(got, want)] == [0, 0, 0]
        with mpmath.workdps(30):  # the mpmath backend takes the same code
            mp = _rf_generated.e_polys(*(mpmath.mpf(v.p) / v.q for v in (qv, tv, p1, p2)))
            assert all(abs(m - mpmath.mpf(w.p) / w.q) <= mpmath.mpf(10) ** -25 * (1 + abs(w)) for m, w in zip(mp, want))


_CHILD = """
import json, sys
import asymptotics.models.random_features as rf
import asymptotics.models.neural_tangent as nt
rf.risk(psi1=2, psi2=3, lam=0.1)
rf.risk(psi1="inf", psi2=3, lam=0.1, activation="erf")
rf.risk(psi1=2, psi2="inf", lam=0.1, activation="linear")
rf.curve_values("risk", psi1=[0.5, 2.0], psi2=3.0, lam=0.1, activation="abs")
nt.risk(psi2=2, lam=0.1)
nt.risk(psi2=2, lam=0.1, activation="quadratic", layers="both", psi1=2)
nt.curve_values("risk", psi2=[0.5, 2.0], lam=0.1, activation="erf")
print(json.dumps({m: m in sys.modules for m in ("sympy", "scipy.special")}))
"""


def test_rf_and_nt_calls_import_neither_sympy_nor_scipy_special():
    """Named activations with closed forms (relu, abs, erf, linear, quadratic): no SymPy, no scipy.special."""
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"sympy": False, "scipy.special": False}
