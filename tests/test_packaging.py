"""Packaging: the metadata, the top-level ``validation`` package, and the wheel as a user installs it.

The wheel test builds the sdist and, from it, the wheel (``python -m build``), installs the wheel
into a fresh virtual environment (its dependencies from the package index: the declared
dependencies must be enough) and runs ``asymptotics list``, one ``eval`` and one ``curve --mc``
from a temporary directory, so nothing can come from the source tree.  Without a package index
it is skipped, unless ``ASYMPTOTICS_REQUIRE_WHEEL=1`` (set by CI), which turns the skip into a
failure.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest
from packaging.requirements import Requirement

import asymptotics

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
MODELS = ("krr", "lnn", "mp", "nt", "rf", "ridge")
REQUIRE_WHEEL = os.environ.get("ASYMPTOTICS_REQUIRE_WHEEL", "") not in ("", "0")
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "MANIFEST.in", "asymptotics", "validation")
"""What the build reads (copied to a temporary tree, so the build writes nothing into the checkout)."""


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def _installed_version() -> str:
    try:
        return md.version("asymptotics")
    except md.PackageNotFoundError:
        pytest.skip('asymptotics is not installed (pip install -e ".[test]"): no metadata to compare')


# ----------------------------------------------------------------------------- metadata
def test_version_is_defined_once():
    assert PROJECT["dynamic"] == ["version"] and "version" not in PROJECT
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "asymptotics.__version__"}
    assert asymptotics.__version__ == _installed_version()


def test_license_changelog_and_classifiers():
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License") and "Copyright (c) 2026 the asymptotics developers" in license_text
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog and f"## [{asymptotics.__version__}]" in changelog
    classifiers = PROJECT["classifiers"]
    for c in (
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Mathematics",
        "Typing :: Typed",
        *(f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)),
    ):
        assert c in classifiers, c
    # PEP 639: the SPDX expression replaces license classifiers (setuptools >= 77 refuses both)
    assert not [c for c in classifiers if c.startswith("License ::")]
    assert PYPROJECT["build-system"]["requires"] == ["setuptools>=77"]


def test_project_urls_share_one_home():
    urls = PROJECT["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Source", "Changelog", "Issues"}
    home = urls["Homepage"]
    assert home.startswith("https://github.com/")
    assert all(u.startswith(home) for k, u in urls.items() if k not in ("Documentation",)), urls
    assert urls["Changelog"].endswith("/CHANGELOG.md")


def test_test_extra_covers_the_optional_extras():
    extras = PROJECT["optional-dependencies"]
    for name in ("data", "docs", "explore", "plot", "validate", "dask", "fast", "dev"):
        assert name in extras, name
    test = {_name(r) for r in extras["test"]}
    for name in ("data", "docs", "explore", "plot", "validate"):
        missing = {_name(r) for r in extras[name]} - test
        assert not missing, f"the test extra lacks {sorted(missing)} of the {name} extra"
    assert {"pandas", "xarray"} <= {_name(r) for r in extras["data"]}
    assert {"sphinx", "furo", "myst-nb", "numpydoc"} <= {_name(r) for r in extras["docs"]}
    assert {"ipywidgets", "matplotlib"} <= {_name(r) for r in extras["explore"]}


def test_typed_markers_are_package_data():
    assert PYPROJECT["tool"]["setuptools"]["package-data"] == {"asymptotics": ["py.typed"], "validation": ["py.typed"]}


# ----------------------------------------------------------------------------- the top-level validation package
def test_validation_is_ours():
    import validation

    _installed_version()
    # (a checkout holding asymptotics.egg-info on sys.path lists the same distribution more than once)
    assert set(md.packages_distributions()["validation"]) == {"asymptotics"}
    assert pathlib.Path(validation.__file__).resolve().parent == ROOT / "validation"


def test_validation_imports_its_own_modules_by_package_name():
    # a bare `import points` / `from simulators import x` would find another distribution's module of that name
    package = ROOT / "validation"
    own = {p.stem for p in package.rglob("*.py")} | {p.name for p in package.rglob("*") if p.is_dir()}
    own -= {"__init__", "__main__", "__pycache__"}
    offenders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in own]
    assert offenders == []


def _requirement_closure(extras: set[str]) -> set[str]:
    seen: set[str] = set()
    todo: list[tuple[str, set[str]]] = [("asymptotics", extras)]
    while todo:
        name, wanted = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = md.distribution(name).requires or []
        except md.PackageNotFoundError:
            continue
        for text in requires:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in (wanted or {""})):
                todo.append((req.name, set(req.extras)))
    return seen - {"asymptotics"}


def test_no_dependency_ships_or_imports_a_top_level_validation():
    _installed_version()
    deps = _requirement_closure({"validate", "dask"})
    assert {"dask", "distributed", "hypothesis", "scipy", "sympy", "numpy"} <= deps
    pattern = re.compile(rb"^\s*(?:import\s+validation\b|from\s+validation\b)", re.M)
    hits = []
    for name in sorted(deps):
        try:
            files = md.distribution(name).files or []
        except md.PackageNotFoundError:
            continue
        for f in files:
            if f.parts[0] in ("validation", "validation.py"):  # top level (hypothesis.internal.validation is not)
                hits.append(f"{name} ships {f}")
            elif f.suffix == ".py":
                try:
                    data = f.locate().read_bytes()
                except OSError:
                    continue
                if b"validation" in data and pattern.search(data):
                    hits.append(f"{name} imports validation in {f}")
    assert hits == []


# ----------------------------------------------------------------------------- the wheel, installed into a fresh venv
def _run(cmd: list[object], cwd: pathlib.Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _clean_env() -> dict[str, str]:
    """The environment without anything that could put the source tree or the user's packages on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")}
    env.update(PYTHONNOUSERSITE="1", PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def _unavailable(reason: str, output: str = "") -> None:
    if REQUIRE_WHEEL:
        pytest.fail(f"ASYMPTOTICS_REQUIRE_WHEEL is set but {reason}\n{output[-3000:]}")
    pytest.skip(f"{reason} (set ASYMPTOTICS_REQUIRE_WHEEL=1 to make this a failure)")


def _index_reachable(tmp: pathlib.Path) -> bool:
    probe = _run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", tmp / "probe", "--timeout", "15", "--retries", "1"]
        + ["mpmath"],
        cwd=tmp,
        timeout=120,
        env=_clean_env(),
    )
    return probe.returncode == 0


