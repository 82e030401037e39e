"""CLI niceties (issue 16): did-you-mean, --version, the models in --help, aligned `list` columns."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from asymptotics import __version__
from asymptotics._suggest import close_matches, did_you_mean
from asymptotics.cli import main
from asymptotics.errors import ParameterError
from asymptotics.models import get_model
from asymptotics.models._registry import BUILTIN_MODELS, REGISTRY

ROOT = Path(__file__).resolve().parents[1]
SIX = ("committee", "dmp", "gcm", "krr", "learning_curve", "lnn", "mp", "nt", "onestep", "rf", "ridge")  # the built-in models


def cli(capsys, *args):
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def one_error(capsys, *args):
    rc, out, err = cli(capsys, *args)
    assert rc == 2 and out == "", (rc, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("asymptotics: error: "), err
    return lines[0]


# ----------------------------------------------------------------------------- did you mean
@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["eval", "rdige", "risk", "gamma=2"], "unknown model 'rdige'; did you mean 'ridge'? valid: "),
        (["eval", "Ridge", "risk", "gamma=2"], "did you mean 'ridge'?"),
        (["eval", "marchenko_pastr", "edges", "gamma=2"], "did you mean 'marchenko_pastur'?"),  # an alias
        (["eval", "ridge", "rsik", "gamma=2"], "unknown quantity 'rsik' for model 'ridge'; did you mean 'risk'? valid: "),
        (["eval", "ridge", "risk", "gamam=0.5"], "unknown parameter `gamam` for ridge risk; did you mean `gamma`? valid: "),
        (["curve", "rf", "risk", "psi1=0.5:2:3", "psi2=2", "lamm=0.1"], "did you mean `lam`?"),
        (["evl", "ridge", "risk", "gamma=2"], "unknown command 'evl'; did you mean 'eval'? commands: eval, curve, latex, list"),
        (["lsit"], "did you mean 'list'?"),
        (["ridge", "risk", "gamma=2"], "did you mean `asymptotics eval ridge QUANTITY ...`?"),
        (["eval", "ridge", "risk", "gamma=2", "--dsp", "30"], "did you mean '--dps'?"),
        (["latex", "rff"], "did you mean 'rf'?"),
        (["list", "rdige"], "did you mean 'ridge'?"),
    ],
)
def test_did_you_mean(capsys, args, hint):
    assert hint in one_error(capsys, *args)


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "xyzzy", "risk"],
        ["eval", "ridge", "qqqqqq", "gamma=2"],
        ["eval", "ridge", "risk", "zzzzz=1"],
        ["frobnicate"],
        ["eval", "ridge", "risk", "gamma=2", "--zzzzzz"],
    ],
)
def test_no_suggestion_for_garbage(capsys, args):
    line = one_error(capsys, *args)
    assert "did you mean" not in line and ("valid: " in line or "commands: " in line or "unrecognized" in line)


def test_did_you_mean_from_python():
    with pytest.raises(ParameterError, match=r"^unknown model 'rdige'; did you mean 'ridge'\? valid: .*ridge"):
        get_model("rdige")
    with pytest.raises(ParameterError, match=r"^unknown model 'nosuch'; valid: "):  # the message without a suggestion stays
        get_model("nosuch")
    ridge = get_model("ridge")
    with pytest.raises(ParameterError, match=r"did you mean 'train_error'\?"):
        ridge.quantity("train_eror")
    with pytest.raises(ParameterError, match=r"did you mean `gamma` for `gamam`, `lam` for `lamm`\? valid:"):
        ridge.check_names(ridge.quantity("risk"), ["gamam", "lamm"])


def test_suggest_helpers():
    assert close_matches("rdige", SIX) == ["ridge"]
    assert close_matches("RF", SIX) == ["rf"]
    assert close_matches("ridge", SIX) == []  # the name itself is no suggestion
    assert close_matches("", SIX) == [] and close_matches("qqqq", SIX) == []
    assert did_you_mean("gamam", ["gamma", "lam"], quote="`") == "did you mean `gamma`? "
    assert did_you_mean("zz", ["gamma", "lam"]) == ""


# ----------------------------------------------------------------------------- --version, --help
def test_version(capsys):
    rc, out, _ = cli(capsys, "--version")
    assert rc == 0 and out.strip() == f"asymptotics {__version__}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "asymptotics", "--version"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == 0 and p.stdout.strip() == f"asymptotics {__version__}" and p.stderr == ""


def test_help_lists_the_six_models_and_commands(capsys):
    rc, out, _ = cli(capsys, "--help")
    assert rc == 0
    assert set(SIX) == set(BUILTIN_MODELS)
    for name in SIX:
        line = next((ln for ln in out.splitlines() if ln.startswith(f"  {name} ")), None)
        assert line is not None, name
        doc = get_model(name).doc
        assert line.split(None, 1)[1] in " ".join(doc.split()), (line, doc)  # one line: the model's own doc (or its start)
    assert re.search(r"^  plug-ins: ", out, re.M)
    for command in ("eval", "curve", "latex", "list"):
        assert re.search(rf"^    {command} ", out, re.M), command
    text = " ".join(out.split())
    for family in (
        "Marchenko-Pastur",
        "ridge regression",
        "random features",
        "kernel ridge regression",
        "neural tangent",
        "deep linear",
    ):
        assert family in text, family
    rc, out2, _ = cli(capsys, "-h")
    assert rc == 0 and out2 == out


def test_help_stays_light():
    """`--help` loads the six model modules but neither SymPy, SciPy nor matplotlib; `eval`'s parser loads no model."""
    code = (
        "import sys, contextlib, io\n"
        "from asymptotics.cli import _build_parser\n"
        "_build_parser()\n"
        "light = [m for m in sys.modules if m.startswith('asymptotics.models.') and m != 'asymptotics.models._registry']\n"
        "from asymptotics.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])\n"
        "print(light, [m for m in ('sympy', 'scipy', 'matplotlib') if m in sys.modules])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[] []"


# ----------------------------------------------------------------------------- list
ROW = re.compile(r"^    (\S+)(\s+)(\S+)(\s+)(no default|default \S+)(\s+)(\S.*)$")


def _blocks(listing):
    """``{model: (parameter lines, quantity lines)}`` of an `asymptotics list` output."""
    out, name, part = {}, None, None
    for line in listing.splitlines():
        if line and not line.startswith(" "):
            name = line.split(":")[0].split(" ")[0]
            out[name] = ([], [])
        elif line == "  parameters:":
            part = 0
        elif line == "  quantities:":
            part = 1
        elif line.startswith("    ") and name is not None:
            out[name][part].append(line)
    return out


def test_list_columns_are_aligned(capsys):
    rc, listing, _ = cli(capsys, "list")
    assert rc == 0
    blocks = _blocks(listing)
    assert set(SIX) <= set(blocks)
    for name, (params, quantities) in blocks.items():
        model = get_model(name)
        rows = [ROW.match(ln) for ln in params if not ln.startswith("     ")]
        assert len(rows) == len(model.params) and all(rows), (name, params)
        for col in (3, 5, 7):
            assert len({m.start(col) for m in rows}) == 1, (name, col)  # kinds, defaults, docs start at one offset
        doc_at = rows[0].start(7)
        for ln in params:
            if ln.startswith("     "):  # a wrapped doc continues under the doc column
                assert len(ln) - len(ln.lstrip()) == doc_at, (name, ln)
        starts = [ln for ln in quantities if not ln.startswith("     ")]
        assert [ln.split()[0] for ln in starts] == list(model.quantities)
        q_at = {len(ln) - len(ln[4:].split(None, 1)[1]) for ln in starts}
        cont = {len(ln) - len(ln.lstrip()) for ln in quantities if ln.startswith("     ")}
        assert len(q_at) == 1 and cont <= q_at, (name, q_at, cont)  # continuation lines at the text column
    krr = listing[listing.index("krr:") : listing.index("\nlnn")]
    assert max(len(ln) for ln in krr.splitlines()) <= 100  # krr's long proof notes wrapped


def _squeeze(text: str) -> str:
    return re.sub(r"(?<=[|,/]) ", "", " ".join(text.split()))


def test_list_keeps_the_information(capsys):
    _, listing, _ = cli(capsys, "list")
    # a run without spaces (`relu|abs|...|sigmoid`) may break after `|`, `,` or `/`: compare without the
    # whitespace after those separators (on both sides)
    flat = _squeeze(listing)
    for model in REGISTRY.values():
        alias = f" (aliases: {', '.join(model.aliases)})" if model.aliases else ""
        assert _squeeze(f"{model.name}{alias}: {' '.join(model.doc.split())}") in flat
        for p in model.params.values():
            default = "no default" if p.default is None else f"default {p.default}"
            assert _squeeze(f"{p.name} {p.kind} {default} {' '.join(p.doc.split())}") in flat, p.name
        notes = {}
        for q in model.quantities.values():
            curve = " [float64 curve]" if q.curve is not None else ""
            assert _squeeze(f"{q.name} {' '.join(q.doc.split())} ({', '.join(q.params)}){curve} [{q.proof}") in flat, q.name
            if q.proof_note:
                first = notes.setdefault((q.proof, q.proof_note), q.name)
                note = " ".join(q.proof_note.split()) if first == q.name else f"as for {first}"
                assert _squeeze(f"[{q.proof}: {note}]") in flat, q.name
    assert "[float64 curve]" in listing  # never split by the wrapping


def test_list_one_model(capsys):
    rc, out, _ = cli(capsys, "list", "ntk", "ridge")
    assert rc == 0
    heads = [ln.split(" ")[0].rstrip(":") for ln in out.splitlines() if ln and not ln.startswith(" ")]
    assert heads == ["nt", "ridge"] and "nt (aliases: neural_tangent, ntk): " in out
    _, full, _ = cli(capsys, "list")
    assert out.split("\n\n")[1] in full  # the same block as in the full listing


# ----------------------------------------------------------------------------- review R2 (issue 16), fixer FX3
def test_short_version_flag(capsys):
    rc, out, _ = cli(capsys, "-V")
    assert rc == 0 and out.strip() == f"asymptotics {__version__}"


def test_log_axes_on_a_curve(capsys):
    rc, out, _ = cli(capsys, "curve", "ridge", "risk", "lam=0.001:10:5", "gamma=2", "--log-axes", "lam")
    assert rc == 0
    xs = [float(line.split()[0]) for line in out.splitlines()[2:]]
    np.testing.assert_allclose(xs, [1e-3, 1e-2, 1e-1, 1.0, 10.0], rtol=1e-12)  # geometric, as with --log


def test_log_axes_on_a_map(capsys, monkeypatch):
    import asymptotics.maps as maps

    seen = {}
    monkeypatch.setattr(maps, "_draw", lambda m, path, **kw: seen.update(kw, path=path))
    rc, out, _ = cli(capsys, "curve", "ridge", "risk", "gamma=0.2:3:3", "lam=0.0001:1:3", "--log-axes", "lam", "--plot", "map")
    assert rc == 0
    rows = [line.split() for line in out.splitlines()[2:]]
    assert sorted({float(r[0]) for r in rows}) == pytest.approx([0.2, 1.6, 3.0])  # gamma linear
    assert sorted({float(r[1]) for r in rows}) == pytest.approx([1e-4, 1e-2, 1.0])  # lam geometric
    assert seen["log"] == (False, True) and seen["path"] == "map.png"


def test_log_axes_names_must_be_axes(capsys):
    err = one_error(capsys, "curve", "ridge", "risk", "gamma=0.2:3:3", "lam=0.1", "--log-axes", "lam")
    assert "`--log-axes`: `lam` is not an axis" in err and "`gamma`" in err


def test_plot_without_extension_reports_the_real_file(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    rc, _, err = cli(capsys, "curve", "ridge", "risk", "gamma=0.2:3:4", "--plot", str(tmp_path / "out"))
    assert rc == 0 and f"wrote plot to {tmp_path / 'out.png'}" in err and (tmp_path / "out.png").exists()
