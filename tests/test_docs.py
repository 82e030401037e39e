"""The documentation site builds with warnings as errors, and what it promises is in it.

* the Sphinx build (``python -m sphinx -W --keep-going``) succeeds, with the notebooks rendered from
  executed copies (run once per session by the ``executed_notebooks`` fixture that
  ``tests/test_notebooks.py`` shares), figures embedded; the slow test lets myst-nb execute them;
* every model page shows the equations of the model's own SymPy system, every form of it;
* the API reference documents every public name of ``asymptotics.__all__``;
* no reference dangles: README, docstrings and notebooks cite pages of ``docs/`` (which exist),
  never notes outside the repository.
"""

from __future__ import annotations

import html
import os
import pathlib
import re
import shutil
import subprocess
import sys
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MODELS = ("mp", "ridge", "rf", "krr", "nt", "lnn", "dmp", "learning_curve", "gcm", "onestep", "committee")
FORMS = {  # every system form of `asymptotics latex MODEL [--form F | --general]`
    "mp": [{}],
    "dmp": [{}],
    "learning_curve": [{}],
    "gcm": [{}],
    "onestep": [{}],
    "committee": [{}],
    "ridge": [{}, {"general": True}],
    "rf": [{"form": f} for f in ("general", "scalar", "ridgeless", "kernel_limit", "data_limit")],
    "krr": [{"form": "de"}, {"form": "level"}],
    "nt": [{"form": "nt"}, {"form": "ntk"}],
    "lnn": [{"form": f} for f in ("end_to_end", "singular_value", "aligned")],
}


