"""Run the examples in the validation package's docstrings."""

import doctest
import importlib

import pytest

MODULES = ["validation", "validation.compare", "validation.simulators.marchenko_pastur", "validation.simulators.ridge"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
