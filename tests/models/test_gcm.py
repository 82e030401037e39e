"""gcm: covariate shift and teacher ≠ student for ridge (asymptotics/models/gcm.py).

Expected values come from ridge (independent code for this purpose) and closed forms derived in
docs/models/gcm.md, never from the code under test.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asymptotics.errors import ParameterError
from asymptotics.models import gcm, ridge

SP2 = "blocks:1/0.5/0.5,4/0.5/0.5"  # ridge: s/w/b
QS = ("risk", "bias", "variance", "train_error", "kappa")


@pytest.mark.parametrize(("g", "lam"), [("1/2", "1/10"), ("2", "0"), ("3/2", "1/5"), ("1/3", "0")])
def test_no_shift_is_ridge(g: str, lam: str) -> None:
    """t = s: every quantity equals ridge's certified value with the same blocks."""
    for q in QS:
        a = getattr(gcm, q)(g, lam, "3/10", spectrum="blocks:1/1/0.5/0.5,4/4/0.5/0.5", dps=25).value
        b = getattr(ridge, q)(g, lam, None, "3/10", spectrum=SP2, dps=25).value
        assert abs(a - b) <= mpmath.mpf(10) ** -22 * (1 + abs(b)), q


def test_teacher_equals_student_is_ridge() -> None:
    """Φ = Ψ = Ω per block (ψ = φ = s): β* energy θ², no misspecification: ridge."""
    a = gcm.risk("0.7", "0.2", "0.3", spectrum="blocks:1/1/0.5,4/4/0.5", teacher="blocks:1/1/0.5,4/4/0.5", dps=25)
    b = ridge.risk("0.7", "0.2", None, "0.3", spectrum=SP2, dps=25)
    assert abs(a.value - b.value) < 1e-22


def test_teacher_misspecification_is_ridge_tau2() -> None:
    """Without shift a teacher is ridge with bᵢ = φ²θ²/s², τ² = Σθ²(ψ − φ²/s) (ridge's tau2)."""
    te = "blocks:2/1/1,3/2/0.5"
    b1, b2 = 1.0, 4 * 0.5 / 9
    tau2 = 1 * (2 - 1) + 0.5 * (3 - 4 / 3)
    for q in ("risk", "train_error", "kappa", "bias", "variance"):
        a = getattr(gcm, q)("0.7", "0.2", "0.3", spectrum="blocks:1/1/0.5,3/3/0.5", teacher=te, dps=20).value
        b = getattr(ridge, q)("0.7", "0.2", None, "0.3", repr(tau2), spectrum=f"blocks:1/0.5/{b1!r},3/0.5/{b2!r}", dps=20).value
        assert abs(a - b) < 1e-12 * (1 + abs(b)), q


def _iso(g: float, lam: float, r2: float, s2: float, s: float, t: float) -> tuple[float, float]:
    """Single block Σ = sI, Σ' = tI: with λ₁ = λ/s, κ₁ the isotropic root, D = (1+κ₁)² − γ,
    bias' = r² t κ₁²/D and variance' = σ² γ (t/s)/D (docs/models/gcm.md)."""
    lam1 = lam / s
    c = lam1 + g - 1
    k1 = (c + math.sqrt(c * c + 4 * lam1)) / 2
    D = (1 + k1) ** 2 - g
    return r2 * t * k1**2 / D, s2 * g * (t / s) / D


@pytest.mark.parametrize(("g", "lam", "s", "t"), [(0.5, 0.1, 2.0, 3.0), (2.0, 0.0, 1.0, 0.5), (1.3, 0.4, 0.5, 5.0)])
def test_single_block_closed_form(g: float, lam: float, s: float, t: float) -> None:
    sp = f"blocks:{s!r}/{t!r}/1.5/1"
    b_exp, v_exp = _iso(g, lam, 1.5, 0.3, s, t)
    assert float(gcm.bias(repr(g), repr(lam), "0.3", spectrum=sp, dps=20).value) == pytest.approx(b_exp, rel=1e-12)
    assert float(gcm.variance(repr(g), repr(lam), "0.3", spectrum=sp, dps=20).value) == pytest.approx(v_exp, rel=1e-12)


