"""Empirical NNGP / NTK of wide random networks (validation.simulators.krr.empirical_kernel) against closed forms.

The references are written here: the arc-cosine recursion of Cho & Saul (2009) for ReLU,
``E[relu(u)relu(v)] = √(q₁q₂)(sin θ + (π − θ)cos θ)/(2π)``, ``E[relu'(u)relu'(v)] = (π − θ)/(2π)``,
``cos θ = c/√(q₁q₂)``, and Williams' (1997) erf kernel, ``E[erf(u)erf(v)] = (2/π) asin(2c/√((1+2q₁)(1+2q₂)))``,
``E[erf'(u)erf'(v)] = (4/π)/√((1+2q₁)(1+2q₂) − 4c²)``, inside the layer recursion of Arora et al. (2019,
arXiv 1904.11955) in the simulator's parametrization (its docstring).  At depth 1 they must equal the
library's ``relu_nngp`` / ``relu_ntk``.  Agreement within 4 standard errors over independent networks
(the finite-width bias is O(1/width), far below the SE at the widths used).
"""

import math

import numpy as np
import pytest

from asymptotics.kernels import get_kernel
from validation.simulators.krr import empirical_kernel


def relu_pair(q1, q2, c):
    r = math.sqrt(q1 * q2)
    cos = max(-1.0, min(1.0, c / r))
    th = math.acos(cos)
    return r * (math.sin(th) + (math.pi - th) * cos) / (2 * math.pi), (math.pi - th) / (2 * math.pi)


def erf_pair(q1, q2, c):
    a, b = 1 + 2 * q1, 1 + 2 * q2
    return 2 / math.pi * math.asin(2 * c / math.sqrt(a * b)), 4 / math.pi / math.sqrt(a * b - 4 * c * c)


def reference(pair, depth, x, y, sw, sb):
    """(NNGP, NTK) by the layer recursion: Σ¹ = σ_w²⟨x,y⟩/d + σ_b², Θ¹ = Σ¹;
    Σ^ℓ = σ_w² E[σσ] + σ_b², Θ^ℓ = Σ^ℓ + σ_w² Θ^{ℓ−1} E[σ'σ'] (expectations over N(0, Σ^{ℓ−1}))."""
    d = len(x)
    qx, qy, c = sw * x @ x / d + sb, sw * y @ y / d + sb, sw * x @ y / d + sb
    theta = c
    for _ in range(depth - 1):
        e, ed = pair(qx, qy, c)
        ex, _ = pair(qx, qx, qx)
        ey, _ = pair(qy, qy, qy)
        c, qx, qy = sw * e + sb, sw * ex + sb, sw * ey + sb
        theta = c + sw * theta * ed
    e, ed = pair(qx, qy, c)
    return e, e + theta * ed


def _points(d=12, seed=0, mix=1.0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(d)
    x *= math.sqrt(d) / np.linalg.norm(x)
    y = mix * x + rng.standard_normal(d)
    return x, y * math.sqrt(d) / np.linalg.norm(y)


def _within(est, value, k=4.0):
    assert abs(est.mean - value) <= k * est.se, (est.mean, value, est.se)


def test_depth_one_relu_is_relu_nngp_and_ntk():
    x, y = _points()
    s = float(x @ y / len(x))
    out = empirical_kernel("relu", 1, x, y, width=500, seed=1, reps=30)
    nngp, ntk = relu_pair(1.0, 1.0, s)[0], relu_pair(1.0, 1.0, s)[0] + s * relu_pair(1.0, 1.0, s)[1]
    assert float(get_kernel("relu_nngp").mp(s)) == pytest.approx(nngp, rel=1e-12)
    assert float(get_kernel("relu_ntk").mp(s)) == pytest.approx(ntk, rel=1e-12)
    _within(out["nngp"], nngp)
    _within(out["ntk"], ntk)


@pytest.mark.parametrize(("act", "pair", "depth", "sw", "sb"), [("relu", relu_pair, 3, 2.0, 0.1), ("erf", erf_pair, 2, 1.5, 0.2)])
def test_deep_kernels_against_recursion(act, pair, depth, sw, sb):
    x, y = _points(seed=2, mix=0.5)
    out = empirical_kernel(act, depth, x, y, width=600, seed=3, reps=40, sigma_w2=sw, sigma_b2=sb)
    nngp, ntk = reference(pair, depth, x, y, sw, sb)
    _within(out["nngp"], nngp)
    _within(out["ntk"], ntk)
    # the test can fail: the depth-1 recursion is a different number, many SE away
    wrong = reference(pair, depth - 1, x, y, sw, sb)[1]
    assert abs(out["ntk"].mean - wrong) > 6 * out["ntk"].se


def test_against_library_deep_kernels_when_present():
    """Helper C's certified ``ntk:relu,L`` / ``nngp:relu,L`` (σ_w² = 1, σ_b² = 0), if they exist."""
    try:
        ker = {name: get_kernel(f"{name}:relu,3") for name in ("nngp", "ntk")}
    except Exception:  # noqa: BLE001 - not built (yet): nothing to compare
        pytest.skip("kernel=nngp:relu,3 / ntk:relu,3 not available")
    x, y = _points(seed=4)
    s = float(x @ y / len(x))
    nngp, ntk = reference(relu_pair, 3, x, y, 1.0, 0.0)
    assert float(ker["nngp"].mp(s)) == pytest.approx(nngp, rel=1e-10)
    assert float(ker["ntk"].mp(s)) == pytest.approx(ntk, rel=1e-10)
