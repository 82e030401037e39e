"""`asymptotics latex MODEL [--form F] --out FILE.tex`: a standalone document for every model and form.

The structure is always checked; where a LaTeX engine (pdflatex) is installed, every document is
compiled and must compile without errors (`-halt-on-error`).  With ``ASYMPTOTICS_REQUIRE_LATEX=1``
(set by ``.ci/run``, which installs Debian's ``texlive-latex-base``) a missing engine is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

import asymptotics.models.krr as _krr
import asymptotics.models.linear_networks as _lnn
import asymptotics.models.neural_tangent as _nt
import asymptotics.models.random_features as _rf
from asymptotics.cli import main
from asymptotics.models import REGISTRY

# every model, every symbolic form it offers (taken from the modules, so a new form is covered)
SPECS = [
    ["mp"],
    ["dmp"],
    ["learning_curve"],
    ["gcm"],
    ["onestep"],
    ["committee"],
    ["ridge"],
    ["ridge", "--general"],
    *[[name, "--form", f] for name, module in (("rf", _rf), ("krr", _krr), ("nt", _nt), ("lnn", _lnn)) for f in module.FORMS],
]
PDFLATEX = shutil.which("pdflatex")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: "-".join(x.lstrip("-") for x in s))
def test_standalone_document(spec, tmp_path, capsys):
    out = tmp_path / "doc.tex"
    assert main(["latex", *spec, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\\documentclass") and text.rstrip().endswith("\\end{document}")
    assert text.count("\\begin{align}") == 1 and text.count("\\end{align}") == 1
    if PDFLATEX is None:
        assert os.environ.get("ASYMPTOTICS_REQUIRE_LATEX") != "1", "pdflatex not found (ASYMPTOTICS_REQUIRE_LATEX=1)"
        return  # structure only: no LaTeX engine on this machine
    run = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", out.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0


def test_every_model_is_exported():
    assert {spec[0] for spec in SPECS} == set(REGISTRY)


def test_out_unwritable(capsys, tmp_path):
    assert main(["latex", "nt", "--out", str(tmp_path / "missing" / "x.tex")]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "Traceback" not in err
