"""`asymptotics.explore`: the notebook widget, driven by setting its values (no kernel needed)."""

import sys

import mpmath
import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from asymptotics.errors import ParameterError  # noqa: E402
from asymptotics.explorer import explore  # noqa: E402
from asymptotics.models import get_model  # noqa: E402
from asymptotics.models._registry import BUILTIN_MODELS  # noqa: E402

PNG = b"\x89PNG"


def ridgeless(g, r2, s2):
    """Isotropic ridgeless excess risk (closed form)."""
    return np.where(g < 1, s2 * g / (1 - g), r2 * (1 - 1 / g) + s2 / (g - 1))


def mp_density(x, g, s2):
    """Marchenko-Pastur density of the continuous part (closed form)."""
    a, b = s2 * (1 - np.sqrt(g)) ** 2, s2 * (1 + np.sqrt(g)) ** 2
    inside = (x > a) & (x < b)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(inside, np.sqrt(np.clip((b - x) * (x - a), 0, None)) / (2 * np.pi * s2 * g * x), 0.0)


def test_sliders_drive_the_curve():
    ex = explore("ridge", lam=0, sigma2=0.25)  # lam=0 given: a linear slider that reaches 0
    assert ex.axis.value == "gamma" and ex.log.value and ex.data["how"] == "float64"
    x, y, st = ex.data["x"], ex.data["y"], ex.data["status"]
    assert len(x) == 400 and x[0] == pytest.approx(0.05) and x[-1] == pytest.approx(20)
    ok = st == 0
    assert ok.sum() >= 399 and np.allclose(y[ok], ridgeless(x[ok], 1.0, 0.25), rtol=1e-9)
    assert ex.data["thresholds"] and ex.data["thresholds"][0][0] == 1.0  # γ = 1
    image = bytes(ex.image.value)
    ex.sliders["lam"].value = 0.5
    q = get_model("ridge").quantity("risk")
    want, want_st = q.curve(gamma=x, lam=0.5, r2=1.0, sigma2=0.25, tau2=0.0, spectrum="isotropic")
    assert ex.data["params"]["lam"] == 0.5
    assert np.array_equal(ex.data["y"], want) and np.array_equal(ex.data["status"], want_st)
    assert not np.allclose(ex.data["y"][ok], y[ok])  # changed
    assert bytes(ex.image.value).startswith(PNG) and bytes(ex.image.value) != image  # redrawn
    ex.sliders["r2"].value = 2.0
    assert ex.data["params"]["r2"] == 2.0
    assert np.array_equal(ex.data["y"], q.curve(gamma=x, lam=0.5, r2=2.0, sigma2=0.25, tau2=0.0, spectrum="isotropic")[0])


def test_quantity_and_axis_changes_redraw():
    ex = explore("ridge", "risk", gamma=2)
    ex.quantity.value = "variance"
    q = get_model("ridge").quantity("variance")
    fixed = ex.values()
    assert np.array_equal(ex.data["y"], q.curve(gamma=ex.data["x"], **fixed)[0])
    ex.axis.value = "lam"
    x = ex.data["x"]
    assert x[0] == pytest.approx(1e-4) and x[-1] == pytest.approx(10) and ex.log.value
    assert ex.data["params"]["gamma"] == 2.0 and "lam" not in ex.data["params"]
    assert ex.sliders["lam"].disabled and not ex.sliders["gamma"].disabled
    assert np.array_equal(ex.data["y"], q.curve(lam=x, **ex.data["params"])[0])
    ex.set(quantity="optimal_risk")  # no float64 curve: certified values at fewer points; lam is no parameter of it
    assert ex.axis.value == "gamma" and ex.data["how"].startswith("certified") and len(ex.data["x"]) == 80
    g = ex.data["x"][10]
    want = get_model("ridge").quantity("optimal_risk").certified(gamma=repr(float(g)), dps=15).value
    assert ex.data["y"][10] == pytest.approx(float(want), rel=1e-14)