@pytest.mark.parametrize("c", ["0", "0.25", "3"])
def test_isotropic_shift_scales_risk(c: str) -> None:
    """Σ = I, Σ' = cI: df' = c df₂ and both bias terms scale by c, so R' = c R (ridge's isotropic risk)."""
    a = gcm.risk("3/2", "1/10", "1/2", spectrum=f"blocks:1/{c}/1/1", dps=25).value
    b = ridge.risk("3/2", "1/10", 1, "1/2", dps=25).value
    cf = Fraction(c)
    assert abs(a - cf.numerator * b / cf.denominator) < 1e-22


def test_proven_and_precision_untouched() -> None:
    with mpmath.workdps(17):
        r = gcm.risk("0.5", "0.1", "1", spectrum="blocks:1/2/0.5/0.5,4/1/0.5/0.5", dps=30)
        assert mpmath.mp.dps == 17
    assert r.proven is True


def test_ridgeless_interpolation_threshold() -> None:
    v, st_ = gcm.curve_values("variance", 1.0, 0.0, 1.0, spectrum="blocks:1/2/1/1")
    assert st_ == 1 and math.isinf(v)
    assert mpmath.isinf(gcm.variance("1", "0", "1", spectrum="blocks:1/2/1/1").value)


def test_float64_matches_certified() -> None:
    sp = "blocks:1/2/0.5/0.5,10/0.1/0.2/0.5"
    gs = np.array([0.3, 0.9, 1.7, 2.5])
    for q in QS:
        vals, status = gcm.curve_values(q, gs, 0.05, 0.4, spectrum=sp)
        assert (status == 0).all()
        for g, v in zip(gs, vals, strict=True):
            ref = float(getattr(gcm, q)(repr(float(g)), "0.05", "0.4", spectrum=sp, dps=20).value)
            assert v == pytest.approx(ref, rel=1e-9, abs=1e-14), q


