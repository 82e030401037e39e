"""Reviewer R1's attack on the numeric Python API of issue 16: Result as a number, sweep/grid, plot_map, explore,
did-you-mean.

Expected numbers come from closed forms (ridgeless risk, the Marchenko-Pastur Stieltjes transform), plain
Python/mpmath/numpy arithmetic, or the certified solver (never from the sweep/format code under test).
Tests marked ``xfail(strict=True)`` document bugs: they fail because of the bug; remove the marker with the fix.
"""

from __future__ import annotations

import json
import math
import pickle
import re
import threading
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from asymptotics.errors import ParameterError
from asymptotics.models import get_model
from asymptotics.result import Result, VectorResult

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")

from asymptotics.sweeps import grid, sweep  # noqa: E402


# ----------------------------------------------------------------------------- independent references
def ridgeless(g, r2=1.0, s2=1.0):
    """Isotropic ridgeless risk: s2 g/(1-g) below the threshold, r2 (1 - 1/g) + s2/(g - 1) above."""
    g = np.asarray(g, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(g < 1, s2 * g / (1 - g), r2 * (1 - 1 / g) + s2 / (g - 1))


def mp_stieltjes(z, g):
    """Marchenko-Pastur (sigma2 = 1) Stieltjes transform m(z) = int dmu(x) / (x - z), from the quadratic
    g z m^2 - (1 - g - z) m + 1 = 0: the root with Im m > 0 for Im z > 0, the positive one left of the support."""
    z = np.asarray(z, dtype=complex)
    disc = np.sqrt((z - 1 - g) ** 2 - 4 * g + 0j)
    roots = np.stack([(1 - g - z + s * disc) / (2 * g * z) for s in (1, -1)])
    good = np.where(z.imag > 0, roots.imag > 0, roots.real > 0)
    return np.where(good[0], roots[0], roots[1])


def mk(value, dps=50, **params):
    return Result(value=value, model="m", quantity="q", params=params or {"a": "1"}, dps=dps)


@pytest.fixture(scope="module")
def ridge_q():
    return get_model("ridge").quantity("risk")


@pytest.fixture(scope="module")
def r15(ridge_q):
    return ridge_q.certified(gamma=2, lam=0, dps=15)  # exactly 3/2


@pytest.fixture(scope="module")
def r30(ridge_q):
    return ridge_q.certified(gamma=2, lam=0, dps=30)  # exactly 3/2


@pytest.fixture(scope="module")
def r_inf(ridge_q):
    return ridge_q.certified(gamma=1, lam=0, dps=20)


@pytest.fixture(scope="module")
def r_irr(ridge_q):
    return ridge_q.certified(gamma=2, lam="0.1", dps=30)


# ----------------------------------------------------------------------------- Result: equality and hash
@pytest.mark.parametrize(
    "other",
    [1.5, Fraction(3, 2), Decimal("1.5"), mpmath.mpf(1.5), np.float64(1.5), np.float32(1.5), 1.5 + 0j, np.complex128(1.5)],
    ids=lambda o: type(o).__name__,
)
def test_equal_numbers_hash_equal(r30, other):
    assert r30 == other and other == r30 and not (r30 != other)
    assert hash(r30) == hash(other)


def test_results_of_different_dps_exact_values(r15, r30, r_irr, ridge_q):
    assert r15 == r30 and hash(r15) == hash(r30) and len({r15, r30, 1.5, Fraction(3, 2)}) == 1
    r40 = ridge_q.certified(gamma=2, lam="0.1", dps=40)  # irrational: the 30- and 40-digit values differ
    assert r_irr != r40 and (r_irr < r40) != (r_irr > r40)
    assert hash(r_irr) == hash(r_irr.value) and r_irr == r_irr.value
    assert abs(r_irr - r40) < mpmath.mpf(10) ** -29


def test_infinite_value(r_inf):
    assert r_inf == math.inf and hash(r_inf) == hash(math.inf) and float(r_inf) == math.inf
    assert r_inf > 1e308 and mpmath.isinf(mpmath.mpf(r_inf)) and str(r_inf) == "inf"
    with pytest.raises((OverflowError, ValueError)):
        int(r_inf)
    with pytest.raises(OverflowError):
        round(r_inf)


def test_nan_value_behaves_like_float_nan():
    nan = mk(mpmath.mpf("nan"))
    assert nan != nan and not (nan == nan) and nan != float("nan")
    assert hash(nan) == hash(nan)  # stable
    assert math.isnan(float(nan)) and not (nan < 1) and not (nan > 1)


def test_complex_scalar_hash_matches_complex():
    rng = np.random.default_rng(1)
    for a, b in rng.uniform(-5, 5, size=(50, 2)):
        z = mk(mpmath.mpc(a, b), dps=20)
        assert z == complex(a, b) and hash(z) == hash(complex(a, b))
    z = mk(mpmath.mpc(0.1, 0.2))
    with pytest.raises(TypeError):
        z < 1  # noqa: B015
    with pytest.raises(TypeError):
        float(z)


def test_vector_with_complex_component_hashes_like_the_tuple():
    v = mk((mpmath.mpc(0.5, 0.25), mpmath.mpf(1)), dps=15)
    t = (complex(0.5, 0.25), 1.0)  # hash(0.5+0.25j) = 2**61 + 2**59 > 2**61 - 1
    assert v == t
    assert hash(v) == hash(t)


def test_vector_result_sequence_numpy_pickle():
    edges = get_model("mp").quantity("edges").certified(gamma="0.25", dps=20)
    assert isinstance(edges, VectorResult) and edges == (0.25, 2.25) and hash(edges) == hash((0.25, 2.25))
    lo, hi = edges
    assert lo == Fraction(1, 4) and hi == Fraction(9, 4)
    np.testing.assert_array_equal(np.asarray(edges), [0.25, 2.25])
    assert np.asarray([edges, edges]).shape == (2, 2)
    back = pickle.loads(pickle.dumps(edges))
    assert type(back) is VectorResult and back == edges
    with pytest.raises(TypeError):
        edges + 1


# ----------------------------------------------------------------------------- Result: arithmetic, precision
def test_arithmetic_exact_against_fractions(r30):
    assert r30 + Fraction(1, 2) == 2 and r30 * 2 == 3 and 3 / r30 == 2 and r30 - 1.5 == 0
    with mpmath.workdps(60):  # computed at the Result's 30 digits + guard digits, not at the caller's 15
        assert abs(r30 ** Fraction(1, 2) - mpmath.sqrt(mpmath.mpf(1.5))) < mpmath.mpf(10) ** -38
    assert r30 // 0.3 == 5 and 7 // r30 == 4 and divmod(7, r30) == (4, 1)
    # 1.5 mod float(0.3) exactly, as Python computes it on the exact float value
    m = r30 % 0.3
    assert Fraction(int(m.man)) * Fraction(2) ** int(m.exp) == Fraction(3, 2) - 5 * Fraction(0.3)


def test_caller_precision_never_changes(r_irr):
    ops = [
        lambda r: r + 1, lambda r: 1 - r, lambda r: r * mpmath.pi, lambda r: r / 3, lambda r: r ** 0.5,
        lambda r: -r, lambda r: abs(r), lambda r: divmod(r, 0.3), lambda r: r > mpmath.e, lambda r: r == 1.2,
        lambda r: hash(r), float, complex, int, round, lambda r: round(r, 3), str, repr, lambda r: format(r, ".4e"),
        lambda r: r._repr_latex_(), lambda r: r._repr_html_(), lambda r: np.asarray(r), lambda r: mpmath.mpf(r),
        lambda r: r.to_dict(), lambda r: pickle.loads(pickle.dumps(r)), math.floor, math.ceil,
    ]  # fmt: skip
    for dps in (8, 37):
        with mpmath.workdps(dps):
            before = tuple(mpmath.mp._prec_rounding)
            for op in ops:
                op(r_irr)
                assert tuple(mpmath.mp._prec_rounding) == before


def test_threads_results_and_state(r_irr, r30):
    want = [str(r_irr + 1), str(r_irr * r30), format(r_irr, ".10f"), hash(r_irr), str(r_irr)]
    caller = mpmath.mp.prec
    bad: list = []

    def work():
        for _ in range(50):
            got = [str(r_irr + 1), str(r_irr * r30), format(r_irr, ".10f"), hash(r_irr), str(r_irr)]
            if got != want:
                bad.append(got)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad and mpmath.mp.prec == caller


# ----------------------------------------------------------------------------- Result: numpy, pandas, format
def test_numpy_interop(r30, r_irr):
    a = np.asarray([r30, 1, np.float32(2), r_irr])
    assert a.dtype == np.float64 and a[0] == 1.5 and a[3] == float(r_irr)
    assert np.array(r30, dtype=np.float32).dtype == np.float32 and np.array(r30, dtype=complex) == 1.5 + 0j
    assert np.asarray([mk(mpmath.mpc(1, 2)), r30]).dtype == np.complex128
    with pytest.raises(ValueError):
        np.array(r30, copy=False)  # numpy 2: no view of a Result
    assert np.sum([r30, r30]) == 3.0 and np.isclose(r_irr, 1.2277070117) and np.allclose([r30, r_irr], [1.5, 1.2277070117])
    assert type(np.float64(1) + r30) is np.float64 and type(r30 + np.float64(1)) is mpmath.mpf


def test_pandas_series_of_results(r30, r_irr):
    s = pd.Series([r30, r_irr])
    assert s.astype(float).tolist() == [1.5, float(r_irr)]
    assert (s > 1.3).tolist() == [True, False]


@pytest.mark.parametrize(("spec", "want"), [(".3e", "1.500e+00"), ("10.4f", "    1.5000"), ("%", "150.000000%"), (".6g", "1.5")])
def test_format_specs(r30, spec, want):
    assert format(r30, spec) == want


def test_format_empty_and_bad_spec(r30):
    assert format(r30, "") == str(r30) == "1.50000000000000000000000000000"
    with pytest.raises(ValueError):
        format(r30, "q")


def test_huge_and_tiny_values_documented():
    with mpmath.workdps(60):
        big, tiny = mk(mpmath.mpf("1e400")), mk(mpmath.mpf("1e-400"))
    # the expectation (mpmath's and numpy's): float() saturates to inf / underflows to 0, exact comparisons do not
    assert float(big) == math.inf and float(tiny) == 0.0 and np.asarray(big) == np.inf
    assert big > 1e308 and tiny > 0 and tiny != 0.0 and bool(tiny)
    assert str(big).endswith("e+400") and str(tiny).endswith("e-400")


def test_format_of_a_value_beyond_float_range():
    with mpmath.workdps(60):
        big = mk(mpmath.mpf("1e400"))
    assert format(big, ".3e") == "1.000e+400"


def test_format_with_more_digits_than_float(r_irr):
    with mpmath.workdps(60):
        want = mpmath.nstr(r_irr.value, 25, strip_zeros=False)
    assert format(r_irr, ".25g") == want


def test_repr_short_one_line_and_markup_escaped():
    many = mk(mpmath.mpf(1), dps=15, **{f"p{i}": "9" * 200 for i in range(50)})
    assert "\n" not in repr(many) and len(repr(many)) <= 200 and repr(many).endswith("= 1.00000000000000, dps=15, estimate)")
    assert repr(mk(mpmath.mpf(1), a="x\ny  z")).startswith("Result(m.q(a=x y z)")
    evil = mk(mpmath.mpf(1), dps=15, activation="<script>alert(1)</script>", x_y="a&b{c}$%#^~\\")
    html = evil._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "a&amp;b" in html
    latex = evil._repr_latex_()
    assert (
        "<" not in latex and ">" not in latex and r"\&" in latex and r"\_" in latex and len(re.findall(r"(?<!\\)\$", latex)) == 2
    )


def test_pickle_and_copy_keep_everything(r_irr):
    import copy

    for back in (pickle.loads(pickle.dumps(r_irr)), copy.deepcopy(r_irr)):
        assert back == r_irr and repr(back) == repr(r_irr) and back.proven == r_irr.proven and back.params == r_irr.params


# ----------------------------------------------------------------------------- sweep
def test_sweep_broadcast_order_against_closed_form():
    g, r2 = np.array([0.5, 2.0, 3.0]), np.array([1.0, 2.0])
    df = sweep("ridge", "risk", gamma=g[:, None], r2=r2[None, :], lam=0)
    assert df.attrs["shape"] == (3, 2) and list(df.columns) == ["gamma", "r2", "lam", "value", "status"]
    gg, rr = np.broadcast_arrays(g[:, None], r2[None, :])
    np.testing.assert_array_equal(df["gamma"], gg.ravel())
    np.testing.assert_array_equal(df["r2"], rr.ravel())
    np.testing.assert_allclose(df["value"], ridgeless(gg.ravel(), rr.ravel()), rtol=1e-12)
    assert df.dtypes.to_dict() == {"gamma": float, "r2": float, "lam": float, "value": float, "status": np.int64}


@pytest.mark.parametrize(
    "gamma",
    [(0.5, 2.0), [0.5, 2.0], pd.Series([0.5, 2.0], index=[7, 3]), ["0.5", "2"], [Decimal("0.5"), mpmath.mpf(2)]],
    ids=["tuple", "list", "series", "text", "decimal-mpf"],
)
def test_sweep_array_like_inputs(gamma):
    np.testing.assert_allclose(sweep("ridge", "risk", gamma=gamma, lam=0)["value"], [1.0, 1.5], rtol=1e-12)


def test_sweep_zero_d_arrays_are_fixed():
    df = sweep("ridge", "risk", gamma=np.array(3.0), lam=np.array(0.0))
    assert len(df) == 1 and df.attrs["swept"] == [] and df["value"][0] == pytest.approx(7 / 6, rel=1e-12)


def test_sweep_complex_axis_matches_closed_form():
    z = np.array([1 + 0.5j, -1.0, 4 + 0.1j, 0.5 + 2j])
    df = sweep("mp", "stieltjes", z=z, gamma=0.5)
    assert df["value"].dtype == np.complex128 and df["status"].tolist() == [0] * 4
    np.testing.assert_allclose(df["value"], mp_stieltjes(z, 0.5), rtol=1e-10)
    dc = sweep("mp", "stieltjes", z=z[:2], gamma=0.5, dps=20, progress=False)
    np.testing.assert_allclose(dc["value"], mp_stieltjes(z[:2], 0.5), rtol=1e-14)
    assert dc["proven"].dtype == bool and all(len(t) > 20 for t in dc["value_text"])


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"gamma": [], "lam": 0}, "`gamma`"),
        ({"gamma": np.zeros((3, 0)), "lam": 0}, "`gamma`"),
        ({"gamma": [0.5, np.nan], "lam": 0}, "`gamma`"),
        ({"gamma": [0.5, -np.inf], "lam": 0}, "`gamma`"),
        ({"gamma": [0.5 + 1j], "lam": 0}, "`gamma`"),
        ({"gamma": [2.0], "lam": 0, "spectrum": ["isotropic"]}, "`spectrum`"),
        ({"gama": [2.0], "lam": 0}, "did you mean `gamma`"),
        ({"gamma": [2.0], "lam": None}, "`lam`"),
        ({"gamma": [2.0, 3.0], "lam": [-1.0, -2.0]}, "`lam`"),
        ({"gamma": np.ones((1001, 1)), "lam": np.ones((1, 1000))}, "1000000"),
    ],
)
def test_sweep_bad_input_is_parameter_error(params, match):
    with pytest.raises(ParameterError, match=match):
        sweep("ridge", "risk", **params)