def test_mp_density_closed_form_and_set():
    ex = explore("mp")
    assert ex.quantity.value == "density" and ex.axis.value == "x"
    ex.set(gamma=0.25, sigma2=1.5)
    x, y, st = ex.data["x"], ex.data["y"], ex.data["status"]
    assert np.all(st == 0)
    assert np.allclose(y, mp_density(x, 0.25, 1.5), rtol=1e-9, atol=1e-12)
    edges = sorted(t[0] for t in ex.data["thresholds"])
    assert edges == pytest.approx([1.5 * 0.25, 1.5 * 2.25])  # σ²(1 ∓ √γ)²


def test_complex_parameter_and_start_values():
    ex = explore("mp", "stieltjes", gamma=0.5, z=1 + 0.25j)
    assert ex.axis.value == "z" and ex.sliders["z.imag"].value == 0.25
    x = ex.data["x"]
    want, _ = get_model("mp").quantity("stieltjes").curve(z=x + 0.25j, gamma=0.5, sigma2=1.0)
    assert np.array_equal(ex.data["y"], want) and np.iscomplexobj(ex.data["y"])
    assert [ln.get_label() for ln in ex.lines] == ["Re stieltjes", "Im stieltjes"]
    rf = explore("rf", activation="tanh", psi2=(0.5, 4), lam=1e-2)
    assert rf.sliders["activation"].value == "tanh" and rf.axis.value == "psi1"
    assert rf.sliders["psi2"].min == pytest.approx(np.log10(0.5)) and rf.sliders["psi2"].max == pytest.approx(np.log10(4))
    assert rf.use["psi1"].value and not rf.use["N_over_n"].value and "N_over_n" not in rf.data["params"]
    rf.axis.value = "psi2"
    assert rf.data["x"][0] == pytest.approx(0.5) and rf.data["x"][-1] == pytest.approx(4)


@pytest.mark.parametrize("name", sorted(BUILTIN_MODELS))
def test_every_model_can_be_explored(name):
    before = mpmath.mp.dps
    ex = explore(name)
    assert mpmath.mp.dps == before
    assert bytes(ex.image.value).startswith(PNG) and ex.message.value == ""
    assert np.sum(ex.data["status"] == 0) >= len(ex.data["x"]) // 2
    model = get_model(name)
    for s, spec in ex.sliders.items():
        base = s.split(".")[0]
        assert base in model.params
        kind = spec.__class__.__name__
        assert kind in {"FloatLogSlider", "FloatSlider", "IntSlider", "Dropdown", "Text"}
        if model.params[base].kind == "int":
            assert kind == "IntSlider"
    assert set(ex.quantity.options) == set(model.quantities)
    assert ex.axis.options and all(model.params[a].kind in ("real", "int", "complex") for a in ex.axis.options)


def test_activation_dropdown_and_int_slider():
    ex = explore("nt")
    assert "relu" in ex.sliders["activation"].options and "tanh" in ex.sliders["activation"].options
    ex.sliders["activation"].value = "tanh"
    q = get_model("nt").quantity("risk")
    assert np.array_equal(ex.data["y"], q.curve(psi2=ex.data["x"], **ex.data["params"])[0])
    lnn = explore("lnn", "trajectory", depth=3)
    assert lnn.axis.value == "t" and type(lnn.sliders["depth"]).__name__ == "IntSlider" and lnn.data["params"]["depth"] == 3


def test_bad_input_is_one_parameter_error():
    with pytest.raises(ParameterError, match="did you mean 'ridge'"):
        explore("rdige")
    with pytest.raises(ParameterError, match="did you mean 'risk'"):
        explore("ridge", "rsik")
    with pytest.raises(ParameterError, match="did you mean `gamma`"):
        explore("ridge", axis="gamam")
    with pytest.raises(ParameterError, match=r"^unknown parameter `gamam` for ridge; did you mean `gamma`\? valid: gamma, lam"):
        explore("ridge", gamam=1)
    with pytest.raises(ParameterError, match="`points`"):
        explore("ridge", points=1)
    ex = explore("ridge", gamma=2)
    ex.sliders["sigma2"].value = 0.0
    ex.set(spectrum="power_law:p=oops")  # a bad value is shown, not raised from the callback
    assert "spectrum" in ex.message.value and np.all(np.isnan(ex.data["y"]))
    with pytest.raises(ParameterError, match="unknown control"):
        ex.set(lamm=1)


