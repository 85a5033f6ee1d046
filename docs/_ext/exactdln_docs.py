"""Two directives that generate reference pages from the code, so the pages cannot drift from it.

``exactdln-cli``
    One section per subcommand of ``exactdln.cli.build_parser()`` (and the top-level ``exactdln --help``),
    with its ``--help`` text as printed by a terminal 88 columns wide.

``exactdln-api``
    An autodoc entry ``exactdln.<name>`` for every name in ``exactdln.__all__``, grouped under the headings of
    ``GROUPS``; a name in no group lands under "Other names", so a new export is documented the day it is added.

It also turns every citation ``docs/maths/<file>.md §N`` in running text (pages and docstrings alike) into a link
to that section of the page, so the citations that code, messages and certificates carry work on the site too.
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
from contextlib import contextmanager

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

HELP_COLUMNS = 88

# Headings of the API reference, in order, with the public names that belong under each (names not exported
# are skipped: the list may run ahead of or behind exactdln.__all__).
GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Problems and points", "Data, weights and exact parsing.",
     ("Problem", "RationalMatrix", "InputError", "load_point", "parse_number")),
    ("Classification", "The exact verdict at a point and its routes (docs/maths/classification.md §3.3).",
     ("classify", "hessian_inertia")),
    ("Regularized loss and parametric families",
     "Weight decay (docs/maths/regularized.md) and points whose entries are rational functions of parameters.",
     ("classify_regularized", "classify_family", "load_family", "Family")),
    ("Certificates", "Evidence that the standalone checker re-verifies (exactdln/trusted/FORMAT.md).",
     ("certify", "write_certificate", "check", "Certificate", "CheckerRun", "CheckResult", "CertificateError")),
    ("Numeric cross-checks and float weights",
     "Independent float64 and mpmath paths, the comparison with the exact one, and weights trained in floating point.",
     ("classify_float", "classify_mp", "crosscheck", "snap", "load_float_point")),
    ("Loss, gradient, Hessian and partial products", "Exact derivatives (docs/maths/README.md §2).",
     ("loss", "gradient", "is_critical", "hessian_form", "hessian_matrix", "partial_product", "partial_ranks")),
    ("Weights from other libraries", "PyTorch modules and state dicts, JAX/Flax parameters, point files of any format.",
     ("from_torch", "from_jax", "load_point_file")),
    ("Instances and sweeps", "Rational points whose class is known from a theorem, and many of them at once.",
     ("random_instance", "gallery", "worked_instances", "Instance", "sweep")),
    ("Result types", "Small frozen dataclasses with ``to_json()`` and a readable ``str()``.",
     ("Verdict", "Classification", "Inertia", "Assumptions", "RouteVerdict", "NumericClassification",
      "FamilyVerdict", "RegularizedClassification", "CrosscheckResult", "SnapResult")),
]
SKIPPED = {"__version__"}


def public_names() -> list[str]:
    import exactdln

    return [n for n in exactdln.__all__ if n not in SKIPPED]


def grouped_names() -> list[tuple[str, str, list[str]]]:
    """GROUPS restricted to the exported names, plus "Other names" for exports in no group."""
    names = public_names()
    placed: set[str] = set()
    out = []
    for title, blurb, members in GROUPS:
        present = [n for n in members if n in names and n not in placed]
        placed.update(present)
        if present:
            out.append((title, blurb, present))
    rest = [n for n in names if n not in placed]
    if rest:
        out.append(("Other names", "", rest))
    return out


def _autodoc_directive(name: str) -> str:
    import exactdln

    obj = getattr(exactdln, name)
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return "autoexception"
    if inspect.isclass(obj):
        return "autoclass"
    if callable(obj):
        return "autofunction"
    return "autodata"


class PublicAPI(SphinxDirective):
    """Autodoc every public name as ``exactdln.<name>``, never under its internal module."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        lines: list[str] = []
        for title, blurb, names in grouped_names():
            lines += [title, "-" * len(title), ""]
            if blurb:
                lines += [blurb, ""]
            for name in names:
                lines += [f".. {_autodoc_directive(name)}:: exactdln.{name}", ""]
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="exactdln.__all__"), container)
        return container.children


@contextmanager
def _columns(n: int):
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(n)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def command_help() -> list[tuple[str, str]]:
    """(title, --help text) for ``exactdln`` and each subcommand, as the parser prints them."""
    from exactdln.cli import build_parser

    with _columns(HELP_COLUMNS):
        parser = build_parser()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        out = [("exactdln", parser.format_help())]
        out += [(f"exactdln {name}", sub.choices[name].format_help()) for name in sorted(sub.choices)]
    return out


class CommandHelp(SphinxDirective):
    """One section per command with its ``--help`` text."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        sections = []
        for title, text in command_help():
            section = nodes.section()
            section["names"].append(nodes.fully_normalize_name(title))
            self.state.document.note_implicit_target(section, section)
            section += nodes.title(title, "", nodes.literal(title, title))
            block = nodes.literal_block(text, text, language="text")
            section += block
            sections.append(section)
        return sections


CITATION = re.compile(r"docs/maths/(?P<page>[\w-]+)\.md(?P<sections>(?:(?:,|;|and|or|\s)*§\d+(?:\.\d+)*)*)")
SECTION = re.compile(r"§(\d+(?:\.\d+)*)")
HEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)[.\s]")
NOT_LINKED = (nodes.literal_block, nodes.literal, nodes.reference, nodes.raw, nodes.title)


def collect_section_numbers(app, doctree) -> None:
    """Remember, for each docs/maths page, the id of the section whose heading starts with a number."""
    docname = app.env.docname
    if not docname.startswith("maths/"):
        return
    numbers = {}
    for section in doctree.findall(nodes.section):
        match = HEADING_NUMBER.match(section[0].astext()) if section.children else None
        if match and section["ids"]:
            numbers.setdefault(match.group(1), section["ids"][0])
    if not hasattr(app.env, "exactdln_sections"):
        app.env.exactdln_sections = {}
    app.env.exactdln_sections[docname] = numbers


def _skipped(node) -> bool:
    while node is not None:
        if isinstance(node, (*NOT_LINKED, addnodes.desc_signature)):
            return True
        node = node.parent
    return False


def link_maths_citations(app, doctree, fromdocname) -> None:
    """Replace "docs/maths/<file>.md §N" in running text by a link to the page (and its section N)."""
    sections = getattr(app.env, "exactdln_sections", {})
    for text in list(doctree.findall(nodes.Text)):
        value = str(text)
        if "docs/maths/" not in value or _skipped(text.parent):
            continue
        pieces: list[nodes.Node] = []
        last = 0
        for match in CITATION.finditer(value):
            target = f"maths/{match.group('page')}"
            if target not in app.env.all_docs:
                continue
            numbers = SECTION.findall(match.group("sections"))
            anchor = sections.get(target, {}).get(numbers[0], "") if numbers else ""
            uri = app.builder.get_relative_uri(fromdocname, target) + (f"#{anchor}" if anchor else "")
            pieces.append(nodes.Text(value[last:match.start()]))
            pieces.append(nodes.reference(match.group(0), match.group(0), refuri=uri, internal=True))
            last = match.end()
        if pieces:
            pieces.append(nodes.Text(value[last:]))
            text.parent.replace(text, pieces)


def setup(app):
    app.add_directive("exactdln-api", PublicAPI)
    app.add_directive("exactdln-cli", CommandHelp)
    app.connect("doctree-read", collect_section_numbers)
    app.connect("doctree-resolved", link_maths_citations)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
