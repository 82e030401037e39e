"""The curve engine and the plot function behind `asymptotics curve` (also used by notebooks)."""

import numpy as np
import pytest

import asymptotics
from asymptotics.errors import ParameterError
from asymptotics.models import ridge


def test_float_curve_equals_model_curve():
    cr, texts = asymptotics.curve("ridge", "risk", {"gamma": "0.1:3:30", "lam": "0", "sigma2": "0.25"})
    ref, status = ridge.curve_values("risk", np.linspace(0.1, 3, 30), 0, 1, 0.25)
    np.testing.assert_array_equal(cr.values, ref)
    np.testing.assert_array_equal(cr.status, status)
    assert cr.axis == "gamma" and cr.params == {"lam": "0", "sigma2": "0.25"} and len(texts) == 30


def test_certified_curve_agrees_with_float_curve():
    cr, texts = asymptotics.curve("mp", "cdf", {"x": "0.1:3:7", "gamma": "0.5"}, dps=25, progress=False)
    fl, _ = asymptotics.curve("mp", "cdf", {"x": "0.1:3:7", "gamma": "0.5"})
    np.testing.assert_allclose(cr.values, fl.values, rtol=1e-12)
    assert all(len(t[0].replace(".", "").lstrip("0")) >= 25 for t in texts if t[0] not in ("0", "1"))


@pytest.mark.parametrize(
    "params,match",
    [({"gamma": "0.5"}, "axis"), ({"gamma": "1:2", "lam": "0"}, "START:STOP:NUM"), ({"gamma": "0.1:1:5", "mu": "1"}, "mu")],
)
def test_curve_bad_requests(params, match):
    with pytest.raises(ParameterError, match=match):
        asymptotics.curve("ridge", "risk", params)


def test_plot_curve(tmp_path):
    cr, _ = asymptotics.curve("ridge", "risk", {"gamma": "0.5:1.5:41", "lam": "0", "sigma2": "0.25"})
    assert cr.status[20] == 1  # γ = 1 exactly: +inf
    out = tmp_path / "risk.png"
    asymptotics.plot_curve(cr, str(out), how="float64")
    assert out.stat().st_size > 5000 and out.read_bytes()[:4] == b"\x89PNG"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert asymptotics.plot_curve(cr, ax=ax) is ax
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "theory"]
    y = np.asarray(line.get_ydata(), dtype=float)
    at_one = np.asarray(line.get_xdata()) == 1.0
    assert at_one.sum() == 1 and np.isnan(y[at_one]).all()  # the γ = 1 point (inf) is left out (a break in the line)
    assert np.isfinite(y[~at_one]).all() and len(line.get_xdata()) >= 400  # dense theory, the 41 points included
    (asymptote,) = [ln for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1]
    assert float(asymptote.get_xdata()[0]) == 1.0  # drawn as a vertical line instead
    plt.close(fig)


def test_mc_for_a_model_without_simulator_names_the_models_that_have_one(capsys):
    """With validation installed, --mc on a model that has no simulator is not "install validation"."""
    from asymptotics.cli import main

    code = main(["curve", "lnn", "trajectory", "t=0:1:3", "depth=3", "init=0.01", "s=1", "--mc", "2"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert "has no Monte Carlo simulator" in err and "ridge" in err and "pip install" not in err