def test_missing_ipywidgets_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # `import ipywidgets` raises ImportError
    with pytest.raises(ParameterError, match=r"ipywidgets.*pip install 'asymptotics\[explore\]'"):
        explore("ridge")


def test_importing_the_module_stays_light():
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = "import sys, asymptotics.explorer; print([m for m in ('ipywidgets', 'matplotlib', 'sympy') if m in sys.modules])"
    p = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}
    )
    assert p.returncode == 0 and p.stdout.strip() == "[]", p.stderr


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"lam": None}, "^`lam` = None"),
        ({"lam": (1, "x")}, "^`lam` = 'x'"),
        ({"lam": (0.1, 2, 3)}, "^`lam`: give a start value or a range"),
        ({"gamma": 1j}, "^`gamma` = 1j"),
        ({"gamma": np.array([1.0, 2.0, 3.0])}, r"^`gamma`: .*shape \(3,\)"),
        ({"gamma": True}, "^`gamma` = True"),
        ({"gamma": "abc"}, "^`gamma` = 'abc'"),
        ({"gamma": float("inf")}, "^`gamma` = inf"),
    ],
)
def test_bad_start_values_are_one_line_parameter_errors(kw, match):
    with pytest.raises(ParameterError, match=match) as info:
        explore("ridge", points=20, **kw)
    assert "\n" not in str(info.value)
    with pytest.raises(ParameterError, match="^`z` = None: explore needs a finite complex number"):
        explore("mp", "stieltjes", points=20, z=None)


def test_start_values_from_numpy_scalars_and_text():
    ex = explore("ridge", points=20, gamma=np.float32(2.0), lam=np.array(0.25), sigma2="0.5")
    assert ex.data["params"]["lam"] == 0.25 and ex.data["params"]["sigma2"] == 0.5
    assert ex.sliders["gamma"].value == pytest.approx(2.0)


def test_set_checks_and_converts_values():
    ex = explore("ridge", points=20)
    for kw, match in (
        ({"lam": "abc"}, "^`lam` = 'abc'"),
        ({"lam": 0}, "^`lam` = 0.0: its slider is logarithmic"),
        ({"lamm": 1}, "^unknown control `lamm`; did you mean `lam`\\?"),
        ({"quantity": "rsik"}, "did you mean 'risk'"),
        ({"axis": "gamam"}, "did you mean `gamma`"),
    ):
        with pytest.raises(ParameterError, match=match):
            ex.set(**kw)
    before = dict(ex.data["params"])
    with pytest.raises(ParameterError, match="`lam`"):
        ex.set(sigma2=0.25, lam="x")  # nothing is set when one value is bad
    assert ex.data["params"] == before and ex.sliders["sigma2"].value == before["sigma2"]
    ex.set(lam="1e-6", sigma2=5)  # text read as a number; ranges widen to reach the values
    assert ex.data["params"]["lam"] == pytest.approx(1e-6) and ex.data["params"]["sigma2"] == 5.0
    assert ex.sliders["sigma2"].max == 5.0 and ex.sliders["lam"].min == pytest.approx(-6)
    x = ex.data["x"]
    np.testing.assert_allclose(ex.data["y"], get_model("ridge").quantity("risk").curve(gamma=x, **ex.data["params"])[0])
    mp = explore("mp", "stieltjes", points=20, axis="gamma")
    mp.set(z=2 + 1j)
    assert mp.data["params"]["z"] == 2 + 1j
    mp.set(z_imag=0.25)
    assert mp.data["params"]["z"] == 2 + 0.25j
    moment = explore("mp", "moment", points=20, axis="gamma")
    with pytest.raises(ParameterError, match="`k` must be an integer"):
        moment.set(k=2.5)