def _local_setuptools_builds() -> bool:
    """Whether the running environment can build without isolation (setuptools >= 77, as pyproject.toml requires)."""
    try:
        major = int(md.version("setuptools").split(".")[0])
    except (md.PackageNotFoundError, ValueError):
        return False
    return major >= 77


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pathlib.Path]:
    """Build sdist and wheel from a copy of the sources, install the wheel into a fresh venv."""
    if importlib.util.find_spec("build") is None:
        _unavailable("the `build` package is not installed (it is in the test extra)")
    tmp = tmp_path_factory.mktemp("wheel")
    src, dist = tmp / "src", tmp / "dist"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    isolation = [] if not _local_setuptools_builds() else ["--no-isolation"]
    built = _run([sys.executable, "-m", "build", *isolation, "--outdir", dist, src], cwd=tmp, env=_clean_env())
    if built.returncode != 0:
        if isolation or _index_reachable(tmp):
            pytest.fail(f"python -m build failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}")
        _unavailable("the package index is unreachable (an isolated build needs setuptools>=77 from it)", built.stderr)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")

    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=tmp, env=_clean_env(), timeout=300)
    assert made.returncode == 0, made.stderr
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    # the dependencies come from the package index (pip's cache makes repeated runs fast); --no-compile: byte-compiling
    # SymPy, SciPy and numpy would triple the install's CPU time, and the commands below import little of them
    pip = _run([python, "-m", "pip", "install", "--no-compile", wheel], cwd=tmp, env=_clean_env())
    if pip.returncode != 0:
        if _index_reachable(tmp):
            pytest.fail(f"installing the wheel failed:\n{pip.stdout[-3000:]}\n{pip.stderr[-3000:]}")
        _unavailable("the package index is unreachable (the wheel's dependencies come from it)", pip.stderr)
    workdir = tmp / "elsewhere"  # not the source tree: nothing can be imported from the checkout
    workdir.mkdir()
    return {"wheel": wheel, "sdist": sdist, "venv": venv, "bin": bindir, "python": python, "workdir": workdir}


