"""The README's Python examples run and print what the README says (quadpy's test_readme idea)."""

import doctest
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_doctest_blocks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write figures (plot_map(..., "rf_map.png")) write them here
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    examples = [b for b in blocks if ">>>" in b]
    assert examples
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    # one DocTest for all blocks: later blocks use names imported by earlier ones
    runner.run(parser.get_doctest("\n".join(examples), {}, "README", str(README), 0))
    assert runner.summarize(verbose=False).failed == 0
