"""Sphinx directives that render a model's own definitions at build time.

* ``{asymptotics-system} MODEL`` (option ``:form: NAME`` or the flag ``:general:``) emits the model's
  SymPy system, ``get_model(MODEL).system(...).latex()``, as a display-math block; the equations on the
  model pages are therefore the very objects the solvers use, never a hand-typed copy.
* ``{asymptotics-params} MODEL`` emits a table of the model's parameters (its ``ParamSpec`` records).
* ``{asymptotics-quantities} MODEL`` emits a table of its quantities (``QuantitySpec``: name,
  description, parameters, float64 curve, proof status).
* ``.. asymptotics-api:: PACKAGE`` (in an rST page) documents every name of ``PACKAGE.__all__``:
  a summary table, then ``autofunction``/``autoclass``/``autodata`` per name, read when the site is
  built, so a name added to ``__all__`` appears without editing the page.  Option ``:skip:`` lists
  names documented elsewhere (submodules get a module page of their own).

A model that fails to load, an unknown form or an empty system is a build error (with ``-W`` the
build fails), so a page cannot silently lose its equations.
"""

from __future__ import annotations

import inspect

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective


def _model(name: str):
    from asymptotics.models._registry import get_model

    return get_model(name)


def _table(headers: list[str], rows: list[list[str]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["asymptotics-table"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for w in widths:
        group += nodes.colspec(colwidth=w)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for h in headers:
        row += nodes.entry("", nodes.paragraph(text=h))
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for i, text in enumerate(cells):
            para = nodes.paragraph()
            para += nodes.literal(text=text) if i == 0 else nodes.Text(text)
            row += nodes.entry("", para)
        body += row
    return table


class SystemDirective(SphinxDirective):
    """Render ``get_model(MODEL).system(form=...)`` as display math."""

    required_arguments = 1
    option_spec = {"form": directives.unchanged, "general": directives.flag}

    def run(self) -> list[nodes.Node]:
        model = _model(self.arguments[0])
        params = inspect.signature(model.system).parameters
        kwargs: dict[str, object] = {}
        if "form" in self.options:
            if "form" not in params:
                raise self.error(f"model {model.name!r} has no system forms")
            kwargs["form"] = self.options["form"]
        if "general" in self.options:
            if "general" not in params:
                raise self.error(f"model {model.name!r} has no general system")
            kwargs["general"] = True
        latex = model.system(**kwargs).latex().strip()
        if "\\begin{align}" not in latex or latex.count("&") == 0:
            raise self.error(f"model {model.name!r}: unexpected LaTeX from system({kwargs})")
        # MathJax renders the align environment itself; nowrap keeps Sphinx from adding another one
        node = nodes.math_block(latex, latex, nowrap=True, number=None, label=None, docname=self.env.docname)
        node["classes"].append("asymptotics-system")
        self.add_name(node)
        return [node]


class ParamsDirective(SphinxDirective):
    """A table of the model's parameters: name, kind, default, description."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        model = _model(self.arguments[0])
        rows = [[p.name, p.kind, "required" if p.default is None else p.default, p.doc] for p in model.params.values()]
        return [_table(["parameter", "kind", "default", "meaning"], rows, [14, 10, 16, 60])]


class QuantitiesDirective(SphinxDirective):
    """A table of the model's quantities: name, description, parameters, float64 curve, proof status."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        model = _model(self.arguments[0])
        rows = []
        for q in model.quantities.values():
            proof = q.proof + (f" ({q.proof_note})" if q.proof_note else "")
            rows.append([q.name, q.doc, ", ".join(q.params), "yes" if q.curve is not None else "no", proof])
        return [_table(["quantity", "meaning", "parameters", "float64", "digits"], rows, [14, 30, 26, 8, 40])]


def _attr_doc(mod, name: str) -> list[str]:
    """The ``#:`` comment or docstring of constant ``name``, looked up where the package's lazy table
    (``_LAZY``) says it is defined."""
    from sphinx.pycode import ModuleAnalyzer

    where = getattr(mod, "_LAZY", {}).get(name)
    modname = mod.__name__ if where is None else (mod.__name__ + where if where.startswith(".") else where)
    try:
        docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
    except Exception:  # no source available: leave the entry without a description
        return []
    return [line for line in docs.get(("", name), []) if line.strip()]


class PublicApiDirective(SphinxDirective):
    """Autodoc every public name of a package's ``__all__`` (rST pages only: the body is rST)."""

    required_arguments = 1
    option_spec = {"skip": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        import importlib
        import types

        from docutils.statemachine import StringList
        from sphinx.util.nodes import nested_parse_with_titles

        package = self.arguments[0]
        mod = importlib.import_module(package)
        skip = set((self.options.get("skip") or "").split())
        names = [n for n in mod.__all__ if n not in skip]
        lines = [f".. currentmodule:: {package}", "", ".. autosummary::", "   :nosignatures:", ""]
        body: list[str] = []
        for name in names:
            obj = getattr(mod, name)
            full = f"{package}.{name}"
            if isinstance(obj, types.ModuleType):
                continue  # a submodule: documented on its own page
            lines.append(f"   {name}")
            if isinstance(obj, type):
                body += [f".. autoclass:: {full}", "   :members:", ""]
            elif callable(obj):
                body += [f".. autofunction:: {full}", ""]
            elif isinstance(obj, (bool, int, float, str)):  # a constant: its doc comment from the defining module
                body += [f".. py:data:: {name}", f"   :value: {obj!r}", "", *(f"   {line}" for line in _attr_doc(mod, name)), ""]
            else:
                body += [f".. autodata:: {full}", "   :no-value:", ""]
        text = StringList([*lines, "", *body], source=self.env.docname)
        container = nodes.container()
        nested_parse_with_titles(self.state, text, container)
        return container.children


def setup(app):
    app.add_directive("asymptotics-system", SystemDirective)
    app.add_directive("asymptotics-params", ParamsDirective)
    app.add_directive("asymptotics-quantities", QuantitiesDirective)
    app.add_directive("asymptotics-api", PublicApiDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