def _build(out: pathlib.Path, execute: str, srcdir: pathlib.Path = DOCS) -> subprocess.CompletedProcess:
    for module in ("sphinx", "myst_nb", "furo", "numpydoc"):
        if os.environ.get("ASYMPTOTICS_REQUIRE_DOCS") == "1":  # CI: the docs must build, never skip
            __import__(module)
        else:
            pytest.importorskip(module)
    env = {**os.environ, "ASYMPTOTICS_DOCS_EXECUTE": execute, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(srcdir), str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"sphinx failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    return proc


@pytest.fixture(scope="module")
def site(tmp_path_factory, executed_notebooks) -> pathlib.Path:
    """The site as published, built from executed copies of the notebooks (run once per session by the
    ``executed_notebooks`` fixture, which tests/test_notebooks.py shares): a copy of ``docs/`` whose
    ``notebooks/`` holds the executed notebooks, rendered by myst-nb without running them again."""
    import nbformat

    failed = [k for k, v in executed_notebooks.items() if isinstance(v, BaseException)]
    assert not failed, f"notebooks failed to run (see tests/test_notebooks.py): {failed}"
    src = tmp_path_factory.mktemp("docs_src")
    shutil.copy2(ROOT / "README.md", src / "README.md")  # pages include ../README.md
    shutil.copytree(DOCS, src / "docs", ignore=shutil.ignore_patterns("_build", "notebooks"))
    (src / "docs" / "notebooks").mkdir()
    for stem, nb in executed_notebooks.items():
        nbformat.write(nb, src / "docs" / "notebooks" / f"{stem}.ipynb")
    out = tmp_path_factory.mktemp("docs_html")
    _build(out, "off", srcdir=src / "docs")
    return out


def _text(path: pathlib.Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8"))


def test_notebooks_are_rendered_with_their_outputs(site):
    """The published notebooks carry what they computed: text outputs and embedded figures."""
    for name in ("ridge", "random_features", "krr", "marchenko_pastur"):
        page = (site / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        assert "cell_output" in page and ("<img" in page or "image/png" in page), name


def test_pages_exist(site):
    pages = ["index", "getting_started", "conventions", "precision", "validation", "model_api", "notebooks",
             "api/index", "api/asymptotics", "api/models", "api/validation", "proofs/README", "proofs/rf",
             *(f"models/{m}" for m in MODELS), "notebooks/ridge", "notebooks/custom_model"]
    missing = [p for p in pages if not (site / f"{p}.html").is_file()]
    assert not missing


@pytest.mark.parametrize("model", MODELS)
def test_model_page_renders_every_system_form(site, model):
    from asymptotics.models._registry import get_model

    page = _text(site / "models" / f"{model}.html")
    for kwargs in FORMS[model]:
        latex = get_model(model).system(**kwargs).latex().strip()
        rows = [r.strip().rstrip("\\").strip() for r in latex.splitlines()[1:-1]]
        assert rows, kwargs
        for row in rows:  # each equation of the system, verbatim, inside a display-math block
            assert row in page, f"{model} {kwargs}: missing {row[:80]!r}"
    assert page.count("\\begin{align}") >= len(FORMS[model])
    # the parameter and quantity tables come from the registry
    for name in get_model(model).params:
        assert f">{name}<" in page.replace("<span class=\"pre\">", ">").replace("</span>", "<")


def test_hand_checked_equations_on_pages(site):
    """A few equations typed here from the mathematics, not from the library."""
    mp = _text(site / "models" / "mp.html")
    assert "\\sigma^{2} \\gamma z m^{2}" in mp  # σ²γ z m² + (z − σ²(1 − γ)) m + 1 = 0
    ridge = _text(site / "models" / "ridge.html")
    assert "\\kappa^{2}" in ridge and "Reference values" in ridge and "R10" in ridge
    krr = _text(site / "models" / "krr.html")
    assert "0.8151872386510617" in krr and 'id="reference-values"' in krr  # row K4, cited by README
    nt = _text(site / "models" / "nt.html")
    assert "0.30728588464086712036" in nt and "nt05" in nt and "0.0320" in nt


def test_api_reference_documents_the_public_names(site):
    import asymptotics

    page = (site / "api" / "asymptotics.html").read_text(encoding="utf-8")
    names = [n for n in asymptotics.__all__ if not isinstance(getattr(asymptotics, n), types.ModuleType)]
    missing = [n for n in names if f'id="asymptotics.{n}"' not in page]
    assert not missing
    models = (site / "api" / "models.html").read_text(encoding="utf-8")
    for fn in ("asymptotics.models.ridge.risk", "asymptotics.models.random_features.risk", "asymptotics.models.krr.risk"):
        assert f'id="{fn}"' in models
    assert 'id="validation.compare"' in (site / "api" / "validation.html").read_text(encoding="utf-8")


DANGLING = re.compile(r"theory note|note row|theory-note|mp_ridge_krr\.md|rf_nt\.md|shared/theory|\blinear_networks\.md")


def _cited_files() -> list[pathlib.Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "notebooks").glob("*.ipynb"))]
    for pkg in ("asymptotics", "validation"):
        files += sorted((ROOT / pkg).rglob("*.py"))
    return files


def test_no_reference_to_notes_outside_the_repository():
    bad = [f"{f.relative_to(ROOT)}:{i}: {line.strip()[:100]}" for f in _cited_files()
           for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if DANGLING.search(line)]
    assert not bad, "\n".join(bad)


def test_cited_docs_pages_exist():
    cited = {m for f in _cited_files() for m in re.findall(r"docs/[\w/.-]+?\.md", f.read_text(encoding="utf-8"))}
    assert cited, "README and docstrings should point at the docs pages"
    missing = sorted(c for c in cited if not (ROOT / c).is_file())
    assert not missing


def test_cited_sections_exist():
    """``docs/models/krr.md, 'Reference values'``: the quoted section is a heading of that page."""
    cited = {(page, title) for f in _cited_files()
             for page, title in re.findall(r"(docs/[\w/.-]+?\.md),\s*'([^']+)'", f.read_text(encoding="utf-8"))}
    assert cited
    headings = {}
    for page, _ in cited:
        lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
        headings[page] = {line.lstrip("#").strip() for line in lines if line.startswith("#")}
    missing = sorted(f"{page}: {title!r}" for page, title in cited if title not in headings[page])
    assert not missing, missing


@pytest.mark.slow
def test_published_build_executes_the_notebooks(tmp_path):
    """The site as published: notebooks executed by myst-nb, figures embedded (~1 min CPU)."""
    pytest.importorskip("nbclient")
    _build(tmp_path, "force")
    for name in ("ridge", "random_features", "krr"):
        page = (tmp_path / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        assert "cell_output" in page and ("<img" in page or "image/png" in page), name
