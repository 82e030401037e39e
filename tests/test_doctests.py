"""Run the examples in the docstrings (they verify values, not just print them)."""

import doctest
import importlib

import pytest

MODULES = [
    "asymptotics",
    "asymptotics.expression",
    "asymptotics.models.marchenko_pastur",
    "asymptotics.models.ridge",
    "asymptotics.result",
    "asymptotics.sweeps",
    "asymptotics.maps",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
