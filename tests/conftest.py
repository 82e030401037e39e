import os

# One BLAS thread for the whole test session (and, through the environment, for the CLI subprocesses, the
# notebook kernels and Dask workers it starts).  OpenBLAS threads busy-wait between calls: on a 2-core
# machine with any other load, two of them per process made the Monte Carlo files 7x slower (measured:
# test_neural_tangent_mc.py 711 s wall / 205 s CPU with 2 threads, 101 s / 18 s with one, same load).
# The tests' matrices are small (n <= ~1000), where a second thread gains little when the machine is idle.
# ASYMPTOTICS_TEST_BLAS_THREADS=0 keeps the library defaults.
_BLAS_THREADS = os.environ.get("ASYMPTOTICS_TEST_BLAS_THREADS", "1")
if _BLAS_THREADS != "0":
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, _BLAS_THREADS)

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread():
    """The BLAS thread limit above, also when numpy was imported before this file (a plugin, ``-p``)."""
    if _BLAS_THREADS == "0":
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the test extras
        yield
        return
    with threadpool_limits(limits=int(_BLAS_THREADS), user_api="blas"):
        yield


@pytest.fixture(autouse=True)
def _restore_mpmath_and_numpy():
    """Library code must not leak mpmath precision; numpy FP errors raise inside tests."""
    dps = mpmath.mp.dps
    with np.errstate(all="raise", under="ignore"):  # underflow to 0 is harmless
        yield
    assert mpmath.mp.dps == dps, "mpmath precision leaked from library code"
    mpmath.mp.dps = 15


def _slow_selected(config: pytest.Config) -> bool:
    if os.environ.get("ASYMPTOTICS_SLOW") == "1":
        return True
    expr = config.getoption("markexpr", default="") or ""
    return "slow" in expr and "not slow" not in expr


@pytest.fixture(autouse=True)
def _skip_slow_unless_asked(request: pytest.FixtureRequest) -> None:
    """Tests marked ``slow`` (long Monte Carlo or quadrature runs) run with ASYMPTOTICS_SLOW=1 or ``-m slow``."""
    if request.node.get_closest_marker("slow") is not None and not _slow_selected(request.config):
        pytest.skip("slow test: set ASYMPTOTICS_SLOW=1 (or select with -m slow)")


# ----------------------------------------------------------------------------- notebooks, executed once
NOTEBOOK_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every notebook of ``notebooks/`` run top to bottom once per session in a real Jupyter kernel
    (nbclient) at the small test sizes: ``{stem: executed NotebookNode or the exception it raised}``.

    ``tests/test_notebooks.py`` checks them; ``tests/test_docs.py`` builds the site from these executed
    copies (myst-nb renders their stored outputs), so the notebooks run once, not twice.
    """
    import pathlib

    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    env = {"NOTEBOOK_REPS": "4", "NOTEBOOK_N": "60", "JUPYTER_PLATFORM_DIRS": "1",
           # the inline backend keeps each figure as an output (Agg would drop them from the docs)
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    out: dict = {}
    try:
        for path in sorted(pathlib.Path(NOTEBOOK_DIR).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            work = tmp_path_factory.mktemp(f"nb_{path.stem}")
            client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}})
            try:
                client.execute()
                out[path.stem] = nb
            except Exception as exc:  # reported by the notebook's own test
                out[path.stem] = exc
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return out