def test_sweep_certified_point_outside_domain(ridge_q):
    df = sweep("ridge", "risk", gamma=2, lam=[-1.0, 0.1], dps=20, progress=False)
    assert df["status"].tolist() == [2, 0] and df["value_text"][0] == "nan" and math.isnan(df["value"][0])
    assert df["value_text"][1] == str(ridge_q.certified(gamma=2, lam="0.1", dps=20))  # floats read by their repr


def test_sweep_and_grid_attrs_json():
    for df in (sweep("ridge", "risk", gamma=[0.5, 2.0], lam=0), sweep("ridge", "risk", gamma=[2.0], lam=["0.1"], dps=15)):
        back = json.loads(json.dumps(df.attrs))
        assert back["model"] == "ridge" and back["swept"] and back["shape"] == list(df.attrs["shape"])
    da = grid("ridge", "risk", gamma=[0.5], lam=[0.1])
    assert all(isinstance(v, str | int | float) for v in da.attrs.values())
    json.dumps(da.attrs)


def test_grid_dims_follow_keyword_order_and_coords():
    da = grid("ridge", "risk", r2=[1.0, 2.0, 4.0], gamma=[0.5, 2.0, 3.0], lam=0)
    assert da.dims == ("r2", "gamma") and da.shape == (3, 3) and da["status"].dims == ("r2", "gamma")
    np.testing.assert_array_equal(da["gamma"], [0.5, 2.0, 3.0])
    rr, gg = np.meshgrid([1.0, 2.0, 4.0], [0.5, 2.0, 3.0], indexing="ij")
    np.testing.assert_allclose(da.values, ridgeless(gg, rr), rtol=1e-12)
    assert float(da.sel(r2=4.0, gamma=3.0)) == pytest.approx(4 * 2 / 3 + 0.5, rel=1e-12)
    assert float(da["lam"]) == 0.0


