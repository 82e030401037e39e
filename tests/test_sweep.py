"""asymptotics.sweeps: broadcasting sweeps to pandas, outer-product grids to xarray (float64, certified, Monte Carlo)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import get_model
from asymptotics.sweeps import grid, sweep

pytest.importorskip("pandas")


def ridgeless_risk(gamma: np.ndarray, sigma2: np.ndarray, r2: float = 1.0) -> np.ndarray:
    """Closed form of the isotropic ridgeless risk (Hastie et al. 2019, Thm 1): independent of the code under test."""
    gamma, sigma2 = np.broadcast_arrays(np.asarray(gamma, float), np.asarray(sigma2, float))
    with np.errstate(divide="ignore"):
        under = sigma2 * gamma / (1 - gamma)
        over = r2 * (1 - 1 / gamma) + sigma2 / (gamma - 1)
    return np.where(gamma < 1, under, over)


def test_sweep_curve_columns_and_attrs():
    psi1 = np.geomspace(0.1, 10, 7)
    df = sweep("rf", "risk", psi1=psi1, psi2=2, lam=Fraction(1, 1000), activation="relu")
    assert list(df.columns) == ["psi1", "psi2", "lam", "activation", "value", "status"]
    assert len(df) == 7
    np.testing.assert_array_equal(df["psi1"].to_numpy(), psi1)
    assert df["psi2"].tolist() == [2.0] * 7 and df["lam"].tolist() == [0.001] * 7 and set(df["activation"]) == {"relu"}
    assert df["status"].tolist() == [0] * 7 and df["status"].dtype.kind == "i"
    assert df.attrs["model"] == "rf" and df.attrs["quantity"] == "risk" and df.attrs["how"] == "float64"
    assert df.attrs["dps"] is None and df.attrs["swept"] == ["psi1"] and df.attrs["shape"] == (7,)
    assert df.attrs["fixed"] == {"psi2": "2", "lam": "1/1000", "activation": "relu"}
    assert df.attrs["mc"] is None and df.attrs["seed"] == 0


def test_sweep_broadcast_grid_matches_certified_points():
    gamma = np.array([0.3, 0.8, 1.7, 4.0])
    lam = np.array([0.01, 0.5, 2.0])
    df = sweep("ridge", "risk", gamma=gamma[:, None], lam=lam[None, :], sigma2="0.25")
    assert len(df) == 12 and df.attrs["shape"] == (4, 3)
    # C order: lam varies fastest
    np.testing.assert_array_equal(df["gamma"].to_numpy(), np.repeat(gamma, 3))
    np.testing.assert_array_equal(df["lam"].to_numpy(), np.tile(lam, 4))
    q = get_model("ridge").quantity("risk")
    for i in (0, 5, 11):
        exact = float(q.certified(gamma=df["gamma"][i], lam=df["lam"][i], sigma2="0.25", dps=20).value)
        assert df["value"][i] == pytest.approx(exact, rel=1e-6)


def test_sweep_rf_two_arrays_matches_certified():
    df = sweep("rf", "risk", psi1=[0.5, 3.0], psi2=[[0.7], [2.5]], lam="1e-3")
    q = get_model("rf").quantity("risk")
    for _, row in df.iterrows():
        exact = float(q.certified(psi1=row["psi1"], psi2=row["psi2"], lam="1e-3", dps=20).value)
        assert row["value"] == pytest.approx(exact, rel=1e-6)


def test_sweep_ridgeless_closed_form_and_infinite_status():
    gamma = np.array([0.25, 0.5, 1.0, 2.0, 5.0])
    df = sweep("ridge", "risk", gamma=gamma, lam=0, sigma2=0.5)
    expected = ridgeless_risk(gamma, 0.5)
    finite = gamma != 1
    np.testing.assert_allclose(df["value"].to_numpy()[finite], expected[finite], rtol=1e-12)
    assert df["status"].tolist() == [0, 0, 1, 0, 0] and np.isposinf(df["value"][2])


def test_sweep_certified_path_texts_and_proven():
    df = sweep("ridge", "risk", gamma=[0.5, 1.0, 2.0], lam=0, dps=25, progress=False)
    assert list(df.columns) == ["gamma", "lam", "value", "value_text", "proven", "status"]
    assert df["value_text"].tolist() == ["1.000000000000000000000000", "inf", "1.500000000000000000000000"]
    assert df["proven"].dtype == bool and df["proven"].all()
    assert df["status"].tolist() == [0, 1, 0]
    assert df.attrs["how"] == "certified" and df.attrs["dps"] == 25


def test_sweep_certified_value_matches_mpmath_closed_form():
    # MP Stieltjes transform, closed form with mpmath (independent of the model code), sigma2 = 1
    z = np.array([1 + 1j, 2 + 0.5j])
    df = sweep("mp", "stieltjes", z=z, gamma="0.5", dps=30, progress=False)
    assert df["value"].dtype.kind == "c"
    g = mpmath.mpf("0.5")
    for zi, text, v in zip(z, df["value_text"], df["value"], strict=True):
        with mpmath.workdps(40):
            zz = mpmath.mpc(zi)
            s = (1 - g - zz + mpmath.sqrt((zz - 1 - g) ** 2 - 4 * g)) / (2 * g * zz)
            if mpmath.im(s) < 0:  # the Stieltjes branch: Im s > 0 for Im z > 0
                s = (1 - g - zz - mpmath.sqrt((zz - 1 - g) ** 2 - 4 * g)) / (2 * g * zz)
        assert complex(v) == pytest.approx(complex(s), rel=1e-14)
        assert text.count(".") >= 1 and "j" in text


def test_sweep_vector_quantity_columns():
    df = sweep("mp", "edges", gamma=[0.25, 4.0])
    assert {"value_0", "value_1", "value_text_0", "value_text_1"} <= set(df.columns)
    np.testing.assert_allclose(df["value_0"], (1 - np.sqrt([0.25, 4.0])) ** 2, rtol=1e-14)
    np.testing.assert_allclose(df["value_1"], (1 + np.sqrt([0.25, 4.0])) ** 2, rtol=1e-14)


def test_sweep_domain_status_float_and_certified():
    df = sweep("ridge", "risk", gamma=0.5, lam=[-1.0, 0.1])
    assert df["status"].tolist() == [2, 0] and np.isnan(df["value"][0])
    dc = sweep("ridge", "risk", gamma=0.5, lam=[-1.0, 0.1], dps=15, progress=False)
    assert dc["status"].tolist() == [2, 0] and dc["value_text"][0] == "nan" and not dc["proven"][0]
    with pytest.raises(ParameterError, match="lam"):  # every point outside: the model's own message
        sweep("ridge", "risk", gamma=0.5, lam=[-1.0, -2.0])


def test_sweep_integer_parameters_loop_over_values():
    df = sweep("krr", "risk", d=[10, 20], alpha=[0.5, 2.0], level=1)
    q = get_model("krr").quantity("risk")
    for _, row in df.iterrows():
        exact = float(q.certified(d=int(row["d"]), alpha=row["alpha"], level=1, dps=15).value)
        assert row["value"] == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"gamma": [0.5], "lamb": 0.1}, "unknown parameter `lamb`"),
        ({"gamma": [0.5, np.nan]}, "`gamma` has 1 NaN/inf entry"),
        ({"gamma": [0.5, np.inf, np.inf]}, "`gamma` has 2 NaN/inf entries"),
        ({"gamma": [0.5, 1.0], "lam": [0.1, 0.2, 0.3]}, "do not broadcast"),
        ({"gamma": ["a", "b"]}, "`gamma` must be an array of real numbers"),
        ({"gamma": []}, "`gamma` is an empty array"),
        ({"gamma": [0.5], "spectrum": ["isotropic", "isotropic"]}, "`spectrum` .* cannot be swept"),
        ({"gamma": [[0.5, 1.0], [2.0]]}, r"`gamma` must be an array of real numbers \(rectangular, .*; aspect ratio p/n, > 0\)"),
        ({"gamma": [10**400, 2]}, "`gamma` must be .* within float64 range"),
    ],
)
def test_sweep_bad_input(params, match):
    with pytest.raises(ParameterError, match=match) as info:
        sweep("ridge", "risk", **params)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("d", [[1e20], [10**19, 10], np.array([-1e19])])
def test_sweep_integer_parameter_beyond_int64(d):
    match = r"`d` must be .*int64 range \(valid: input dimension, integer >= 2\); got -?1e\+(19|20)"
    with pytest.raises(ParameterError, match=match):
        sweep("krr", "risk", d=d, alpha=1.0, level=1)


def test_sweep_bad_options_and_size_cap(monkeypatch):
    import asymptotics.sweeps as sw

    with pytest.raises(ParameterError, match="dps"):
        sweep("ridge", "risk", gamma=[0.5], dps=0)
    with pytest.raises(ParameterError, match="mc"):
        sweep("ridge", "risk", gamma=[0.5], mc=0)
    with pytest.raises(ParameterError, match="missing parameter `gamma`"):
        sweep("ridge", "risk", lam=[0.1])
    with pytest.raises(ParameterError, match="integers"):
        sweep("krr", "risk", d=[10.5], alpha=1, level=1)
    monkeypatch.setattr(sw, "MAX_POINTS", 10)
    with pytest.raises(ParameterError, match="at most 10"):
        sweep("ridge", "risk", gamma=np.linspace(0.1, 2, 4)[:, None], lam=np.linspace(0, 1, 3))


def test_sweep_falls_back_to_certified_without_float_curve():
    df = sweep("ridge", "optimal_risk", gamma=[0.5, 2.0], sigma2="0.25", progress=False)
    assert df.attrs["how"] == "certified" and "value_text" in df.columns
    q = get_model("ridge").quantity("optimal_risk")
    assert df["value"][1] == pytest.approx(float(q.certified(gamma="2", sigma2="0.25").value), rel=1e-12)


def test_grid_dims_coords_against_closed_form():
    xr = pytest.importorskip("xarray")
    gamma = np.array([0.2, 0.5, 2.0, 3.0])
    sigma2 = np.array([0.1, 1.0, 4.0])
    da = grid("ridge", "risk", gamma=gamma, sigma2=sigma2, lam=0)
    assert isinstance(da, xr.DataArray) and da.dims == ("gamma", "sigma2") and da.shape == (4, 3)
    np.testing.assert_array_equal(da["gamma"].values, gamma)
    np.testing.assert_array_equal(da["sigma2"].values, sigma2)
    np.testing.assert_allclose(da.values, ridgeless_risk(gamma[:, None], sigma2[None, :]), rtol=1e-12)
    assert da["status"].dims == ("gamma", "sigma2") and int(da["status"].sum()) == 0
    assert float(da["lam"]) == 0.0 and da.attrs["model"] == "ridge" and da.attrs["how"] == "float64"
    assert da.attrs["fixed"] == "lam=0" and da.name == "risk"
    assert da["gamma"].attrs["long_name"] and da.attrs["long_name"]
    # the same numbers through sweep + set_index().to_xarray()
    df = sweep("ridge", "risk", gamma=gamma[:, None], sigma2=sigma2[None, :], lam=0)
    via = df.set_index(df.attrs["swept"])["value"].to_xarray()
    np.testing.assert_array_equal(via.values, da.values)


def test_grid_certified_and_errors():
    pytest.importorskip("xarray")
    da = grid("ridge", "risk", gamma=[0.5, 2.0], lam=[0.0, 1.0], dps=20, progress=False)
    assert da.attrs["how"] == "certified" and da.attrs["dps"] == 20
    assert da["proven"].values.all() and da["value_text"].values[0, 0] == "1.0000000000000000000"
    with pytest.raises(ParameterError, match="1-D"):
        grid("ridge", "risk", gamma=[[0.5, 2.0]], lam=0)


def test_sweep_monte_carlo_columns_and_reproducible():
    pytest.importorskip("validation")
    kw = dict(gamma=[0.5, 2.0], lam=[[0.1], [1.0]], mc=2, mc_n=40, mc_seed=3, progress=False)
    df = sweep("ridge", "risk", **kw)
    assert {"mc_mean", "mc_se"} <= set(df.columns) and df.attrs["mc"] == 2 and df.attrs["seed"] == df.attrs["mc_seed"] == 3
    assert np.all(np.isfinite(df["mc_mean"])) and np.all(df["mc_se"] > 0)
    again = sweep("ridge", "risk", **kw)
    np.testing.assert_array_equal(df["mc_mean"], again["mc_mean"])
    # a row equals the one-axis sweep at that value of the other parameter (same seed)
    one = sweep("ridge", "risk", gamma=[0.5, 2.0], lam=1.0, mc=2, mc_n=40, mc_seed=3, progress=False)
    np.testing.assert_allclose(df["mc_mean"].to_numpy()[2:], one["mc_mean"].to_numpy(), rtol=1e-12)
    # the earlier names n= and seed= (ridge has no such parameters) are the same options
    old = sweep("ridge", "risk", gamma=[0.5, 2.0], lam=1.0, mc=2, n=40, seed=3, progress=False)
    np.testing.assert_array_equal(old["mc_mean"], one["mc_mean"])
    assert old.attrs["mc_n"] == old.attrs["n"] == 40


def test_sweep_model_parameters_win_over_options():
    # krr's sample size n is the model's parameter, not the Monte Carlo size: the risk moves with it
    q = get_model("krr").quantity("risk")
    df = sweep("krr", "risk", d=10, n=[40.0, 80.0], lam=0.1)
    assert df["n"].tolist() == [40.0, 80.0] and df.attrs["swept"] == ["n"] and df.attrs["mc_n"] is None
    want = [float(q.certified(d=10, n=n, lam="0.1", dps=15)) for n in (40, 80)]
    np.testing.assert_allclose(df["value"], want, rtol=1e-8)
    assert want[0] != pytest.approx(want[1], rel=0.1)
    dc = sweep("krr", "risk", d=10, n=40, lam=0.1, dps=15, progress=False)
    assert dc["value"][0] == pytest.approx(want[0], rel=1e-13) and dc.attrs["fixed"]["n"] == "40"
    with pytest.raises(ParameterError, match="earlier name of `mc_n`"):
        sweep("ridge", "risk", gamma=[0.5], n=40, mc_n=40)
    with pytest.raises(ParameterError, match="unknown parameter `seed`"):
        grid("ridge", "risk", gamma=[0.5], seed=1)  # grid has no Monte Carlo


def test_sweep_user_model_with_option_names():
    import asymptotics.model_api as A

    def formulas(B, x, mc, progress, seed):  # y = x + 10 mc + 100 progress + 1000 seed
        return {"y": x + 10 * mc + 100 * progress + 1000 * seed}

    params = [A.Param(n, n) for n in ("x", "mc", "progress", "seed")]
    A.register_model("fx1_options", doc="t", params=params, quantities={"y": "sum"}, formulas=formulas)
    try:
        df = sweep("fx1_options", "y", x=[1.0, 2.0], mc=[3.0, 4.0], progress=5, seed=6)
        assert list(df.columns) == ["x", "seed", "mc", "progress", "value", "status"]
        np.testing.assert_allclose(df["value"], [1 + 30 + 500 + 6000, 2 + 40 + 500 + 6000], rtol=1e-14)
        assert df.attrs["mc"] is None and df.attrs["mc_seed"] == 0 and df.attrs["swept"] == ["x", "mc"]
        da = grid("fx1_options", "y", x=[1.0], mc=3, progress=[5.0, 7.0], seed=0, dps=15)
        assert da.dims == ("x", "progress") and da.values.tolist() == [[531.0, 731.0]]
    finally:
        A.unregister_model("fx1_options")
    with pytest.raises(ParameterError, match="not `dps`"):  # define_model refuses it (sweep would too)
        A.define_model("fx1_dps", doc="t", params=[A.Param("dps", "d")], quantities={"y": "y"}, formulas=formulas)


def test_sweep_certified_fixed_values_beyond_float64():
    # lam -> inf: the ridge estimator is 0, the risk is r2 = 1 (no variance); lam -> 0+ at gamma = 2: ridgeless 3/2
    df = sweep("ridge", "risk", gamma=[2.0, 4.0], lam="1e400", dps=15, progress=False)
    assert df["lam"].tolist() == ["1e400"] * 2 and df["value"].tolist() == [1.0, 1.0]
    tiny = sweep("ridge", "risk", gamma=[2.0], lam="1e-400", dps=15, progress=False)
    assert tiny["lam"].tolist() == ["1e-400"] and tiny["value"][0] == pytest.approx(1.5, rel=1e-14)
    fits = sweep("ridge", "risk", gamma=[2.0], lam="0.25", dps=15, progress=False)
    assert fits["lam"].tolist() == [0.25]  # a float where float64 holds the value
    da = grid("ridge", "risk", gamma=[2.0, 4.0], lam="1e400", dps=15, progress=False)
    assert da["lam"].item() == "1e400" and da.values.tolist() == [1.0, 1.0]
    with pytest.raises(ParameterError, match="beyond float64"):  # the float64 path cannot use it
        sweep("ridge", "risk", gamma=[2.0], lam="1e400")