def test_sdist_carries_the_texts(installed):
    with tarfile.open(installed["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}  # without the top folder asymptotics-VERSION/
    for name in ("LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "asymptotics/py.typed", "validation/py.typed"):
        assert name in names, name


def test_wheel_contents(installed):
    with zipfile.ZipFile(installed["wheel"]) as whl:
        names = whl.namelist()
        (info,) = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
        entry_points = whl.read(f"{info}/entry_points.txt").decode()
        metadata = whl.read(f"{info}/METADATA").decode()
    assert {n.split("/")[0] for n in names} == {"asymptotics", "validation", info}  # no tests/, notebooks/, docs/, benchmarks/
    for name in ("asymptotics/py.typed", "validation/py.typed", f"{info}/licenses/LICENSE", "validation/curves.py"):
        assert name in names, name
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "[asymptotics.models]" in entry_points and "[asymptotics.simulators]" in entry_points
    for model in MODELS:
        assert re.search(rf"^{model} = asymptotics\.models\.\w+:MODEL$", entry_points, re.M), model
    assert re.search(r"^default = validation\.curves:simulate_curve$", entry_points, re.M)
    assert f"Version: {asymptotics.__version__}\n" in metadata and "License-Expression: MIT\n" in metadata
    assert "Classifier: Typing :: Typed\n" in metadata


def test_installed_wheel_is_what_runs(installed):
    code = (
        "import importlib.metadata as md, asymptotics, validation\n"
        "print(asymptotics.__file__); print(validation.__file__)\n"
        "print(asymptotics.__version__, md.version('asymptotics'), md.packages_distributions()['validation'])\n"
    )
    out = _run([installed["python"], "-c", code], cwd=installed["workdir"], env=_clean_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    a_file, v_file, versions = out.stdout.splitlines()
    venv = installed["venv"].resolve()
    for f in (a_file, v_file):
        assert pathlib.Path(f).resolve().is_relative_to(venv), f
    assert versions == f"{asymptotics.__version__} {asymptotics.__version__} ['asymptotics']"


def test_installed_cli_list_eval_and_curve_with_mc(installed):
    cli = installed["bin"] / ("asymptotics.exe" if os.name == "nt" else "asymptotics")
    listing = _run([cli, "list"], cwd=installed["workdir"], env=_clean_env(), timeout=300)
    assert listing.returncode == 0, listing.stderr
    for model in MODELS:
        assert re.search(rf"^{model}\b", listing.stdout, re.M), model

    # ridgeless isotropic ridge, gamma > 1: R = r2 (1 - 1/gamma) + sigma2/(gamma - 1) = 1/2 at gamma=2, r2=1, sigma2=0
    gamma, r2, sigma2 = 2, 1, 0
    expected = r2 * (1 - 1 / gamma) + sigma2 / (gamma - 1)
    value = _run([cli, "eval", "ridge", "risk", "gamma=2", "lam=0", "r2=1", "sigma2=0"], installed["workdir"], _clean_env())
    assert value.returncode == 0, value.stderr
    assert float(value.stdout.strip()) == expected == 0.5

    curve = _run(
        [cli, "curve", "ridge", "risk", "gamma=0.2:3:5", "lam=0.1", "--mc", "2", "--n", "40"],
        cwd=installed["workdir"],
        env=_clean_env(),
    )
    assert curve.returncode == 0, curve.stderr
    lines = [line.split() for line in curve.stdout.splitlines() if line and not line.startswith("#")]
    header, rows = lines[0], lines[1:]
    assert header[:3] == ["gamma", "risk", "status"] and "mc_mean" in header and "mc_se" in header
    assert len(rows) == 5
    mean, se = header.index("mc_mean"), header.index("mc_se")
    for row in rows:  # the overlay ran (validation from the wheel): a finite positive risk and a standard error
        assert 0 < float(row[mean]) < 10 and 0 <= float(row[se]) < 1, row