def test_sweep_from_threads_matches_sequential():
    from concurrent.futures import ThreadPoolExecutor

    jobs = [
        dict(gamma=[0.5, 2.0], lam=0.1, dps=20),
        dict(gamma=np.linspace(0.1, 3, 40), lam=0.01),
        dict(gamma=[1.5], lam=[0.3], dps=30),
    ]

    def run(kw):
        return sweep("ridge", "risk", progress=False, **kw)

    seq = [run(k) for k in jobs]
    caller = mpmath.mp.prec
    with ThreadPoolExecutor(3) as ex:
        par = list(ex.map(run, jobs * 2))
    assert all(p.equals(seq[i % 3]) for i, p in enumerate(par)) and mpmath.mp.prec == caller


def test_sweep_krr_over_its_sample_size_n():
    q = get_model("krr").quantity("risk")
    df = sweep("krr", "risk", d=10, n=[40.0, 80.0], lam=0.1)
    want = [float(q.certified(d=10, n=n, lam="0.1", dps=15)) for n in (40, 80)]
    np.testing.assert_allclose(df["value"], want, rtol=1e-8)


def test_sweep_int_parameter_beyond_int64():
    with pytest.raises(ParameterError, match="`d`") as info:
        sweep("krr", "risk", d=[1e20], alpha=1.0, level=1)
    assert "-9223372036854775808" not in str(info.value)


