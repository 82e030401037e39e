"""Sphinx configuration of the asymptotics documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (see docs/README.md).
Notebooks (docs/notebooks -> ../notebooks) are executed by myst-nb at build time at the small sizes
the test suite uses; set ``ASYMPTOTICS_DOCS_EXECUTE=off`` to render them without running them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the package from this checkout, installed or not
sys.path.insert(0, str(HERE / "_ext"))

import asymptotics  # noqa: E402

project = "asymptotics"
author = "the asymptotics authors"
copyright = "2026, the asymptotics authors"  # noqa: A001
release = version = asymptotics.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "asymptotics_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "README.md", "**/.ipynb_checkpoints", "notebooks/*.png", "Thumbs.db", ".DS_Store"]

# --- MyST / myst-nb -------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = os.environ.get("ASYMPTOTICS_DOCS_EXECUTE", "cache")  # "cache" | "force" | "off"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# the notebooks read these for their Monte Carlo sizes (the same small sizes as tests/test_notebooks.py);
# the kernel inherits this process's environment
os.environ.setdefault("NOTEBOOK_REPS", "4")
os.environ.setdefault("NOTEBOOK_N", "60")
# figures: the kernel's inline backend (an inherited MPLBACKEND=Agg would drop every figure)
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

# --- autodoc / autosummary / numpydoc -------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

# --- no network: intersphinx is off on purpose (CI has no internet) --------------------------
suppress_warnings = ["myst.header"]

# --- HTML -------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"asymptotics {version}"
html_static_path: list[str] = []
html_show_sourcelink = False