def test_matrix_api_diagonal_matches_blocks_and_rotation() -> None:
    """General API: diagonal Σ, Σ' equal the block form; a joint rotation of (Σ, Σ', β) changes nothing."""
    p, n = 40, 80
    s = np.repeat([1.0, 4.0], p // 2)
    t = np.repeat([2.0, 1.0], p // 2)
    beta = np.repeat(np.sqrt([0.5 / 20, 0.5 / 20]), p // 2)
    out = gcm.deterministic_equivalent(np.diag(s), np.diag(t), beta, n, 0.1, 0.5)
    for q in ("risk", "bias", "variance", "kappa", "train_error"):
        ref = float(getattr(gcm, q)("1/2", "0.1", "0.5", spectrum="blocks:1/2/0.5/0.5,4/1/0.5/0.5", dps=20).value)
        assert out[q] == pytest.approx(ref, rel=1e-10), q
    Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((p, p)))
    rot = gcm.deterministic_equivalent(Q @ np.diag(s) @ Q.T, Q @ np.diag(t) @ Q.T, Q @ beta, n, 0.1, 0.5)
    for q in out:
        assert rot[q] == pytest.approx(out[q], rel=1e-9)


def test_teacher_student_matrix_api() -> None:
    """Matrix teacher/student with diagonal blocks agrees with the CLI teacher form."""
    p, n = 20, 40
    Om = np.diag(np.repeat([1.0, 3.0], p // 2))
    Ps = np.diag(np.repeat([2.0, 3.0], p // 2))
    Ph = np.diag(np.repeat([1.0, 2.0], p // 2))
    th = np.repeat(np.sqrt([1.0 / 10, 0.5 / 10]), p // 2)
    out = gcm.teacher_student(Ps, Ph, Om, th, n, 0.2, 0.3)
    ref = gcm.risk("1/2", "0.2", "0.3", spectrum="blocks:1/1/0.5,3/3/0.5", teacher="blocks:2/1/1,3/2/0.5", dps=20).value
    assert out["risk"] == pytest.approx(float(ref), rel=1e-10)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"spectrum": "blocks:1/1/1/0.5"}, "spectrum"),
        ({"spectrum": "blocks:0/1/1/1"}, "s[0]"),
        ({"spectrum": "blocks:1/-1/1/1"}, "t[0]"),
        ({"spectrum": "blocks:1/1/1/1", "teacher": "blocks:1/1/1"}, "spectrum"),
        ({"spectrum": "blocks:1/1/1", "teacher": "blocks:1/2/1"}, "phi"),
        ({"spectrum": "blocks:1/1/0.5,2/2/0.5", "teacher": "blocks:1/1/1"}, "teacher"),
    ],
)
def test_bad_input(kw: dict[str, str], name: str) -> None:
    with pytest.raises(ParameterError, match=name.replace("[", r"\[").replace("]", r"\]")):
        gcm.risk("0.5", "0.1", "1", **kw)


def test_bad_lam() -> None:
    with pytest.raises(ParameterError, match="lam"):
        gcm.risk("0.5", "-1", "1", spectrum="blocks:1/1/1/1")


@settings(max_examples=40, deadline=None)
@given(
    g=st.floats(0.1, 4),
    lam=st.floats(0.01, 2),
    s2=st.floats(0, 2),
    t1=st.floats(0.01, 5),
    t2=st.floats(0, 5),
    dt=st.floats(0.01, 2),
)
def test_properties(g: float, lam: float, s2: float, t1: float, t2: float, dt: float) -> None:
    """risk ≥ 0; variance linear (so increasing) in σ²; risk increasing in each test eigenvalue."""
    sp = f"blocks:1/{t1!r}/0.7/0.5,5/{t2!r}/0.3/0.5"
    sp_up = f"blocks:1/{t1 + dt!r}/0.7/0.5,5/{t2!r}/0.3/0.5"
    r, st0 = gcm.curve_values("risk", g, lam, s2, spectrum=sp)
    assert st0 == 0 and r >= 0
    v1, _ = gcm.curve_values("variance", g, lam, s2, spectrum=sp)
    v2, _ = gcm.curve_values("variance", g, lam, s2 + 1, spectrum=sp)
    assert v2 > v1 >= 0
    r_up, _ = gcm.curve_values("risk", g, lam, s2, spectrum=sp_up)
    assert r_up >= r * (1 - 1e-12)


def test_system_latex() -> None:
    sys_ = gcm.system()
    assert set(sys_.quantities) == {"bias", "variance", "risk", "train_error"}


_I2, _B2 = np.eye(2), np.array([1.0, 1.0])
_NAN = np.array([[np.nan, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((_NAN, _I2, _B2), "Sigma_train"),
        ((_I2, _NAN, _B2), "Sigma_test"),
        ((_I2, _I2, [np.inf, 1.0]), "beta"),
        ((_I2, np.array([[1.0, 2.0], [0.0, 1.0]]), _B2), "Sigma_test"),  # not symmetric
        ((_I2, np.diag([1.0, -1e-3]), _B2), "Sigma_test"),  # indefinite
    ],
)
def test_matrix_api_bad_matrices(args: tuple, name: str) -> None:
    with pytest.raises(ParameterError, match=name):
        gcm.deterministic_equivalent(*args, 4, 0.1, 1)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((_NAN, 0 * _I2, _I2, _B2), "Psi"),
        ((_I2, _NAN, _I2, _B2), "Phi"),
        ((_I2, 0 * _I2, _NAN, _B2), "Omega"),
        ((-_I2, 0 * _I2, _I2, _B2), "Psi"),
        ((_I2, 0 * _I2, np.array([[1.0, 1.0], [0.0, 1.0]]), _B2), "Omega"),
        ((_I2, np.diag([0.5, 1.5]), _I2, _B2), "Phi"),  # |phi| > sqrt(psi omega) in block 2
    ],
)
def test_teacher_student_bad_matrices(args: tuple, name: str) -> None:
    with pytest.raises(ParameterError, match=name):
        gcm.teacher_student(*args, 4, 0.1, 1)


def test_matrix_api_rounding_tolerated() -> None:
    """Rounding-level asymmetry and a boundary (rank-deficient) joint covariance are accepted."""
    e = 1e-14
    out = gcm.deterministic_equivalent(np.array([[2.0, 1.0], [1.0 + e, 2.0]]), np.diag([1.0, -1e-17]), _B2, 4, 0.1, 1)
    assert np.isfinite(out["risk"])
    # Phi = Psi = Omega (teacher = student): joint covariance [[I, I], [I, I]] is PSD with zero eigenvalues, tau2 = 0
    ts = gcm.teacher_student(_I2, _I2, _I2, _B2, 4, 0.1, 1)
    de = gcm.deterministic_equivalent(_I2, _I2, _B2, 4, 0.1, 1)
    assert ts["risk"] == pytest.approx(de["risk"], rel=1e-12)