def test_sweep_ragged_list():
    with pytest.raises(ParameterError, match="`gamma`"):
        sweep("ridge", "risk", gamma=[[0.5, 1.0], [2.0]], lam=0)


def test_sweep_huge_python_int_in_array():
    with pytest.raises(ParameterError, match="`gamma`"):
        sweep("ridge", "risk", gamma=[10**400, 2], lam=0)


def test_sweep_certified_with_fixed_parameter_beyond_float64(ridge_q):
    assert ridge_q.certified(gamma=2, lam="1e400", dps=15) == 1  # lam -> inf: the bias r2 = 1, no variance
    df = sweep("ridge", "risk", gamma=[2.0], lam="1e400", dps=15, progress=False)
    assert df["value"].tolist() == [1.0]


# ----------------------------------------------------------------------------- did you mean (registry)
@pytest.mark.parametrize("path", ["certified", "curve"])
def test_misspelled_parameter_in_python_api_suggests(ridge_q, path):
    kw = {"gama": 2.0, "lam": 0.1} if path == "certified" else {"gama": np.array([2.0]), "lam": 0.1}
    with pytest.raises(ParameterError, match="did you mean `gamma`"):
        getattr(ridge_q, path)(**kw) if path == "curve" else ridge_q.certified(dps=15, **kw)


