"""asymptotics.maps.plot_map and the two-axis `asymptotics curve` (table, CSV, heatmap with thresholds)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from asymptotics.cli import main
from asymptotics.errors import ParameterError
from asymptotics.models import get_model

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
pytest.importorskip("pandas")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from asymptotics.maps import plot_map  # noqa: E402
from asymptotics.sweeps import sweep  # noqa: E402


def _threshold_sets(ax):
    """Dashed zero-level contour sets (the thresholds) drawn on ``ax``."""
    return [c for c in ax.collections if isinstance(c, ContourSet) and list(c.levels) == [0.0]]


def _vertices(cs):
    return np.concatenate([seg for seg in cs.allsegs[0] if len(seg)])


def test_plot_map_ridge_writes_png_with_threshold(tmp_path):
    xr = pytest.importorskip("xarray")
    from asymptotics.sweeps import grid

    da = grid("ridge", "risk", gamma=np.linspace(0.2, 3, 29), lam=np.geomspace(1e-5, 1, 13))
    assert isinstance(da, xr.DataArray)
    path = tmp_path / "ridge.png"
    ax = plot_map(da, str(path), log=(False, True), how="float64")
    assert path.stat().st_size > 10_000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (th,) = _threshold_sets(ax)
    np.testing.assert_allclose(_vertices(th)[:, 0], 1.0, atol=1e-9)  # the line gamma = 1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("interpolation" in s and r"\gamma" in s for s in labels)
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    assert r"\gamma" in ax.get_xlabel() and r"\lambda" in ax.get_ylabel()
    mesh = ax.collections[0]
    assert isinstance(mesh.norm, LogNorm)  # the risk spans decades near gamma = 1
    assert sum(isinstance(c, ContourSet) for c in ax.collections) >= 2  # labelled level lines + threshold


def test_plot_map_rf_dataframe_diagonal_and_infinite_cells():
    df = sweep("rf", "risk", psi1=np.geomspace(0.2, 5, 15)[:, None], psi2=np.geomspace(0.2, 5, 11)[None, :], lam="1e-3")
    fig, ax = plt.subplots()
    try:
        assert plot_map(df, ax=ax, log=True) is ax
        (th,) = _threshold_sets(ax)
        v = _vertices(th)
        np.testing.assert_allclose(v[:, 0], v[:, 1], rtol=1e-2)  # psi1 = psi2
        assert ax.get_xlabel() != "psi1" and "psi" in ax.get_xlabel()
    finally:
        plt.close(fig)
    ridgeless = sweep("ridge", "risk", gamma=np.array([0.5, 1.0, 2.0])[:, None], lam=np.array([0.0, 0.5])[None, :])
    fig, ax = plt.subplots()
    try:
        plot_map(ridgeless, ax=ax, contour=False, thresholds=False)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [r"$+\infty$"]  # gamma = 1, lam = 0
        assert not _threshold_sets(ax)
    finally:
        plt.close(fig)


def test_plot_map_needs_two_dimensions():
    with pytest.raises(ParameterError, match="two swept parameters"):
        plot_map(sweep("ridge", "risk", gamma=[0.5, 2.0]))
    with pytest.raises(ParameterError, match="DataArray or a pandas.DataFrame"):
        plot_map(np.zeros((2, 2)))


def test_cli_map_table_csv_and_plot(capsys, tmp_path):
    out_csv, out_png = tmp_path / "map.csv", tmp_path / "map.png"
    argv = ["curve", "ridge", "risk", "gamma=0.5:2:2", "lam=0:1:3", "sigma2=0.5", "--csv", str(out_csv), "--plot", str(out_png)]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("# ridge risk over gamma x lam; sigma2=0.5; float64; status:")
    assert out[1].split() == ["gamma", "lam", "risk", "status"]
    rows = [line.split() for line in out[2:]]
    assert [r[:2] for r in rows] == [[g, lam] for g in ("0.5", "2.0") for lam in ("0.0", "0.5", "1.0")]
    assert float(rows[0][2]) == pytest.approx(0.5 * 0.5 / 0.5) and float(rows[3][2]) == pytest.approx(0.5 + 0.5)
    with open(out_csv, encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["gamma", "lam", "risk", "status"] and [r[:2] for r in table[1:]] == [r[:2] for r in rows]
    assert out_png.stat().st_size > 10_000


def test_cli_map_certified_and_errors(capsys):
    assert main(["curve", "ridge", "risk", "gamma=0.5:2:2", "lam=0:1:2", "--dps", "20"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "certified, 20 digits" in out[0]
    assert out[2].split() == ["0.5", "0.0", "1.0000000000000000000", "0"]
    assert main(["curve", "ridge", "risk", "gamma=0.5:2:2", "lam=0:1:2", "sigma2=1:2:2"]) == 2
    assert "exactly two axes" in capsys.readouterr().err
    assert main(["curve", "ridge", "risk", "gamma=0.5:2:2", "lam=-1:1:2", "--log"]) == 2
    assert "--log needs START > 0" in capsys.readouterr().err


def test_cli_map_refuses_monte_carlo(capsys):
    assert main(["curve", "ridge", "risk", "gamma=0.5:2:2", "lam=0.1:1:2", "--mc", "2"]) == 2
    err = capsys.readouterr().err
    assert "--mc needs exactly one axis" in err and "asymptotics.sweep" in err


def test_plot_map_sorts_unsorted_axes_with_their_values():
    pytest.importorskip("xarray")
    from asymptotics.maps import _as_map, _sorted
    from asymptotics.sweeps import grid

    g, lam = np.array([2.0, 0.5, 3.0, 1.5]), np.array([1.0, 0.01, 0.1])
    for obj in (grid("ridge", "risk", gamma=g, lam=lam), sweep("ridge", "risk", gamma=g[:, None], lam=lam[None, :])):
        m = _sorted(_as_map(obj))
        np.testing.assert_array_equal(m.x, np.sort(g))
        np.testing.assert_array_equal(m.y, np.sort(lam))
        for j, lam_j in enumerate(m.y):  # z[y, x]: each cell holds the risk at its own (gamma, lam)
            want = [float(get_model("ridge").quantity("risk").certified(gamma=gi, lam=lam_j, dps=15)) for gi in m.x]
            np.testing.assert_allclose(m.z[j], want, rtol=1e-8)
    fig, ax = plt.subplots()
    try:
        plot_map(grid("ridge", "risk", gamma=g, lam=lam), ax=ax, log=(False, True))
        assert ax.get_xlim()[0] < ax.get_xlim()[1] and ax.get_xlim()[0] < 0.5 < 3.0 < ax.get_xlim()[1]
    finally:
        plt.close(fig)


@pytest.mark.parametrize("how", ["grid", "sweep-x", "sweep-y"])
def test_plot_map_duplicated_coordinates_name_the_axis(how):
    pytest.importorskip("xarray")
    from asymptotics.sweeps import grid

    g, lam = np.array([0.5, 2.0, 0.5]), np.array([0.1, 1.0])
    if how == "grid":
        obj, axis = grid("ridge", "risk", gamma=g, lam=lam), "`gamma` repeats 0.5"
    elif how == "sweep-x":
        obj, axis = sweep("ridge", "risk", gamma=g[:, None], lam=lam[None, :]), "duplicated `gamma` values"
    else:
        obj, axis = sweep("ridge", "risk", gamma=lam[:, None], lam=g[None, :]), "duplicated `lam` values"
    with pytest.raises(ParameterError, match=axis):  # no matplotlib "identical xlims" warning first
        plot_map(obj)
    assert not plt.get_fignums()


def test_plot_map_dataframe_single_valued_axis():
    df = sweep("ridge", "risk", gamma=np.array([0.5, 2.0])[:, None], lam=np.array([0.1])[None, :])
    with pytest.raises(ParameterError, match=r"two dimensions of size > 1; got \{'gamma': 2, 'lam': 1\}"):
        plot_map(df)
