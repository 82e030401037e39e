"""The symbolic layer: derivations reproduce the textbook forms, LaTeX strings, residuals."""

import mpmath
import sympy as sp

from asymptotics.models import marchenko_pastur as M
from asymptotics.models import ridge as R
from asymptotics.symbolic import symbols as S
from asymptotics.symbolic.latex import to_latex


def test_mp_quadratic_is_the_textbook_quadratic():
    eq = M.system().equations[0]
    textbook = S.sigma2 * S.gamma * S.z * S.m**2 + (S.z - S.sigma2 * (1 - S.gamma)) * S.m + 1
    assert sp.expand(eq.lhs.doit() - textbook) == 0 and eq.rhs == 0


def test_mp_edges_from_discriminant():
    q = M.system().quantities
    assert sp.simplify(q["a"].doit() - S.sigma2 * (1 - sp.sqrt(S.gamma)) ** 2) == 0
    assert sp.simplify(q["b"].doit() - S.sigma2 * (1 + sp.sqrt(S.gamma)) ** 2) == 0


def test_mp_closed_form_root_solves_the_quadratic():
    a, b = S.sigma2 * (1 - sp.sqrt(S.gamma)) ** 2, S.sigma2 * (1 + sp.sqrt(S.gamma)) ** 2
    Q = sp.sqrt(S.z - a) * sp.sqrt(S.z - b)
    m = (S.sigma2 * (1 - S.gamma) - S.z + Q) / (2 * S.sigma2 * S.gamma * S.z)
    lhs = M.system().equations[0].lhs.doit().subs(S.m, m)
    assert sp.simplify(sp.expand(lhs)) == 0


def test_ridge_isotropic_equation_is_the_hmrt_quadratic():
    eq = R.system().equations[0]
    poly = sp.expand(sp.cancel((eq.rhs - eq.lhs) * (1 + S.kappa)))
    assert sp.expand(poly - (S.kappa**2 + (1 - S.gamma - S.lam) * S.kappa - S.lam)) == 0


def test_denominator_identity_used_by_the_numeric_code():
    # (1+κ)² − γ = (1+κ)·sqrt(c² + 4λ) at κ = (c + sqrt(c²+4λ))/2, c = λ + γ − 1
    c = S.lam + S.gamma - 1
    root = sp.sqrt(c**2 + 4 * S.lam)
    k = (c + root) / 2
    assert sp.simplify(sp.expand((1 + k) ** 2 - S.gamma - (1 + k) * root)) == 0


def test_general_system_with_one_block_reduces_to_isotropic():
    gen, iso = R.system(general=True), R.system()
    sub = {S.K: 1}
    one_block = {S.s[1]: 1, S.w[1]: 1, S.b[1]: S.r2}
    for name in ("bias", "variance", "risk"):
        g = gen.quantities[name].subs(sub).doit().subs(one_block)
        assert sp.simplify(g - iso.quantities[name].doit()) == 0, name
    geq = gen.equations[0]
    assert sp.simplify(geq.rhs.subs(sub).doit().subs(one_block) - iso.equations[0].rhs) == 0


def test_no_binary_floats_in_systems():
    for sys_ in (M.system(), R.system(), R.system(general=True)):
        sys_.check_rational()


def test_latex_exact_strings():
    tex = to_latex(M.system())
    assert tex.startswith("\\begin{align}\n") and tex.endswith("\n\\end{align}")
    assert r"\sigma^{2} \gamma z m^{2} + \left(z - \sigma^{2} \left(1 - \gamma\right)\right) m + 1 &= 0 \\" in tex
    assert r"a &= \sigma^{2} \left(1 - \sqrt{\gamma}\right)^{2}" in tex
    rt = R.system().latex()
    assert r"\lambda &= \kappa \left(1 - \frac{\gamma}{1 + \kappa}\right) \\" in rt
    assert r"\mathcal{B} &= \frac{r^{2} \kappa^{2}}{\left(1 + \kappa\right)^{2} - \gamma}" in rt
    assert "mu_star" not in rt and "sigma2" not in rt and "kappa" not in rt.replace("\\kappa", "")


def test_symbolic_residual_vanishes_at_numeric_solution():
    with mpmath.mp.workdps(50):
        m = M.stieltjes("0.3+0.4j", "1.7", "0.8", dps=45).value
        res = M.system().residuals(
            {S.m: m, S.z: mpmath.mpc("0.3", "0.4"), S.gamma: mpmath.mpf("1.7"), S.sigma2: mpmath.mpf("0.8")}
        )
        assert abs(res[0]) < mpmath.mpf(10) ** -43