def test_registry_suggestions():
    from asymptotics._suggest import close_matches

    assert close_matches("RIDGE", ["ridge", "rf"]) == ["ridge"] and close_matches("ridge", ["ridge"]) == []
    assert close_matches("", ["a"]) == [] and close_matches("gama", iter(["gamma", "lam"])) == ["gamma"]
    for name, want in (("rdige", "'ridge'"), ("Ridge", "'ridge'"), ("rf ", "'rf'")):
        with pytest.raises(ParameterError, match=f"did you mean {want}"):
            get_model(name)
    with pytest.raises(ParameterError, match="did you mean 'risk'"):
        get_model("ridge").quantity("rsik")


# ----------------------------------------------------------------------------- plot_map
def _pixels(obj, **kw):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from asymptotics.maps import plot_map

    fig, ax = plt.subplots(figsize=(4, 3), dpi=50)
    try:
        plot_map(obj, ax=ax, **kw)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()
    finally:
        plt.close(fig)


def test_plot_map_unsorted_grid_draws_the_same_map():
    g, lam = np.linspace(0.2, 3, 10), np.geomspace(1e-2, 1, 8)
    perm = np.random.default_rng(0).permutation(g.size)
    a = _pixels(grid("ridge", "risk", gamma=g, lam=lam), log=(False, True))
    b = _pixels(grid("ridge", "risk", gamma=g[perm], lam=lam), log=(False, True))
    assert np.array_equal(a, b)


def test_plot_map_dataframe_with_a_single_valued_axis():
    df = sweep("ridge", "risk", gamma=np.array([0.5, 2.0])[:, None], lam=np.array([0.1])[None, :])
    with pytest.raises(ParameterError):
        _pixels(df)


def test_plot_map_rejects_one_dimensional_input():
    with pytest.raises(ParameterError):
        _pixels(sweep("ridge", "risk", gamma=[0.5, 2.0], lam=0.1))
    with pytest.raises(ParameterError):
        _pixels(grid("ridge", "risk", gamma=[0.5, 2.0], lam=[0.1]))


# ----------------------------------------------------------------------------- explore
@pytest.fixture(scope="module")
def explore():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    from asymptotics.explorer import explore

    return explore


@pytest.mark.parametrize(
    "kw",
    [{"lam": None}, {"lam": (1, "x")}, {"gamma": 1j}, {"gamma": np.array([1.0, 2.0, 3.0])}],
    ids=["none", "bad-pair", "complex", "array"],
)
def test_explore_bad_start_value_is_parameter_error(explore, kw):
    with pytest.raises(ParameterError):
        explore("ridge", **kw)


def test_explore_names_and_markup(explore):
    with pytest.raises(ParameterError, match="did you mean `gamma`"):
        explore("ridge", gama=2)
    with pytest.raises(ParameterError, match="did you mean 'ridge'"):
        explore("rdige")
    ex = explore("rf", activation="<b>x</b>&", points=20)
    assert "<b>" not in ex.message.value and "&lt;b&gt;" in ex.message.value and (ex.data["status"] == 2).all()


def test_explore_set_text_on_a_numeric_slider(explore):
    ex = explore("ridge", points=20)
    with pytest.raises(ParameterError):
        ex.set(lam="abc")
